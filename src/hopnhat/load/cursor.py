"""Delta reads by a cursor column (``cursor: updated_at`` on a SQL table of merger.yaml), as dlt's incremental cursor.

A table whose every write moves a column forward (an ``updated_at`` set on each write, an id that only grows) need
not be read whole to find what changed. Every load keeps the cursor's **mark** — its highest value when the load
began reading — in ``source_cursors``, with the columns' encoding reading and the run. The next delta, in one
read-only snapshot of the database (REPEATABLE READ; an explicit BEGIN on SQLite):

1. reads the cursor's highest value now; below the mark, the cursor went backwards: the table's load stops
   (:class:`~hopnhat.errors.InputError`, ``hopnhat migrate --fresh`` reloads it whole and keeps a new mark);
2. scans the key columns only, in the reader's order (the row numbers a whole read gives), each row flagged past
   the mark or not — the database compares, with its own types and collation;
3. reads whole only the rows whose cursor is at or past the mark (a tie at the mark is read again) or NULL (read
   every time), the rows without a key (reloaded every time), and every row of a key the snapshot lacks or whose
   number of rows changed (a row inserted with an old cursor value is still seen); each with its row number
   (``row_number()`` over the whole read's ORDER BY);
4. the other rows take their key and hash from the snapshot (``source_rows``), as the ``records`` path does; a key
   of the snapshot the scan lacks is deleted.

``TableCounts.read_by`` is ``cursor``. A row rewritten **without its cursor moving** is, by the cursor's contract,
not seen: `hopnhat migrate --fresh` reads every row. The first delta after a load that kept no mark (a store
loaded before cursors, a mark of another column) reads every row the usual way (``records``/``rows``) and keeps one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import Table
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from hopnhat.base.timing import stage
from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.ingest import shape
from hopnhat.ingest.base import Record, input_error, unique_names
from hopnhat.ingest.cells import cell_text
from hopnhat.ingest.sql import (
    ROW_LABEL,
    begin_snapshot,
    bytes_for_text,
    cursor_orderable,
    key_scan_select,
    make_engine,
    mark_select,
    mask,
    numbered_select,
    reflect,
)
from hopnhat.load.delta_read import DeltaNotPossible, DeltaRead, DeltaSide
from hopnhat.load.snapshot import forget_prints, readings_complete, restore_repairers
from hopnhat.load.store import DELTA_TABLES, one
from hopnhat.load.tokens import query_sum, sum_sql
from hopnhat.model.schema import ddl
from hopnhat.project.config import Project, SourceSpec, TableSpec

CURSOR_TABLE = "source_cursors"
MAX_LISTED_ROWS = 5_000  # rows read below the mark (no key, new keys…) named one by one; more: every row is read


# --- the mark, as kept ------------------------------------------------------------------------------------------

def encode(value: Any) -> str | None:
    """A cursor value as the driver gave it, as JSON with its type (read back as the same Python value, so it is
    bound to the next query as the database's own type)."""
    if value is None:
        return None
    kinds: list[tuple[type, str, Callable[[Any], Any]]] = [
        (bool, "bool", bool), (int, "int", int), (float, "float", repr), (Decimal, "decimal", str), (str, "str", str),
        (bytes, "bytes", bytes.hex), (datetime, "datetime", datetime.isoformat), (date, "date", date.isoformat),
        (time, "time", time.isoformat), (timedelta, "timedelta", lambda d: d // timedelta(microseconds=1))]
    for kind, name, write in kinds:
        if type(value) is kind:
            return json.dumps({"type": name, "value": write(value)})
    raise TypeError(f"a cursor value of type {type(value).__name__} cannot be kept: {value!r}")


def decode(text: str | None) -> Any:
    if text is None:
        return None
    kept = json.loads(text)
    read: dict[str, Callable[[Any], Any]] = {
        "bool": bool, "int": int, "float": float, "decimal": Decimal, "str": str, "bytes": bytes.fromhex,
        "datetime": datetime.fromisoformat, "date": date.fromisoformat, "time": time.fromisoformat,
        "timedelta": lambda us: timedelta(microseconds=us)}
    return read[kept["type"]](kept["value"])


@dataclass(frozen=True)
class Kept:
    """What the table's last load kept of its cursor."""

    column: str
    mark: Any  # None: the table had no cursor value then (every row is read)
    repairers: str | None
    run_id: str


@dataclass(frozen=True)
class Taken:
    """The cursor in the source when a read began."""

    high: Any  # the highest value now (None: no row has one)
    nulls: int  # rows without a value (read every time)
    below: bool  # the highest value is below the kept mark: the cursor went backwards
    rows: int = 0


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """The store's table of marks (``ensure_schema`` makes it too; a staging file or an older store may lack it)."""
    con.execute(ddl(CURSOR_TABLE, DELTA_TABLES[CURSOR_TABLE]))


def kept_mark(con: duckdb.DuckDBPyConnection, source: str, table: str) -> Kept | None:
    ensure_table(con)
    row = con.execute(f"SELECT cursor_column, mark, repairers, run_id FROM {CURSOR_TABLE} WHERE src_source = ? AND "
                      "src_table = ?", [source, table]).fetchone()
    return None if row is None else Kept(row[0], decode(row[1]), row[2], row[3])


def keep_mark(con: duckdb.DuckDBPyConnection, source: SourceSpec, table: TableSpec, mark: Any, repairers: str | None,
              run_id: str) -> None:
    """The table's mark for its next delta (in the load's transaction)."""
    ensure_table(con)
    con.execute(f"DELETE FROM {CURSOR_TABLE} WHERE src_source = ? AND src_table = ?", [source.name, table.name])
    if table.cursor is not None:
        con.execute(f"INSERT INTO {CURSOR_TABLE} VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
                    [source.name, table.name, table.cursor, encode(mark), repairers, run_id])


def _last_run(con: duckdb.DuckDBPyConnection, where: list[str], run_id: str) -> str | None:
    """The run of the table's last load before this one (the snapshot's)."""
    row = con.execute("SELECT run_id FROM table_delta WHERE src_source = ? AND src_table = ? AND run_id <> ? "
                      "ORDER BY finished_at DESC LIMIT 1", [*where, run_id]).fetchone()
    return None if row is None else str(row[0])


# --- the source's side -------------------------------------------------------------------------------------------

@dataclass
class _Session:
    """One read-only snapshot of the source table: its columns as a whole read names them."""

    conn: Connection
    table: Table
    names: list[str]  # the columns a whole read selects (BLOB columns of the files stage left out)
    header: list[str]  # their names in the batches
    key_names: list[str]  # the columns the source key is made of


@contextmanager
def _session(project: Project, source: SourceSpec, table: TableSpec) -> Iterator[_Session]:
    """The table in one read-only snapshot, its cursor and key columns checked (an InputError naming the source,
    table and column otherwise)."""
    path = project.resolve(source.path) if source.kind == "sqlite" and source.path else None
    where = str(path) if path is not None else mask(source.dsn or "")
    if path is not None and not path.is_file():
        raise input_error(tr("Không tìm thấy tệp cơ sở dữ liệu", "Database file not found"), source, table, where)
    engine = make_engine(source.kind, path, source.dsn, source.password_env)
    try:
        with engine.connect() as conn:
            begin_snapshot(conn)
            reflected = reflect(conn, table.table or "", source.schema_name)
            yield _checked(project, source, table, conn, reflected)
    except sa_exc.NoSuchTableError as exc:
        raise input_error(tr("Không có bảng trong cơ sở dữ liệu", "No such table in the database"), source, table,
                          where, f"table {table.table!r}") from exc
    except sa_exc.SQLAlchemyError as exc:
        original = getattr(exc, "orig", None) or exc
        raise input_error(tr("Không đọc được cơ sở dữ liệu theo cột con trỏ", "Cannot read the database by its "
                             "cursor column"), source, table, where, str(original).strip().split("\n")[0],
                          column=table.cursor) from exc
    finally:
        engine.dispose()


def _checked(project: Project, source: SourceSpec, table: TableSpec, conn: Connection, reflected: Table) -> _Session:
    assert table.cursor is not None and table.source_key is not None
    blobs = frozenset(project.config.files.blobs.get(source.name, {}).get(table.name, {}))
    names = [c.name for c in reflected.c if c.name not in blobs]
    col = reflected.c.get(table.cursor)
    if col is None or col.name in blobs:
        raise input_error(tr("Cột con trỏ không có trong bảng", "The cursor column is not in the table"), source,
                          table, table.table, tr(f"các cột: {', '.join(names)}", f"its columns: {', '.join(names)}"),
                          column=table.cursor, hint=tr("sửa 'cursor' trong merger.yaml", "fix 'cursor' in merger.yaml"))
    if not cursor_orderable(col):
        raise input_error(tr("Cột con trỏ không sắp thứ tự được", "The cursor column cannot be ordered"), source,
                          table, table.table, tr(f"kiểu {col.type!r}: cần số, ngày giờ hoặc văn bản",
                                                 f"type {col.type!r}: a number, a date or time, or text is needed"),
                          column=table.cursor)
    keys = table.source_key.source_columns()
    if not keys or any(k not in names for k in keys) or ROW_LABEL in names:
        raise input_error(tr("Khóa nguồn không phải các cột của bảng", "The source key is not columns of the table"),
                          source, table, table.table, f"source_key {keys}; columns {names}", column=table.cursor)
    return _Session(conn, reflected, names, unique_names(names), keys)


def _taken(session: _Session, cursor: str, mark: Any) -> Taken:
    """The cursor's highest value in the snapshot (read before SQLite text is switched to bytes: the mark keeps the
    column's own type)."""
    high, nulls, below, rows = session.conn.execute(mark_select(session.table, cursor, mark)).one()
    return Taken(high, int(nulls or 0), bool(below), int(rows or 0))


def take_mark(project: Project, source: SourceSpec, table: TableSpec) -> Taken | None:
    """Before a whole read of the table: the cursor's highest value (every row written later reaches it), or None
    when the table has no cursor."""
    if table.cursor is None:
        return None
    with _session(project, source, table) as session:
        return _taken(session, table.cursor, None)


def cursor_stamp(project: Project, source: SourceSpec, table: TableSpec) -> str:
    """What tells a database server's table changed since its last load, for the run's skip decision (a SQLite
    file has its file's stamp): the cursor's highest value, its NULLs and the rows. A row written without its cursor
    moving, or a row deleted and another inserted below the mark, leaves it the same — the cursor's contract."""
    try:
        taken = take_mark(project, source, table)
    except InputError as exc:  # the load itself reports it, naming the table
        return f"cursor:unreadable:{exc.reason or exc.message}"
    return "" if taken is None else f"cursor:{encode(taken.high)}:{taken.nulls}:{taken.rows}"


def _went_back(source: SourceSpec, table: TableSpec, kept: Kept, taken: Taken) -> InputError:
    return input_error(
        tr("Cột con trỏ đã lùi lại", "The cursor column went backwards"), source, table, table.table,
        tr(f"giá trị lớn nhất bây giờ {taken.high!r} nhỏ hơn mốc của lần nạp trước {kept.mark!r}: các dòng đã đổi có "
           "thể không được thấy", f"its highest value now, {taken.high!r}, is below the last load's mark "
           f"{kept.mark!r}: changed rows may go unseen"),
        column=table.cursor, hint=tr("nạp lại toàn bộ bảng: hopnhat migrate --fresh (giữ mốc mới)",
                                     "reload the table whole: hopnhat migrate --fresh (keeps a new mark)"))


# --- the delta ---------------------------------------------------------------------------------------------------

def _cell(value: Any) -> str | None:
    """A cell as a whole read makes it (``shape.tabular``)."""
    return value if type(value) is str and value else cell_text(value)


def read_by_cursor(delta: DeltaSide, on_batch: Callable[[int], None] | None) -> DeltaRead:
    """:meth:`DeltaLoad.read` for a table with a cursor: only the rows past the last load's mark are read (see the
    module docstring); without a usable mark, every row the usual way, the mark taken before."""
    con, source, table = delta.con, delta.source, delta.table
    assert table.cursor is not None
    kept = kept_mark(con, *delta.where)
    usable = (kept is not None and kept.column == table.cursor and kept.repairers is not None
              and kept.run_id == _last_run(con, delta.where, delta.run_id)
              and readings_complete(delta.mapper, kept.repairers))
    if not usable:
        with stage("ingest"):
            taken = take_mark(delta.project, source, table)
        seen = delta.read(on_batch)
        keep_mark(con, source, table, taken.high if taken else None, seen.repairers, delta.run_id)
        return seen
    assert kept is not None and kept.repairers is not None
    restore_repairers(delta.mapper, kept.repairers)
    with _session(delta.project, source, table) as session:
        taken = _taken(session, table.cursor, kept.mark)
        if taken.below:
            raise _went_back(source, table, kept, taken)
        out = _CursorRead(delta, session, kept).run()
    keep_mark(con, source, table, kept.mark if taken.high is None else taken.high, kept.repairers, delta.run_id)
    forget_prints(con, *delta.where)  # the rows' bytes were not hashed: a later records delta must not use old ones
    if on_batch:
        on_batch(out.read)
    return out


class _CursorRead:
    """The key scan, the plan of what to read, the read, in one snapshot (temporary tables ``_c_*``)."""

    def __init__(self, delta: DeltaSide, session: _Session, kept: Kept) -> None:
        self.delta, self.session, self.kept, self.mark = delta, session, kept, kept.mark
        self.con = delta.con
        assert delta.table.cursor is not None
        self.cursor = delta.table.cursor
        self.key = delta.table.source_key.column if delta.table.source_key is not None else None

    def run(self) -> DeltaRead:

        self._check_columns(DeltaNotPossible)
        con = self.con
        con.execute("CREATE OR REPLACE TEMP TABLE _d_new (src_row BIGINT, src_key VARCHAR, h BIGINT)")
        con.execute("CREATE OR REPLACE TEMP TABLE _d_old AS SELECT src_row, src_key, content_hash "
                    "FROM source_rows WHERE src_source = ? AND src_table = ?", self.delta.where)
        bytes_for_text(self.session.conn)
        with stage("ingest"):
            self._scan()
        with stage("delta"):
            listed = self._plan()
            self._unchanged()
        out = DeltaRead(how="cursor")
        with stage("ingest"):
            batches = list(self._changed(listed))
        with stage("delta"):
            for batch in batches:
                self.delta._keep_batch(batch, out)
            if out.kept_rows != self._wanted():
                raise DeltaNotPossible("changed_while_read")  # the rows read are not those the scan numbered
            out.read = int(one(con, "SELECT count(*) FROM _d_new")[0])
            out.checksum = query_sum(con, f"SELECT {sum_sql()} FROM _d_new")
            out.repairers = self.kept.repairers
            for name in ("_c_scan", "_c_read"):
                con.execute(f"DROP TABLE IF EXISTS {name}")
        return out

    def _empty(self) -> pa.Table:
        return next(shape.tabular(iter(()), self.session.header, 1))

    def _check_columns(self, not_possible: type[Exception]) -> None:
        """The archive's columns are those a whole read names now (a column added or dropped: loaded whole)."""
        names = [c for c in self._empty().column_names if c not in ("_row", "_item", "_error", "_raw")]
        if names != self.delta.legacy_cols:
            raise not_possible("columns_changed")

    def _scan(self) -> None:
        """``_c_scan``: every row's number, key (as the mapping makes it, from the key's cells as a whole read makes
        them) and whether it is past the mark. Column by column, a few thousand rows at a time (no record objects)."""
        s = self.session
        header = dict(zip(s.names, s.header))
        key_header = [header[k] for k in s.key_names]
        self.con.execute("CREATE OR REPLACE TEMP TABLE _c_scan (src_row BIGINT, src_key VARCHAR, past BOOLEAN)")
        result = s.conn.execution_options(stream_results=True, yield_per=self.delta.batch_rows).execute(
            key_scan_select(s.table, self.key, s.key_names, self.cursor, self.mark))
        first = 1
        try:
            for part in result.partitions():
                columns = list(zip(*part, strict=True))
                cells = pa.table({name: pa.array([_cell(v) for v in values], pa.string())
                                  for name, values in zip(key_header, columns)})
                _hopnhat_scan = pa.table({
                    "src_row": pa.array(range(first, first + len(part)), pa.int64()),
                    "src_key": pa.array(self.delta.mapper.keys(cells), pa.string()),
                    "past": pa.array([bool(v) for v in columns[-1]], pa.bool_())})
                self.con.execute("INSERT INTO _c_scan SELECT * FROM _hopnhat_scan")
                first += len(part)
        finally:
            result.close()

    def _plan(self) -> list[int] | None:
        """``_c_read``: the rows to read whole — past the mark, without a key, or of a key the snapshot lacks or
        whose number of rows changed (all rows of such a key). Returns those below the mark, named one by one
        (None: too many, every row is read)."""
        self.con.execute("""
            CREATE OR REPLACE TEMP TABLE _c_read AS
            WITH n AS (SELECT src_key, count(*) AS c, bool_or(past) AS p FROM _c_scan WHERE src_key IS NOT NULL
                       GROUP BY src_key),
                 o AS (SELECT src_key, count(*) AS c FROM _d_old WHERE src_key IS NOT NULL GROUP BY src_key),
                 k AS (SELECT n.src_key FROM n LEFT JOIN o USING (src_key) WHERE o.c IS NULL OR n.p OR n.c <> o.c)
            SELECT src_row, src_key, past FROM _c_scan WHERE past OR src_key IS NULL OR src_key IN (SELECT * FROM k)""")
        listed = [r for (r,) in self.con.execute("SELECT src_row FROM _c_read WHERE NOT past ORDER BY src_row")
                  .fetchall()] if one(self.con, "SELECT count(*) FROM _c_read WHERE NOT past")[0] <= MAX_LISTED_ROWS \
            else None
        if listed is None:
            self.con.execute("CREATE OR REPLACE TEMP TABLE _c_read AS SELECT src_row, src_key, past FROM _c_scan")
        return listed

    def _unchanged(self) -> None:
        """The rows not read: their key and hash from the snapshot (a key of one row by the key; the rows of a key
        of several, all unread and as many as before, by rank)."""
        self.con.execute("""
            CREATE OR REPLACE TEMP TABLE _c_same AS
            SELECT src_row, src_key, count(*) OVER (PARTITION BY src_key) AS c FROM _c_scan
            WHERE src_key IS NOT NULL AND src_row NOT IN (SELECT src_row FROM _c_read)""")
        self.con.execute("INSERT INTO _d_new SELECT s.src_row, s.src_key, o.content_hash FROM _c_same s "
                         "JOIN _d_old o USING (src_key) WHERE s.c = 1")
        self.con.execute("""
            INSERT INTO _d_new
            SELECT s.src_row, s.src_key, o.content_hash FROM
              (SELECT src_row, src_key, row_number() OVER (PARTITION BY src_key ORDER BY src_row) AS r FROM _c_same
               WHERE c > 1) s
              JOIN (SELECT src_key, content_hash, row_number() OVER (PARTITION BY src_key ORDER BY src_row) AS r
                    FROM _d_old WHERE src_key IN (SELECT src_key FROM _c_same WHERE c > 1)) o USING (src_key, r)""")
        self.con.execute("DROP TABLE _c_same")

    def _changed(self, listed: list[int] | None) -> Iterator[pa.Table]:
        """The rows to read, whole, each numbered by the database as a whole read numbers it."""
        s = self.session
        result = s.conn.execution_options(stream_results=True, yield_per=self.delta.batch_rows).execute(
            numbered_select(s.table, self.key, s.names, self.cursor, self.mark, listed))

        def records() -> Iterator[Record]:
            for values in result:
                yield Record(int(values[-1]), dict(zip(s.header, values[:-1], strict=True)))

        try:
            yield from shape.tabular(records(), s.header, self.delta.batch_rows)
        finally:
            result.close()

    def _wanted(self) -> set[tuple[int, str | None]]:
        return {(int(r), k) for r, k in self.con.execute("SELECT src_row, src_key FROM _c_read").fetchall()}


def cursor_columns_problems(project: Project) -> list[InputError]:
    """Every cursor column of the merger file checked against its database (present, orderable; the key's columns
    there): for a check before a run."""
    problems = []
    for source in project.config.sources:
        for table in source.tables:
            if table.cursor is None:
                continue
            try:
                take_mark(project, source, table)
            except InputError as exc:
                problems.append(exc)
    return problems


__all__ = ["CURSOR_TABLE", "Kept", "Taken", "cursor_columns_problems", "cursor_stamp", "keep_mark", "kept_mark",
           "read_by_cursor", "take_mark"]
