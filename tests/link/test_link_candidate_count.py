"""blocking.candidate_pairs: the distinct pairs any blocking rule compares, counted with one hash aggregate."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from hopnhat.link.blocking import blocked_pairs, candidate_pairs
from hopnhat.link.standalone import people_features

_ROWS = [("Nguyễn Văn An", "01/02/1980", "079080001234", "0905123456"),
         ("NGUYEN VAN AN", "01/02/1980", "", ""),
         ("Nguyễn Văn Ann", "01/02/1980", "079080001235", ""),
         ("Nguyễn Văn An", "1980", "", "0905123456"),
         ("Trần Thị Bích", "03/04/1975", "048175000111", ""),
         ("Trần Thị Bich", "03/04/1976", "048175000111", ""),
         ("Trần Bích", "03/04/1975", "", ""),
         ("Lê Văn Cường", "05/06/1990", "", "0912000111"),
         ("Lê Văn Cường", "05/06/1991", "", ""),
         ("Phạm Thị Dung", "07/08/1960", "", "0912000111")]


class _Recorder:
    """A work space that remembers the SQL it runs."""

    def __init__(self, work: duckdb.DuckDBPyConnection) -> None:
        self.work, self.sql = work, []  # type: ignore[var-annotated]

    def execute(self, sql: str) -> Any:
        self.sql.append(sql)
        return self.work.execute(sql)


def _work() -> duckdb.DuckDBPyConnection:
    return people_features(pa.table({"full_name": [r[0] for r in _ROWS], "dob": [r[1] for r in _ROWS],
                                     "sex": [""] * len(_ROWS), "id_number": [r[2] for r in _ROWS],
                                     "phone": [r[3] for r in _ROWS], "address": [""] * len(_ROWS)}), threads=1)


def test_the_count_is_the_pairs_any_rule_compares() -> None:
    work = _work()
    pairs = [(a, b) for a in range(len(_ROWS)) for b in range(a + 1, len(_ROWS))]
    hits = blocked_pairs(work, pa.table({"uid_l": [a for a, _ in pairs], "uid_r": [b for _, b in pairs]}))
    expected = sum(hits)
    assert 3 <= expected < len(pairs)
    assert candidate_pairs(work) == expected
    work.close()


def test_one_hash_aggregate_dedupes_the_pairs_of_every_rule() -> None:
    # a chain of UNIONs was one DISTINCT per UNION: 26 hash aggregates of up to 12 M pairs at 1 M people, where
    # DuckDB 1.4.1 crashed natively in 3 of 5 runs
    work = _work()
    recorder = _Recorder(work)
    candidate_pairs(recorder)  # type: ignore[arg-type]
    (sql,) = recorder.sql
    plan = "\n".join(row[1] for row in work.execute(f"EXPLAIN {sql}").fetchall())
    assert plan.count("HASH_GROUP_BY") == 1
    work.close()
