"""SQL databases through SQLAlchemy: SQLite (a read-only URI), PostgreSQL (psycopg 3), MySQL/MariaDB (PyMySQL).

Every read is a read-only transaction (``SET TRANSACTION READ ONLY``; SQLite opens the file with ``mode=ro``) that
streams (server-side cursor, ``yield_per``). Rows come in a deterministic order — by the table's source key when it is
a plain column, ties and key-less tables by every orderable column — so ``_row`` (the 1-based ordinal in that order)
finds the same row again. Names are quoted by the dialect; no value is ever put into SQL text.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

from sqlalchemy import (
    MetaData,
    Table,
    bindparam,
    case,
    column,
    create_engine,
    func,
    literal,
    or_,
    select,
    text,
    true,
    types,
)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from hopnhat.ingest.base import Record, unique_names

DRIVERS = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql", "mariadb": "mysql+pymysql"}
CONNECT_TIMEOUT = 10
_UNORDERABLE = (types.JSON, types.ARRAY, types.NullType)


def mask(dsn: str) -> str:
    """A DSN with its password hidden (for messages; works on DSNs SQLAlchemy cannot parse too)."""
    try:
        return make_url(dsn).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - any unparsable DSN: mask by pattern
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", dsn)


def _sqlite_creator(path: Path) -> Any:
    uri = f"file:{pathname2url(str(path.resolve()))}?mode=ro"
    return lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)


def server_url(kind: str, dsn: str, password_env: str | None = None) -> URL:
    """The DSN with the driver hopnhat uses for the kind (psycopg 3, PyMySQL) and the password from the environment
    when the DSN has none."""
    url = make_url(dsn)
    url = url.set(drivername=DRIVERS[kind])
    if url.password is None and password_env and os.environ.get(password_env):
        url = url.set(password=os.environ[password_env])
    if kind in ("mysql", "mariadb") and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url


def make_engine(kind: str, path: Path | None, dsn: str | None, password_env: str | None = None) -> Engine:
    """An engine for one read (no pool kept)."""
    if kind == "sqlite" and path is not None:
        return create_engine("sqlite://", creator=_sqlite_creator(path), poolclass=NullPool)
    assert dsn is not None
    if kind == "sqlite":
        return create_engine(dsn, poolclass=NullPool)
    args = {"connect_timeout": CONNECT_TIMEOUT}
    return create_engine(server_url(kind, dsn, password_env), poolclass=NullPool, connect_args=args)


def begin_read_only(conn: Connection) -> None:
    """Make the transaction about to start read-only (servers); SQLite's file is already opened read-only."""
    if conn.dialect.name in ("postgresql", "mysql", "mariadb"):
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def bytes_for_text(conn: Connection) -> None:
    """SQLite TEXT may hold legacy bytes that are not UTF-8: read text as bytes, decoded losslessly cell by cell."""
    if conn.dialect.name == "sqlite":
        conn.connection.dbapi_connection.text_factory = bytes  # type: ignore[union-attr]


def _split_name(name: str, schema: str | None) -> tuple[str | None, str]:
    if schema is None and "." in name:
        first, rest = name.split(".", 1)
        return first, rest
    return schema, name


def reflect(conn: Connection, name: str, schema: str | None) -> Table:
    """The table's columns as the database declares them (NoSuchTableError when absent)."""
    schema, table = _split_name(name, schema)
    return Table(table, MetaData(), schema=schema, autoload_with=conn)


def orderable(column: Any) -> bool:
    """Whether the reader orders rows by this column (JSON, arrays and untyped columns it cannot)."""
    return not isinstance(column.type, _UNORDERABLE)


def row_order(table: Table, key: str | None) -> list[Any]:
    """The reader's order: the key, then every orderable column (duplicated keys still come in one order)."""
    first: list[Any] = [column(key)] if key is not None and key in table.c else []
    return [*first, *(column(c.name) for c in table.c if orderable(c) and c.name != key)]


def table_select(table: Table, key: str | None, only: list[str] | None = None,
                 skip: frozenset[str] = frozenset()) -> Any:
    """SELECT every column (or ``only`` those, or all but ``skip``) ORDER BY the key, then every orderable column
    (the order is the same whatever is selected, so ``_row`` is too).

    Columns are selected untyped: values come as the driver gives them (SQLite text as bytes), no type conversion
    of SQLAlchemy's can fail on a legacy value."""
    names = only if only is not None else [c.name for c in table.c if c.name not in skip]
    return select(*(column(n) for n in names)).select_from(table).order_by(*row_order(table, key))


# --- reading by a cursor column (hopnhat.load.cursor) -----------------------------------------------------------

ROW_LABEL = "_hopnhat_row"
_CURSOR_TYPES = (types.Integer, types.Numeric, types.Date, types.DateTime, types.Time, types.String)
_NOT_CURSOR = (types.Boolean, types.Enum, types.JSON, types.ARRAY, types.NullType, types.LargeBinary)


def cursor_orderable(col: Any) -> bool:
    """Whether a column can be a cursor: a number, a date or time, or text (what ``>=`` orders as people expect);
    not a boolean, an enumeration (ordered by its declaration), JSON, an array, binary or an undeclared type."""
    return isinstance(col.type, _CURSOR_TYPES) and not isinstance(col.type, _NOT_CURSOR)


def begin_snapshot(conn: Connection) -> None:
    """A read-only transaction whose statements all see one state of the database (the cursor's mark, the key scan
    and the changed rows must agree): REPEATABLE READ on the servers, an explicit BEGIN on SQLite (its first read
    fixes the snapshot until the end)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def past(cursor: Any, mark: Any) -> Any:
    """The rows a cursor delta reads: the cursor at or past the mark (ties at the mark read again), or NULL (a row
    without a cursor value is read every time). No mark: every row."""
    if mark is None:
        return true()
    return or_(cursor >= bindparam("hopnhat_mark", mark), cursor.is_(None))


def mark_select(table: Table, cursor: str, mark: Any) -> Any:
    """The cursor's highest value now, how many rows have none, whether it is below ``mark`` (compared by the
    database, with its own types and collation), and how many rows there are."""
    col: Any = column(cursor)
    below = case((func.max(col) < bindparam("hopnhat_last", mark), 1), else_=0) if mark is not None else literal(0)
    return select(func.max(col), func.count() - func.count(col), below, func.count()).select_from(table)


def key_scan_select(table: Table, key: str | None, names: list[str], cursor: str, mark: Any) -> Any:
    """Only ``names`` (the columns the source key is made of) of every row, in the reader's order, and whether the row
    is past the mark (1/0)."""
    flag = case((past(column(cursor), mark), 1), else_=0)
    return select(*(column(n) for n in names), flag).select_from(table).order_by(*row_order(table, key))


def numbered_select(table: Table, key: str | None, names: list[str], cursor: str, mark: Any,
                    rows: list[int] | None) -> Any:
    """The rows past the mark and those numbered ``rows`` (None: every row), each with its ordinal in the reader's
    order (``row_number()`` over the ORDER BY the whole read uses), in that order."""
    numbered = select(*(column(n) for n in names),
                      func.row_number().over(order_by=row_order(table, key)).label(ROW_LABEL)) \
        .select_from(table).subquery("hopnhat_numbered")
    ordinal = numbered.c[ROW_LABEL]
    wanted = true() if rows is None else past(numbered.c[cursor], mark)
    if rows:
        wanted = or_(wanted, ordinal.in_(bindparam("hopnhat_rows", rows, expanding=True)))
    return select(*(numbered.c[n] for n in names), ordinal).where(wanted).order_by(ordinal)


def query_select(conn: Connection, query: str, key: str | None) -> tuple[Any, list[str]]:
    """A user's query wrapped so its rows come in a deterministic order; its column names."""
    inner = query.strip().rstrip(";")
    probe = conn.execute(text(f"SELECT * FROM ({inner}) AS hopnhat_q WHERE 1 = 0"))
    names = list(probe.keys())
    probe.close()
    quote = conn.dialect.identifier_preparer.quote
    order = quote(key) if key is not None and key in names else ", ".join(str(i) for i in range(1, len(names) + 1))
    return text(f"SELECT * FROM ({inner}) AS hopnhat_q ORDER BY {order}"), names


class SqlReader:
    """Header and records of one table or query, over one read-only connection."""

    def __init__(self, conn: Connection, table: str | None, query: str | None, schema: str | None,
                 key: str | None, batch_rows: int, skip: frozenset[str] = frozenset()) -> None:
        """``skip``: BLOB columns the files stage reads (hopnhat.files), left out of the rows."""
        self.conn = conn
        self.batch_rows = batch_rows
        begin_read_only(conn)
        if table is not None:
            reflected = reflect(conn, table, schema)
            names = [c.name for c in reflected.c if c.name not in skip]
            self.statement = table_select(reflected, key, skip=skip)
        else:
            assert query is not None
            self.statement, names = query_select(conn, query, key)
        self.header = unique_names(names)

    def records(self) -> Iterator[Record]:
        bytes_for_text(self.conn)
        result = self.conn.execution_options(stream_results=True, yield_per=self.batch_rows).execute(self.statement)
        try:
            for row, values in enumerate(result, start=1):
                yield Record(row, dict(zip(self.header, values, strict=True)))
        finally:
            result.close()
