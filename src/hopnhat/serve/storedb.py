"""The store readers the web app reads through; they live in :mod:`hopnhat.load.storedb` (the pipeline opens the
store too), re-exported here for the web app's modules."""

from hopnhat.load.storedb import (
    Dialect,
    DuckDBReader,
    PostgresReader,
    QueryTimeout,
    SQLiteReader,
    StoreError,
    StoreReader,
    Watchdog,
    open_store,
    to_psycopg,
    watchdog,
)

__all__ = ["Dialect", "DuckDBReader", "PostgresReader", "QueryTimeout", "SQLiteReader", "StoreError", "StoreReader",
           "Watchdog", "open_store", "to_psycopg", "watchdog"]
