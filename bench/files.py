"""The file store against rsync: throughput including hashing, memory, exact books (issue 20).

Writes a tree of two provinces' files (PDF-shaped: header, random body, ``%%EOF``; sizes spread around ``--mean-kb``)
with ``--dup`` of the second province's files copying a file of the first (scans held by both), a manifest per
province, and a merger file; then times ``rsync -a`` copying the tree and ``hopnhat.files`` reading both manifests
into its store (in a child process, whose peak memory is measured), each twice in alternating order (the page cache is
warm for both after the first pass; ``sync`` before each, untimed, so neither flushes the other's writes — hopnhat's
own ``syncfs`` of its batches is timed, rsync's writes are left in the page cache), and checks the books:
referenced = stored + duplicate + quarantined, stored = distinct contents.

    .venv/bin/python bench/files.py --files 50000 --mean-kb 100     # the target: 50,000 files ≈ 5 GB
    .venv/bin/python bench/files.py --files 2000 --mean-kb 100      # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

# The child's peak is VmHWM of its own address space: ru_maxrss would also count the parent's pages at the fork (the
# parent holds the tree's first bodies while writing it: that, not the store, made the figure grow with the tree).
CHILD = """
import json, sys
from hopnhat.project.config import load_project
from hopnhat.files.project import take_manifests

def hwm(): return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024

start = hwm()
out = take_manifests(load_project(sys.argv[1]))
books = [b.__dict__ for b in out.books]
print(json.dumps({"books": books, "rss_mb": hwm(), "rss_after_import_mb": start}))
"""


def _body(rng: random.Random, mean: int) -> bytes:
    size = max(256, int(rng.expovariate(1 / mean)))
    return b"%PDF-1.4\n" + rng.randbytes(size) + b"\n%%EOF\n"


def write_tree(root: Path, files: int, mean: int, dup: float, seed: int) -> int:
    """The two provinces' folders and manifests; their total bytes."""
    rng = random.Random(seed)
    half = files // 2
    total, first = 0, list[bytes]()
    for province in ("qn", "dn"):
        folder = root / "src" / province
        lines = ["table,row,column,path"]
        for i in range(half if province == "qn" else files - half):
            name = f"d{i % 100:02d}/ho_so_{i:06d}.pdf"
            data = first[rng.randrange(len(first))] if province == "dn" and rng.random() < dup else _body(rng, mean)
            if province == "qn" and len(first) < 2000:
                first.append(data)
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
            total += len(data)
            lines.append(f"ho_so,{i},tep,{name}")
        (folder / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return total


def merger(root: Path) -> Path:
    doc = {"merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "files": {"path": str(root / "store"), "folders": {p: str(root / "src" / p) for p in ("qn", "dn")},
                     "manifests": {"qn": "manifest.csv", "dn": "manifest.csv"}},
           "sources": [{"name": p, "system": "TTHC", "kind": "csv", "tables": [
               {"name": "ho_so", "path": "x.csv", "maps_to": "dossier", "columns": {"source_key": "ma"}}]}
               for p in ("qn", "dn")]}
    path = root / "merger.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def cpu_of_children() -> float:
    """CPU seconds (user + system) of the children waited for so far (rsync's own children included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_rsync(root: Path, durable: bool) -> tuple[float, float]:
    """rsync -a copying the tree (wall and CPU seconds); with ``durable``, until its copy is on disk too (``sync``),
    as hopnhat's is."""
    shutil.rmtree(root / "rsync", ignore_errors=True)
    os.sync()  # neither side pays for flushing the other's (or the tree writer's) dirty pages
    start, cpu = time.perf_counter(), cpu_of_children()
    subprocess.run(["rsync", "-a", f"{root / 'src'}/", f"{root / 'rsync'}/"], check=True)
    if durable:
        os.sync()
    return time.perf_counter() - start, cpu_of_children() - cpu


def time_store(root: Path, path: Path) -> tuple[float, dict[str, Any]]:
    shutil.rmtree(root / "store", ignore_errors=True)
    os.sync()
    start, cpu = time.perf_counter(), cpu_of_children()
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True, capture_output=True, text=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return time.perf_counter() - start, {**out, "cpu_s": cpu_of_children() - cpu}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--mean-kb", type=int, default=100)
    parser.add_argument("--dup", type=float, default=0.2, help="share of the 2nd province's files that copy the 1st's "
                                                                "(0.2 of half the files = 10 %% of all)")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--root", type=Path, default=Path("/tmp/files/bench"))
    args = parser.parse_args()
    shutil.rmtree(args.root, ignore_errors=True)
    total = write_tree(args.root, args.files, args.mean_kb * 1024, args.dup, args.seed)
    path = merger(args.root)
    runs = []
    for _ in range(2):
        rsync_s, rsync_cpu = time_rsync(args.root, durable=False)
        store_s, out = time_store(args.root, path)
        synced_s, _ = time_rsync(args.root, durable=True)
        runs.append((rsync_s, synced_s, store_s, {**out, "rsync_cpu_s": rsync_cpu}))
    books = runs[-1][3]["books"]
    distinct = sum(1 for p in (args.root / "store" / "objects").rglob("*") if p.is_file())
    exact = all(b["referenced"] == b["stored"] + b["duplicate"] + b["quarantined"] for b in books) and \
        sum(b["stored"] for b in books) == distinct and sum(b["referenced"] for b in books) == args.files
    for i, (rsync_s, synced_s, store_s, out) in enumerate(runs, 1):
        print(f"pass {i}: rsync {rsync_s:.2f} s ({total / rsync_s / 1e6:.0f} MB/s), rsync + sync {synced_s:.2f} s · "
              f"hopnhat.files {store_s:.2f} s ({total / store_s / 1e6:.0f} MB/s) · ratio {rsync_s / store_s:.2f}× "
              f"rsync, {synced_s / store_s:.2f}× rsync + sync · CPU rsync {out['rsync_cpu_s']:.2f} s, hopnhat "
              f"{out['cpu_s']:.2f} s ({out['rsync_cpu_s'] / out['cpu_s']:.2f}×) · peak RSS "
              f"{out['rss_mb']:.0f} MB (after imports {out['rss_after_import_mb']:.0f} MB)")
    print(f"{args.files} files, {total / 1e9:.2f} GB; books: {json.dumps(books)}; distinct stored {distinct}; "
          f"exact: {exact}; load: {os.getloadavg()}")
    shutil.rmtree(args.root, ignore_errors=True)


if __name__ == "__main__":
    main()
