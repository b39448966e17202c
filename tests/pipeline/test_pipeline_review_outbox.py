"""Decisions made in the web app (the app database's outbox) are applied by the next ``migrate``: recorded in the
store with who/when/why, used by that run's linkage, and refused ones marked with their reason, never fatal."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from tests.pipeline.conftest import fresh_copy

from hopnhat.load.store import one
from hopnhat.run.runner import migrate
from hopnhat.serve.app.appdb import connect, init


def _outbox(app_db: Path, *rows: tuple[str, str, str, str]) -> None:
    init(app_db)
    con = connect(app_db)
    try:
        for key, decision, user, note in rows:
            con.execute("INSERT INTO review_outbox (item_key, decision, decided_by, decided_at, note) "
                        "VALUES (?, ?, ?, '2026-11-20T09:30:00', ?)", [key, decision, user, note])
    finally:
        con.close()


@pytest.mark.slow
def test_web_decisions_are_applied_by_the_next_run(estate: Path, tmp_path: Path) -> None:
    project = fresh_copy(estate, tmp_path / "estate")
    first = migrate(project)
    assert first.review_decisions == 0
    with duckdb.connect(str(project.store_path), read_only=True) as con:
        entity, key, record_id, field, candidates = one(
            con, "SELECT entity, item_key, record_id_l, field, candidates FROM review_items WHERE kind = 'split_unit' "
            "ORDER BY item_key LIMIT 1")
    choice = candidates.split(";")[-1]
    _outbox(project.app_db_path, (key, f"commune:{choice}", "raosoat", "bản đồ địa chính tờ 12"),
            (key.replace("unit:", "unit:nope-"), f"commune:{choice}", "raosoat", "mục đã mất"))

    second = migrate(project)

    assert second.review_decisions == 1 and second.balanced
    with duckdb.connect(str(project.store_path), read_only=True) as con:
        code, status = one(con, f"SELECT {field}_new_commune_code, {field}_status FROM {entity} "
                           "WHERE record_id = ?", [record_id])
        decided = con.execute("SELECT decision, decided_by, decided_at::VARCHAR, note FROM review_decisions "
                              "WHERE item_key = ?", [key]).fetchall()
    assert (code, status) == (choice, "decided")
    assert decided == [(f"commune:{choice}", "raosoat", "2026-11-20 09:30:00", "bản đồ địa chính tờ 12")]
    app = connect(project.app_db_path)
    try:
        outcomes = [r["outcome"] for r in app.execute("SELECT outcome FROM review_outbox ORDER BY id")]
        pending = app.execute("SELECT count(*) FROM review_outbox WHERE applied_at IS NULL").fetchone()[0]
    finally:
        app.close()
    assert outcomes[0] == "applied" and outcomes[1].startswith("refused") and "nope-" in outcomes[1]
    assert pending == 0
    assert migrate(project).review_decisions == 0  # each decision is applied once
