"""The audit log: append-only, hash-chained; any edit or deletion is found and the first bad entry named; purge
keeps 12 months and an anchor so the rest still verifies."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from hopnhat.errors import ConfigError
from hopnhat.serve import audit
from hopnhat.serve.appdb import AppDB
from hopnhat.serve.settings import ServeSettings


@pytest.fixture()
def log(tmp_path: Path) -> AppDB:
    db = AppDB(tmp_path / "app.sqlite")
    for i in range(10):
        audit.append(db, f"user{i % 3}", "lookup", "10.0.0.1", {"q": f"Nguyễn Văn {i}", "results": i})
    return db


def _raw(db: AppDB) -> sqlite3.Connection:
    """A plain sqlite3 connection, as someone with access to the file would use."""
    return sqlite3.connect(str(db.path), isolation_level=None)


def test_intact_chain_verifies(log: AppDB) -> None:
    verdict = audit.verify(log)
    assert verdict.ok and verdict.entries == 10 and verdict.first_bad is None


def test_the_engine_refuses_updates_and_young_deletions(log: AppDB) -> None:
    con = _raw(log)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE audit SET actor = 'x' WHERE seq = 3")
    with pytest.raises(sqlite3.DatabaseError, match="365 days"):
        con.execute("DELETE FROM audit WHERE seq = 3")


def test_an_edited_entry_is_found(log: AppDB) -> None:
    con = _raw(log)
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("UPDATE audit SET detail = '{\"q\":\"someone else\",\"results\":4}' WHERE seq = 5")
    verdict = audit.verify(log)
    assert not verdict.ok and verdict.first_bad == 5 and "edited" in verdict.problem


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(log: AppDB) -> None:
    con = _raw(log)
    con.execute("DROP TRIGGER audit_no_update")
    row = con.execute("SELECT seq, at, actor, action, ip, detail, prev_hash FROM audit WHERE seq = 4").fetchone()
    entry = {"seq": row[0], "at": row[1], "actor": "intruder", "action": row[3], "ip": row[4], "detail": {}}
    con.execute("UPDATE audit SET actor = 'intruder', detail = '{}', hash = ? WHERE seq = 4",
                [audit.entry_hash(row[6], entry)])
    verdict = audit.verify(log)
    assert not verdict.ok and verdict.first_bad == 5


def test_deleted_entries_are_found(log: AppDB) -> None:
    con = _raw(log)
    con.execute("DROP TRIGGER audit_keep_retention")
    con.execute("DELETE FROM audit WHERE seq = 6")
    verdict = audit.verify(log)
    assert not verdict.ok and verdict.first_bad == 7


def test_cutting_off_the_newest_entries_is_found(log: AppDB) -> None:
    con = _raw(log)
    con.execute("DROP TRIGGER audit_keep_retention")
    con.execute("DELETE FROM audit WHERE seq >= 9")
    verdict = audit.verify(log)
    assert not verdict.ok and "newest entries deleted" in verdict.problem


def test_purge_keeps_a_year_and_the_chain_verifies(tmp_path: Path) -> None:
    db = AppDB(tmp_path / "app.sqlite")
    now = datetime.now(timezone.utc)
    for days in (800, 700, 500, 400, 200, 10):
        audit.append(db, "clerk", "lookup", "10.0.0.2", {"q": "x"}, at=now - timedelta(days=days))
    assert audit.purge(db, 30) == 4  # asked for 30 days: never fewer than 365 are kept
    remaining = audit.entries(db, None, None, 10)
    assert len(remaining) == 2
    verdict = audit.verify(db)
    assert verdict.ok and verdict.entries == 2
    audit.append(db, "clerk", "lookup", "10.0.0.2", {"q": "y"})
    assert audit.verify(db).ok


def test_retention_setting_cannot_go_below_a_year() -> None:
    with pytest.raises(ValueError):
        ServeSettings(audit_retention_days=100)


def test_settings_errors_name_the_variable(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from hopnhat.serve.settings import load_settings

    monkeypatch.setenv("HOPNHAT_SERVE_ROW_LIMIT", "lots")
    with pytest.raises(ConfigError, match="HOPNHAT_SERVE_ROW_LIMIT"):
        load_settings(project)
    monkeypatch.setenv("HOPNHAT_SERVE_ROW_LIMIT", "25")
    assert load_settings(project).row_limit == 25


def test_web_actions_land_in_the_chain(client_as, db: AppDB, subjects) -> None:  # type: ignore[no-untyped-def]
    client_as("clerk").get("/lookup", params={"q": subjects.a.name})
    assert audit.verify(db).ok
    mine = client_as("clerk").get("/audit")
    assert "lookup" in mine.text and "login_success" in mine.text
    assert "admin" not in mine.text.split('id="audit"')[1]  # a clerk sees their own trail only
    everyone = client_as("admin").get("/audit", params={"actor": "clerk"})
    assert "lookup" in everyone.text


def test_the_server_checkpoints_the_audit_log_in_the_background(tmp_path: Path) -> None:
    """Lookups append entries without running the WAL checkpoint (a disk sync) themselves; the checkpoint thread
    copies the log into the database file, and every entry is there and verifies."""
    db = AppDB(tmp_path / "app.sqlite")
    db.checkpoint_in_background(interval_s=3600)  # only the final checkpoint, at close, runs in this test
    assert db.con().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    size = db.path.stat().st_size
    for i in range(1500):  # ~3,000 pages of log: a connection with the default would have checkpointed by now
        audit.append(db, "clerk", "api_lookup", "10.0.0.1", {"q": f"Trần Thị Lan {i} " + "x" * 500, "results": i})
    assert db.path.stat().st_size == size  # nothing copied yet: the requests did not checkpoint
    db.close()
    assert db.path.stat().st_size > size + 500 * 1500
    verdict = audit.verify(AppDB(db.path))
    assert verdict.ok and verdict.entries == 1500


def test_writers_of_two_app_db_handles_wait_for_each_other_and_wake_at_once(tmp_path: Path) -> None:
    """Two handles (as two server worker processes have): while one holds the write lock the other waits, and it
    gets the lock as soon as it is released, not after a SQLite busy-retry sleep; the chain stays whole."""
    first, second = AppDB(tmp_path / "app.sqlite"), AppDB(tmp_path / "app.sqlite")
    entered = threading.Event()

    def other_writer() -> None:
        with second.write_lock:
            entered.set()
        audit.append(second, "clerk2", "api_lookup", "10.0.0.2", {"q": "Lê Văn Tám"})

    with first.write_lock:
        thread = threading.Thread(target=other_writer)
        thread.start()
        assert not entered.wait(0.3)  # held by the other handle: it waits
        released = time.perf_counter()
    assert entered.wait(5)
    assert time.perf_counter() - released < 0.5
    thread.join(5)
    audit.append(first, "clerk1", "api_lookup", "10.0.0.1", {"q": "Lê Thị Hoa"})
    verdict = audit.verify(first)
    assert verdict.ok and verdict.entries == 2
