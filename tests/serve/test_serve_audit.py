"""The audit log: append-only, hash-chained with a key kept outside the database; any edit or deletion is found and
the first bad entry named, also when the rest of the chain is re-hashed; signed checkpoints catch a rewrite; purge
keeps 12 months and an anchor so the rest still verifies."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from hopnhat.errors import ConfigError
from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.app.settings import ServeSettings
from hopnhat.serve.security import audit

KEY = "test-audit-key-kept-outside-the-database"


@pytest.fixture()
def log(tmp_path: Path) -> AppDB:
    db = AppDB(tmp_path / "app.sqlite", KEY)
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
                [audit.legacy_hash(row[6], entry)])
    verdict = audit.verify(log)
    assert not verdict.ok and verdict.first_bad == 4  # without the key the new hash cannot be right


def _rehash_from(con: sqlite3.Connection, seq: int, hasher) -> None:
    """What someone with the database but not the key would do: re-hash every entry from ``seq`` on (and the head)
    so that each link matches again."""
    prev = con.execute("SELECT hash FROM audit WHERE seq = ?", [seq - 1]).fetchone()[0]
    for row in con.execute("SELECT seq, at, actor, action, ip, detail FROM audit WHERE seq >= ? ORDER BY seq",
                           [seq]).fetchall():
        entry = {"seq": row[0], "at": row[1], "actor": row[2], "action": row[3], "ip": row[4],
                 "detail": json.loads(row[5])}
        digest = hasher(prev, entry)
        con.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", [prev, digest, row[0]])
        prev = digest
    con.execute("UPDATE audit_head SET hash = ?", [prev])


def test_an_edit_with_the_whole_rest_rehashed_without_the_key_is_found(log: AppDB) -> None:
    """The attack of the unkeyed chain: edit entry 4, re-hash 4…10 with the old scheme (SHA-256 of the previous
    hash and the entry), fix the head. Each link is consistent again, but no hash is the keyed one."""
    con = _raw(log)
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("UPDATE audit SET actor = 'intruder', detail = '{}' WHERE seq = 4")
    _rehash_from(con, 4, audit.legacy_hash)
    verdict = audit.verify(log)
    assert not verdict.ok and verdict.first_bad == 4 and "edited" in verdict.problem
    # a guessed key does not help either
    _rehash_from(con, 4, lambda prev, entry: audit.entry_hash(b"guessed key", prev, entry))
    assert audit.verify(log).first_bad == 4


def test_moving_the_unkeyed_boundary_is_found(log: AppDB) -> None:
    """Declaring every entry 'from before the key' (so the SHA-256 re-hash would pass) breaks the signed marker."""
    con = _raw(log)
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("UPDATE audit SET actor = 'intruder' WHERE seq = 4")
    _rehash_from(con, 4, audit.legacy_hash)
    head = con.execute("SELECT seq, hash FROM audit_head").fetchone()
    con.execute("UPDATE audit_meta SET value = ? WHERE name = 'legacy_upto'", [f"{head[0]}:{head[1]}"])
    verdict = audit.verify(log)
    assert not verdict.ok and "changed" in verdict.problem
    con.execute("DELETE FROM audit_meta")
    assert not audit.verify(log).ok


def test_an_unkeyed_chain_of_an_earlier_version_keeps_verifying(tmp_path: Path) -> None:
    """Entries written before the key (plain SHA-256) still verify; entries after are keyed; an edit of an old entry
    is still found (the first keyed entry's HMAC covers the old head)."""
    path = tmp_path / "old.sqlite"
    AppDB(path)  # schema
    con = sqlite3.connect(str(path), isolation_level=None)
    prev = audit.GENESIS
    for seq in (1, 2, 3):
        detail = {"q": str(seq)}
        entry = {"seq": seq, "at": f"2026-01-0{seq}T00:00:00.000000", "actor": "clerk", "action": "lookup",
                 "ip": "10.0.0.1", "detail": detail}
        digest = audit.legacy_hash(prev, entry)
        con.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [seq, entry["at"], "clerk", "lookup",
                    "10.0.0.1", audit.canonical(detail), prev, digest])
        prev = digest
    con.execute("INSERT INTO audit_head VALUES (1, 3, ?)", [prev])
    db = AppDB(path, KEY)
    audit.append(db, "admin", "audit_view", "10.0.0.9", {})
    verdict = audit.verify(db)
    assert verdict.ok and verdict.entries == 4
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("UPDATE audit SET actor = 'intruder' WHERE seq = 2")
    _rehash_from(con, 2, audit.legacy_hash)
    assert audit.verify(db).first_bad == 4  # the keyed entry's link to the old head no longer holds


def test_the_wrong_key_is_named(log: AppDB) -> None:
    verdict = audit.verify(AppDB(log.path, "another key"))
    assert not verdict.ok and "key" in verdict.problem
    with pytest.raises(ConfigError, match="audit key"):
        audit.append(AppDB(log.path, "another key"), "x", "lookup", "", {})
    with pytest.raises(ConfigError, match="audit key is missing"):
        audit.verify(AppDB(log.path))


def test_signed_checkpoints_catch_a_rewrite_even_with_the_key(log: AppDB) -> None:
    """A checkpoint exported (and kept away from the server) pins entry N's hash: a rewrite by someone holding the
    key still changes it. A forged checkpoint is refused."""
    point = audit.checkpoint(log)
    assert point["seq"] == 10 and audit.verify(log, [point]).ok
    audit.append(log, "clerk", "lookup", "10.0.0.1", {"q": "later"})
    assert audit.verify(log, [point]).ok
    con = _raw(log)
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("UPDATE audit SET actor = 'intruder' WHERE seq = 3")
    _rehash_from(con, 3, lambda prev, entry: audit.entry_hash(KEY.encode(), prev, entry))
    assert audit.verify(log).ok  # whoever holds the key can re-hash…
    verdict = audit.verify(log, [point])
    assert not verdict.ok and verdict.first_bad == 10 and "checkpoint" in verdict.problem  # …but not the checkpoint
    forged = {**point, "hash": "0" * 64}
    assert "not signed" in audit.verify(log, [forged]).problem


def test_the_audit_key_file_is_created_private_and_refused_when_readable(project) -> None:
    from hopnhat.serve.app.settings import audit_key_file, load_settings

    settings = load_settings(project)
    path = audit_key_file(project)
    assert settings.audit_key and path.read_text().strip() == settings.audit_key
    assert path.stat().st_mode & 0o777 == 0o600
    assert not str(project.app_db_path).endswith(".audit-key")  # kept beside, not inside, the database
    os.chmod(path, 0o644)
    try:
        with pytest.raises(ConfigError, match="owner only"):
            load_settings(project)
    finally:
        os.chmod(path, 0o600)


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
    db = AppDB(tmp_path / "app.sqlite", KEY)
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


def test_settings_errors_name_the_variable(project, monkeypatch) -> None:
    from hopnhat.serve.app.settings import load_settings

    monkeypatch.setenv("HOPNHAT_SERVE_ROW_LIMIT", "lots")
    with pytest.raises(ConfigError, match="HOPNHAT_SERVE_ROW_LIMIT"):
        load_settings(project)
    monkeypatch.setenv("HOPNHAT_SERVE_ROW_LIMIT", "25")
    assert load_settings(project).row_limit == 25


def test_web_actions_land_in_the_chain(client_as, db: AppDB, subjects) -> None:
    client_as("clerk").get("/lookup", params={"q": subjects.a.name})
    assert audit.verify(db).ok
    mine = client_as("clerk").get("/audit")
    assert "lookup" in mine.text and "login_success" in mine.text
    actors = set(re.findall(r"<td>\d+</td><td>[^<]*</td><td>([^<]*)</td>", mine.text.split('id="audit"')[1]))
    assert actors == {"clerk"}  # a clerk sees their own trail only (their refusals may name /admin paths)
    everyone = client_as("admin").get("/audit", params={"actor": "clerk"})
    assert "lookup" in everyone.text


def test_the_server_checkpoints_the_audit_log_in_the_background(tmp_path: Path) -> None:
    """Lookups append entries without running the WAL checkpoint (a disk sync) themselves; the checkpoint thread
    copies the log into the database file, and every entry is there and verifies."""
    db = AppDB(tmp_path / "app.sqlite", KEY)
    db.checkpoint_in_background(interval_s=3600)  # only the final checkpoint, at close, runs in this test
    assert db.con().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    size = db.path.stat().st_size
    for i in range(1500):  # ~3,000 pages of log: a connection with the default would have checkpointed by now
        audit.append(db, "clerk", "api_lookup", "10.0.0.1", {"q": f"Trần Thị Lan {i} " + "x" * 500, "results": i})
    assert db.path.stat().st_size == size  # nothing copied yet: the requests did not checkpoint
    db.close()
    assert db.path.stat().st_size > size + 500 * 1500
    verdict = audit.verify(AppDB(db.path, KEY))
    assert verdict.ok and verdict.entries == 1500


def test_writers_of_two_app_db_handles_wait_for_each_other_and_wake_at_once(tmp_path: Path) -> None:
    """Two handles (as two server worker processes have): while one holds the write lock the other waits, and it
    gets the lock as soon as it is released, not after a SQLite busy-retry sleep; the chain stays whole."""
    first, second = AppDB(tmp_path / "app.sqlite", KEY), AppDB(tmp_path / "app.sqlite", KEY)
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
