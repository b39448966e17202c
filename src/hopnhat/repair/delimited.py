"""CSV/TSV files: read cells as raw bytes (so each column's encoding is found apart), write UTF-8.

Read like the ingest reader reads them (:mod:`hopnhat.ingest.delimited`; its delimiter rule is
:mod:`hopnhat.ingest.sniff`): the bytes as Latin-1 so ASCII delimiters and quotes are found whatever the encoding,
the delimiter the most consistent over the first 64 KiB, fields of any length. A UTF-16 file (Excel's "Unicode
Text") is read as UTF-8 first (:func:`from_wide`). A malformed file is an InputError naming the line.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.ingest.sniff import SAMPLE_BYTES, sniff_delimiter
from hopnhat.repair.columns import Cell, ColumnReport, column_report, map_column

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


_WIDE = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))  # UTF-32 first: its little-endian mark starts with UTF-16's


def from_wide(data: bytes, path: Path | None = None) -> bytes:
    """A file opening with a UTF-16 or UTF-32 byte-order mark (Excel's "Unicode Text" is UTF-16) as UTF-8 with its
    BOM, so it is read (and written back) as every other file; other bytes as they are. Bytes that are not what the
    mark says are an InputError naming the line."""
    wide = next((name for bom, name in _WIDE if data.startswith(bom)), None)
    if wide is None:
        return data
    try:
        return BOM + data.decode(wide).encode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(wide, errors="replace").count("\n") + 1
        raise InputError(tr(f"Tệp văn bản {wide.upper()} hỏng", f"The {wide.upper()} text file is damaged"),
                         source=str(path) if path else None, row=line,
                         reason=tr(f"tệp mở đầu bằng dấu {wide.upper()} nhưng có byte không đọc được theo mã đó",
                                   f"the file opens with a {wide.upper()} mark but holds bytes that are not that"),
                         hint=tr("xuất lại tệp từ Excel (Unicode Text hoặc CSV UTF-8)",
                                 "export the file again from Excel (Unicode Text or CSV UTF-8)")) from exc


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
    return [[cell.encode("latin-1") for cell in row] for row in read_latin1(data, layout, path)]


def read_latin1(data: bytes, layout: Layout, path: Path | None = None) -> list[list[str]]:
    """Rows of cells as the Latin-1 views of their bytes (one string per byte); a malformed file is an InputError
    naming the line."""
    text = data[len(BOM) if layout.bom else 0 :].decode("latin-1")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter)
    try:
        return list(reader)
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



# ------------------------------------------------------------------------------------------------ the usual table

class _Echo:
    """A file whose ``write`` hands the text back: ``csv.writer.writerow`` then returns the line it wrote."""

    def write(self, text: str) -> str:
        return text


def quoter(layout: Layout) -> Callable[[str], str]:
    """One field as ``csv.writer`` writes it inside a row of several fields in this layout (quoted when needed)."""
    quoting: Literal[0, 1] = csv.QUOTE_ALL if layout.quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(_Echo(), delimiter=layout.delimiter, lineterminator=layout.lineterminator, quoting=quoting)
    end = len(layout.lineterminator)
    empty = '""' if layout.quote_all else ""  # alone in a row an empty field is quoted; among others it is not

    written: dict[str, str] = {}  # columns repeat their outputs: each is quoted once

    def quote(field: str) -> str:
        known = written.get(field)
        if known is None:
            known = written[field] = str(writer.writerow([field]))[:-end] if field else empty
        return known

    return quote


def _column(name: str, cells: Sequence[str], quote: Callable[[str], str],
            first_row: int) -> tuple[list[str], ColumnReport]:
    """One column's cells as written in the output, and its report: the engine and the quoting see each distinct
    value once; the cells are mapped through a dictionary (in C)."""
    distinct = dict.fromkeys(cells)  # the distinct values in first-seen order
    mapped = map_column(name, distinct, latin1=True)
    written = {raw: quote(str(cell)) for raw, cell in mapped.final.items()}
    changed = sum(map(mapped.changed.__contains__, cells)) if mapped.changed else 0  # cheaper than counting each
    rows = range(first_row, first_row + len(cells)) if mapped.unreadable else range(0)
    return list(map(written.__getitem__, cells)), column_report(name, mapped, cells, rows, len(cells), changed)


def repair_rows(rows: list[list[str]], layout: Layout) -> tuple[bytes, list[ColumnReport]] | None:
    """Repair and write a table whose rows all have the same width (two columns or more), header first: the usual
    CSV export. Same bytes as :func:`repair_table` then :func:`write_rows`; None for any other table."""
    width = len(rows[0]) if rows else 0
    if width < 2 or len(rows) < 2 or any(len(r) != width for r in rows):
        return None
    quote = quoter(layout)
    header = map_column(tr("(dòng tiêu đề)", "(header row)"), rows[0], latin1=True)
    head = [str(header.final[c]) for c in rows[0]]
    reports = [] if header.detection.encoding == "ascii" else \
        [column_report(tr("(dòng tiêu đề)", "(header row)"), header, rows[0], [1] * width, width,
                       sum(c in header.changed for c in rows[0]))]
    columns = []
    for col, cells in enumerate(zip(*rows[1:])):
        out, report = _column(head[col] or f"#{col + 1}", cells, quote, 2)
        columns.append(out)
        reports.append(report)
    lines = [layout.delimiter.join(map(quote, head)), *map(layout.delimiter.join, zip(*columns))]
    text = layout.lineterminator.join(lines) + (layout.lineterminator if layout.final_newline else "")
    return (BOM if layout.bom else b"") + text.encode("utf-8"), reports
