"""Reading a store for checksums and publishing: the DuckDB file or a PostgreSQL database, same tables."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb

from hopnhat.errors import InputError
from hopnhat.load.checksum import checksum_tables, skipped, table_checksum
from hopnhat.load.store import quote

_BATCH = 20_000


def mask_dsn(url: str) -> str:
    """A DSN with its password hidden, for messages."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


class StoreReader:
    """The few queries the checksum needs, on either store."""

    def tables(self) -> list[str]:
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        raise NotImplementedError

    def rows(self, table: str, columns: Sequence[str]) -> Iterator[Sequence[Any]]:
        raise NotImplementedError

    def checksums(self) -> dict[str, tuple[int, str]]:
        out = {}
        for table in checksum_tables(self.tables()):
            cols = sorted(c for c in self.columns(table) if not skipped(c))
            out[table] = table_checksum(self.rows(table, cols))
        return out


class DuckReader(StoreReader):
    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise InputError("the store does not exist yet: run `hopnhat migrate` first", source=str(path))
        self.con = duckdb.connect(str(path), read_only=True)

    def tables(self) -> list[str]:
        return [r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()]

    def columns(self, table: str) -> list[str]:
        return [r[0] for r in self.con.execute(f"DESCRIBE {quote(table)}").fetchall()]

    def rows(self, table: str, columns: Sequence[str]) -> Iterator[Sequence[Any]]:
        cur = self.con.execute(f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)}")
        while batch := cur.fetchmany(_BATCH):
            yield from batch


class PgReader(StoreReader):
    def __init__(self, url: str) -> None:
        import psycopg

        try:
            self.con = psycopg.connect(pg_dsn(url))
        except psycopg.Error as exc:
            raise InputError("cannot connect to PostgreSQL", source=mask_dsn(url), reason=str(exc)) from exc
        self.con.read_only = True

    def tables(self) -> list[str]:
        with self.con.cursor() as cur:
            cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
            return [r[0] for r in cur.fetchall()]

    def columns(self, table: str) -> list[str]:
        with self.con.cursor() as cur:
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND "
                        "table_name = %s ORDER BY ordinal_position", [table])
            return [r[0] for r in cur.fetchall()]

    def rows(self, table: str, columns: Sequence[str]) -> Iterator[Sequence[Any]]:
        with self.con.cursor(name=f"hopnhat_{table}") as cur:
            cur.itersize = _BATCH
            cur.execute(f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)}")
            yield from cur


def pg_dsn(url: str) -> str:
    """SQLAlchemy-style URLs (postgresql+psycopg://) become plain libpq ones."""
    return url.replace("postgresql+psycopg://", "postgresql://").replace("postgres://", "postgresql://")


def open_reader(store: str | None, default: Path) -> StoreReader:
    if store and store.startswith(("postgresql", "postgres:")):
        return PgReader(store)
    return DuckReader(Path(store) if store else default)
