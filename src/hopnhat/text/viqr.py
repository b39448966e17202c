"""VIQR (RFC 1456, "Vietnamese Quoted-Readable"): Vietnamese written in plain ASCII with mnemonics after the vowel.

``a(`` = ă, ``a^ e^ o^`` = â ê ô, ``o+ u+`` = ơ ư, ``dd`` = đ; then a tone: ``'`` sắc, `````` huyền, ``?`` hỏi,
``~`` ngã, ``.`` nặng — ``Vie^.t Nam`` = Việt Nam, ``Nguye^~n Va(n DDu+o+`ng`` = Nguyễn Văn Đường. A backslash keeps
the next mnemonic literal (``Ha\\.`` = ``Ha.``). Used by Usenet, mail and many 1990s databases typed on machines
without a Vietnamese keyboard.

Plain ASCII text uses the same characters (a full stop after a vowel, an apostrophe, a question mark), so this
module only decodes and reports the evidence it found; whether a cell is VIQR is judged by the caller
(:func:`hopnhat.text.legacy.viqr_reading`): the changed words must be Vietnamese syllables and the marks must be ones
plain text does not produce.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

SHAPES = {"(": "\u0306", "^": "\u0302", "+": "\u031b"}
TONES = {"'": "\u0301", "`": "\u0300", "?": "\u0309", "~": "\u0303", ".": "\u0323"}
MNEMONICS = frozenset(SHAPES) | frozenset(TONES)
_SHAPE_OK = {"a": "(^", "e": "^", "o": "^+", "u": "+"}
_VOWELS = frozenset("aeiouyAEIOUY")
_ESCAPABLE = MNEMONICS | {"\\", "d", "D"}
_VOWEL_CHARS = "aeiouyAEIOUY"  # _VOWELS and _ESCAPABLE as strings: a code point is looked up in them in C
_ESCAPABLE_CHARS = "".join(sorted(_ESCAPABLE))
_MARK_CHARS = "".join(sorted(MNEMONICS))  # what may follow a vowel as a shape or tone mark
_SPECIAL_CHARS = _VOWEL_CHARS + "dD\\"  # where a mnemonic may start


@dataclass(frozen=True)
class Evidence:
    """What a VIQR reading rests on, by how rarely plain text has such a mark after a vowel.

    ``strong``: a shape mark (``a( a^ o+``) or a huyền/ngã tone (`````` ``~``); ``medium``: ``'`` ``.`` ``?`` inside
    a word (``Ta.m``), ``'`` ending a word after its vowel (``Ly'``), ``dd`` starting a word before a vowel;
    ``weak``: ``.`` ``?`` ending a word (a full stop, a question), abbreviations (``a.m.``, ``e.g.``), English
    contractions (``I'm``, ``we're``, ``he's``), other ``dd``, and any mark on a one-letter word or before a digit
    (``O+``, ``U+1EA0``).
    """

    strong: int = 0
    medium: int = 0
    weak: int = 0

    def __add__(self, other: Evidence) -> Evidence:
        return Evidence(self.strong + other.strong, self.medium + other.medium, self.weak + other.weak)

    @property
    def any(self) -> bool:
        return bool(self.strong or self.medium or self.weak)


_WEAK = Evidence(weak=1)
_MEDIUM = Evidence(medium=1)
_STRONG = Evidence(strong=1)
_EVIDENCE: dict[tuple[int, int, int], Evidence] = {}  # (strong, medium, weak) → its Evidence, made once each
_NONE = Evidence()  # a vowel without marks (shared: most vowels have none, and a frozen dataclass costs to make)
_ABBREVIATION = re.compile(r"[A-Za-z]{1,2}\.")  # a.m., e.g., i.e.
_I_AM = re.compile(r"(?<![A-Za-z])[Ii]'[Mm]")
_CONTRACTION = re.compile(r"(?:re|ve|ll|s|d)(?![A-Za-z])", re.IGNORECASE)  # we're, you've, she'll, he's, I'd


def _grade(text: str, i: int, j: int, shape: bool, tone: str) -> Evidence:
    """Evidence of the marks of the vowel at ``i`` (marks end before ``j``)."""
    after = text[j] if j < len(text) else ""
    alone = not (i and text[i - 1].isalpha()) and not after.isalpha()
    if alone or after.isdigit():  # ``O+`` (a blood group), ``U+1EA0``, ``A.1``: not words
        return _WEAK
    if shape or tone in "`~":
        return _STRONG
    if tone == "'" and not after.isalpha() and i and text[i - 1].isalpha():
        return _MEDIUM  # ``Ly'``: a word ending in an apostrophe right after its vowel
    if tone == "'" and (_I_AM.fullmatch(text, i, j + 1) or _CONTRACTION.match(text, j)):
        return _WEAK
    if not after.isalpha() or _ABBREVIATION.match(text, j):
        return _WEAK
    return _MEDIUM


def _vowel(text: str, i: int, out: list[str]) -> tuple[int, Evidence]:
    """Reads a vowel at ``i`` with its marks; appends the letter; returns (next index, evidence)."""
    base = text[i]
    j, marks, shape, tone = i + 1, "", False, ""
    if j >= len(text) or text[j] not in _MARK_CHARS:  # no mark after it (most vowels): the tables are not looked at
        out.append(base)
        return j, _NONE
    if text[j] in _SHAPE_OK.get(base.lower(), ""):
        marks, shape, j = SHAPES[text[j]], True, j + 1
    if j < len(text) and text[j] in TONES:
        tone = text[j]
        marks, j = marks + TONES[tone], j + 1
    if not marks:
        out.append(base)
        return j, _NONE
    out.append(unicodedata.normalize("NFC", base + marks))
    return j, _grade(text, i, j, shape, tone)


def parse(text: str) -> tuple[str, Evidence]:
    """Decode VIQR text (NFC) and count the evidence; text without mnemonics comes back unchanged. The evidence is
    counted in integers (compiled: C integers, the characters read as code points) and made one :class:`Evidence`
    at the end."""
    out: list[str] = []
    i, strong, medium, weak = 0, 0, 0, 0
    n = len(text)
    while i < n:
        char = text[i]
        last = i + 1 >= n  # no next character (a final d is a d: đ is written dd)
        nxt = char if last else text[i + 1]
        if char == "\\" and not last and nxt in _ESCAPABLE_CHARS:
            out.append(nxt)
            i += 2
        elif (char == "d" or char == "D") and not last and (nxt == "d" or nxt == "D"):
            out.append("Đ" if char == "D" else "đ")
            starts = not (i and text[i - 1].isalpha()) and i + 2 < n and text[i + 2] in _VOWEL_CHARS
            i = i + 2
            if starts:  # ``DDinh``, not ``add``
                medium += 1
            else:
                weak += 1
        elif char in _VOWEL_CHARS:
            i, found = _vowel(text, i, out)
            if found is not _NONE:
                strong += found.strong
                medium += found.medium
                weak += found.weak
        else:  # a run of characters up to the next one that may start a mnemonic, copied as it is
            start = i
            i += 1
            while i < n and text[i] not in _SPECIAL_CHARS:
                i += 1
            out.append(text[start:i])
    if not (strong or medium or weak):
        return "".join(out), _NONE
    key = (strong, medium, weak)
    evidence = _EVIDENCE.get(key)  # the same few counts come back: a frozen dataclass is slow to make
    if evidence is None:
        evidence = _EVIDENCE[key] = Evidence(strong, medium, weak)
    return "".join(out), evidence


def decode(text: str) -> str:
    """VIQR → NFC text."""
    return parse(text)[0]


_SHAPE_CODES = {mark: code for code, mark in SHAPES.items()}
_TONE_CODES = {mark: code for code, mark in TONES.items()}


@lru_cache(maxsize=512)
def _letter_code(char: str) -> str | None:
    """The VIQR of one non-ASCII Vietnamese letter (``ậ`` → ``a^.``), or None."""
    if char in "đĐ":
        return "dd" if char == "đ" else "DD"
    parts = unicodedata.normalize("NFD", char)
    base, marks = parts[0], parts[1:]
    if base not in _VOWELS or any(m not in _SHAPE_CODES and m not in _TONE_CODES for m in marks):
        return None
    shapes = "".join(_SHAPE_CODES[m] for m in marks if m in _SHAPE_CODES)
    tones = "".join(_TONE_CODES[m] for m in marks if m in _TONE_CODES)
    return base + shapes + tones


def _ends_in_vowel(char: str) -> bool:
    return char in _VOWELS or (_letter_code(char) or "d")[0] in _VOWELS


def encode(text: str) -> str:
    """NFC Vietnamese text → VIQR, escaping ASCII that would read as a mnemonic; raises KeyError for other text."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    for i, char in enumerate(text):
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if char.isascii():
            escape = (char in MNEMONICS and prev and _ends_in_vowel(prev)) or char == "\\" or (
                char in "dD" and nxt in "dDđĐ")
            out.append("\\" + char if escape else char)
            continue
        code = _letter_code(char)
        if code is None:
            raise KeyError(char)
        out.append(code)
    return "".join(out)
