"""Delta runs by a cursor column (``cursor: updated_at``): only the rows past the last load's mark are read whole, the
others' keys come from a key-only scan; the books add up and the store equals a ``--fresh`` reload of the same final
source — on SQLite here, on PostgreSQL and MariaDB (real servers) too."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
import yaml
from sqlalchemy import create_engine, text
from tests.pipeline.test_pipeline_delta import checksums as _checksums

from hopnhat.ingest.sql import server_url
from hopnhat.load import cursor as cursor_module
from hopnhat.project.config import Project, load_project
from hopnhat.run.runner import migrate

NAMES = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Võ Thị Phượng"]
ROWS = 60


def _rows() -> list[tuple[Any, ...]]:
    """id, name, birth date, updated_at (seconds of a day in 2025, increasing with the id but with ties)."""
    return [(i, f"{NAMES[i % len(NAMES)]} {i}", f"{1950 + i % 50}-0{1 + i % 9}-1{i % 9}",
             f"2025-06-01 08:{i // 10:02d}:00") for i in range(1, ROWS + 1)]


class Db:
    """The legacy table, wherever it lives: SQLite file, PostgreSQL schema or MariaDB database."""

    def __init__(self, url: str, kind: str, table: str = "nguoi") -> None:
        self.kind, self.table = kind, table
        self.engine = create_engine(url if kind == "sqlite" else server_url(kind, url))

    def run(self, sql: str, params: dict[str, Any] | list[dict[str, Any]] | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql), params or {})

    def create(self, ts_type: str = "TIMESTAMP") -> None:
        self.run(f"DROP TABLE IF EXISTS {self.table}")
        self.run(f"CREATE TABLE {self.table} (id INTEGER, ho_ten VARCHAR(200), ngay_sinh VARCHAR(20), "
                 f"updated_at {ts_type} NULL)")
        self.run(f"INSERT INTO {self.table} VALUES (:i, :n, :d, :u)",
                 [{"i": i, "n": n, "d": d, "u": u} for i, n, d, u in _rows()])


def _merger(folder: Path, source: dict[str, Any], table: str = "nguoi", cursor: str | None = "updated_at") -> Project:
    spec: dict[str, Any] = {"name": "nguoi", "table": table, "maps_to": "person",
                            "columns": {"source_key": "id", "full_name": "ho_ten",
                                        "birth_date": {"column": "ngay_sinh", "formats": ["yyyy-mm-dd"]}}}
    if cursor:
        spec["cursor"] = cursor
    doc = {"version": 1, "merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "linkage": {"enabled": False},
           "sources": [{"name": "ho_tich", "system": "Hộ tịch", "province": "48", **source, "tables": [spec]}]}
    (folder / "merger.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_project(folder / "merger.yaml")


def _query(project: Project, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(project.store_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The row numbers a cursor delta read whole from the database (every batch of its numbered read)."""
    seen: list[int] = []
    original = cursor_module._CursorRead._changed

    def counting(self: Any, listed: list[int] | None) -> Iterator[pa.Table]:
        for batch in original(self, listed):
            seen.extend(batch.column("_row").to_pylist())
            yield batch

    monkeypatch.setattr(cursor_module._CursorRead, "_changed", counting)
    return seen


@pytest.fixture
def whole_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time a delta started reading the table the other ways (hashing every row, or reading every row)."""
    from hopnhat.load import delta

    calls: list[str] = []
    for name in ("source_prints", "read_table"):
        original = getattr(delta, name)

        def spy(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(delta, name, spy)
    return calls


def _changes(db: Db, bump: str) -> None:
    """A day of a live register: two rows corrected (cursor moved on), one deleted, two inserted (one at the top of
    the order, so every row below moves), one row's cursor emptied (NULL: read every time)."""
    t = db.table
    db.run(f"UPDATE {t} SET ho_ten = :n, updated_at = {bump} WHERE id = 7", {"n": "Nguyễn Văn Ẩn 7"})
    db.run(f"UPDATE {t} SET ngay_sinh = '1961-02-13', updated_at = {bump} WHERE id = 42")
    db.run(f"DELETE FROM {t} WHERE id = 15")
    db.run(f"INSERT INTO {t} VALUES (0, 'Đặng Thị Giang', '1999-09-09', {bump})")
    db.run(f"INSERT INTO {t} VALUES (61, 'Bùi Văn Hải', '2001-01-01', {bump})")
    db.run(f"UPDATE {t} SET updated_at = NULL WHERE id = 30")


def _delta_row(project: Project, run_id: str) -> dict[str, Any]:
    con = duckdb.connect(str(project.store_path), read_only=True)
    try:
        cur = con.execute("SELECT * FROM table_delta WHERE run_id = ?", [run_id])
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()
    assert len(rows) == 1
    return rows[0]


def _check_cursor_delta(project: Project, db: Db, bumps: tuple[str, str], fetched: list[int], tmp_path: Path,
                        copy: Callable[[Path], Project], whole_reads: list[str]) -> None:
    first = migrate(project, link=False, workers=1)
    assert first.loaded[0].mode == "full"
    _changes(db, bumps[0])
    result = migrate(project, link=False, workers=1)
    counts = result.loaded[0]
    assert (counts.mode, counts.read_by) == ("delta", "cursor")
    assert counts.read == ROWS + 1  # 60 - 1 deleted + 2 inserted
    # updated: 7 and 42, and 30 (its cursor emptied is a change of the row)
    assert (counts.inserted, counts.updated, counts.deleted, counts.unchanged) == (2, 3, 1, ROWS + 1 - 5)
    assert counts.read == counts.unchanged + counts.inserted + counts.updated + counts.merged + counts.quarantined
    book = _delta_row(project, result.run_id)
    assert (book["read"], book["unchanged"], book["inserted"], book["updated"], book["deleted"]) == \
        (ROWS + 1, ROWS - 4, 2, 3, 1)
    # read whole: the rows written (0, 7, 42, 61), the one whose cursor became NULL (30) and the tie at the last
    # load's mark (60, alone at 08:06) — not the 55 others (row numbers in the reader's order: id 0 first)
    ids = sorted(int(i) for (i,) in _query(project, "SELECT src_key FROM source_rows"))
    by_row = dict(enumerate(ids, start=1))
    assert sorted(by_row[r] for r in fetched) == [0, 7, 30, 42, 60, 61]
    assert whole_reads == []  # neither every row hashed nor every row read
    assert _query(project, "SELECT src_key, run_id = ? FROM deleted_rows".replace("?", f"'{result.run_id}'")) == \
        [("15", True)]
    # the same final source reloaded whole: the same store
    fresh = copy(tmp_path / "fresh")
    assert migrate(fresh, fresh=True, link=False, workers=1).loaded[0].mode == "full"
    assert _checksums(fresh) == _checksums(project)
    # the next day: one row corrected; read whole are it, the NULL cursor row and the ties at the new mark
    fetched.clear()
    db.run(f"UPDATE {db.table} SET ho_ten = 'Lê Thị Mai 3', updated_at = {bumps[1]} WHERE id = 3")
    again = migrate(project, link=False, workers=1).loaded[0]
    assert (again.read_by, again.updated, again.unchanged, again.inserted, again.deleted) == \
        ("cursor", 1, ROWS, 0, 0)
    assert sorted(by_row[r] for r in fetched) == [0, 3, 7, 30, 42, 61]
    assert whole_reads == []


def _sqlite(tmp_path: Path) -> tuple[Project, Db]:
    folder = tmp_path / "merger"
    folder.mkdir()
    db = Db(f"sqlite:///{folder / 'ho_tich.sqlite'}", "sqlite")
    db.create()
    return _merger(folder, {"kind": "sqlite", "path": "ho_tich.sqlite"}), db


def test_cursor_delta_on_sqlite(tmp_path: Path, fetched: list[int], whole_reads: list[str]) -> None:
    project, db = _sqlite(tmp_path)
    _check_cursor_delta(project, db, ("'2025-06-02 09:00:00'", "'2025-06-03 10:00:00'"), fetched, tmp_path,
                        _copy(project), whole_reads)


def _server(tmp_path: Path, kind: str, dsn: str, table: str, ts_type: str) -> tuple[Project, Db]:
    folder = tmp_path / "merger"
    folder.mkdir()
    db = Db(dsn, kind, table)
    db.create(ts_type)
    return _merger(folder, {"kind": kind, "dsn": dsn}, table=table), db


def _copy(project: Project) -> Callable[[Path], Project]:
    def copy(dest: Path) -> Project:
        shutil.copytree(project.base, dest, ignore=shutil.ignore_patterns("*.duckdb*", "*-runs", "*-versions"))
        return load_project(dest / "merger.yaml")

    return copy


def test_cursor_delta_on_postgresql(postgres_dsn: str, tmp_path: Path, fetched: list[int],
                                    whole_reads: list[str]) -> None:
    project, db = _server(tmp_path, "postgresql", postgres_dsn, "nguoi_cursor", "TIMESTAMP")
    _check_cursor_delta(project, db, ("'2025-06-02 09:00:00'", "'2025-06-03 10:00:00'"), fetched, tmp_path,
                        _copy(project), whole_reads)


def test_cursor_delta_on_mariadb(mariadb_dsn: str, tmp_path: Path, fetched: list[int],
                                 whole_reads: list[str]) -> None:
    project, db = _server(tmp_path, "mariadb", mariadb_dsn, "nguoi_cursor", "DATETIME")
    _check_cursor_delta(project, db, ("'2025-06-02 09:00:00'", "'2025-06-03 10:00:00'"), fetched, tmp_path,
                        _copy(project), whole_reads)


def test_a_row_written_without_its_cursor_moving_is_seen_only_by_a_whole_read(tmp_path: Path,
                                                                              fetched: list[int]) -> None:
    """The cursor's contract: a row rewritten with its old cursor value is not read by a cursor delta (documented);
    ``--fresh`` reads every row and takes it."""
    project, db = _sqlite(tmp_path)
    migrate(project, link=False, workers=1)
    db.run("UPDATE nguoi SET ho_ten = 'Sửa lén 5' WHERE id = 5")  # cursor left as it was
    db.run("UPDATE nguoi SET ho_ten = 'Sửa đúng 6', updated_at = '2025-06-02 09:00:00' WHERE id = 6")
    delta = migrate(project, link=False, workers=1).loaded[0]
    assert (delta.read_by, delta.updated) == ("cursor", 1)
    assert _query(project, "SELECT full_name FROM person WHERE src_key IN ('5', '6') ORDER BY src_key") == \
        [("Võ Thị Phượng 5",), ("Sửa đúng 6",)]
    assert migrate(project, fresh=True, link=False, workers=1).loaded[0].mode == "full"
    assert _query(project, "SELECT full_name FROM person WHERE src_key = '5'") == [("Sửa lén 5",)]


def test_a_row_inserted_with_an_old_cursor_value_is_still_read(tmp_path: Path, fetched: list[int]) -> None:
    """A key the snapshot lacks is read whatever its cursor (the key scan finds it)."""
    project, db = _sqlite(tmp_path)
    migrate(project, link=False, workers=1)
    db.run("INSERT INTO nguoi VALUES (100, 'Muộn Văn Nhập', '1970-01-01', '2020-01-01 00:00:00')")
    delta = migrate(project, link=False, workers=1).loaded[0]
    assert (delta.read_by, delta.inserted, delta.unchanged) == ("cursor", 1, ROWS)
    assert _query(project, "SELECT full_name FROM person WHERE src_key = '100'") == [("Muộn Văn Nhập",)]


def test_a_cursor_that_went_backwards_stops_the_table(tmp_path: Path) -> None:
    project, db = _sqlite(tmp_path)
    migrate(project, link=False, workers=1)
    db.run("UPDATE nguoi SET updated_at = '2024-01-01 00:00:00'")  # the clock moved back, every value rewritten
    result = migrate(project, link=False, workers=1)
    assert not result.loaded and len(result.failed) == 1
    error = str(result.failed[0])
    assert "went backwards" in error or "đã lùi lại" in error
    assert "nguoi" in error and "updated_at" in error
    # a whole reload keeps a new mark: the next delta goes by the cursor again
    assert migrate(project, fresh=True, link=False, workers=1).loaded[0].mode == "full"
    db.run("UPDATE nguoi SET ho_ten = 'Mới 9', updated_at = '2024-01-02 00:00:00' WHERE id = 9")
    again = migrate(project, link=False, workers=1).loaded[0]
    assert (again.read_by, again.updated) == ("cursor", 1)


def test_a_full_load_in_a_worker_keeps_the_mark(tmp_path: Path, fetched: list[int]) -> None:
    project, db = _sqlite(tmp_path)
    assert migrate(project, link=False, workers=2).loaded[0].mode == "full"
    db.run("UPDATE nguoi SET ho_ten = 'Mới 9', updated_at = '2025-06-02 09:00:00' WHERE id = 9")
    delta = migrate(project, link=False, workers=2).loaded[0]
    assert (delta.read_by, delta.updated, delta.unchanged) == ("cursor", 1, ROWS - 1)
    assert len(fetched) == 2  # id 9 and the tie at the mark (60)


def test_without_a_kept_mark_the_delta_reads_every_row_once(tmp_path: Path, whole_reads: list[str]) -> None:
    """A store loaded before cursors (no mark kept): the first delta reads every row the usual way and keeps one."""
    project, db = _sqlite(tmp_path)
    migrate(project, link=False, workers=1)
    con = duckdb.connect(str(project.store_path))
    con.execute("DELETE FROM source_cursors")
    con.close()
    db.run("UPDATE nguoi SET ho_ten = 'Mới 9', updated_at = '2025-06-02 09:00:00' WHERE id = 9")
    first = migrate(project, link=False, workers=1).loaded[0]
    assert (first.mode, first.read_by, first.updated) == ("delta", "records", 1)
    assert "source_prints" in whole_reads  # every row hashed by SQLite
    whole_reads.clear()
    db.run("UPDATE nguoi SET ho_ten = 'Mới 10', updated_at = '2025-06-02 09:30:00' WHERE id = 10")
    second = migrate(project, link=False, workers=1).loaded[0]
    assert (second.read_by, second.updated) == ("cursor", 1)
    assert whole_reads == []


def test_rows_read_other_than_the_scan_planned_reload_the_table_whole(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows the numbered read returns must be those the key scan planned, with its keys (a database that moved
    between the two — no snapshot — would break that): otherwise the delta is rolled back and the table loaded
    whole."""
    project, db = _sqlite(tmp_path)
    migrate(project, link=False, workers=1)
    db.run("UPDATE nguoi SET ho_ten = 'Mới 9', updated_at = '2025-06-02 09:00:00' WHERE id = 9")
    monkeypatch.setattr(cursor_module._CursorRead, "_wanted", lambda self: {(9, "9")})  # the scan saw another row
    loaded = migrate(project, link=False, workers=1).loaded[0]
    assert (loaded.mode, loaded.note) == ("full", "changed_while_read")
    assert _query(project, "SELECT full_name FROM person WHERE src_key = '9'") == [("Mới 9",)]
