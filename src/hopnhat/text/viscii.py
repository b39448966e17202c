"""VISCII (RFC 1456, the "Vietnamese Standard Code for Information Interchange" of the Viet-Std group, 1992).

An 8-bit character set: ASCII, six C0 control positions re-used for capitals (0x02 0x05 0x06 0x14 0x19 0x1E) and
the whole upper half 0x80–0xFF given to precomposed Vietnamese letters, so that all 134 non-ASCII Vietnamese letters
have one byte each. It was the common encoding of Vietnamese text on 1990s PCs, Unix and mail.

The table below was typed from RFC 1456's chart, row by row. ``tests/text/test_viscii_viqr.py`` compares every byte
with GNU libc's ``iconv -f VISCII`` and with the VISCII table of the peer package viparse (two mappings written
apart from this one) and lists any difference.
"""

from __future__ import annotations

import unicodedata

# Bytes 0x80–0xFF, sixteen a line.
_HIGH = (
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐ"  # 0x80
    "ỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲ"  # 0x90
    "Õắằặấầẩậẽẹếềểễệố"  # 0xA0
    "ồổỗỠƠộờởịỰỨỪỬơớƯ"  # 0xB0
    "ÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳ"  # 0xC0
    "ĐứÒÓÔạỷừửÙÚỹỵÝỡư"  # 0xD0
    "àáâãảăữẫèéêẻìíĩỉ"  # 0xE0
    "đựòóôõỏọụùúũủýợỮ"  # 0xF0
)
_LOW = {0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"}

DECODE: tuple[str, ...] = tuple([_LOW.get(b, chr(b)) for b in range(0x80)] + list(_HIGH))
ENCODE: dict[str, int] = {char: b for b, char in enumerate(DECODE)}
_DECODE_MAP = {b: char for b, char in enumerate(DECODE)}  # str.translate-able over a Latin-1 view


def decode(data: bytes) -> str:
    """VISCII bytes → NFC text (every byte is defined)."""
    return unicodedata.normalize("NFC", data.decode("latin-1").translate(_DECODE_MAP))


def encode(text: str) -> bytes:
    """NFC text → VISCII bytes; raises KeyError naming the first character VISCII has no code for."""
    return bytes(ENCODE[c] for c in unicodedata.normalize("NFC", text))
