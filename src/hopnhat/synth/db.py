"""The register of the surviving province in a SQL database: PostgreSQL (psycopg 3, COPY) or a SQLite file.

Legacy databases rarely enforce keys: the tables have no primary-key constraint, so duplicated keys (a defect the
generator injects on purpose) load as they would have in the old system.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Protocol

from hopnhat.synth.sinks import SynthError

Columns = list[tuple[str, str]]  # (name, SQL type)


class DbSink(Protocol):
    @property
    def schema(self) -> str | None: ...

    def create(self, table: str, columns: Columns) -> None: ...
    def insert(self, table: str, columns: Columns, rows: list[tuple[Any, ...]]) -> None: ...
    def close(self) -> None: ...


class SqliteSink:
    """A SQLite file, rebuilt from scratch."""

    schema = None

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        self.path = path
        self._con = sqlite3.connect(path)
        self._con.execute("PRAGMA journal_mode=OFF")
        self._con.execute("PRAGMA synchronous=OFF")

    def create(self, table: str, columns: Columns) -> None:
        self._con.execute(f"CREATE TABLE {table} ({', '.join(f'{n} {t}' for n, t in columns)})")

    def insert(self, table: str, columns: Columns, rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" for _ in columns)
        self._con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)

    def close(self) -> None:
        self._con.commit()
        self._con.close()


class PostgresSink:
    """A schema in a PostgreSQL database, dropped and recreated, loaded with COPY."""

    def __init__(self, dsn: str, schema: str) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - dependency declared in pyproject
            raise SynthError("psycopg is not installed", reason="pip install psycopg[binary]") from exc
        try:
            self._con = psycopg.connect(dsn)
        except psycopg.Error as exc:
            raise SynthError("cannot connect to PostgreSQL", value=_safe(dsn), reason=str(exc)) from exc
        self.schema = schema
        self._con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        self._con.execute(f"CREATE SCHEMA {schema}")

    def create(self, table: str, columns: Columns) -> None:
        self._con.execute(f"CREATE TABLE {self.schema}.{table} ({', '.join(f'{n} {t}' for n, t in columns)})")

    def insert(self, table: str, columns: Columns, rows: list[tuple[Any, ...]]) -> None:
        names = ", ".join(n for n, _ in columns)
        with self._con.cursor() as cur, cur.copy(f"COPY {self.schema}.{table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def close(self) -> None:
        self._con.commit()
        self._con.close()


def _safe(dsn: str) -> str:
    """The DSN without its password, for messages and files."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", "@")
    return urlunsplit(parts._replace(netloc=netloc))


safe_dsn = _safe
