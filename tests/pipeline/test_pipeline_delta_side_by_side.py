"""Deltas side by side (``workers`` > 1: several delta tables at once, each in a thread of the run with its own
connection and transaction, hopnhat.run.deltas) leave exactly the store the same deltas leave one after another:
every checksum, the books of each load, the rows that left, the snapshot and the record prints the next delta starts
from. The changes are bench/changes.py's independent model (CSV, NDJSON and SQLite tables, legacy encodings)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from tests.pipeline.conftest import fresh_copy
from tests.pipeline.test_pipeline_delta import checksums

import hopnhat.run.runner as runner
from hopnhat.project.config import Project, load_project
from hopnhat.run.deltas import Todo
from hopnhat.run.runner import RunResult, migrate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import changes  # type: ignore[import-not-found,unused-ignore]  # bench/changes.py: nothing from hopnhat

STATE = ("SELECT * EXCLUDE (run_id, finished_at) FROM table_delta WHERE mode = 'delta' ORDER BY ALL",
         "SELECT src_source, src_table, src_key, src_row, record_id, archived_row FROM deleted_rows ORDER BY ALL",
         "SELECT * FROM source_rows ORDER BY ALL", "SELECT * FROM source_records ORDER BY ALL",
         "SELECT * FROM source_files ORDER BY ALL", "SELECT src_source, src_table, read, source_checksum "
         "FROM table_state ORDER BY ALL")


def _state(project: Project) -> list[list[tuple[object, ...]]]:
    con = duckdb.connect(str(project.store_path), read_only=True)
    try:
        return [con.execute(sql).fetchall() for sql in STATE]
    finally:
        con.close()


def _delta(project: Project, workers: int) -> RunResult:
    result = migrate(project, link=False, workers=workers)
    assert result.balanced and not result.failed, result.balances
    return result


def test_deltas_side_by_side_leave_the_store_deltas_one_by_one_leave(estate: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    first = fresh_copy(estate, tmp_path / "side")
    migrate(first, link=False, workers=2)
    shutil.copytree(tmp_path / "side", tmp_path / "one", symlinks=True)
    for name in ("side", "one"):
        changes.change_estate(tmp_path / name / "merger.yaml", 0.03, 5)  # the same seed: the same changes
    side, one = load_project(tmp_path / "side" / "merger.yaml"), load_project(tmp_path / "one" / "merger.yaml")

    calls: list[int] = []
    real = runner.load_side_by_side

    def spy(con: duckdb.DuckDBPyConnection, project: Project, run_id: str, todo: Todo, workers: int,
            *rest: Any) -> None:
        calls.append(len(todo))
        real(con, project, run_id, todo, workers, *rest)

    monkeypatch.setattr(runner, "load_side_by_side", spy)
    together, alone = _delta(side, workers=2), _delta(one, workers=1)

    assert len(calls) == 1 and calls[0] == len(together.loaded) > 5  # the deltas went side by side
    # every table a delta but the marriage register's report, loaded whole (its footer and signatures: report_end)
    assert {c.mode for c in together.loaded if c.note != "report_end"} == {"delta"}
    assert {(c.source, c.table) for c in together.loaded if c.note == "report_end"} <= {("quangnam_dancu", "ket_hon")}
    assert sorted((c.source, c.table, c.read, c.unchanged, c.inserted, c.updated, c.merged, c.quarantined,
                   c.deleted, c.read_by) for c in together.loaded) == \
        sorted((c.source, c.table, c.read, c.unchanged, c.inserted, c.updated, c.merged, c.quarantined, c.deleted,
                c.read_by) for c in alone.loaded)
    assert checksums(side) == checksums(one)
    assert _state(side) == _state(one)
