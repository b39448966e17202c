"""The file store against rsync: throughput including hashing, memory, exact books (issue 20).

Writes (or reuses) a tree of two provinces' files (PDF-shaped: header, random body, ``%%EOF``; sizes spread around
``--mean-kb``) with ``--dup`` of the second province's files copying a file of the first (scans held by both), a
manifest per province, and a merger file. Then, ``--reps`` times and with the order of the steps rotated each time,
for each page-cache state asked (``--cache warm cold``) it times:

- ``rsync -a`` copying the tree to a folder on the same file system (its writes left in the page cache);
- ``rsync -a`` then ``sync`` (its copy on disk, as hopnhat's is when it ends);
- ``hopnhat.files`` reading both manifests into its store in a child process (hashing, judging, names, ledger, and a
  ``syncfs`` of each batch before the ledger commits it).

Before every step (untimed): the previous copy removed, ``sync`` (no step pays for another's dirty pages) and, for
``cold``, every file of the tree evicted from the page cache with ``posix_fadvise(DONTNEED)`` (a container cannot
write ``drop_caches``; the host's own cache, if any, is out of reach). Memory is the peak of the summed RSS of the
whole process tree of each step (sampled every 50 ms from ``/proc``) and the hopnhat child's own ``VmHWM``. The books
are checked: referenced = stored + duplicate + quarantined, stored = distinct contents on disk.

    .venv/bin/python bench/files.py --files 50000 --mean-kb 100 --root DIR --generate-only   # the tree, once
    /work/benchq .venv/bin/python bench/files.py --files 50000 --root DIR --reuse --reps 3     # the timings
    .venv/bin/python bench/files.py --files 2000 --mean-kb 100                                   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

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


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in (root / "src").rglob("*.pdf"))


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


def evict(root: Path) -> None:
    """Drop the tree's pages from the page cache (they are clean after ``sync``)."""
    for path in (root / "src").rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def _tree_rss_mb(pid: int) -> float:
    """Summed RSS of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS"):
                    total += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [int(c) for c in open(f"/proc/{p}/task/{task}/children").read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


def run_sampled(cmd: list[str]) -> tuple[float, float, str]:
    """Run a command; its wall seconds, the peak RSS of its process tree, its stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak, stop = [0.0], threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode})")
    return wall, peak[0], out


def rsync_step(root: Path, durable: bool) -> dict[str, Any]:
    def step() -> tuple[float, float, str]:
        wall, peak, _ = run_sampled(["rsync", "-a", f"{root / 'src'}/", f"{root / 'rsync'}/"])
        if durable:
            start = time.perf_counter()
            os.sync()
            wall += time.perf_counter() - start
        return wall, peak, ""
    wall, peak, _ = step()
    return {"wall_s": wall, "tree_rss_mb": peak}


def store_step(root: Path, path: Path) -> dict[str, Any]:
    wall, peak, out = run_sampled([sys.executable, "-c", CHILD, str(path)])
    return {"wall_s": wall, "tree_rss_mb": peak, **json.loads(out.strip().splitlines()[-1])}


def prepare(root: Path, cold: bool) -> None:
    """Untimed, before each step: the copies removed, dirty pages flushed, the tree evicted when cold."""
    for name in ("rsync", "store"):
        shutil.rmtree(root / name, ignore_errors=True)
    os.sync()
    if cold:
        evict(root)


def check_books(root: Path, books: list[dict[str, Any]], files: int) -> tuple[bool, int]:
    distinct = sum(1 for p in (root / "store" / "objects").rglob("*") if p.is_file())
    exact = all(b["referenced"] == b["stored"] + b["duplicate"] + b["quarantined"] and
                b["referenced_bytes"] == b["stored_bytes"] + b["duplicate_bytes"] + b["quarantined_bytes"]
                for b in books)
    exact = exact and sum(b["stored"] for b in books) == distinct and sum(b["referenced"] for b in books) == files
    return exact, distinct


def one_round(root: Path, path: Path, rep: int, cache: str, files: int) -> dict[str, Any]:
    steps: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("rsync", lambda: rsync_step(root, durable=False)),
        ("rsync_sync", lambda: rsync_step(root, durable=True)),
        ("hopnhat", lambda: store_step(root, path))]
    steps = steps[rep % 3:] + steps[:rep % 3]  # the order rotated each repetition
    got: dict[str, Any] = {"rep": rep, "cache": cache, "order": [s[0] for s in steps], "load": os.getloadavg()}
    for name, step in steps:
        prepare(root, cache == "cold")
        got[name] = step()
        if name == "hopnhat":
            got["exact"], got["distinct"] = check_books(root, got[name]["books"], files)
    return got


def summary(rounds: list[dict[str, Any]], total: int) -> None:
    for cache in dict.fromkeys(r["cache"] for r in rounds):
        these = [r for r in rounds if r["cache"] == cache]
        for r in these:
            h, a, b = r["hopnhat"], r["rsync"], r["rsync_sync"]
            print(f"{cache} rep {r['rep']} ({' → '.join(r['order'])}, load {r['load'][0]:.2f}): rsync "
                  f"{a['wall_s']:.2f} s, rsync + sync {b['wall_s']:.2f} s, hopnhat {h['wall_s']:.2f} s "
                  f"({total / h['wall_s'] / 1e6:.0f} MB/s) → {a['wall_s'] / h['wall_s']:.2f}× rsync, "
                  f"{b['wall_s'] / h['wall_s']:.2f}× rsync + sync · peak tree RSS hopnhat "
                  f"{h['tree_rss_mb']:.0f} MB (VmHWM {h['rss_mb']:.0f}), rsync {a['tree_rss_mb']:.0f} MB · "
                  f"books exact {r['exact']}")
        med = {k: statistics.median(r[k]["wall_s"] for r in these) for k in ("rsync", "rsync_sync", "hopnhat")}
        print(f"{cache} medians: rsync {med['rsync']:.2f} s, rsync + sync {med['rsync_sync']:.2f} s, hopnhat "
              f"{med['hopnhat']:.2f} s → {med['rsync'] / med['hopnhat']:.2f}× rsync, "
              f"{med['rsync_sync'] / med['hopnhat']:.2f}× rsync + sync")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--mean-kb", type=int, default=100)
    parser.add_argument("--dup", type=float, default=0.2, help="share of the 2nd province's files that copy the 1st's "
                                                                "(0.2 of half the files = 10 %% of all)")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--root", type=Path, default=Path("/tmp/files/bench"))
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--cache", nargs="+", choices=("warm", "cold"), default=["warm", "cold"])
    parser.add_argument("--generate-only", action="store_true", help="write the tree and stop (kept)")
    parser.add_argument("--reuse", action="store_true", help="time an existing tree (kept afterwards)")
    parser.add_argument("--json", type=Path, help="append each round's figures to this JSON-lines file")
    args = parser.parse_args()
    if args.reuse:
        total = tree_bytes(args.root)
    else:
        shutil.rmtree(args.root, ignore_errors=True)
        start = time.perf_counter()
        total = write_tree(args.root, args.files, args.mean_kb * 1024, args.dup, args.seed)
        print(f"tree: {args.files} files, {total / 1e9:.2f} GB in {time.perf_counter() - start:.0f} s")
        if args.generate_only:
            return
    path = merger(args.root)
    print(f"{args.files} files, {total / 1e9:.2f} GB; uptime: {os.getloadavg()}")
    rounds = []
    for rep in range(args.reps):
        for cache in args.cache:
            rounds.append(one_round(args.root, path, rep, cache, args.files))
            if args.json:
                with args.json.open("a") as f:
                    f.write(json.dumps(rounds[-1]) + "\n")
    summary(rounds, total)
    print(f"books: {json.dumps(rounds[-1]['hopnhat']['books'])}; distinct stored {rounds[-1]['distinct']}; "
          f"load after: {os.getloadavg()}")
    for name in ("rsync", "store"):
        shutil.rmtree(args.root / name, ignore_errors=True)
    if not args.reuse:
        shutil.rmtree(args.root, ignore_errors=True)


if __name__ == "__main__":
    main()
