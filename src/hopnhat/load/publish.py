"""``hopnhat publish``: copy the DuckDB store into PostgreSQL (schema created, COPY, idempotent).

Every table of the store (the unified tables in ``public``, the legacy archives in ``legacy``) is recreated and filled
inside ONE PostgreSQL transaction: readers see the old copy or the new one, never half; publishing twice gives the same
database. Data travels as CSV produced by DuckDB and streamed into ``COPY … FROM STDIN``.

The new tables are filled in staging schemas (``hopnhat_next_public``, ``hopnhat_next_legacy``) that no reader uses,
and swapped in at the very end of the transaction (``ALTER TABLE … SET SCHEMA``): the live tables are locked only for
the swap, a few milliseconds, not for the whole copy — the web app keeps reading the old copy meanwhile (issue 19).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from hopnhat.errors import InputError
from hopnhat.load.store import connect, one, quote
from hopnhat.load.storedb import mask_dsn, pg_dsn

PG_TYPES = {"VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "DOUBLE": "double precision",
            "DATE": "date", "TIMESTAMP": "timestamp", "BOOLEAN": "boolean", "HUGEINT": "numeric",
            "FLOAT": "real", "SMALLINT": "smallint", "TINYINT": "smallint", "UBIGINT": "numeric",
            "UINTEGER": "bigint", "TIMESTAMP WITH TIME ZONE": "timestamptz"}
_CHUNK = 1 << 20
INDEXES = {"person": ("record_id", "golden_id", "id_number", "address_new_commune_code"),
           "dossier": ("record_id", "code"), "parcel": ("record_id", "commune_new_commune_code"),
           "organization": ("record_id", "tax_code")}


@dataclass
class Published:
    schema: str
    table: str
    rows: int


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute("SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = "
                       "'BASE TABLE' AND table_schema IN ('main', 'legacy') ORDER BY 1, 2").fetchall()


def _pg_type(duck_type: str) -> str:
    return PG_TYPES.get(duck_type.upper(), "text")


def _create(cur: object, schema: str, table: str, cols: list[tuple[str, str]]) -> None:
    target = f"{quote(schema)}.{quote(table)}"
    body = ", ".join(f"{quote(c)} {_pg_type(t)}" for c, t in cols)
    cur.execute(f"DROP TABLE IF EXISTS {target}")  # type: ignore[attr-defined]
    cur.execute(f"CREATE TABLE {target} ({body})")  # type: ignore[attr-defined]


def _copy(con: duckdb.DuckDBPyConnection, cur: object, src: str, target: str, cols: list[str], tmp: Path) -> None:
    csv_path = tmp / "table.csv"
    con.execute(f"COPY (SELECT * FROM {src}) TO '{csv_path}' (FORMAT csv, HEADER false, NULL '', "
                f"FORCE_QUOTE *)")
    sql = f"COPY {target} ({', '.join(quote(c) for c in cols)}) FROM STDIN WITH (FORMAT csv, NULL '')"
    with cur.copy(sql) as copy, csv_path.open("rb") as fh:  # type: ignore[attr-defined]
        while chunk := fh.read(_CHUNK):
            copy.write(chunk)


STAGING = {"public": "hopnhat_next_public", "legacy": "hopnhat_next_legacy"}
OLD = {"public": "hopnhat_old_public", "legacy": "hopnhat_old_legacy"}


def _swap(cur: object, tables: list[Published]) -> None:
    """The filled staging tables take the live tables' places (the live ones set aside, then dropped): the only
    statements of the transaction that lock what readers read."""
    for t in tables:
        live, name = quote(t.schema), quote(t.table)
        cur.execute(f"ALTER TABLE IF EXISTS {live}.{name} SET SCHEMA {quote(OLD[t.schema])}")  # type: ignore[attr-defined]
        cur.execute(f"ALTER TABLE {quote(STAGING[t.schema])}.{name} SET SCHEMA {live}")  # type: ignore[attr-defined]
    for name in (*STAGING.values(), *OLD.values()):
        cur.execute(f"DROP SCHEMA {quote(name)} CASCADE")  # type: ignore[attr-defined]


def publish(store: Path, url: str, progress: Callable[[str, int], None] | None = None) -> list[Published]:
    """Copy every table of the DuckDB store into the PostgreSQL database at ``url``."""
    import psycopg

    if not store.exists():
        raise InputError("the store does not exist yet: run `hopnhat migrate` first", source=str(store))
    con = connect(store, read_only=True)
    out: list[Published] = []
    try:
        pg = psycopg.connect(pg_dsn(url))
    except psycopg.Error as exc:
        raise InputError("cannot connect to PostgreSQL", source=mask_dsn(url), reason=str(exc)) from exc
    try:
        with pg.transaction(), pg.cursor() as cur, tempfile.TemporaryDirectory() as tmp:
            for name in ("legacy", *STAGING.values(), *OLD.values()):
                if name != "legacy":
                    cur.execute(f"DROP SCHEMA IF EXISTS {quote(name)} CASCADE")
                cur.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(name)}")
            for schema, table in _tables(con):
                pg_schema = "public" if schema == "main" else schema
                staging = STAGING[pg_schema]
                src = f"{quote(schema)}.{quote(table)}"
                cols = [(r[0], r[1]) for r in con.execute(f"DESCRIBE {src}").fetchall()]
                _create(cur, staging, table, cols)
                _copy(con, cur, src, f"{quote(staging)}.{quote(table)}", [c for c, _ in cols], Path(tmp))
                for col in INDEXES.get(table, ()) if pg_schema == "public" else ():
                    cur.execute(f"CREATE INDEX ON {quote(staging)}.{quote(table)} ({quote(col)})")
                rows = one(con, f"SELECT count(*) FROM {src}")[0]
                out.append(Published(pg_schema, table, rows))
                if progress:
                    progress(f"{pg_schema}.{table}", rows)
            _swap(cur, out)
    except psycopg.Error as exc:
        raise InputError("publishing to PostgreSQL failed", source=mask_dsn(url), reason=str(exc)) from exc
    finally:
        pg.close()
        con.close()
    return out
