"""NDJSON (one record a line) and JSON (an array of records, or records one after another), streamed.

Text is read as UTF-8 with undecodable bytes kept as escapes; a string whose bytes were not UTF-8 becomes their
Windows-1252 view, exactly as a CSV cell would (repair comes later). A line or element that is not JSON, or not an
object, is still a record: it carries ``bad_json`` / ``not_an_object`` and its raw text.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Container, Iterator
from typing import Any, BinaryIO

from hopnhat.i18n import tr
from hopnhat.ingest.base import MAX_RAW, Record, RecordsPathError, junk_message
from hopnhat.text.cells import as_text

_DECODER = json.JSONDecoder(strict=False)  # raw control characters inside strings (TCVN3 capitals) are text
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_WHITESPACE = re.compile(r"[ \t\r\n\ufeff]*")
CHUNK = 1 << 20


def _clean_text(text: str) -> tuple[str, bool]:
    """A string as lossless text (escaped bytes → UTF-8 or Windows-1252 view); True when a lone surrogate had to be
    replaced (a ``\\ud800`` escape no text can hold)."""
    try:
        text.encode("utf-8")
        return text, False
    except UnicodeEncodeError:
        pass
    try:
        return as_text(text.encode("utf-8", "surrogateescape")), False
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text), True


def _clean(value: Any, flags: list[bool]) -> Any:
    if isinstance(value, str):
        text, bad = _clean_text(value)
        if bad:
            flags.append(True)
        return text
    if isinstance(value, dict):
        return {_clean(k, flags): _clean(v, flags) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, flags) for v in value]
    return value


def _raw(text: str) -> tuple[str, bytes]:
    data = text.encode("utf-8", "surrogateescape")
    return as_text(data).strip(), data


def _suspect(text: str) -> bool:
    """Whether strings may need cleaning: escaped bytes (the text was not UTF-8) or surrogate escapes."""
    return "\\ud" in text or "\\uD" in text or (not text.isascii() and _SURROGATE.search(text) is not None)


def make_record(row: int, text: str, data: bytes | None = None) -> Record:
    """One JSON value's text (with surrogate-escaped bytes) as a record. ``data``: the text's bytes when they are
    known to be UTF-8 (then the text is its own raw view and holds no surrogate escape)."""
    clean = data is not None
    if data is None:
        raw, data = _raw(text)
    else:
        raw = text.strip()
    rec = Record(row, None, raw)
    junk = junk_message(data)
    if junk:
        rec.add_error("binary_junk", junk)
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        rec.add_error("bad_json", f"{exc.msg} (character {exc.pos + 1})")
        return rec
    except (ValueError, RecursionError) as exc:
        rec.add_error("bad_json", _why(exc))
        return rec
    if ("\\ud" in text or "\\uD" in text) if clean else _suspect(text):  # strict UTF-8 holds no surrogate
        flags: list[bool] = []
        value = _clean(value, flags)
        if flags:
            rec.add_error("undecodable", "a \\uD800-\\uDFFF escape without its pair (replaced by U+FFFD)")
    if not isinstance(value, dict):
        rec.add_error("not_an_object", f"a JSON {type(value).__name__}, not an object")
        return rec
    rec.values = value
    return rec


def ndjson_records(fh: BinaryIO, wanted: Container[int] | None = None, first: int = 0) -> Iterator[Record]:
    """One record per non-blank line; ``_row`` is the line number. With ``wanted``: the first ``first`` records (the
    sample that names the columns) and then only the lines of those numbers (a delta run reads only what changed)."""
    seen = 0
    for number, line in enumerate(fh, start=1):
        if number == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8):]
        if wanted is not None and seen >= first and number not in wanted:
            continue
        if line.strip():
            seen += 1
            try:
                text, data = line.decode("utf-8"), line  # the usual line: UTF-8 already
            except UnicodeDecodeError:
                text, data = line.decode("utf-8", "surrogateescape"), None
            yield make_record(number, text, data)



def _why(exc: Exception) -> str:
    """Why Python's JSON reader gave up on a record, in words a clerk can act on (not the interpreter's advice)."""
    if isinstance(exc, RecursionError):
        return "nested too deeply (more than about 1,000 levels of [ or {)"
    if "digits" in str(exc):
        return "an integer of more than 4,300 digits"
    if isinstance(exc, UnicodeError):
        return "text that is not valid Unicode"
    return str(exc) or type(exc).__name__

class _Buffer:
    """Decoded text read ahead from a file, consumed from ``pos``."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.text = ""
        self.pos = 0
        self.eof = False

    def more(self, at_least: int = CHUNK) -> bool:
        """Read more (at least as much again as is pending, so a huge element costs linear time)."""
        if self.eof:
            return False
        data = self.fh.read(max(CHUNK, at_least))
        self.eof = not data
        self.text = self.text[self.pos:] + self.decoder.decode(data, final=self.eof)
        self.pos = 0
        return True

    def skip_space(self) -> str:
        """The next non-blank character ('' at the end)."""
        while True:
            self.pos = _WHITESPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text) or not self.more():
                return self.text[self.pos:self.pos + 1]

    def value_text(self) -> str | None:
        """The text of the next complete JSON value, or None when the rest is not JSON."""
        while True:
            try:
                _, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if not self._incomplete(exc):
                    return None  # a syntax error more text cannot mend
                end = -1
            except (ValueError, RecursionError):
                return None
            if end != -1 and (end < len(self.text) or self.eof):
                text, self.pos = self.text[self.pos:end], end
                return text
            if not self.more(len(self.text) - self.pos):
                return None

    def _incomplete(self, exc: json.JSONDecodeError) -> bool:
        """Whether the value may just be cut by the end of what was read so far."""
        return not self.eof and (exc.pos >= len(self.text) - 1 or exc.msg.startswith("Unterminated string"))


def _what(char: str) -> str:
    """What a JSON value starting with ``char`` is, in a few words (the user's language)."""
    if char == "":
        return tr("hết tệp", "the end of the file")
    kinds = {"{": ("một đối tượng", "an object"), "[": ("một mảng", "an array"), '"': ("một chuỗi", "a string"),
             "t": ("true", "true"), "f": ("false", "false"), "n": ("null", "null")}
    if char in "-0123456789":
        return tr("một số", "a number")
    return tr(*kinds[char]) if char in kinds else tr(f"{char!r} (không phải JSON)", f"{char!r} (not JSON)")


def _key(buf: _Buffer, reached: list[str]) -> str | None:
    """The next key of the object being read (None at its end), the buffer left on its value."""
    char = buf.skip_space()
    if char == ",":
        buf.pos += 1
        char = buf.skip_space()
    if char == "}":
        return None
    text = buf.value_text() if char == '"' else None
    if text is None or buf.skip_space() != ":":
        raise RecordsPathError(reached, tr("không phải JSON (cần một khóa hoặc ':')",
                                           "not JSON (a key or ':' expected)"))
    buf.pos += 1
    buf.skip_space()
    return str(_DECODER.decode(text))


def _descend(buf: _Buffer, steps: list[str]) -> None:
    """Read up to the opening ``[`` of the array at ``steps`` (siblings before it are read whole and skipped)."""
    for depth, step in enumerate(steps):
        reached = steps[:depth]
        char = buf.skip_space()
        if char != "{":
            raise RecordsPathError(reached, tr(f"{_what(char)}, không phải đối tượng", f"{_what(char)}, not an object"))
        buf.pos += 1
        keys: list[str] = []
        while (key := _key(buf, reached)) != step:
            if key is None:
                listed = ", ".join(keys[:20])
                raise RecordsPathError(reached, tr(
                    f"một đối tượng không có khóa {step!r} (các khóa: {listed or 'không'})",
                    f"an object without the key {step!r} (its keys: {listed or 'none'})"))
            keys.append(key)
            if buf.value_text() is None:
                raise RecordsPathError([*reached, key], tr("không phải JSON", "not JSON"))
    char = buf.skip_space()
    if char != "[":
        raise RecordsPathError(steps, tr(f"{_what(char)}, không phải mảng", f"{_what(char)}, not an array"))
    buf.pos += 1


PEEK = 4096  # characters read ahead to see what an array holds


def find_records(fh: BinaryIO, depth: int = 4) -> list[str] | None:
    """The keys down to the first array of objects in a top-level object (a REST API dump's ``data.items``), at
    most ``depth`` keys deep; None when the document is no object or holds no such array. Values before it are
    read (and skipped) whole."""
    buf = _Buffer(fh)
    if buf.skip_space() != "{":
        return None
    try:
        return _first_array(buf, [], depth)
    except (RecordsPathError, ValueError, RecursionError):
        return None


def _first_array(buf: _Buffer, path: list[str], depth: int) -> list[str] | None:
    """The path of the first array of objects in the value at the buffer (consumed when none is found)."""
    char = buf.skip_space()
    if char == "[" and path:
        while len(buf.text) - buf.pos < PEEK and buf.more():
            pass
        if buf.text[buf.pos + 1:buf.pos + PEEK].lstrip()[:1] == "{":
            return path
    elif char == "{" and depth > 0:
        buf.pos += 1
        while (key := _key(buf, path)) is not None:
            found = _first_array(buf, [*path, key], depth - 1)
            if found is not None:
                return found
        buf.pos += 1
        return None
    if buf.value_text() is None:
        raise RecordsPathError(path, "not JSON")
    return None


def json_records(fh: BinaryIO, steps: list[str] | None = None) -> Iterator[Record]:
    """Elements of a top-level array (``_row`` = index + 1), else the top-level values one after another. With
    ``steps`` (the table's `records:` path): the elements of the array under those keys, else
    :class:`RecordsPathError` before any record."""
    buf = _Buffer(fh)
    if steps:
        _descend(buf, steps)
        in_array = True
    else:
        in_array = buf.skip_space() == "["
        if in_array:
            buf.pos += 1
    return _elements(buf, in_array)


def _elements(buf: _Buffer, in_array: bool) -> Iterator[Record]:
    index = 0
    while True:
        char = buf.skip_space()
        if char == "" and in_array:
            yield Record(index + 1, None, "", "truncated: the file ends inside the array of records (no closing ']')")
            return
        if char == "" or (in_array and char == "]"):
            return
        if in_array and index and char == ",":
            buf.pos += 1
            buf.skip_space()
        text = buf.value_text()
        index += 1
        if text is None:
            yield make_record(index, buf.text[buf.pos:buf.pos + MAX_RAW])
            return
        yield make_record(index, text)
