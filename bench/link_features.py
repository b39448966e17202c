"""Where ``build_person_features`` spends its time, statement by statement: the records of one input staged as
``hopnhat link persons`` stages them, then the features built with each DuckDB statement's CPU and wall
(``time.process_time``: every thread of the process, the names table's thread beside the statement included).

    .venv/bin/python bench/link_features.py IN.parquet [--threads 2] [--memory-limit 2GB] [--rounds 3]
                                            [--profile DIR] [--dump FEATURES.parquet]

``--rounds``: the features built that many times in one process on the same staged records (a change to one
statement shows against the others' spread). ``--profile DIR``: DuckDB's operator tree of each statement written to
``DIR/NN.txt`` (``PRAGMA enable_profiling``; the operator times are wall). ``--dump``: the features of the last round,
in uid order, for comparing two builds (the ``k_…`` codes may be renamed between runs, as between two runs of one
build).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from hopnhat.link import person_features, standalone
from hopnhat.link.limits import within, work_space


class Timed:
    """A work space whose statements are timed (and profiled into ``profile`` when given)."""

    def __init__(self, work: duckdb.DuckDBPyConnection, profile: Path | None) -> None:
        self.work, self.profile = work, profile
        self.log: list[tuple[str, float, float]] = []

    def execute(self, sql: str, *args: Any) -> duckdb.DuckDBPyConnection:
        profiled = self.profile is not None and sql.lstrip().startswith("CREATE")
        if profiled:
            self.work.execute("PRAGMA enable_profiling = 'query_tree'")
            self.work.execute(f"PRAGMA profiling_output = '{self.profile}/{len(self.log):02d}.txt'")
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return self.work.execute(sql, *args)
        finally:
            self.log.append((" ".join(sql.split())[:60], time.perf_counter() - wall, time.process_time() - cpu))
            if profiled:
                self.work.execute("PRAGMA disable_profiling")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.work, name)


def _round(records: pa.Table, threads: int, memory_limit: str, profile: Path | None) -> tuple[Timed, float, float]:
    work = work_space(threads, memory_limit)
    timed = Timed(work, profile)
    with within(memory_limit, records.num_rows):
        person_features.stage_source(work, records)
        wall, cpu = time.perf_counter(), time.process_time()
        person_features.build_person_features(timed)  # type: ignore[arg-type]
        return timed, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args()
    table = pq.read_table(args.input)
    records = standalone._with_missing(standalone._store_rows(table, standalone.resolve_columns(table, {}),
                                                              standalone._no_step))
    del table
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    for number in range(args.rounds):
        timed, wall, cpu = _round(records, args.threads, args.memory_limit, args.profile)
        print(f"round {number + 1}: build_person_features {wall:.2f} s wall, {cpu:.2f} CPU-s")
        for statement, statement_wall, statement_cpu in timed.log:
            if statement_cpu >= 0.05:
                print(f"  {statement_cpu:6.2f} CPU-s {statement_wall:6.2f} s  {statement}")
        if args.dump and number == args.rounds - 1:
            pq.write_table(timed.work.execute("SELECT * FROM person_features ORDER BY uid").fetch_arrow_table(),
                           args.dump)
        timed.work.close()
    print(f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB")


if __name__ == "__main__":
    main()
