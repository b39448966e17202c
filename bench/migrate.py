"""Benchmark: the whole migration pipeline on a synth estate (scale 1.0 ≈ 1 M persons + 850 k dossiers).

Prints wall time per stage (stages interleave batch by batch and are timed in place), total time, rows per second,
CPU time (user + sys) of the migrating process and of its workers — the figure to compare on a machine shared with
other jobs — and peak memory: the max RSS of the migrating process and of its largest worker, and the peak of the
whole process tree together (PSS summed over the process and its workers, sampled every 0.5 s from /proc by
:mod:`treemem`, beside their RSS summed every 0.1 s: workers run side by side, so this is the figure the machine must
have). Linkage is measured
apart (bench/link.py), so the run here uses ``--no-link``. Target (issue #5): under 10 minutes and under 8 GB on a
2-core machine.

    .venv/bin/python bench/migrate.py --scale 1.0            # generates the estate once under bench/.cache
    .venv/bin/python bench/migrate.py --scale 0.1 --keep     # a quicker look
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import treemem

CACHE = Path(__file__).resolve().parent / ".cache"


def estate(scale: float, seed: int) -> Path:
    out = CACHE / f"estate-{scale}-{seed}"
    if not (out / "merger.yaml").exists():
        from hopnhat.synth.generate import SynthSettings, generate

        started = time.perf_counter()
        generate(SynthSettings(scenario="danang", scale=scale, seed=seed, out=out))
        print(f"estate generated in {time.perf_counter() - started:.0f} s → {out}")
    return out


CHILD = """
import json, resource, sys, time
from hopnhat.project.config import load_project
from hopnhat.run.runner import migrate
from hopnhat.base import timing
project = load_project(sys.argv[1])
t = time.perf_counter()
result = migrate(project, link=False, fresh=True, workers=int(sys.argv[2]))
wall = time.perf_counter() - t
me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
rss, kids = me.ru_maxrss / 1024, workers.ru_maxrss / 1024
cpu = {"main": me.ru_utime + me.ru_stime, "workers": workers.ru_utime + workers.ru_stime}
print(json.dumps({"wall": wall, "stages": dict(timing.totals), "rss_mb": rss, "children_rss_mb": kids, "cpu": cpu,
                  "read": sum(b.read for b in result.balances), "balanced": result.balanced}))
"""


def run(merger: Path, workers: int) -> dict[str, object]:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(merger), str(workers)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    memory = treemem.TreeMemory(proc.pid, pss_every=0.5)
    stdout, stderr = proc.communicate()
    peak = memory.stop()
    if proc.returncode != 0:
        sys.exit(stderr[-3000:])
    result = json.loads(stdout.strip().splitlines()[-1])
    result["tree_peak_mb"], result["tree_peak_rss_mb"] = peak.pss_mb, peak.rss_mb
    result["tree_peak_processes"] = peak.processes
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the store for a look")
    ap.add_argument("--workers", type=int, default=2, help="tables loaded side by side (hopnhat migrate --workers)")
    args = ap.parse_args()
    src = estate(args.scale, args.seed)
    work = CACHE / "migrate-run"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(src, work, ignore=shutil.ignore_patterns("*.duckdb*", "*-runs", "truth"))
    r = run(work / "merger.yaml", args.workers)
    print(f"\nhopnhat migrate --workers {args.workers} — scale {args.scale}: {r['read']:,} source rows, "
          f"balanced={r['balanced']}")
    for name, secs in sorted(r["stages"].items(), key=lambda kv: -kv[1]):  # type: ignore[union-attr]
        print(f"  {name:<10} {secs:8.1f} s")
    print(f"  {'total':<10} {r['wall']:8.1f} s   ({r['read'] / r['wall']:,.0f} rows/s)")  # type: ignore[operator]
    cpu = r["cpu"]
    total = cpu["main"] + cpu["workers"]  # type: ignore[index]
    print(f"  CPU time:  {total:8.1f} s   (main {cpu['main']:.1f} s, workers {cpu['workers']:.1f} s; "  # type: ignore[index]
          "user + sys, independent of other load on the machine)")
    print(f"  peak memory: whole process tree {r['tree_peak_mb']:,.0f} MB (PSS; RSS summed "
          f"{r['tree_peak_rss_mb']:,.0f} MB; up to {r['tree_peak_processes']} processes); "
          f"max RSS main {r['rss_mb']:,.0f} MB, largest worker {r['children_rss_mb']:,.0f} MB")
    print(f"  targets: < 600 s → {'OK' if r['wall'] < 600 else 'MISSED'}; < 8192 MB (whole tree) → "  # type: ignore[operator]
          f"{'OK' if r['tree_peak_mb'] < 8192 else 'MISSED'}")  # type: ignore[operator]
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
