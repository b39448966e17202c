"""Names typed with the input method switched off: Telex, VNI and VIQR keystrokes turned back into Vietnamese.

``Nguyeenx`` (Telex), ``Nguye6n4`` (VNI) and ``Nguye^~n`` (VIQR) are all ``Nguyễn``. Registers hold such names when a
clerk's keyboard tool was off or a system stored the raw keys. :func:`decode_name` rebuilds each word's letters, shape
marks (â ê ô ă ơ ư đ) and tone, so the word folds like the name it is *and* keeps its diacritics for the accent-level
comparison.

A word is only decoded when it cannot be plain Vietnamese: it has no diacritics and carries a key no Vietnamese
syllable has in that place (a VNI digit, a VIQR mark, or Telex letters: ``dd``, a doubled ``a``/``e``/``o``, a
``w``, or one of ``s f r x j`` after the vowels — Vietnamese syllables end only in vowels or ``c ch m n ng nh p t``)
and, for Telex, starts like a Vietnamese syllable (``Ksor``, a Ê Đê family name, is left alone) — unless it carries
a doubled vowel or a ``w`` after a vowel, keys no other spelling has: ``TJUAANJ`` (``Thuận`` with a slip in the
onset) is decoded to ``Tjuận``, one slip from the name it is.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_VOWELS = frozenset("aeiouy")
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_TONE_MARK = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_VNI_TONE = {"1": "s", "2": "f", "3": "r", "4": "x", "5": "j"}
_VIQR_TONE = {"'": "s", "`": "f", "?": "r", "~": "x", ".": "j"}
_VIQR_SHAPE = {"^": _CIRCUMFLEX, "(": _BREVE, "+": _HORN}
_TELEX_HINT = re.compile(r"dd|aa|ee|oo|w|[aeiouy][a-z]*[sfrxj]", re.IGNORECASE)
# Telex keys no name in any other spelling has — a doubled vowel or a ``w`` after the vowels: decoded even where a slip
# hit the onset ("TJUAANJ" is Tjuận, a slip of Thuận), while a lone tone key needs a Vietnamese onset ("Ksor")
_TELEX_STRONG = re.compile(r"aa|ee|oo|[aeiouy]w", re.IGNORECASE)
_VNI_HINT = re.compile(r"[A-Za-z][1-9]|[1-9][A-Za-z]")
_VIQR_HINT = re.compile(r"[A-Za-z][\^(+'`?~.]")
# the consonants a Vietnamese syllable may start with (``dd`` is Telex for đ): "Ksor", "Hmok" are not Telex
_ONSETS = frozenset("b c ch d dd g gh gi h k kh l m n ng ngh nh p ph q qu r s t th tr v x".split()) | {""}
_ONSET = re.compile(r"^[^aeiouyw]*", re.IGNORECASE)


class _Word:
    """Letters with their shape marks, and one tone, as they are being rebuilt."""

    def __init__(self) -> None:
        self.letters: list[list[str]] = []  # [base letter, shape mark or ""]
        self.tone = ""

    def add(self, char: str) -> None:
        self.letters.append([char, ""])

    def shape(self, mark: str, bases: str) -> bool:
        """Put ``mark`` on the last letter among ``bases`` (for a horn: both of ``uo``, as in ``ươ``)."""
        for i in range(len(self.letters) - 1, -1, -1):
            if self.letters[i][0].lower() in bases and not self.letters[i][1]:
                self.letters[i][1] = mark
                if mark == _HORN and i > 0 and self.letters[i][0].lower() == "o" \
                        and self.letters[i - 1][0].lower() == "u":
                    self.letters[i - 1][1] = _HORN
                return True
        return False

    def text(self) -> str:
        chars = [b + m for b, m in self.letters]
        if self.tone:
            at = _tone_position(self.letters)
            if at is not None:
                chars[at] += _TONE_MARK[self.tone]
        return unicodedata.normalize("NFC", "".join(chars))


def _tone_position(letters: list[list[str]]) -> int | None:
    """Where the tone goes: the vowel with a shape mark (the last one, ``ươ`` → ơ); else the last vowel of a closed
    syllable or the second-to-last of an open one (``gi``/``qu`` are consonants)."""
    lower = "".join(b.lower() for b, _ in letters)
    vowels = [i for i, (b, _) in enumerate(letters) if b.lower() in _VOWELS]
    if len(vowels) > 1 and (lower.startswith("qu") or lower.startswith("gi")) and vowels[0] == 1:
        vowels = vowels[1:]
    if not vowels:
        return None
    shaped = [i for i in vowels if letters[i][1]]
    if shaped:
        return shaped[-1]
    closed = vowels[-1] < len(letters) - 1
    return vowels[-1] if closed or len(vowels) == 1 else vowels[-2]


def _telex(word: str) -> str:
    out = _Word()
    for char in word:
        low, prev = char.lower(), (out.letters[-1] if out.letters else None)
        has_vowel = any(b.lower() in _VOWELS for b, _ in out.letters)
        if low == "d" and prev and prev[0].lower() == "d" and not prev[1]:
            prev[0] = "đ" if prev[0] == "d" else "Đ"
        elif low in "aeo" and prev and prev[0].lower() == low and not prev[1]:
            prev[1] = _CIRCUMFLEX
        elif low == "w":
            if not out.shape(_HORN, "uo") and not out.shape(_BREVE, "a"):
                out.add("ư" if char == "w" else "Ư")
        elif low in _TONE_MARK and has_vowel:
            out.tone = low
        else:
            out.add(char)
    return out.text()


def _vni(word: str) -> str:
    out = _Word()
    for char in word:
        if char == "9":
            for letter in reversed(out.letters):
                if letter[0] in "dD":
                    letter[0] = "đ" if letter[0] == "d" else "Đ"
                    break
        elif char == "6":
            out.shape(_CIRCUMFLEX, "aeo")
        elif char == "8":
            out.shape(_BREVE, "a")
        elif char == "7":
            out.shape(_HORN, "uo")
        elif char in _VNI_TONE:
            out.tone = _VNI_TONE[char]
        elif not char.isdigit():
            out.add(char)
    return out.text()


def _viqr(word: str) -> str:
    out = _Word()
    for char in word:
        prev = out.letters[-1] if out.letters else None
        if char in _VIQR_SHAPE and prev:
            prev[1] = _VIQR_SHAPE[char]
        elif char in _VIQR_TONE and prev:
            out.tone = _VIQR_TONE[char]
        elif char.lower() == "d" and prev and prev[0].lower() == "d" and not prev[1]:
            prev[0] = "đ" if prev[0] == "d" else "Đ"
        else:
            out.add(char)
    return out.text()


@lru_cache(maxsize=200_000)
def decode_word(word: str) -> str:
    """One word back from its keystrokes (unchanged when it reads as plain Vietnamese already)."""
    if not word.isascii():
        return word
    if _VNI_HINT.search(word) and not word.isdigit():
        return _vni(word)
    if _VIQR_HINT.search(word):
        return _viqr(word)
    onset = _ONSET.match(word).group(0).lower()  # type: ignore[union-attr]
    if _TELEX_STRONG.search(word) or (_TELEX_HINT.search(word) and onset in _ONSETS):
        decoded = _telex(word)
        return decoded if decoded != word else word
    return word


def decode_name(text: str) -> str:
    """Every word of a name back from its keystrokes (see the module doc)."""
    return " ".join(decode_word(w) for w in text.split())


# The vowel groups of Vietnamese syllables once folded (ă â → a, ê → e, ô ơ → o, ư → u) and the consonants a syllable
# may end with: a folded word outside them ("Tean", "Trn", "Trab") is no syllable, a slip.
_NUCLEI = frozenset("a e i o u y ai ao au ay eo eu ia ie iu ieu oa oai oay oao oe oeo oi oo ua uay ue ui uo uoi uou "
                    "uu uy uya uye uyu ye yeu".split())
_CODAS = frozenset("c ch m n ng nh p t".split()) | {""}
_SYLLABLE = re.compile(r"^([^aeiouy]*)([aeiouy]+)([^aeiouy]*)$")


def syllable_shaped(folded: str) -> bool:
    """True when a folded word (lower case, no diacritics) can be a Vietnamese syllable: an onset, a vowel group and
    an ending that Vietnamese has (``trung``, ``nghieng``, ``quynh``; not ``tean``, ``trn``, ``trab``)."""
    found = _SYLLABLE.match(folded)
    if found is None:
        return False
    onset, nucleus, coda = found.groups()
    if onset in ("q", "g") and nucleus[0] in "ui" and len(nucleus) > 1:  # qu-, gi- : the u / i is the onset's
        onset, nucleus = onset + nucleus[0], nucleus[1:]
    return onset in _ONSETS and nucleus in _NUCLEI and coda in _CODAS
