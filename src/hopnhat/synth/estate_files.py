"""Row-level edits of an estate already written: a legacy-encoded CSV, an NDJSON export, a SQLite table.

The live estate (:mod:`hopnhat.synth.evolve`) changes the legacy systems the way their users do: a row rewritten in
place, a row removed, rows appended. Only *clean* rows are edited: a CSV line that decodes in the file's encoding and
writes back to the very same bytes, a JSON line that parses, a key that occurs once. Broken rows planted by the
generator (truncated lines, other encodings, duplicated keys) stay exactly as they were. Files are rewritten through
a temporary file renamed at the end, so a crash never leaves half a file.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from hopnhat.io.outputs import write_bytes
from hopnhat.synth.sinks import SynthError, csv_line, encode_text
from hopnhat.text import legacy

_PY = {"utf-8": "utf-8", "utf-8-sig": "utf-8"}


def _decode(data: bytes, encoding: str) -> str:
    return data.decode(_PY[encoding]) if encoding in _PY else legacy.decode(data, encoding)


class CsvRows:
    """A CSV export in one legacy encoding, as lines of bytes (``\\r\\n``), editable by key."""

    def __init__(self, path: Path, encoding: str, key: str) -> None:
        self.path, self.encoding = path, encoding
        data = path.read_bytes()
        head, _, body = data.partition(b"\r\n")
        self.head = head
        self.columns = next(csv.reader([head.removeprefix(b"\xef\xbb\xbf").decode("ascii")]))
        self.lines = body.split(b"\r\n")
        if self.lines and self.lines[-1] == b"":
            self.lines.pop()
        self.key = key
        self._parsed: dict[bytes, list[str] | None] = {}
        self._counts = Counter(self._key_of(line) for line in self.lines)

    def _values(self, line: bytes) -> list[str] | None:
        if line not in self._parsed:
            self._parsed[line] = self._parse(line)
        return self._parsed[line]

    def _parse(self, line: bytes) -> list[str] | None:
        try:
            values = next(csv.reader(io.StringIO(_decode(line, self.encoding))))
        except (legacy.LegacyEncodingError, UnicodeDecodeError, StopIteration, csv.Error):
            return None
        if len(values) != len(self.columns) or encode_text(csv_line(values), self.encoding) != line + b"\r\n":
            return None
        return values

    def _key_of(self, line: bytes) -> str | None:
        values = self._values(line)
        return values[self.columns.index(self.key)] if values else None

    def clean(self) -> list[int]:
        """Positions of the rows that may be edited (clean, key unique)."""
        out = []
        for i, line in enumerate(self.lines):
            key = self._key_of(line)
            if key and self._counts[key] == 1:
                out.append(i)
        return out

    def row(self, i: int) -> dict[str, str]:
        values = self._values(self.lines[i])
        if values is None:
            raise SynthError("not a clean row", source=str(self.path), row=i + 2)
        return dict(zip(self.columns, values, strict=True))

    def replace(self, i: int, row: dict[str, str]) -> None:
        self.lines[i] = encode_text(csv_line([row.get(c, "") for c in self.columns]), self.encoding)[:-2]

    def delete(self, i: int) -> None:
        self.lines[i] = b""  # removed at save, so positions stay valid meanwhile

    def append(self, row: dict[str, str]) -> None:
        self.lines.append(encode_text(csv_line([row.get(c, "") for c in self.columns]), self.encoding)[:-2])

    def keys(self) -> set[str]:
        return {k for k in (self._key_of(line) for line in self.lines if line) if k}

    def save(self) -> None:
        body = b"".join(line + b"\r\n" for line in self.lines if line)
        write_bytes(self.path, self.head + b"\r\n" + body)


class NdjsonRows:
    """An NDJSON export (one object per line), editable by a top-level key field."""

    def __init__(self, path: Path, key: str) -> None:
        self.path, self.key = path, key
        self.lines: list[str | None] = list(path.read_text(encoding="utf-8").splitlines())
        self.records: list[dict[str, Any] | None] = [_parse(line) for line in self.lines if line is not None]
        self._counts = Counter(r.get(key) for r in self.records if r is not None)

    def clean(self) -> list[int]:
        return [i for i, r in enumerate(self.records)
                if r is not None and r.get(self.key) and self._counts[r[self.key]] == 1]

    def codes(self) -> set[str]:
        return {str(r.get(self.key)) for r in self.records if r is not None}

    def replace(self, i: int, record: dict[str, Any]) -> None:
        self.records[i] = record
        self.lines[i] = _dump(record)

    def delete(self, i: int) -> None:
        self.records[i] = None
        self.lines[i] = None

    def append(self, record: dict[str, Any]) -> None:
        self.records.append(record)
        self.lines.append(_dump(record))
        self._counts[record[self.key]] += 1

    def save(self) -> None:
        write_bytes(self.path, "".join(line + "\n" for line in self.lines if line is not None).encode("utf-8"))


def _parse(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _dump(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class SqliteRows:
    """One table of a legacy SQLite database, edited by its integer key ``id`` (no key constraint, as written)."""

    def __init__(self, con: sqlite3.Connection, table: str) -> None:
        self.con, self.table = con, table
        self.columns = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]

    def clean(self) -> list[int]:
        sql = f"SELECT id FROM {self.table} WHERE id IS NOT NULL GROUP BY id HAVING count(*) = 1 ORDER BY id"
        return [r[0] for r in self.con.execute(sql)]

    def row(self, key: int) -> dict[str, Any]:
        cur = self.con.execute(f"SELECT * FROM {self.table} WHERE id = ?", [key])
        return dict(zip(self.columns, cur.fetchone(), strict=True))

    def update(self, key: int, values: dict[str, Any]) -> None:
        sets = ", ".join(f"{c} = ?" for c in values)
        self.con.execute(f"UPDATE {self.table} SET {sets} WHERE id = ?", [*values.values(), key])

    def delete(self, key: int) -> None:
        self.con.execute(f"DELETE FROM {self.table} WHERE id = ?", [key])

    def insert(self, row: dict[str, Any]) -> int:
        key = self.next_id()
        values = {**row, "id": key}
        self.con.execute(f"INSERT INTO {self.table} VALUES ({', '.join('?' for _ in self.columns)})",
                         [values.get(c) for c in self.columns])
        return key

    def next_id(self) -> int:
        return int(self.con.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {self.table}").fetchone()[0])
