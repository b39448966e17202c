"""How Vietnamese names get typed wrong: the keystrokes of the Telex and VNI input methods left in the text (typed
with the input method switched off, tone key at the end of each word, as the keys were pressed), and diacritics
lost. Written from the public descriptions of the two input methods (see SOURCE.md)."""

from __future__ import annotations

import unicodedata

# combining marks (after NFD) → (Telex key, VNI key)
MODIFIERS = {"\u0302": ("", "6"), "\u0306": ("w", "8"), "\u031b": ("w", "7")}  # circumflex: Telex doubles the vowel
TONES = {"\u0301": ("s", "1"), "\u0300": ("f", "2"), "\u0309": ("r", "3"), "\u0303": ("x", "4"), "\u0323": ("j", "5")}


def _word(word: str, method: int) -> str:
    out, tone = [], ""
    for ch in word:
        if ch in "đĐ":
            out.append(ch.replace("đ", "d").replace("Đ", "D") + (("d" if ch == "đ" else "D"), "9")[method])
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        out.append(base)
        for mark in marks:
            if mark in MODIFIERS:
                key = MODIFIERS[mark][method] or base  # Telex: â = aa, ê = ee, ô = oo
                out.append(key.upper() if base.isupper() and key.isalpha() else key)
            elif mark in TONES:
                tone = TONES[mark][method]
    if tone and word.isupper():
        tone = tone.upper()
    return "".join(out) + tone


def telex(text: str) -> str:
    """``Nguyễn Thị Hường`` → ``Nguyeenx Thij Huwowngf``."""
    return " ".join(_word(w, 0) for w in text.split(" "))


def vni(text: str) -> str:
    """``Nguyễn Thị Hường`` → ``Nguye6n4 Thi5 Hu7o7ng2``."""
    return " ".join(_word(w, 1) for w in text.split(" "))


def strip_accents(text: str) -> str:
    """``Đặng Thị Hường`` → ``Dang Thi Huong`` (Đ → D: what a naive export does after it drops the marks)."""
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return plain.replace("đ", "d").replace("Đ", "D")
