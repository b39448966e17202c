"""CSV/TSV files: read cells as raw bytes (so each column's encoding is found apart), write UTF-8.

Read like the ingest reader reads them (:mod:`hopnhat.ingest.delimited`; its delimiter rule is
:mod:`hopnhat.ingest.sniff`): the bytes as Latin-1 so ASCII delimiters and quotes are found whatever the encoding,
the delimiter the most consistent over the first 64 KiB, fields of any length.
A malformed file is an InputError naming the line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.ingest.sniff import SAMPLE_BYTES, sniff_delimiter
from hopnhat.repair.columns import Cell

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Layout:
    """How a delimited file is written, so a repaired copy looks like the original."""

    delimiter: str
    lineterminator: str
    quote_all: bool
    bom: bool
    final_newline: bool


def _delimiter(text: str, suffix: str) -> str:
    return sniff_delimiter(text[:SAMPLE_BYTES], "\t" if suffix in (".tsv", ".tab") else ",")


def _quote_all(first_line: str, delimiter: str) -> bool:
    try:
        fields = next(csv.reader([first_line], delimiter=delimiter), [])
    except csv.Error:
        return False  # a quote left open on the first line: the reader below names the line
    return bool(fields) and first_line.count('"') >= 2 * len(fields) and first_line.startswith('"')


def layout_of(data: bytes, suffix: str) -> Layout:
    """Delimiter, line ending, quoting and BOM of a file (bytes read as Latin-1: delimiters are ASCII)."""
    bom = data.startswith(BOM)
    text = data[len(BOM) if bom else 0 :].decode("latin-1")
    delimiter = _delimiter(text, suffix)
    first = re.split(r"\r\n|\r|\n", text[:SAMPLE_BYTES], maxsplit=1)[0]
    terminator = "\r\n" if "\r\n" in text else "\n"
    return Layout(delimiter, terminator, _quote_all(first, delimiter), bom, text.endswith(("\n", "\r")))


def read_rows(data: bytes, layout: Layout, path: Path | None = None) -> list[list[Cell]]:
    """Rows of raw byte cells; a malformed file is an InputError naming the line."""
    text = data[len(BOM) if layout.bom else 0 :].decode("latin-1")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter)
    try:
        return [[cell.encode("latin-1") for cell in row] for row in reader]
    except csv.Error as exc:
        raise InputError(tr("Tệp CSV sai cấu trúc", "Malformed CSV file"), source=str(path) if path else None,
                         row=reader.line_num, reason=tr("một dòng không tách được thành các ô",
                                                        "a line cannot be split into fields"),
                         hint=tr("sửa dòng được chỉ ra hoặc xuất lại tệp",
                                 "fix the line named or export the file again")) from exc


def write_rows(rows: list[list[Cell]], layout: Layout) -> bytes:
    """UTF-8 bytes of repaired rows, in the original layout."""
    buffer = io.StringIO(newline="")
    quoting: Literal[0, 1] = csv.QUOTE_ALL if layout.quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(buffer, delimiter=layout.delimiter, lineterminator=layout.lineterminator, quoting=quoting)
    writer.writerows(rows)  # the writer makes text of any cell as str() does
    text = buffer.getvalue()
    if not layout.final_newline and text.endswith(layout.lineterminator):
        text = text[: -len(layout.lineterminator)]
    return (BOM if layout.bom else b"") + text.encode("utf-8")

