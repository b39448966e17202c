"""Normalisation of Vietnamese text for display and for matching.

- :func:`nfc` composes decomposed text (Windows-1258 style) into NFC.
- :func:`official_tones` moves tone marks of open ``oa/oe/uy`` syllables to the place used by official
  administrative names (``Hoà`` → ``Hòa``, ``Thuỷ`` → ``Thủy``); NFC alone does not unify these.
- :func:`fold` removes every diacritic, ``Đ``/``đ`` included, keeping case and spacing.
- :func:`name_key` and :func:`accent_key` give compact keys to compare names with and without diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_SHAPE_MARKS = frozenset("\u0302\u0306\u031b")  # â/ê/ô, ă, ơ/ư

# Only numerals that are not also Vietnamese syllables once folded ("vi" may be "Vĩ"): units carry I to IV.
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"\d+")


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "D"}
    for code in range(0xC0, 0x1F00):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        if base != char and base.isascii() and len(base) == 1:
            table[code] = base
    for mark in TONE_MARKS | _SHAPE_MARKS:
        table[ord(mark)] = None  # type: ignore[assignment]
    return table


_FOLD_TABLE = _build_fold_table()


def nfc(text: str) -> str:
    """NFC-compose text (decomposed diacritics become single code points)."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Remove all Vietnamese diacritics (``Đ`` → ``D`` too); case and spacing are kept."""
    return nfc(text).translate(_FOLD_TABLE)


@lru_cache(maxsize=100_000)
def _syllable_official(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in TONE_MARKS]
    if len(tones) != 1:
        return word
    letters = [c for c in decomposed if c not in TONE_MARKS]
    base = "".join(c for c in letters if not unicodedata.combining(c)).lower()
    if not base.endswith(("oa", "oe", "uy")) or base.endswith("quy"):
        return word
    # Put the tone on the first vowel of the final pair: the base letter two from the end.
    positions = [i for i, c in enumerate(letters) if not unicodedata.combining(c)]
    target = positions[-2]
    end = target + 1
    while end < len(letters) and unicodedata.combining(letters[end]):
        end += 1
    letters.insert(end, tones[0])
    return unicodedata.normalize("NFC", "".join(letters))


def official_tones(text: str) -> str:
    """NFC text with tone marks placed as in official unit names (``Hoà`` → ``Hòa``, ``Thuỷ`` → ``Thủy``)."""
    return _WORD.sub(lambda m: _syllable_official(m.group(0)), nfc(text))


def _canonical_words(words: list[str]) -> str:
    out = []
    for i, word in enumerate(words):
        if word.isdigit():
            word = word.lstrip("0") or "0"
        elif i == len(words) - 1 and i > 0 and word in _ROMAN:
            word = _ROMAN[word]
        out.append(word)
    return "".join(out)


@lru_cache(maxsize=200_000)
def name_key(text: str) -> str:
    """Folded, lower-case key without spaces; numbers lose leading zeros and a final Roman numeral becomes a number.

    ``Phường 01`` → ``phuong1``; ``Hải Châu I`` → ``haichau1``; ``ĐĂK BLÔ`` → ``dakblo``.
    """
    return _canonical_words(_WORD.findall(fold(text).lower().replace("_", " ")))


def _tone_last(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(c for c in decomposed if c in TONE_MARKS)
    rest = "".join(c for c in decomposed if c not in TONE_MARKS)
    return rest + tones


@lru_cache(maxsize=200_000)
def accent_key(text: str) -> str:
    """Lower-case key that keeps diacritics but ignores tone placement (``Hoà`` and ``Hòa`` agree)."""
    words = _WORD.findall(nfc(text).lower().replace("_", " "))
    return _canonical_words([_tone_last(w) for w in words])


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese diacritic (so an accent-level comparison is meaningful)."""
    return fold(text) != text
