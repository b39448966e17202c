"""What every reader shares: the record a reader yields, the raw columns of a batch, input errors and junk bytes.

A reader turns one source record into one :class:`Record` — good or not. A record that cannot be read properly still
comes out, with an ``error`` (``"<reason_code>: <message>"``) and whatever cells could be read, so the runner can
quarantine it: nothing is ever dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hopnhat.errors import InputError
from hopnhat.project.config import SourceSpec, TableSpec

RAW_COLUMNS: tuple[str, ...] = ("_row", "_item", "_error", "_raw")
MAX_RAW = 4000  # characters of a raw record kept for quarantine

# C0 control bytes no Vietnamese legacy encoding uses for letters (TCVN3 puts capitals at 0x01-0x02, 0x04-0x06 and
# 0x11-0x17, so those are text), plus DEL. Tab, CR and LF are layout.
JUNK_BYTES = bytes([0x00, 0x03, 0x07, 0x08, 0x0B, 0x0C, 0x0E, 0x0F, 0x10, *range(0x18, 0x20), 0x7F])
_JUNK = re.compile(b"[" + re.escape(JUNK_BYTES) + b"]")


class RecordsPathError(Exception):
    """A table's ``records:`` path leads nowhere (no JSON array, no XML element there): ``reached`` = the steps
    found, ``found`` = what is there instead (the user's language). The JSON and XML readers raise it; the ingest
    API turns it into the project's InputError naming the source, table and file."""

    def __init__(self, reached: list[str], found: str) -> None:
        super().__init__(found)
        self.reached = reached
        self.found = found


@dataclass
class Record:
    """One source record: where a person finds it, its raw text and its cells (column → value)."""

    row: int
    values: dict[str, Any] | None
    raw: str | None = None
    error: str | None = None

    def add_error(self, code: str, message: str) -> None:
        """Several problems in one record are kept, the first one names the reason code."""
        text = f"{code}: {message}"
        self.error = text if self.error is None else f"{self.error}; {text}"


def junk_message(data: bytes) -> str | None:
    """Why a record's bytes look binary (NUL or control bytes no text uses), or None."""
    found = _JUNK.search(data)
    if found is None:
        return None
    return f"byte 0x{found.group()[0]:02X} at offset {found.start()} (binary data in a text record)"


def clip(text: str | None) -> str | None:
    """A raw record cut to what quarantine keeps."""
    return text if text is None or len(text) <= MAX_RAW else text[:MAX_RAW]


def needed_columns(table: TableSpec) -> list[str]:
    """The source columns the table's mapping reads (top-level names), in mapping order, without repeats."""
    names: list[str] = []
    specs = [table.source_key] if table.source_key is not None else []
    for spec in [*specs, *table.columns.values()]:
        for name in spec.source_columns():
            if name not in names:
                names.append(name)
    return names


def input_error(message: str, source: SourceSpec, table: TableSpec | None, where: str | Path | None = None,
                reason: str | None = None, **extra: Any) -> InputError:
    """An InputError naming the source, the table and the file or (masked) DSN."""
    return InputError(message, source=source.name, table=table.name if table else None,
                      value=str(where) if where is not None else None, reason=reason, **extra)


_CONTROL = re.compile("[" + re.escape(JUNK_BYTES.decode("latin-1")) + "]")  # not TCVN3's capitals at 0x01-0x17
MAX_NAME = 1000  # characters of a column name taken from a source (long headers fit; a key of a megabyte is no name)


def column_name(key: str) -> str:
    """A source key or header cell as a store column name: the control characters no text uses (NUL…, the
    :data:`JUNK_BYTES`) as ``_``, at most MAX_NAME characters. The cells under it are kept as they are."""
    return _CONTROL.sub("_", key.strip())[:MAX_NAME].strip()


def unique_names(names: Iterable[str | None], taken: Iterable[str] = RAW_COLUMNS) -> list[str]:
    """Column names as a header gives them: blank → ``col_<n>``, repeats (case-insensitive, as DuckDB compares
    names) → ``name_2``, ``name_3``; names of the raw columns are taken too."""
    used = {t.casefold() for t in taken}
    out: list[str] = []
    for position, name in enumerate(names, start=1):
        base = column_name(name or "") or f"col_{position}"
        candidate, n = base, 1
        while candidate.casefold() in used:
            n += 1
            candidate = f"{base}_{n}"
        used.add(candidate.casefold())
        out.append(candidate)
    return out
