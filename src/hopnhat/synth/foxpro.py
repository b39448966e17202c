"""A FoxPro 2 table of the estate (``.dbf`` with its ``.fpt`` memo file), typed in TCVN3 as the provincial programs of
1995-2015 typed it: the header's code page byte says Windows-1252 (FoxPro's default), the bytes are TCVN3.

Written with the ``dbf`` package (Ethan Furman's), a writer this project did not write, so the reader
(:mod:`hopnhat.ingest.dbf`, on dbfread) is never only reading its own output. The package encodes text through the
table's code page; TCVN3 bytes are handed to it as their cp437 reading (cp437 gives each byte a character, so the
bytes written are the bytes given), and the code page byte is set to Windows-1252 afterwards.

Defects: ``deleted`` — the record marked deleted, as a clerk's DELETE left it with no PACK after: record 7 and every
:data:`DELETED_EVERY`-th after it, so that even the smallest estate holds one; then, at the table's rate,
``impossible_date`` (a date field holding a date no calendar has, ``19980231``: what another program wrote into the
file bypassing FoxPro's checks) and ``duplicate_key``. Columns of kind ``D`` take ISO dates (``yyyy-mm-dd``) and the
truth holds them so; ``M`` is a memo. The truth's ``row_number`` is the record number, as the reader's ``_row``.
"""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import dbf

from hopnhat.synth.sinks import encode_text
from hopnhat.synth.tables import Table, TableInfo

DEFECTS_DBF = ("impossible_date", "duplicate_key")
DELETED_EVERY = 40
WINDOWS_1252 = 0x03  # the code page byte FoxPro for Windows stamps
_LANGUAGE_DRIVER = 29


class FoxProTable(Table):
    """One FoxPro 2 table: ``fields`` maps each column to its FoxPro type (``C(40)``, ``D``, ``M``)."""

    kinds = DEFECTS_DBF

    def __init__(self, info: TableInfo, truth_path: Path, seed: str, path: Path, fields: dict[str, str],
                 encoding: str = "tcvn3") -> None:
        super().__init__(info, truth_path, seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in (path, path.with_suffix(".fpt")):
            old.unlink(missing_ok=True)
        self.path, self.fields, self.encoding = path, fields, encoding
        spec = "; ".join(f"{name} {kind}" for name, kind in fields.items())
        self.table = dbf.Table(str(path), spec, dbf_type="fp", codepage="cp437")
        self.table.open(dbf.READ_WRITE)
        self._patches: list[tuple[int, str, bytes]] = []  # (record number, column, bytes) written after closing

    def _defect(self, row: dict[str, str]) -> str:
        if (self.info.rows + 1) % DELETED_EVERY == 7:
            return "deleted"
        return super()._defect(row)

    def _value(self, column: str, text: str, record: int) -> object:
        kind = self.fields[column][0]
        if kind == "D":
            try:
                return dt.date.fromisoformat(text) if text else None
            except ValueError:  # an impossible date: written into the field's bytes after closing
                self._patches.append((record, column, text.replace("-", "").encode("ascii")))
                return None
        data = encode_text(text, self.encoding)
        if kind == "C" and data != data.strip(b" \xff"):  # the writer strips cp437 blanks (0xFF is TCVN3's Ố)
            self._patches.append((record, column, data))
        return data.decode("cp437")

    def _write(self, row: dict[str, str], defect: str) -> None:
        record = len(self.table) + 1
        self.table.append(tuple(self._value(c, row.get(c, ""), record) for c in self.fields))
        if defect == "deleted":
            dbf.delete(self.table[record - 1])

    def close(self) -> None:
        self.table.close()
        data = bytearray(self.path.read_bytes())
        data[_LANGUAGE_DRIVER] = WINDOWS_1252
        header_len, record_len = struct.unpack_from("<HH", data, 8)
        offsets, pos, at = {}, 1, 32
        while data[at] != 0x0D:
            name = bytes(data[at:at + 11]).split(b"\0")[0].decode("ascii")
            offsets[name] = (pos, data[at + 16])
            pos, at = pos + data[at + 16], at + 32
        for record, column, raw in self._patches:
            start, length = offsets[column.upper()]
            where = header_len + (record - 1) * record_len + start
            data[where:where + length] = raw[:length].ljust(length, b" ")
        self.path.write_bytes(bytes(data))
        super().close()
