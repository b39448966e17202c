"""Where `hopnhat link persons` spends its time: wall and CPU of each stage of ``standalone.link_people`` on one input,
unprofiled (CPU is ``time.process_time``: every thread of the process, DuckDB's included), with the kernel's share
of it (``sys s``) and the minor page faults (``resource.getrusage``: the whole process, every thread).

    .venv/bin/python bench/link_stages.py IN.parquet OUT.parquet [--threads 2] [--memory-limit 1500MB]

The inputs are those ``bench/link.py`` writes (``/tmp/hopnhat-bench-link/population-1000000-*/input.parquet``);
OUT is the linked output, the same as the CLI's (compare two builds' outputs with ``bench/same_output.py``). Stages
nest (the names table inside the features, the candidate pairs and the scoring statement inside scoring); each row
is one wrapped function's own total.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from typing import Any

import pyarrow.parquet as pq

from hopnhat.link import engine, firstpass, person_features, persons, standalone

STAGES = [(standalone, "_store_rows"), (standalone, "stage_source"), (standalone, "build_person_features"),
          (person_features, "_names_table"), (persons, "rule_pairs"), (persons, "train"), (persons, "score"),
          (firstpass, "first_pass"), (firstpass, "kernel"), (engine, "predict_sql"), (persons, "attach_strata"),
          (persons, "estimate"), (persons, "combine"),
          (standalone, "_linked"), (persons, "person_clusters")]


def _kernel() -> tuple[float, int]:
    """System CPU seconds and minor page faults of the process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_stime, usage.ru_minflt


def _timed(fn: Callable[..., Any], totals: list[float]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        wall, cpu, (sys_s, faults) = time.perf_counter(), time.process_time(), _kernel()
        try:
            return fn(*args, **kwargs)
        finally:
            after = _kernel()
            totals[0] += time.perf_counter() - wall
            totals[1] += time.process_time() - cpu
            totals[2] += 1
            totals[3] += after[0] - sys_s
            totals[4] += after[1] - faults
    return run


def _wrap_all() -> dict[str, list[float]]:
    totals: dict[str, list[float]] = {}
    for module, name in STAGES:
        label = f"{module.__name__.rsplit('.', 1)[-1]}.{name}"
        totals[label] = [0.0, 0.0, 0, 0.0, 0]
        setattr(module, name, _timed(getattr(module, name), totals[label]))
    totals["engine.Backend.candidate_pairs"] = [0.0, 0.0, 0, 0.0, 0]
    engine.Backend.candidate_pairs = _timed(  # type: ignore[method-assign]
        engine.Backend.candidate_pairs, totals["engine.Backend.candidate_pairs"])
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="1500MB")
    args = parser.parse_args()
    totals = _wrap_all()
    table = pq.read_table(args.input)
    wall, cpu, (sys_s, faults) = time.perf_counter(), time.process_time(), _kernel()
    result = standalone.link_people(table, threads=args.threads, memory_limit=args.memory_limit)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = _kernel()
    sys_s, faults = after[0] - sys_s, after[1] - faults
    pq.write_table(result.table, args.output)
    print(f"{'stage':40} {'wall s':>8} {'CPU s':>8} {'sys s':>6} {'faults':>9} calls")
    for label, (w, c, n, k, f) in totals.items():
        if n:
            print(f"{label:40} {w:8.1f} {c:8.1f} {k:6.2f} {int(f):9d} {int(n)}")
    print(f"{'link_people total':40} {wall:8.1f} {cpu:8.1f} {sys_s:6.2f} {int(faults):9d}")


if __name__ == "__main__":
    main()
