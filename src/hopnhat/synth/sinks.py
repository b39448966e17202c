"""Writers for the estate (legacy-encoded CSV, SQLite, PostgreSQL COPY) and the truth (UTF-8 CSV).

Everything is written in batches, in a fixed order, without timestamps, so that the same seed gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path
from typing import Any

from hopnhat.errors import HopnhatError
from hopnhat.text import legacy

log = logging.getLogger(__name__)
UTF8 = "utf-8"
_PY_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8"}


class SynthError(HopnhatError):
    """The synthetic estate could not be written."""


def encode_text(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding`` (``utf-8`` or a legacy one of :mod:`hopnhat.text.legacy`)."""
    if encoding in _PY_CODECS:
        return text.encode(_PY_CODECS[encoding])
    return legacy.encode(text, encoding)


def csv_line(values: list[str]) -> str:
    """One CSV line (``\\r\\n``, minimal quoting) as text."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(values)
    return buf.getvalue()


class CsvSink:
    """A CSV file in one encoding, or one encoding per column (``column_encodings``)."""

    def __init__(self, path: Path, columns: list[str], encoding: str = UTF8,
                 column_encodings: dict[str, str] | None = None, bom: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.columns, self.encoding = path, columns, encoding
        self.column_encodings = column_encodings or {}
        self.rows = 0
        self._fh = path.open("wb")
        if bom:
            self._fh.write(b"\xef\xbb\xbf")
        self._fh.write(csv_line(columns).encode("ascii"))

    def encode_row(self, values: list[str]) -> bytes:
        if not self.column_encodings:
            return encode_text(csv_line(values), self.encoding)
        parts = [encode_text(csv_line([v]).rstrip("\r\n"), self.column_encodings.get(c, self.encoding))
                 for c, v in zip(self.columns, values)]
        return b",".join(parts) + b"\r\n"

    def write(self, values: list[str]) -> None:
        self.write_raw(self.encode_row(values))

    def write_raw(self, data: bytes) -> None:
        self._fh.write(data)
        self.rows += 1

    def close(self) -> None:
        self._fh.close()


class TruthSink:
    """A UTF-8 CSV of truth rows."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.columns = path, columns
        self._fh = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._fh, lineterminator="\n")
        self._writer.writerow(columns)

    def write(self, values: list[Any]) -> None:
        self._writer.writerow(values)

    def close(self) -> None:
        self._fh.close()
