"""XML exports (a document-exchange or dossier system's list of ``<HoSo>``), streamed: one record per element at the
table's `records:` path (``DanhSach/HoSo``: the root, then each step down), ``_row`` = its ordinal (1, 2, …).

A record's values: its attributes as ``@name``, its child elements by name (namespace prefixes dropped), a child
with neither attributes nor children as its text (empty → null), any other child as an object built by the same
rule (a nested object, read by ``json: NguoiNop.HoTen`` as in a JSON source), a child name repeated as a list in
document order, and the element's own text beside children (mixed content) as ``#text``.

Text: the document's declared encoding (or its byte-order mark) is honoured, a single-byte one read to composed
(NFC) text — Python's Windows-1258 codec gives decomposed marks. The table's ``encoding`` is, as for every reader,
what repair reads the text as (``tcvn3`` for TCVN3 text declared Windows-1252), never how the document is
decoded. UTF-8 (the default) is read as a CSV cell is: a value whose bytes are not UTF-8 becomes their Windows-1252
view. A document declared Windows-1252, ISO-8859-1 or ASCII — what a TCVN3 or VNI export usually claims — and one
declaring an encoding Python does not know (``TCVN3``) are read as the Windows-1252 view, byte for byte, for repair
to read back. The control bytes TCVN3 writes capitals with (0x01-0x17), which XML forbids, are kept as text.
Undecodable bytes and such control bytes travel through the parser as private-use characters U+F700-U+F7FF and are
restored in every value (a real U+F700-U+F7FF character in a document is read as such a byte: a known limit).

Refused, never resolved: a DTD that declares entities (``<!ENTITY``: external entities read local files, nested
ones explode — XXE, billion laughs); the parser never loads a DTD nor touches the network. Malformed XML before the
first record refuses the table (line and column given); after it, the records read are kept and the rest becomes
one ``bad_xml`` record naming the line and column (read = loaded + merged + quarantined still holds).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator
from typing import Any, BinaryIO, Protocol

from lxml import etree

from hopnhat.i18n import tr
from hopnhat.ingest.base import JUNK_BYTES, Record, RecordsPathError, clip
from hopnhat.text.cells import as_text
from hopnhat.text.legacy import cp1252_view

CHUNK = 1 << 20
HEAD = 1 << 10  # bytes read for the XML declaration
ESCAPE = 0xF700  # a byte b the parser cannot take travels as chr(ESCAPE + b)
_ESCAPED = re.compile("[\uf700-\uf7ff]")
_FORBIDDEN = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]  # C0 controls XML 1.0 refuses even as &#x..;
_CONTROLS = {code: ESCAPE + code for code in _FORBIDDEN}
_FORBIDDEN_FOUND = re.compile("[" + "".join(chr(c) for c in _FORBIDDEN) + "]")
_DECLARED = re.compile(r"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_VIEWED = ("cp1252", "iso8859-1", "ascii")  # codecs (as Python names them) read as the Windows-1252 view
_CP1252_VIEW = "".join(cp1252_view(bytes([b])) for b in range(256))


def _escape_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: each undecodable byte as its private-use escape."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return "".join(chr(ESCAPE + b) for b in bad), exc.end


codecs.register_error("hopnhat-xml-escape", _escape_bytes)


class XmlError(Exception):
    """An XML document that cannot be read: ``reason`` (where and why) and ``hint`` in the user's language."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


def _local(tag: Any) -> str:
    """An element or attribute name without its namespace (``{urn:x}HoSo`` → ``HoSo``)."""
    return str(tag).rsplit("}", 1)[-1]


def declared_encoding(head: bytes) -> str:
    """The document's encoding as a Python codec name: its byte-order mark, else its declaration, else UTF-8;
    ``view`` for the Windows-1252 view (a declared Windows-1252/Latin-1/ASCII, or an encoding Python does not
    know)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(b"<\x00?\x00"):
        return "utf-16-le"
    if head.startswith(b"\x00<\x00?"):
        return "utf-16-be"
    found = _DECLARED.match(head.decode("latin-1"))
    return codec_of(found.group(1)) if found else "utf-8"


def codec_of(name: str) -> str:
    """A declared or configured encoding name as the codec the reader uses (``view``: the Windows-1252 view)."""
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        return "view"  # TCVN3, VNI…: no Python codec; repair reads their text from the view
    return "view" if codec in _VIEWED else codec


class _Transcoder:
    """The document's bytes as UTF-8 the parser takes: decoded with its codec, undecodable bytes and forbidden
    control characters escaped."""

    def __init__(self, codec: str) -> None:
        self.codec = codec
        self.decoder = None if codec == "view" else codecs.getincrementaldecoder(codec)("hopnhat-xml-escape")
        self.compose = codec not in ("view", "utf-8") and not codec.startswith("utf")
        self.first = True

    def feed(self, data: bytes, final: bool = False) -> bytes:
        if self.decoder is None:
            text = codecs.charmap_decode(data, "strict", _CP1252_VIEW)[0]
        else:
            text = self.decoder.decode(data, final)
        if self.first and text:
            text, self.first = text.lstrip("\ufeff"), False
        if self.compose:
            text = unicodedata.normalize("NFC", text)
        if _FORBIDDEN_FOUND.search(text):  # rare: translating every chunk costs a dictionary look-up a character
            text = text.translate(_CONTROLS)
        return text.encode("utf-8")


def restore(text: str, utf8: bool) -> str:
    """A value with its escaped bytes back: in a UTF-8 document the value's bytes read as a CSV cell would be,
    otherwise each byte as its Windows-1252 view (a control byte as itself)."""
    if not _ESCAPED.search(text):
        return text
    if not utf8:
        return _ESCAPED.sub(lambda m: _unescape_view(ord(m.group()) - ESCAPE), text)
    parts = [bytes([ord(ch) - ESCAPE]) if ESCAPE <= ord(ch) <= ESCAPE + 0xFF else ch.encode("utf-8") for ch in text]
    return as_text(b"".join(parts))


def _unescape_view(byte: int) -> str:
    return chr(byte) if byte < 0x20 else cp1252_view(bytes([byte]))


_AT = re.compile(r",? line \d+, column \d+$")  # the parser's own position, given apart
_JUNK_CHARS = re.compile("[" + re.escape(JUNK_BYTES.decode("latin-1")) + "]")


class Watch(Protocol):
    """What an element outside the records tells while they stream (the count an export declares): told the start
    and the end of each element no deeper than the records, with the names of the elements down to it."""

    def start(self, path: list[str], element: Any) -> None: ...

    def end(self, path: list[str], element: Any) -> None: ...


class XmlReader:
    """Records of one XML document (see the module docstring); ``records()`` streams them. ``watch`` is told of
    the elements no deeper than the records; ``broken`` says whether a syntax error or a cut ended the records."""

    def __init__(self, fh: BinaryIO, steps: list[str], watch: Watch | None = None) -> None:
        self.fh = fh
        self.steps = steps
        self.watch = watch
        self.broken = False
        self.head = fh.read(HEAD)
        codec = declared_encoding(self.head)
        self.utf8 = codec in ("utf-8", "utf_8")
        self.transcoder = _Transcoder(codec)
        self.parser = _parser()
        self.path: list[str] = []  # local names of the open elements
        self.reached: list[str] = []  # the deepest prefix of the path seen, and the names seen under it
        self.seen_under: list[str] = []
        self.count = 0

    def records(self) -> Iterator[Record]:
        """Every record element as a Record; a syntax error after the first becomes a last ``bad_xml`` record."""
        data, final = self.head, False
        while not final:
            more = self.fh.read(CHUNK)
            final = not more
            try:
                self.parser.feed(self.transcoder.feed(data, final))
            except etree.XMLSyntaxError as exc:
                yield from self._events()  # what was whole before the error
                yield self._broken(exc)
                return
            yield from self._events()
            data = more
        try:
            self.parser.close()
        except etree.XMLSyntaxError as exc:  # cut short: the ends the parser makes up for open elements are not read
            yield self._broken(exc)
            return
        if self.count == 0:
            raise RecordsPathError(self.reached, self._found())

    def _found(self) -> str:
        names = ", ".join(list(dict.fromkeys(self.seen_under))[:20])
        if not self.reached:
            return tr(f"phần tử gốc <{names}>", f"the root element <{names}>")
        step = self.steps[len(self.reached)]
        return tr(f"không có phần tử <{step}> trong các phần tử con ({names or 'không có'})",
                  f"no <{step}> element among its children ({names or 'none'})")

    def _broken(self, exc: etree.XMLSyntaxError) -> Record:
        line, column = exc.position
        what = _AT.sub("", exc.msg or "")
        if self.count == 0:
            raise XmlError(tr(f"dòng {line}, cột {column}: {what}", f"line {line}, column {column}: {what}"),
                           tr("xuất lại tệp từ hệ thống nguồn; tệp bị cắt cụt hoặc không phải XML hợp lệ",
                              "export the file again; it is truncated or not well-formed XML"))
        self.count += 1
        self.broken = True
        return Record(self.count, None, "", f"bad_xml: line {line}, column {column}: {what} (the rest of the file is "
                                            "not read)")

    def _events(self) -> Iterator[Record]:
        for event, element in self.parser.read_events():
            if event == "start":
                self._start(element)
            else:
                record = self._end(element)
                if record is not None:
                    yield record

    def _start(self, element: Any) -> None:
        depth = len(self.path)
        if depth > len(self.steps):  # inside a record (most elements): only counted
            self.path.append("")
            return
        if not depth:
            _refuse_entities(element)
        name = _local(element.tag)
        if depth < len(self.steps) and self.path == self.steps[:depth]:
            if depth == len(self.reached):
                self.seen_under.append(name)
            if name == self.steps[depth] and len(self.reached) == depth:
                self.reached, self.seen_under = self.steps[:depth + 1], []
        self.path.append(name)
        if self.watch is not None:
            self.watch.start(self.path, element)

    def _end(self, element: Any) -> Record | None:
        depth = len(self.path)
        on_path = depth == len(self.steps) and self.path == self.steps
        inside = depth > len(self.steps) and self.path[:len(self.steps)] == self.steps
        if self.watch is not None and depth <= len(self.steps) and not on_path:
            self.watch.end(self.path, element)
        self.path.pop()
        if inside:
            return None  # read with its record
        if not on_path:
            _forget(element)
            return None
        self.count += 1
        record = self._record(element)
        _forget(element)
        return record

    def _record(self, element: Any) -> Record:
        raw = clip(restore(etree.tostring(element, encoding="unicode", with_tail=False), self.utf8))
        values = _node(element, self.utf8)
        record = Record(self.count, values if isinstance(values, dict) else {"#text": values}, raw)
        junk = _JUNK_CHARS.search(raw or "")
        if junk:
            record.add_error("binary_junk", f"character U+{ord(junk.group()):04X} (binary data in a text record)")
        return record


def _parser() -> Any:
    """A pull parser that takes UTF-8 whatever the document declares (the reader decodes it), resolves no entity,
    loads no DTD, touches no network and keeps libxml2's limits on huge text and depth."""
    return etree.XMLPullParser(events=("start", "end"), encoding="utf-8", resolve_entities=False, no_network=True,
                               load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)


SCAN_EVENTS = 50_000  # elements read to find the repeating one


def find_repeating(fh: BinaryIO) -> tuple[list[str], bool] | None:
    """The path of a document's records — the shallowest element below the root met more than once with children
    or attributes, the most frequent at that depth — and whether that is sure (the only one there); else the first
    such element met once; None when the document has none. A syntax error ends the look (what was read counts)."""
    head = fh.read(HEAD)
    transcoder, parser = _Transcoder(declared_encoding(head)), _parser()
    path: list[str] = []
    counts: dict[tuple[str, ...], int] = {}
    data, final = head, False
    while not final and sum(counts.values()) < SCAN_EVENTS:
        more = fh.read(CHUNK)
        final = not more
        try:
            parser.feed(transcoder.feed(data, final))
        except etree.XMLSyntaxError:
            final = True
        _count(parser.read_events(), path, counts)
        data = more
    return _repeating(counts)


def _count(events: Any, path: list[str], counts: dict[tuple[str, ...], int]) -> None:
    for event, element in events:
        if event == "start":
            if not path:
                _refuse_entities(element)
            path.append(_local(element.tag))
            continue
        key = tuple(path)
        path.pop()
        if len(key) > 1 and (len(element) or element.attrib):
            counts[key] = counts.get(key, 0) + 1
        if len(key) > 1:
            element.clear(keep_tail=False)


def _repeating(counts: dict[tuple[str, ...], int]) -> tuple[list[str], bool] | None:
    if not counts:
        return None
    repeated: list[tuple[str, ...]] = [k for k, n in counts.items() if n > 1]
    if not repeated:
        first: tuple[str, ...] = min(counts, key=_depth)
        return list(first), False
    depth = min(len(k) for k in repeated)
    level: list[tuple[str, ...]] = [k for k in repeated if len(k) == depth]
    best: tuple[str, ...] = max(level, key=counts.__getitem__)
    return list(best), len(level) == 1


def _depth(path: tuple[str, ...]) -> int:
    return len(path)


def _forget(element: Any) -> None:
    """Free a read element and the siblings read before it (the tree never holds more than the path)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _refuse_entities(root: Any) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    entities = [e.name for e in dtd.entities()] if dtd is not None else []
    if entities:
        raise XmlError(tr(f"tài liệu khai báo thực thể <!ENTITY {entities[0]}>: bị từ chối",
                          f"the document declares an entity <!ENTITY {entities[0]}>: refused"),
                       tr("một tệp xuất dữ liệu không cần thực thể; thực thể là cách tấn công XXE và 'billion laughs'"
                          " — xuất lại tệp không có DOCTYPE",
                          "a data export needs no entities; they are how XXE and billion-laughs attacks work — "
                          "export the file again without a DOCTYPE"))


def _node(element: Any, utf8: bool) -> Any:
    """An element as a value: its text when it has neither attributes nor children, else an object."""
    if not len(element) and not element.attrib:
        text = element.text
        return (restore(text, utf8) if _ESCAPED.search(text) else text) if text else None
    children = [child for child in element if isinstance(child.tag, str)]
    out: dict[str, Any] = {f"@{_local(k)}": restore(v, utf8) for k, v in element.attrib.items()}
    for child in children:
        name = child.tag if "}" not in child.tag else _local(child.tag)
        value = _node(child, utf8)
        if name not in out:
            out[name] = value
        elif isinstance(out[name], list):  # a child's value is never a list: only repeats are
            out[name].append(value)
        else:
            out[name] = [out[name], value]
    own = "".join(t for t in (element.text, *(c.tail for c in children)) if t and t.strip())
    if own:
        out["#text"] = restore(own, utf8)
    return out
