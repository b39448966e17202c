"""What an export says about itself: how many records it holds (``declared_total:``), found without loading it.

A REST API dump says ``{"data": {"items": [...], "total": 12345, "page": 1, "pageSize": 100}}``; an XML exchange
file ``<DanhSach TongSo="812">`` or ``<TongSo>812</TongSo>``; an Excel report ends with "Tổng cộng: 1.234 hồ sơ".
:func:`declared_count` reads the file once more, cheaply — JSON: the values outside the records kept, the array of
records skipped by counting its top-level commas (strings removed by one regular expression per megabyte);
XML: libxml2 reports only the record, root and count elements; Excel: the sheet's rows — and returns the count
declared, where, the records it counted (for preflight) and the paging beside it (a first page of many).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from hopnhat.i18n import tr
from hopnhat.ingest.base import RecordsPathError
from hopnhat.ingest.cells import parse_count
from hopnhat.ingest.count import Declared, Paging, XmlCount, footer_declared
from hopnhat.ingest.jsonfile import _DECODER, _Buffer, _key, _what
from hopnhat.ingest.xmlfile import HEAD, XmlError, _local, _refuse_entities, _Transcoder, declared_encoding
from hopnhat.project.config import Project, SourceSpec, TableSpec

PAGE_KEYS = ("page", "pageIndex", "pageNumber", "page_number", "currentPage", "current_page", "trang", "soTrang")
SIZE_KEYS = ("pageSize", "page_size", "perPage", "per_page", "limit", "size", "kichThuocTrang")
PAGES_KEYS = ("totalPages", "total_pages", "pageCount", "page_count", "lastPage", "last_page", "tongSoTrang")


def _paging(values: dict[str, Any], parent: str, total: int | None) -> Paging | None:
    """Paging keys beside the total (or the records): None when there are none."""
    def first(keys: tuple[str, ...]) -> int | None:
        for key in keys:
            found = parse_count(values.get(f"{parent}.{key}" if parent else key))
            if found is not None:
                return found
        return None

    page, size, pages = first(PAGE_KEYS), first(SIZE_KEYS), first(PAGES_KEYS)
    if page is None and size is None and pages is None:
        return None
    if pages is None and size and total is not None:
        pages = max(1, math.ceil(total / size))
    return Paging(page, size, pages)


# --- JSON ------------------------------------------------------------------------------------------------------

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # unrolled: twice as fast as (?:[^"\\]|\\.)*
_BRACKET = re.compile(r"[\[\]{}]")
_FLAT = re.compile(r"\{[^{}\[\]]*\}|\[[^{}\[\]]*\]")  # an object or array holding none: one value for the count
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)


class _Counter:
    """Top-level elements of a JSON array, counted as commas at depth 0 (+1 when it is not empty), and whether
    something stands after the last of them (a whole element when the file ends there)."""

    def __init__(self) -> None:
        self.depth = 0
        self.commas = 0
        self.content = False  # something at depth 0 since the last comma (or the opening bracket)
        self.scalar: str | None = None  # that something, when it is bare text (a number, true, null…)

    def state(self) -> tuple[int, int, bool, str | None]:
        return self.depth, self.commas, self.content, self.scalar

    def restore(self, state: tuple[int, int, bool, str | None]) -> None:
        self.depth, self.commas, self.content, self.scalar = state

    def _gap(self, text: str, a: int, b: int) -> None:
        """The text between two tokens, at depth 0: its commas counted, what follows the last one noted."""
        n = text.count(",", a, b)
        if n:
            self.commas += n
            a = text.rindex(",", a, b) + 1
            self.content, self.scalar = False, None
        if a < b and not text[a:b].isspace():
            if not self.content:
                self.content, self.scalar = True, text[a:b]
            elif self.scalar is not None:  # bare text cut by a chunk's end
                self.scalar += text[a:b]

    def whole(self) -> bool:
        """Whether the last element, where the file ends, is whole (the reader reads it, then a ``truncated`` row)."""
        if self.depth or not self.content:
            return False
        if self.scalar is None:
            return True
        try:
            json.loads(self.scalar)
        except ValueError:
            return False
        return True

    def walk(self, text: str, tokens: re.Pattern[str], start: int = 0, end: int | None = None) -> int:
        """Count over ``text[start:end]``; the position after the array's ``]`` (in ``text``), or -1."""
        end = len(text) if end is None else end
        last = start
        for m in tokens.finditer(text, start, end):
            char = m.group()
            if self.depth == 0:
                self._gap(text, last, m.start())
            last = m.end()
            if char[0] == '"' or char in "[{":  # a string (on the text itself): its commas are no separators
                if self.depth == 0:
                    self.content, self.scalar = True, None
                self.depth += char[0] != '"'
            elif self.depth == 0:
                return m.end()
            else:
                self.depth -= 1
        if self.depth == 0:
            self._gap(text, last, end)
        return -1


def _collapse(text: str) -> str:
    """Text without strings, each whole object or array inside it as ``0`` (innermost first, one pass a level):
    what is left is the elements at depth 0 and the brackets still open or closing."""
    while True:
        shorter = _FLAT.sub("0", text)
        if len(shorter) == len(text):
            return shorter
        text = shorter


def count_array(buf: _Buffer) -> tuple[int, bool]:
    """The elements of the array whose ``[`` was just consumed, and whether it closes; the buffer left after it.
    A file ending inside the array counts as the reader reads it: the elements begun, and one more row when the last
    one is whole (the reader's ``truncated`` row)."""
    empty = buf.skip_space() == "]"
    counter = _Counter()
    while True:
        start, state = buf.pos, counter.state()
        stripped = _STRING.sub("0", buf.text[start:])
        cut = stripped.find('"')  # an unterminated string: the chunk ends inside it, read with the next one
        body = stripped if cut < 0 else stripped[:cut]
        if counter.walk(_collapse(body), _BRACKET) >= 0:  # the end is in this chunk: found again on the text itself
            counter.restore(state)
            buf.pos = counter.walk(buf.text, _TOKEN, start, len(buf.text) - (len(stripped) - len(body)))
            return (0 if empty else counter.commas + 1), True
        buf.pos = len(buf.text) - (len(stripped) - len(body))
        if not buf.more(len(buf.text) - buf.pos):
            whole = counter.whole() and not buf.text[buf.pos:].strip()
            return counter.commas + 1 + (1 if whole else 0), False


def _json_walk(buf: _Buffer, path: list[str], steps: list[str], keep: set[str], values: dict[str, Any]
               ) -> tuple[int, bool] | None:
    """Walk the object at the buffer: values at the paths of ``keep`` (and on the way) kept, the records' array
    counted. The count and whether the array closed, or None when the records are not below."""
    if buf.skip_space() != "{":
        raise RecordsPathError(path, tr(f"{_what(buf.skip_space())}, không phải đối tượng",
                                        f"{_what(buf.skip_space())}, not an object"))
    buf.pos += 1
    found: tuple[int, bool] | None = None
    while (key := _key(buf, path)) is not None:
        here = [*path, key]
        dotted = ".".join(here)
        if here == steps:
            if buf.skip_space() != "[":
                raise RecordsPathError(here, tr(f"{_what(buf.skip_space())}, không phải mảng",
                                                f"{_what(buf.skip_space())}, not an array"))
            buf.pos += 1
            found = count_array(buf)
            if not found[1]:
                return found
        elif buf.skip_space() == "{" and any(k.startswith(dotted + ".") for k in keep | {".".join(steps)}):
            inner = _json_walk(buf, here, steps, keep, values)
            found = inner or found
            if inner is not None and not inner[1]:
                return inner
        else:
            text = buf.value_text()
            if text is None:
                raise RecordsPathError(here, tr("không phải JSON", "not JSON"))
            if dotted in keep or ".".join(path) in keep:
                values[dotted] = _DECODER.decode(text)
    buf.pos += 1
    return found


def json_declared(fh: BinaryIO, records: str, total: str) -> Declared:
    """The count at the key path ``total`` of a JSON document whose records are at ``records``."""
    steps, total_steps = records.split("."), total.split(".")
    parents = {".".join(total_steps[:-1]), ".".join(steps[:-1])}
    values: dict[str, Any] = {}
    buf = _Buffer(fh)
    found = _json_walk(buf, [], steps, {total, *parents}, values)
    if found is None:
        raise RecordsPathError([], tr("không có mảng bản ghi", "no array of records"))
    counted, closed = found
    if total not in values:
        where = tr("tệp bị cắt trước khi tới khóa này", "the file is cut before it") if not closed else \
            tr("không có khóa này", "no such key")
        return Declared(total, None, None, counted, problem=where)
    raw = values[total]
    value = parse_count(raw)
    problem = None if value is not None else tr(f"{json.dumps(raw, ensure_ascii=False)[:40]} không phải một số đếm",
                                                f"{json.dumps(raw, ensure_ascii=False)[:40]} is not a count")
    paging = _paging(values, ".".join(total_steps[:-1]), value) or _paging(values, ".".join(steps[:-1]), value)
    return Declared(total, value, str(raw), counted, paging, problem)


# how exports name their count (casefolded); a key or attribute of these names beside the records is drafted as the
# table's declared_total by `hopnhat init --scan`
COUNT_NAMES = frozenset({"total", "totalcount", "total_count", "count", "totalrecords", "total_records",
                         "totalelements", "totalitems", "recordstotal", "tongso", "tong_so", "tongsobanghi",
                         "tongsohoso", "soluong", "so_luong", "tongsoluong"})


def find_json_count(fh: BinaryIO, steps: list[str]) -> str | None:
    """The key path of a count beside a JSON document's records (``data.total``), at their parent or the top; None
    when there is none."""
    parents = {".".join(steps[:-1]), ""}
    values: dict[str, Any] = {}
    try:
        _json_walk(_Buffer(fh), [], steps, parents, values)
    except (RecordsPathError, ValueError, RecursionError):
        return None
    for parent in (".".join(steps[:-1]), ""):
        for dotted, value in values.items():
            head, _, last = dotted.rpartition(".")
            if head == parent and last.casefold() in COUNT_NAMES and parse_count(value) is not None:
                return dotted
    return None


# --- XML -------------------------------------------------------------------------------------------------------

class XmlPull:
    """libxml2's start and end events for the named elements only (the others are parsed, never reported), chunk by
    chunk — the one loop of the declared count and of the scan's draft.

    A broken document — a syntax error, or the file cut short — ends the events there: those of the elements whole
    before the break are given, nothing after, and :attr:`broken` is set. The ends libxml2 makes up for the elements
    still open at a premature end are never given (the reader does not read them either: a record or a count cut
    short is never taken as whole)."""

    def __init__(self, fh: BinaryIO, names: list[str]) -> None:
        self.fh = fh
        self.names = list(dict.fromkeys(names))
        self.broken = False

    def events(self) -> Iterator[tuple[str, Any]]:
        head = self.fh.read(HEAD)
        transcoder = _Transcoder(declared_encoding(head))
        parser = etree.XMLPullParser(events=("start", "end"), tag=[f"{{*}}{name}" for name in self.names],
                                     encoding="utf-8", resolve_entities=False, no_network=True, load_dtd=False,
                                     huge_tree=False)
        data, final = head, False
        while not final:
            more = self.fh.read(1 << 20)
            final = not more
            try:
                parser.feed(transcoder.feed(data, final))
            except etree.XMLSyntaxError:
                self.broken = final = True
            yield from parser.read_events()  # after a syntax error: what was whole before it
            data = more
        if not self.broken:
            try:
                parser.close()
            except etree.XMLSyntaxError:  # cut short: the ends it would make up are not read
                self.broken = True


def _path(element: Any) -> list[str]:
    names = []
    while element is not None:
        names.append(_local(element.tag))
        element = element.getparent()
    return names[::-1]


def _free(element: Any) -> None:
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def xml_declared(fh: BinaryIO, records: str, total: str) -> Declared:
    """The count at ``total`` (``DanhSach/@TongSo`` or ``DanhSach/TongSo``) of an XML document whose records are
    at ``records``; a broken document ends the count (:class:`XmlPull`; the reader's last ``bad_xml`` row counted,
    as it reads it)."""
    steps = records.strip("/").split("/")
    count = XmlCount(total)
    pull = XmlPull(fh, [steps[0], steps[-1], count.holder[-1]])
    records_read = 0
    for event, element in pull.events():
        path = _path(element)
        if event == "start":
            if len(path) == 1:
                _refuse_entities(element)
            count.start(path, element)
            continue
        count.end(path, element)
        records_read += path == steps
        if len(path) > 1:
            _free(element)
    broken = pull.broken
    return count.declared(records_read + (1 if broken and records_read else 0), broken)


COUNT_TAGS = ("TongSo", "tongSo", "TONGSO", "TongSoBanGhi", "TongSoHoSo", "SoLuong", "soLuong", "Total", "total",
              "TotalCount", "totalCount", "Count", "count", "RecordCount", "TotalRecords")


def find_xml_count(fh: BinaryIO, steps: list[str]) -> str | None:
    """The path of a count on the records' ancestors (``DanhSach/@TongSo``) or beside them (``DanhSach/TongSo``);
    None when there is none. A broken document is read up to the break (:class:`XmlPull`), as the count is."""
    try:
        for event, element in XmlPull(fh, [*steps, *COUNT_TAGS]).events():
            found = _count_at(event, element, steps)
            if found is not None:
                return found
    except XmlError:
        return None
    return None


def _count_at(event: str, element: Any, steps: list[str]) -> str | None:
    path = _path(element)
    if event == "start" and len(path) == 1:
        _refuse_entities(element)
    if event == "start" and path == steps[:len(path)] and len(path) < len(steps):
        for name, value in element.attrib.items():
            if _local(name).casefold() in COUNT_NAMES and parse_count(value) is not None:
                return "/".join(path) + "/@" + _local(name)
    if event == "end" and path[:-1] == steps[:-1] and path[-1].casefold() in COUNT_NAMES and not len(element):
        return "/".join(path) if parse_count(element.text) is not None else None
    if event == "end" and len(path) > 1 and path[:-1] == steps[:-1]:
        _free(element)
    return None


def _xml_safe(fh: BinaryIO, records: str, total: str) -> Declared:
    try:
        return xml_declared(fh, records, total)
    except XmlError as exc:
        return Declared(total, None, None, 0, problem=exc.reason)


# --- Excel and CSV reports -------------------------------------------------------------------------------------

def report_declared(project: Project, source: SourceSpec, table: TableSpec) -> Declared:
    """The footer total of an Excel or CSV table (``declared_total: footer``) and its records, read as a run reads
    them (a read of its own: before the run, or when the run did not read the whole file)."""
    from hopnhat.ingest.api import open_table

    opened = open_table(project, source, table, batch_rows=1)
    with opened.stack:
        counted = sum(1 for _ in opened.records)
    ends = opened.ends
    return footer_declared(ends.footer if ends else None, counted - (ends.rows if ends else 0))


def table_declared(project: Project, source: SourceSpec, table: TableSpec) -> Declared | None:
    """The table's declared count (None: the table declares none). A file that cannot be opened raises the
    reader's InputError."""
    if table.declared_total is None:
        return None
    if table.declared_total == "footer":
        return report_declared(project, source, table)
    path = project.resolve(table.path or source.path or "")
    return file_declared(path, source.kind, table.records, table.declared_total)


# --- dispatch --------------------------------------------------------------------------------------------------

def file_declared(path: Path, kind: str, records: str | None, total: str) -> Declared:
    """The declared count of a JSON or XML file (see the module docstring)."""
    with path.open("rb") as fh:
        if kind == "xml":
            return _xml_safe(fh, records or "", total)
        try:
            return json_declared(fh, records or "", total)
        except (RecordsPathError, ValueError, RecursionError) as exc:
            reason = exc.found if isinstance(exc, RecordsPathError) else str(exc)
            return Declared(total, None, None, 0, problem=reason)


__all__ = ["COUNT_NAMES", "Declared", "Paging", "XmlCount", "XmlPull", "count_array", "file_declared",
           "find_json_count", "find_xml_count", "footer_declared", "json_declared", "report_declared", "table_declared",
           "xml_declared"]
