"""CSV/TSV files, streamed record by record with the ``csv`` module over a binary-safe reading.

The bytes are read as Latin-1 (one character per byte, so nothing can fail to decode and the ASCII delimiters and
quotes are found whatever the encoding), then each cell goes back to its bytes and becomes text losslessly: UTF-8 when
its bytes are UTF-8, else their Windows-1252 view (the repair stage turns TCVN3/VNI/cp1258 into Unicode later).
A UTF-16 file (Excel's "Unicode text") is decoded as such. ``_row`` is the record number, the header being 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hopnhat.ingest.base import Record, junk_message
from hopnhat.ingest.footer import Kind, ReportEnd
from hopnhat.ingest.headers import header_names
from hopnhat.ingest.sniff import SAMPLE_BYTES, sniff_delimiter
from hopnhat.text.cells import as_text

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 10 MB field (a scanned file pasted as text) is still a field

UTF8_BOM = codecs.BOM_UTF8
_DELIMITER_WORDS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


class HeaderError(Exception):
    """The file has no usable header (the caller names source, table and path)."""


@dataclass(frozen=True)
class Layout:
    """How to read one delimited file."""

    delimiter: str
    text_encoding: str | None  # None: bytes read as Latin-1, cells decoded one by one
    skip: int  # bytes of BOM


def _wide_encoding(head: bytes, declared: str | None) -> tuple[str | None, int]:
    """UTF-16/32 by BOM or declaration (these cannot be read byte-wise); else None and the UTF-8 BOM length."""
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            return name, 0
    name = (declared or "").lower().replace("_", "-")
    if name.startswith(("utf-16", "utf16", "utf-32", "utf32")):
        return declared, 0
    return None, len(UTF8_BOM) if head.startswith(UTF8_BOM) else 0


def layout_of(fh: BinaryIO, delimiter: str | None, encoding: str | None, default: str) -> Layout:
    """Delimiter (given or sniffed), wide encoding and BOM of an open file (left at its start)."""
    head = fh.read(SAMPLE_BYTES)
    fh.seek(0)
    wide, skip = _wide_encoding(head, encoding)
    if delimiter:
        return Layout(_DELIMITER_WORDS.get(delimiter.lower(), delimiter), wide, skip)
    sample = head.decode(wide, errors="ignore") if wide else head[skip:].decode("latin-1")
    return Layout(sniff_delimiter(sample.lstrip("\ufeff"), default), wide, skip)


class _Lines:
    """The file's lines for the csv reader, remembering those taken for the record being read."""

    def __init__(self, text: io.TextIOBase) -> None:
        self._lines = iter(text)
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line

    def take(self) -> str:
        text = "".join(self.taken)
        self.taken.clear()
        return text


class DelimitedReader:
    """Records of one delimited file; open it with :meth:`open`, then read the header, then iterate."""

    def __init__(self, fh: BinaryIO, layout: Layout) -> None:
        self.fh = fh
        self.layout = layout
        fh.seek(layout.skip)
        wide = layout.text_encoding
        text = io.TextIOWrapper(fh, encoding=wide or "latin-1", errors="replace" if wide else "strict", newline="")
        self._lines = _Lines(text)
        self._reader = csv.reader(self._lines, delimiter=layout.delimiter)
        self._cell: Callable[[str], str] = (lambda c: c) if wide else (lambda c: as_text(c.encode("latin-1")))
        self._bytes: Callable[[str], bytes] = (lambda t: t.encode("utf-8")) if wide else (lambda t: t.encode("latin-1"))
        self.ordinal = 0
        self.header: list[str] = []
        self.ends = ReportEnd(False)  # a report's footer total and signature block (`declares`: declared_total: footer)

    @property
    def footer(self) -> tuple[int, str, int] | None:
        """The first footer total met: record number, number as written, count."""
        return self.ends.footer

    def _next(self) -> tuple[list[str] | None, str, str | None]:
        """(fields or None, raw text as read, csv error); StopIteration at the end."""
        self.ordinal += 1
        try:
            fields = next(self._reader)
        except csv.Error as exc:
            return None, self._lines.take(), f"csv_error: {exc}"
        return fields, self._lines.take(), None

    def _raw_text(self, raw: str) -> tuple[str, bytes]:
        data = self._bytes(raw)
        text = as_text(data) if self.layout.text_encoding is None else raw
        return text.rstrip("\r\n").lstrip("\ufeff"), data

    def read_header(self, header_rows: list[int] | None, data_start: int | None, join: str,
                    wanted: list[str]) -> list[str]:
        """Read up to the first data record; the header's column names."""
        rows: list[list[str]] = []
        last = max(header_rows) if header_rows else None
        while True:
            try:
                fields, raw, error = self._next()
            except StopIteration:
                break
            usable = bool(fields) and error is None
            if usable and (header_rows is None or self.ordinal in header_rows):
                assert fields is not None
                message = junk_message(self._raw_text(raw)[1])
                if message:
                    raise HeaderError(f"the header is not text: {message}")
                rows.append([self._cell(c) for c in fields])
            if (header_rows is None and rows) or (last is not None and self.ordinal >= last):
                break
        if not rows or not any(c.strip() for r in rows for c in r):
            raise HeaderError("no header row (the file is empty or has only blank lines)")
        self._skip_to(data_start)
        self.header = header_names(rows, join, wanted)
        return self.header

    def first_rows(self, limit: int) -> list[tuple[int, list[str]]]:
        """The first ``limit`` non-blank records as they are, with their record numbers, before any header is read:
        what a title block above the header looks like (``hopnhat init --scan``)."""
        rows: list[tuple[int, list[str]]] = []
        while len(rows) < limit:
            try:
                fields, _, error = self._next()
            except StopIteration:
                break
            if fields and error is None and any(c.strip() for c in fields):
                rows.append((self.ordinal, [self._cell(c) for c in fields]))
        return rows

    def _skip_to(self, data_start: int | None) -> None:
        while data_start is not None and self.ordinal + 1 < data_start:
            try:
                self._next()
            except StopIteration:
                return

    def records(self, wanted: Container[int] | None = None) -> Iterator[Record]:
        """Every record after the header, blank lines aside (they are no record); with ``wanted``, only the records
        of those numbers (the others are skipped unparsed: a delta run reads only the records that changed). A
        report's end (:mod:`hopnhat.ingest.footer`) is no record, as in an Excel sheet: the last footer total is the
        declared count when the table says so (``ends.declares``), any other one a ``footer_total`` row (a subtotal
        above the last), the lines of a signature block below it ``signature_block`` rows."""
        held: tuple[int, str] | None = None  # the footer the count is taken from, so far: its line and text
        while True:
            try:
                fields, raw, error = self._next()
            except StopIteration:
                return
            if fields == [] and error is None:
                continue
            kind = self._kind(fields) if error is None else "record"
            if kind == "declared":
                if held is not None and self.ends.take_subtotal() == held[0] and (wanted is None or held[0] in wanted):
                    yield self._report_row(*held, self.ends.subtotal_error())
                held = (self.ordinal, raw)
            elif wanted is not None and self.ordinal not in wanted:
                continue
            elif kind == "record":
                yield self._record(fields, raw, error)
            else:
                yield self._report_row(self.ordinal, raw, self.ends.error(kind))

    def _report_row(self, number: int, raw: str, error: tuple[str, str]) -> Record:
        """A line of the report's own (a footer total, a subtotal, a signature line): quarantined, never a record."""
        rec = Record(number, None, self._raw_text(raw)[0])
        rec.add_error(*error)
        return rec

    def _kind(self, fields: list[str] | None) -> Kind:
        if not fields or not self.ends.may_end(fields):
            return "record"
        return self.ends.kind(self.ordinal, [self._cell(c) for c in fields])

    def _record(self, fields: list[str] | None, raw: str, error: str | None) -> Record:
        text, data = self._raw_text(raw)
        rec = Record(self.ordinal, None, text)
        if error is not None:
            rec.add_error(*error.split(": ", 1))
            return rec
        assert fields is not None
        junk = junk_message(data)
        if junk:
            rec.add_error("binary_junk", junk)
        self._check_width(rec, fields)
        cell = self._cell if not raw.isascii() else str  # ASCII reads the same in every encoding
        rec.values = {name: cell(c) for name, c in zip(self.header, fields)}
        return rec

    def _check_width(self, rec: Record, fields: list[str]) -> None:
        width, count = len(self.header), len(fields)
        if count < width:
            rec.add_error("short_row", f"{count} fields, the header has {width}")
        elif count > width and any(c.strip() for c in fields[width:]):
            rec.add_error("long_row", f"{count} fields, the header has {width}")


def open_delimited(path: Path, delimiter: str | None, encoding: str | None, default: str) -> DelimitedReader:
    """A reader over an open file (the caller closes ``reader.fh``)."""
    fh = path.open("rb")
    try:
        return DelimitedReader(fh, layout_of(fh, delimiter, encoding, default))
    except BaseException:
        fh.close()
        raise
