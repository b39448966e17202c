"""Vietnamese text as the keystrokes of an input method that was not switched on: Telex, VNI, VIQR.

A clerk whose input method is off (or a system that stored the raw keys) leaves the keys in the text:
``Nguyễn`` → Telex ``Nguyeenx``, VNI ``Nguye6n4``, VIQR ``Nguye^~n``. The marks come from Unicode decomposition
(circumflex, breve, horn; the five tones), so no table of syllables is needed. Written for this bench from the public
descriptions of the three input methods.
"""

from __future__ import annotations

import unicodedata

_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_TONES = {"\u0301": "sac", "\u0300": "huyen", "\u0309": "hoi", "\u0303": "nga", "\u0323": "nang"}
TELEX = {"shape": {_CIRCUMFLEX: "double", _BREVE: "w", _HORN: "w"}, "d": "dd",
         "tone": {"sac": "s", "huyen": "f", "hoi": "r", "nga": "x", "nang": "j"}, "tone_at_end": True}
VNI = {"shape": {_CIRCUMFLEX: "6", _BREVE: "8", _HORN: "7"}, "d": "d9",
       "tone": {"sac": "1", "huyen": "2", "hoi": "3", "nga": "4", "nang": "5"}, "tone_at_end": True}
VIQR = {"shape": {_CIRCUMFLEX: "^", _BREVE: "(", _HORN: "+"}, "d": "dd",
        "tone": {"sac": "'", "huyen": "`", "hoi": "?", "nga": "~", "nang": "."}, "tone_at_end": False}
METHODS = {"telex": TELEX, "vni": VNI, "viqr": VIQR}


def _letter(char: str, method: dict) -> tuple[str, str | None]:
    """One letter → its keys without the tone, and the tone it carries (or None)."""
    if char in "đĐ":
        keys = method["d"]
        return (keys[0].upper() + keys[1:]) if char == "Đ" else keys, None
    parts = unicodedata.normalize("NFD", char)
    base, marks = parts[0], parts[1:]
    out, tone = base, None
    for mark in marks:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark in method["shape"]:
            shape = method["shape"][mark]
            out += base.lower() if shape == "double" else shape
    return out, tone


def encode_word(word: str, method_name: str) -> str:
    """A word typed with ``method_name`` (telex / vni / viqr) and the input method off."""
    method = METHODS[method_name]
    out, tone = "", None
    for char in word:
        keys, char_tone = _letter(char, method)
        out += keys
        if char_tone:
            tone = char_tone
            if not method["tone_at_end"]:
                out += method["tone"][tone]
    if tone and method["tone_at_end"]:
        out += method["tone"][tone]
    return out


def encode(text: str, method_name: str) -> str:
    return " ".join(encode_word(w, method_name) for w in text.split())
