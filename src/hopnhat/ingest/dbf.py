"""dBase III/IV, FoxPro and Visual FoxPro tables (``.dbf``, memos in the ``.dbt``/``.fpt`` beside it), read with
dbfread (MIT, pure Python): its header and field-descriptor parsing, its memo-file readers and its binary field types.

The provincial systems of 1995-2015 (civil-status registers, land books, staff lists) kept their tables this way,
typed in TCVN3 (.VnTime) or VNI fonts, so the code page byte of the header says nothing (0) or Windows-1252 while the
bytes are TCVN3/VNI. Text fields therefore take the CSV reader's way (:func:`hopnhat.text.cells.as_text`: UTF-8 when
the bytes are, else their Windows-1252 view, losslessly) and the repair stage reads TCVN3/VNI back — unless the code
page byte names a real code page that is not one of those Western pages FoxPro stamps by default (0, 437, 850, 1252,
Mac Roman), or the table's ``encoding`` names a standard codec, which then decodes them. A Vietnamese ``encoding``
(``tcvn3``, ``vni``, ``cp1258``…) keeps the Windows-1252 view and tells the repair stage what it is.

Cells: text with trailing blanks stripped, empty → null; numbers as written, without ``.0``; dates ISO; logical
``true``/``false``; memos read from the memo file; binary memos (pictures, OLE objects) as their bytes' lossless
text view, as a SQL BLOB is. ``_row`` is the record number in the file (1-based, deleted records counted). Nothing is
dropped: a record marked deleted (``*``) is read and carries ``deleted_in_source``; a field holding garbage keeps
its text and carries ``bad_number``/``bad_date``/``bad_logical``/``bad_memo``/``bad_text``. A file that cannot be
read as a whole (truncated, its header's record count wrong, its memo file missing or not a DBF at all) raises
:class:`DbfError`, which the caller turns into an InputError naming the file.

dbfread's own record loop is not used: it yields either the live records or the deleted ones, never both in file
order, and skips a record whose flag byte is neither silently. The records are walked here, by the header's lengths.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import struct
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from dbfread import DBF, FieldParser
from dbfread.codepages import codepages
from dbfread.memo import BinaryMemo, MemoFile, VFPMemoFile, find_memofile, open_memofile

from hopnhat.i18n import tr
from hopnhat.ingest.base import Record, junk_message, unique_names
from hopnhat.ingest.cells import cell_text
from hopnhat.text.cells import as_text

# code pages FoxPro and dBase stamp by default, over which TCVN3/VNI was typed: their byte is no evidence
WESTERN = frozenset({"ascii", "cp437", "cp850", "cp1252", "mac-roman"})
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_CHUNK = 1 << 20  # bytes of records read at once
Convert = Callable[[bytes, Record], Any]


class DbfError(Exception):
    """The file cannot be read as a DBF table: why and what to do, in the user's language."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


def _again() -> str:
    return tr("sao chép lại tệp từ máy cũ (kèm tệp .fpt/.dbt cùng tên), hoặc mở bảng bằng FoxPro/dBase rồi lưu "
              "lại (PACK, COPY TO) hoặc xuất lại",
              "copy the file again from the old machine (with its .fpt/.dbt of the same name), or open the table in "
              "FoxPro/dBase and save it again (PACK, COPY TO) or export it again")


def text_codec(language_driver: int, declared: str | None) -> str | None:
    """The codec text fields are decoded with, or None for the CSV reader's way (UTF-8 when the bytes are, else the
    Windows-1252 view that the repair stage reads TCVN3/VNI back from)."""
    if declared:
        from hopnhat.text.legacy import _ALIASES, ENCODINGS

        low = declared.strip().lower()
        if _ALIASES.get(low, low) in (*ENCODINGS, "utf-8-sig"):
            return None
        return codecs.lookup(low).name
    name = codepages.get(language_driver, (None, ""))[0]
    if name is None or codecs.lookup(name).name in WESTERN:
        return None
    return codecs.lookup(name).name


class _Parser(FieldParser):
    """dbfread's field parser, knowing Visual FoxPro 9's varbinary (Q) and blob (W) fields too."""

    def parseQ(self, field: Any, data: bytes) -> bytes:  # dbfread finds a parser by its name
        return data

    def parseW(self, field: Any, data: bytes) -> Any:
        return self.get_memo(self._parse_memo_index(data))


def memo_path(path: Path) -> Path | None:
    """The memo file beside a DBF (``.fpt`` or ``.dbt``, any case), if there is one."""
    found = find_memofile(str(path))
    return Path(found) if found else None


_VFP = (0x30, 0x31, 0x32)  # Visual FoxPro: a B field is a double, not a memo


def _open(path: Path) -> DBF:
    try:
        table = DBF(str(path), encoding="latin-1", parserclass=_Parser, ignorecase=False,
                    ignore_missing_memofile=True)
    except (struct.error, ValueError, IndexError) as exc:
        raise DbfError(tr(f"không phải bảng dBase/FoxPro hoặc phần đầu tệp bị hỏng ({exc})",
                          f"not a dBase/FoxPro table, or its header is damaged ({exc})"), _again()) from exc
    memo_kinds = "MGPW" if table.header.dbversion in _VFP else "MGPWB"
    if table.memofilename is None and any(f.type in memo_kinds for f in table.fields):
        raise DbfError(tr("bảng có trường ghi chú (memo) nhưng không có tệp .fpt/.dbt cùng tên bên cạnh",
                          "the table has memo fields but no .fpt/.dbt file of the same name beside it"),
                       tr("chép tệp .fpt (FoxPro) hoặc .dbt (dBase) cùng tên vào cùng thư mục với tệp .dbf",
                          "copy the .fpt (FoxPro) or .dbt (dBase) file of the same name into the .dbf's folder"))
    return table


class DbfReader:
    """Header (field names) and records of one DBF table; :meth:`close` closes its memo file."""

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        self.path = path
        self.table = _open(path)
        self.fields = [f for f in self.table.fields if f.type != "0"]  # Visual FoxPro's _NullFlags: no column
        self.header = unique_names(as_text(f.name.encode("latin-1")) for f in self.fields)
        self.codec = text_codec(self.table.header.language_driver, encoding)
        self._decode: Callable[[bytes], str] = as_text if self.codec is None else self._strict
        self.count = self._check_geometry()
        self.memo: MemoFile | None = None
        self._memo_size = self._block = 0
        if self.table.memofilename:
            self._open_memo(Path(self.table.memofilename))
        self._parser = _Parser(self.table, self.memo)
        self._plan = self._make_plan()

    # --- the file as a whole -------------------------------------------------------------------------------------
    def _check_geometry(self) -> int:
        head = self.table.header
        size = self.path.stat().st_size
        width = 1 + sum(f.length for f in self.table.fields)
        if head.recordlen != width or head.headerlen > size:
            raise DbfError(tr(f"phần đầu tệp hỏng: độ dài bản ghi ghi {head.recordlen} byte, các trường cộng lại "
                              f"{width} byte", f"the header is damaged: it gives records of {head.recordlen} bytes, "
                              f"its fields add up to {width}"), _again())
        end = head.headerlen + head.numrecords * head.recordlen  # where the header says the records end
        held = max(0, size - head.headerlen) // head.recordlen
        if size < end:
            raise DbfError(tr(f"tệp bị cắt cụt: phần đầu ghi {head.numrecords} bản ghi, tệp chỉ chứa {held} bản ghi "
                              "đầy đủ", f"the file is truncated: its header says {head.numrecords} records, the file "
                              f"holds {held} whole records"), _again())
        if size == end or self._byte_at(end) == 0x1A:  # what follows the end-of-file mark is no record
            return int(head.numrecords)
        if held > head.numrecords:
            raise DbfError(tr(f"phần đầu tệp ghi sai số bản ghi: ghi {head.numrecords}, tệp chứa {held}",
                              f"the header lies about the record count: it says {head.numrecords}, the file holds "
                              f"{held}"),
                           tr("mở bảng bằng FoxPro/dBase và lưu lại (USE, PACK hoặc COPY TO) để phần đầu ghi đúng "
                              "số bản ghi, hoặc xuất lại bảng", "open the table in FoxPro/dBase and save it again "
                              "(USE, PACK or COPY TO) so that its header counts its records, or export it again"))
        raise DbfError(tr(f"sau bản ghi cuối có {size - end} byte lẻ, không phải một bản ghi đầy đủ (bản ghi ghi dở?)",
                          f"{size - end} stray bytes follow the last record, not a whole record (a record half "
                          "written?)"), _again())

    def _byte_at(self, offset: int) -> int | None:
        with self.path.open("rb") as fh:
            fh.seek(offset)
            got = fh.read(1)
        return got[0] if got else None

    def _open_memo(self, path: Path) -> None:
        try:
            self.memo = open_memofile(str(path), self.table.header.dbversion)
            self._block = self.memo.header.blocksize if isinstance(self.memo, VFPMemoFile) else 512
        except (OSError, struct.error) as exc:
            raise DbfError(tr("không đọc được tệp ghi chú (memo) .fpt/.dbt: hỏng hoặc bị cắt cụt",
                              "cannot read the memo file (.fpt/.dbt): damaged or truncated"), _again()) from exc
        self._memo_size = path.stat().st_size
        if self._block <= 0:
            raise DbfError(tr("tệp ghi chú (memo) .fpt hỏng: kích thước khối bằng 0",
                              "the memo file (.fpt) is damaged: its block size is 0"), _again())

    def close(self) -> None:
        if self.memo is not None:
            self.memo.file.close()

    # --- records -------------------------------------------------------------------------------------------------
    def records(self) -> Iterator[Record]:
        """Every record in file order, deleted ones too (with ``deleted_in_source``)."""
        length = self.table.header.recordlen
        per_chunk = max(1, _CHUNK // length)
        with self.path.open("rb") as fh:
            fh.seek(self.table.header.headerlen)
            number = 0
            while number < self.count:
                want = min(per_chunk, self.count - number)
                chunk = fh.read(want * length)
                if len(chunk) < want * length:
                    raise DbfError(tr("tệp bị cắt cụt trong khi đọc (tệp đang bị ghi?)",
                                      "the file was cut short while being read (is it being written?)"), _again())
                for start in range(0, want * length, length):
                    number += 1
                    yield self._record(number, chunk[start:start + length])

    def _record(self, number: int, data: bytes) -> Record:
        rec = Record(number, None)
        flag = data[0]
        if flag == 0x2A:
            rec.add_error("deleted_in_source", "the record is marked deleted (*) in the DBF (read, not loaded)")
        elif flag != 0x20:
            rec.add_error("bad_record_flag", f"record flag byte 0x{flag:02X} is neither ' ' (live) nor '*' (deleted)")
        rec.values = {name: convert(data[start:end], rec) for name, start, end, convert in self._plan}
        return rec

    def _make_plan(self) -> list[tuple[str, int, int, Convert]]:
        plan, offsets, pos = [], {}, 1
        for field in self.table.fields:
            offsets[id(field)] = pos
            pos += field.length
        for name, field in zip(self.header, self.fields):
            start = offsets[id(field)]
            plan.append((name, start, start + field.length, self._converter(name, field)))
        return plan

    def _converter(self, name: str, field: Any) -> Convert:
        kind = field.type
        if kind == "C":
            return lambda data, rec: self._text(name, data.rstrip(b"\0 "), rec)
        if kind == "V":
            return lambda data, rec: self._text(name, _varchar(data), rec)
        if kind in "NF":
            return lambda data, rec: _number(name, data, rec)
        if kind == "D":
            return lambda data, rec: _date(name, data, rec)
        if kind == "L":
            return lambda data, rec: _logical(name, data, rec)
        if kind in "MGPW" or (kind == "B" and self.table.header.dbversion not in _VFP):
            return lambda data, rec: self._memo(name, field, data, rec)
        return lambda data, rec: self._binary(name, field, data, rec)

    # --- cells ---------------------------------------------------------------------------------------------------
    def _strict(self, data: bytes) -> str:
        assert self.codec is not None
        return data.decode(self.codec)

    def _text(self, name: str, data: bytes, rec: Record) -> str | None:
        if not data:
            return None
        junk = junk_message(data)
        if junk:
            rec.add_error("binary_junk", f"column {name}: {junk}")
        try:
            return self._decode(data) or None
        except UnicodeDecodeError as exc:
            rec.add_error("bad_text", f"column {name}: bytes that are not {self.codec} at offset {exc.start} "
                                      "(kept as their Windows-1252 view)")
            return as_text(data)

    def _memo(self, name: str, field: Any, data: bytes, rec: Record) -> str | None:
        try:
            index = self._parser._parse_memo_index(data)
        except ValueError:
            rec.add_error("bad_memo", f"column {name}: memo pointer {as_text(data.strip())!r} is not a number")
            return as_text(data.strip()) or None
        if index <= 0:
            return None
        if self.memo is None or index * self._block >= self._memo_size:
            rec.add_error("bad_memo", f"column {name}: memo block {index} is past the end of the memo file "
                                      "(truncated .fpt/.dbt?)")
            return None
        try:
            memo = self.memo[index]
        except (OSError, struct.error) as exc:
            rec.add_error("bad_memo", f"column {name}: memo block {index} cannot be read ({exc})")
            return None
        if memo is None:
            return None
        if isinstance(memo, BinaryMemo) or field.type in "GPW":
            return as_text(bytes(memo)) or None
        return self._text(name, bytes(memo).rstrip(b"\0 \r\n\x1a"), rec)

    def _binary(self, name: str, field: Any, data: bytes, rec: Record) -> str | None:
        """Integer, currency, double, date-time, varbinary: dbfread's parsers, the value as text."""
        try:
            value = self._parser.parse(field, data)
        except (ValueError, struct.error, OverflowError) as exc:
            rec.add_error("bad_value", f"column {name}: {as_text(data)!r} cannot be read as type {field.type} "
                                       f"({exc})")
            return as_text(data)
        if isinstance(value, Decimal):
            return _decimal_text(value)
        if isinstance(value, dt.datetime):
            return value.isoformat()
        return cell_text(value)


def _varchar(data: bytes) -> bytes:
    """A Visual FoxPro varchar: when shorter than its field, its length is in the field's last byte."""
    used = data[-1] if data else 0
    if used < len(data) - 1 and not data[used:-1].strip(b"\0 "):
        return data[:used].rstrip(b"\0 ")
    return data.rstrip(b"\0 ")


def _decimal_text(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _number(name: str, data: bytes, rec: Record) -> str | None:
    text = data.strip(b" \0")
    if not text:
        return None
    if not text.strip(b"*"):
        rec.add_error("bad_number", f"column {name}: {text.decode('latin-1')!r}: the number did not fit its field "
                                    "(dBase wrote stars)")
        return text.decode("latin-1")
    clean = text.replace(b",", b".")
    if _NUMBER.fullmatch(clean):
        try:
            return _decimal_text(Decimal(clean.decode("ascii")))
        except (InvalidOperation, ValueError):
            pass
    rec.add_error("bad_number", f"column {name}: {as_text(text)!r} is not a number")
    return as_text(text)


def _date(name: str, data: bytes, rec: Record) -> str | None:
    if not data.strip(b" 0\0"):
        return None
    if data.isdigit() and len(data) == 8:
        try:
            return dt.date(int(data[:4]), int(data[4:6]), int(data[6:])).isoformat()
        except ValueError:
            pass
    text = as_text(data.strip(b" \0"))
    rec.add_error("bad_date", f"column {name}: {text!r} is not a date (YYYYMMDD)")
    return text


def _logical(name: str, data: bytes, rec: Record) -> str | None:
    if data in (b"T", b"t", b"Y", b"y"):
        return "true"
    if data in (b"F", b"f", b"N", b"n"):
        return "false"
    if data in (b"?", b" ", b"\0", b""):
        return None
    text = as_text(data)
    rec.add_error("bad_logical", f"column {name}: {text!r} is not a logical value (T/F/Y/N/?)")
    return text
