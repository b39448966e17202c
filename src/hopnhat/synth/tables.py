"""One legacy table being written: estate rows (CSV or database), their truth, and defects injected on purpose.

A :class:`Table` receives clean rows (``dict`` column → text) and
- writes them to the estate in the table's native shape (legacy-encoded CSV or a database table),
- writes the truth: the physical row number, the clean text of every column, the entity and address truth the caller
  gives, the noises of duplicates and the defects injected here,
- breaks a small share of rows on purpose: ``truncated`` line, ``impossible_date``, ``bad_encoding`` (a row in another
  encoding, or mojibake in a database), ``duplicate_key`` (the key of an earlier row).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopnhat.synth.db import Columns, DbSink
from hopnhat.synth.sinks import UTF8, CsvSink, TruthSink, csv_line, encode_text

DEFECTS_CSV = ("truncated", "impossible_date", "bad_encoding", "duplicate_key")
DEFECTS_DB = ("impossible_date", "bad_encoding", "duplicate_key")
_BATCH = 20_000


@dataclass
class TableInfo:
    """What the merger file and the truth say about a table."""

    system: str
    name: str
    key: str
    columns: list[str]
    date_columns: tuple[str, ...] = ()
    truth_extra: tuple[str, ...] = ()
    defect_rate: float = 0.004
    rows: int = 0
    defects: dict[str, int] = field(default_factory=dict)


def impossible_date(value: str, rng: random.Random) -> str:
    """A date no calendar has, written like ``value`` (dd/mm/yyyy or ISO)."""
    year = value[-4:] if "/" in value else value[:4]
    year = year if year.isdigit() else "1980"
    day, month = (("31", "02"), ("30", "02"), ("00", "13"), ("32", "01"))[int(rng.random() * 4)]
    return f"{year}-{month}-{day}" if "-" in value else f"{day}/{month}/{year}"


class Table:
    """Base: defect choice and truth; subclasses write estate rows."""

    kinds: tuple[str, ...] = DEFECTS_DB

    def __init__(self, info: TableInfo, truth_path: Path, seed: str) -> None:
        self.info = info
        self.rng = random.Random(f"defects:{seed}:{info.system}:{info.name}")
        self.truth = TruthSink(truth_path, ["row_number", *info.columns, *info.truth_extra, "defects"])
        self._last_key: str | None = None

    def _defect(self, row: dict[str, str]) -> str:
        if self.rng.random() >= self.info.defect_rate:
            return ""
        kinds = [k for k in self.kinds if k != "impossible_date" or any(row.get(c) for c in self.info.date_columns)]
        kinds = [k for k in kinds if k != "duplicate_key" or self._last_key is not None]
        return kinds[int(self.rng.random() * len(kinds))] if kinds else ""

    def add(self, row: dict[str, str], extra: dict[str, Any] | None = None) -> None:
        """Write one clean row (the defect, if any, is applied here)."""
        defect = self._defect(row)
        if defect == "impossible_date":
            col = next(c for c in self.info.date_columns if row.get(c))
            row = {**row, col: impossible_date(row[col], self.rng)}
        elif defect == "duplicate_key":
            row = {**row, self.info.key: self._last_key or row[self.info.key]}
        self._last_key = row[self.info.key]
        self.info.rows += 1
        if defect:
            self.info.defects[defect] = self.info.defects.get(defect, 0) + 1
        self._write(row, defect)
        extra = extra or {}
        self.truth.write([self.info.rows, *(row.get(c, "") for c in self.info.columns),
                          *(extra.get(c, "") for c in self.info.truth_extra), defect])

    def _write(self, row: dict[str, str], defect: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.truth.close()


@dataclass(frozen=True)
class ReportEnd:
    """How an old system closes its CSV report: the total in the first cell, then who drew it up and who signed it
    (first and last column), and the place and date of signing."""

    noun: str  # what the total counts: "trường hợp", "hồ sơ"
    clerk: str
    head: str
    place_date: str  # "Tam Kỳ, ngày 30 tháng 6 năm 2025", "Ngày 30 tháng 6 năm 2025"

    def lines(self, rows: int, width: int) -> list[list[str]]:
        def row(first: str, last: str = "") -> list[str]:
            return [first, *[""] * (width - 2), last]

        total = f"{rows:,}".replace(",", ".")  # 1.234, as Vietnamese reports group thousands
        return [row(f"Tổng số: {total} {self.noun}"), row("Người lập biểu", "Thủ trưởng đơn vị"),
                row("(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)"), row(""), row(self.clerk, self.head),
                row("", self.place_date)]


class CsvTable(Table):
    """A CSV export in one legacy encoding (or one per column), closed by a report's end when it has one."""

    kinds = DEFECTS_CSV

    def __init__(self, info: TableInfo, truth_path: Path, seed: str, path: Path, encoding: str = UTF8,
                 column_encodings: dict[str, str] | None = None, bom: bool = False,
                 report_end: ReportEnd | None = None) -> None:
        super().__init__(info, truth_path, seed)
        self.sink = CsvSink(path, info.columns, encoding, column_encodings, bom)
        self._pending: list[str] = []
        self.report_end = report_end

    def _flush(self) -> None:
        if self._pending:
            self.sink._fh.write(encode_text("".join(self._pending), self.sink.encoding))
            self._pending.clear()

    def _write(self, row: dict[str, str], defect: str) -> None:
        values = [row.get(c, "") for c in self.info.columns]
        if not defect or defect in ("impossible_date", "duplicate_key"):
            if self.sink.column_encodings:
                self.sink._fh.write(self.sink.encode_row(values))
            else:
                self._pending.append(csv_line(values))
                if len(self._pending) >= _BATCH:
                    self._flush()
            return
        self._flush()
        self.sink._fh.write(self._broken(values, defect))

    def _broken(self, values: list[str], defect: str) -> bytes:
        if defect == "truncated":
            data = self.sink.encode_row(values[:3])
            cut = max(4, int(len(data) * (0.4 + 0.4 * self.rng.random())))
            return data[:cut].rstrip(b"\r\n") + b"\r\n"
        other = "tcvn3" if self.sink.encoding == UTF8 else UTF8
        if other == self.sink.encoding or (other == UTF8 and self.sink.encoding == UTF8):
            return csv_line(values).encode("cp1252", errors="replace")
        return encode_text(csv_line(values), other)

    def close(self) -> None:
        self._flush()
        if self.report_end is not None:  # in the file's own encoding: what the system wrote under its rows
            lines = self.report_end.lines(self.info.rows, len(self.info.columns))
            self.sink._fh.write(encode_text("".join(csv_line(line) for line in lines), self.sink.encoding))
        self.sink.close()
        super().close()


class DbTable(Table):
    """A table of a legacy SQL database (no key constraint), written in batches."""

    kinds = DEFECTS_DB

    def __init__(self, info: TableInfo, truth_path: Path, seed: str, sink: DbSink, types: Columns,
                 text_columns: tuple[str, ...]) -> None:
        super().__init__(info, truth_path, seed)
        self.sink, self.types, self.text_columns = sink, types, text_columns
        self._rows: list[tuple[Any, ...]] = []
        sink.create(info.name, types)

    def _write(self, row: dict[str, str], defect: str) -> None:
        if defect == "bad_encoding":
            row = {**row, **{c: _mojibake(row[c]) for c in self.text_columns if row.get(c)}}
        self._rows.append(tuple(_typed(row.get(n, ""), t) for n, t in self.types))
        if len(self._rows) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            self.sink.insert(self.info.name, self.types, self._rows)
            self._rows = []

    def close(self) -> None:
        self.flush()
        super().close()


def _mojibake(text: str) -> str:
    """What a legacy import did to the text: UTF-8 bytes read as Windows-1252."""
    return "".join(_cp1252_char(b) for b in text.encode("utf-8"))


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: undefined in cp1252, kept as Latin-1
        return chr(byte)


def _typed(value: str, sql_type: str) -> Any:
    if value == "":
        return None
    return int(value) if sql_type.startswith("INTEGER") and value.lstrip("-").isdigit() else value
