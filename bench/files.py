"""The file store against rsync: throughput including hashing, memory, exact books (issue 20).

Writes (or reuses) a tree of two provinces' files (PDF-shaped: header, random body, ``%%EOF``; sizes spread around
``--mean-kb``) with ``--dup`` of the second province's files copying a file of the first (scans held by both), a
manifest per province, and a merger file. Then, ``--reps`` times and with the order of the steps rotated each time,
for each page-cache state asked (``--cache warm cold``) it times:

- ``rsync -a`` copying the tree to a folder on the same file system, then ``sync`` (timed apart: rsync alone leaves
  its copy in the page cache; rsync + sync has it on disk, as hopnhat's is when it ends);
- ``hopnhat.files`` reading both manifests into its store in a child process (hashing, judging, names, ledger, and a
  ``syncfs`` per 512 MB copied before the ledger commits what it covered).

Before every step (untimed): the previous copy moved aside (``--trash``: removing 50,000 files costs minutes on a disk
mounted with ``discard``; the trash is removed at the end, or left for the caller), ``sync`` (no step pays for
another's dirty pages), and the tree read once (``warm``: every file in the page cache) or evicted from it with
``posix_fadvise(DONTNEED)`` (``cold``: a container cannot write ``drop_caches``; the host's own cache, if any, is out
of reach). Memory is the peak of the summed RSS of the whole process tree of each step (sampled every 50 ms from
``/proc``) and the hopnhat child's own ``VmHWM``. The books are checked: referenced = stored + duplicate +
quarantined (files and bytes), stored = distinct contents on disk.

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


def _tree_files(root: Path) -> list[Path]:
    return [p for p in (root / "src").rglob("*") if p.is_file()]


def evict(root: Path) -> None:
    """Drop the tree's pages from the page cache (they are clean after ``sync``)."""
    for path in _tree_files(root):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def warm_up(root: Path) -> None:
    """Read every file of the tree once, so that all of it is in the page cache."""
    buffer = bytearray(1 << 20)
    for path in _tree_files(root):
        with path.open("rb", buffering=0) as f:
            while f.readinto(buffer):
                pass


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


def rsync_step(root: Path) -> dict[str, Any]:
    wall, peak, _ = run_sampled(["rsync", "-a", f"{root / 'src'}/", f"{root / 'rsync'}/"])
    start = time.perf_counter()
    os.sync()
    return {"wall_s": wall, "sync_s": time.perf_counter() - start, "tree_rss_mb": peak}


def store_step(root: Path, path: Path) -> dict[str, Any]:
    wall, peak, out = run_sampled([sys.executable, "-c", CHILD, str(path)])
    return {"wall_s": wall, "tree_rss_mb": peak, **json.loads(out.strip().splitlines()[-1])}


def free_gb(root: Path) -> float:
    return shutil.disk_usage(root).free / 1e9


def prepare(root: Path, cache: str, trash: bool) -> None:
    """Untimed, before each step: the copies moved aside (or removed), dirty pages flushed, the tree warm or cold."""
    for name in ("rsync", "store"):
        if not (root / name).exists():
            continue
        if trash:
            (root / "trash").mkdir(exist_ok=True)
            (root / name).rename(root / "trash" / f"{name}-{time.time_ns()}")
        else:
            shutil.rmtree(root / name)
    while trash and free_gb(root) < 15 and (root / "trash").exists() and any((root / "trash").iterdir()):
        shutil.rmtree(min((root / "trash").iterdir()))  # keep room for the next copies and for other people
    os.sync()
    if cache == "cold":
        evict(root)
    else:
        warm_up(root)


def check_books(root: Path, books: list[dict[str, Any]], files: int) -> tuple[bool, int]:
    distinct = sum(1 for p in (root / "store" / "objects").rglob("*") if p.is_file())
    exact = all(b["referenced"] == b["stored"] + b["duplicate"] + b["quarantined"] and
                b["referenced_bytes"] == b["stored_bytes"] + b["duplicate_bytes"] + b["quarantined_bytes"]
                for b in books)
    exact = exact and sum(b["stored"] for b in books) == distinct and sum(b["referenced"] for b in books) == files
    return exact, distinct


def one_round(root: Path, path: Path, rep: int, cache: str, files: int, trash: bool) -> dict[str, Any]:
    steps: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("rsync", lambda: rsync_step(root)), ("hopnhat", lambda: store_step(root, path))]
    if rep % 2:
        steps.reverse()  # the order alternated each repetition
    got: dict[str, Any] = {"rep": rep, "cache": cache, "order": [s[0] for s in steps], "at": time.strftime("%T"),
                           "load": os.getloadavg()}
    for name, step in steps:
        prepare(root, cache, trash)
        got[name] = step()
        if name == "hopnhat":
            got["exact"], got["distinct"] = check_books(root, got[name]["books"], files)
    got["load_after"] = os.getloadavg()
    return got


def summary(rounds: list[dict[str, Any]], total: int) -> None:
    for cache in dict.fromkeys(r["cache"] for r in rounds):
        these = [r for r in rounds if r["cache"] == cache]
        for r in these:
            h, a = r["hopnhat"], r["rsync"]
            synced = a["wall_s"] + a["sync_s"]
            print(f"{cache} rep {r['rep']} at {r['at']} ({' → '.join(r['order'])}, load {r['load'][0]:.1f} → "
                  f"{r['load_after'][0]:.1f}): rsync {a['wall_s']:.1f} s + sync {a['sync_s']:.1f} s, hopnhat "
                  f"{h['wall_s']:.1f} s ({total / h['wall_s'] / 1e6:.0f} MB/s) → {a['wall_s'] / h['wall_s']:.2f}× "
                  f"rsync, {synced / h['wall_s']:.2f}× rsync + sync · peak process-tree RSS hopnhat "
                  f"{h['tree_rss_mb']:.0f} MB (VmHWM {h['rss_mb']:.0f}), rsync {a['tree_rss_mb']:.0f} MB · "
                  f"books exact {r['exact']}")
        med = {"rsync": statistics.median(r["rsync"]["wall_s"] for r in these),
               "rsync_sync": statistics.median(r["rsync"]["wall_s"] + r["rsync"]["sync_s"] for r in these),
               "hopnhat": statistics.median(r["hopnhat"]["wall_s"] for r in these)}
        print(f"{cache} medians: rsync {med['rsync']:.1f} s, rsync + sync {med['rsync_sync']:.1f} s, hopnhat "
              f"{med['hopnhat']:.1f} s → {med['rsync'] / med['hopnhat']:.2f}× rsync, "
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
    parser.add_argument("--max-minutes", type=float, default=20, help="start no new round after this long")
    parser.add_argument("--generate-only", action="store_true", help="write the tree and stop (kept)")
    parser.add_argument("--reuse", action="store_true", help="time an existing tree (kept afterwards)")
    parser.add_argument("--json", type=Path, help="append each round's figures to this JSON-lines file")
    parser.add_argument("--trash", action="store_true", help="move the copies aside between steps and leave them in "
                                                             "ROOT/trash (remove them later, e.g. ionice -c3 rm -rf)")
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
    rounds: list[dict[str, Any]] = []
    began = time.monotonic()
    for rep in range(args.reps):
        for cache in args.cache:
            if rounds and time.monotonic() - began > args.max_minutes * 60:
                break  # the queue's time is shared: no new round past the limit
            rounds.append(one_round(args.root, path, rep, cache, args.files, args.trash))
            if args.json:
                with args.json.open("a") as f:
                    f.write(json.dumps(rounds[-1]) + "\n")
    summary(rounds, total)
    print(f"books: {json.dumps(rounds[-1]['hopnhat']['books'])}; distinct stored {rounds[-1]['distinct']}; "
          f"load after: {os.getloadavg()}")
    if args.trash:
        print(f"copies left in {args.root / 'trash'} and {args.root}/{{rsync,store}}: remove them")
        return
    for name in ("rsync", "store"):
        shutil.rmtree(args.root / name, ignore_errors=True)
    if not args.reuse:
        shutil.rmtree(args.root, ignore_errors=True)


if __name__ == "__main__":
    main()
