"""ingest: every legacy source (CSV/TSV, Excel, NDJSON/JSON, Parquet, dBase/FoxPro, SQLite, PostgreSQL, MySQL/MariaDB)
read as a stream of ``pyarrow`` batches of text, the raw record kept beside its cells.

``read_table(project, source, table, batch_rows=50_000)`` yields tables whose columns are :data:`RAW_COLUMNS`
(``_row`` int64, ``_item`` int64, ``_error`` string, ``_raw`` string) then one string column per source column:

- ``_row``: where a person finds the record — CSV: record number, the header being 1; Excel: sheet row; NDJSON: line;
  JSON: array index + 1; Parquet: ordinal; DBF: record number (deleted records counted); SQL: ordinal in key order;
- ``_item``: position in the exploded list (tables with ``explode``), else null;
- ``_error``: null, or ``"<reason_code>: <message>"`` (several joined by ``"; "``) for a record that could not be read
  properly — it is still yielded, with what could be read, so that nothing is ever dropped;
- ``_raw``: the record as read (CSV line(s), JSON text) or its cells as a JSON object, at most 4,000 characters.

Cells are text, never repaired here: CSV and DBF bytes as UTF-8 when they are, else their Windows-1252 view (a DBF
whose code page byte names a real non-Western code page is decoded with it); numbers and dates of typed sources as
text (ISO dates, whole numbers without ``.0``); empty → null. ``read_lookup`` reads a source's small code lists.
"""


from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hopnhat.ingest.api import read_table
    from hopnhat.ingest.base import MAX_RAW, RAW_COLUMNS, needed_columns
    from hopnhat.ingest.lookup import read_lookup

# loaded on first use: ``hopnhat repair`` reads CSV through hopnhat.ingest.sniff without SQLAlchemy and openpyxl
_WHERE = {"read_table": "hopnhat.ingest.api", "MAX_RAW": "hopnhat.ingest.base", "RAW_COLUMNS": "hopnhat.ingest.base",
          "needed_columns": "hopnhat.ingest.base", "read_lookup": "hopnhat.ingest.lookup"}

__all__ = ["MAX_RAW", "RAW_COLUMNS", "needed_columns", "read_lookup", "read_table"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'hopnhat.ingest' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
