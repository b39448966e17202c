"""Legacy Vietnamese text encodings: codecs, a per-column detector and a per-cell repair.

Python ships no codec for the two encodings most pre-Unicode Vietnamese data uses, so they are built here from
their character tables:

- ``tcvn3`` — TCVN 5712:1993 ("TCVN3", the ABC fonts ``.VnTime`` …). One byte per letter. The ABC fonts hold the
  lowercase letters and Ă Â Ê Ô Ơ Ư Đ (level VN3); the uppercase letters with tones come from the full level VN1 of
  the standard (bytes 0x80–0x9F, the gaps of 0xA0–0xFF and twelve C0 positions), which this codec also reads and
  writes so that every Vietnamese letter round-trips. Bytes 0xB0–0xB4 are the five combining tone marks.
- ``vni`` — VNI-Windows: a letter with diacritics is its base letter followed by ONE diacritic character (the fonts
  render them as Latin-1 characters: ``aù`` = á, ``oä`` = ộ); i, ơ, ư, đ and ỵ have single-character forms. The
  two-character forms some VNI text has for them (``iù`` = í, ``yï`` = ỵ, in both cases) are read too.
- ``cp1258`` / ``cp1258-decomposed`` — Windows-1258, whose tone marks are combining characters. ``cp1258`` writes
  a precomposed character where the code page has one; ``cp1258-decomposed`` always writes the tone mark apart (what
  Vietnamese keyboard drivers produced). Both decode the same way, to NFC.
- ``mojibake`` — UTF-8 bytes read as Windows-1252 and saved again as UTF-8 (``Nguyễn`` → ``Nguyá»…n``). Repaired by
  the exact inverse when possible, else by ``ftfy.fix_encoding`` (partly lost bytes).
- ``viscii`` — VISCII (RFC 1456, 1990s PCs, Unix and mail): one byte for each of the 134 letters
  (:mod:`hopnhat.text.viscii`).
- ``viqr`` — VIQR (RFC 1456): ASCII mnemonics after the vowel, ``Vie^.t Nam`` (:mod:`hopnhat.text.viqr`). Plain ASCII
  uses the same characters, so a cell is read as VIQR only on marks plain text does not make (:func:`viqr_reading`).
- ``utf-8`` — clean text; decoding only composes it to NFC.

:func:`detect` picks a column's encoding by decoding its values every possible way and scoring the share of words
that are valid Vietnamese syllables (:func:`is_syllable`). :func:`repair_value` repairs one cell with the column's
encoding; it never changes spacing, case or tone placement (``Hoà`` stays ``Hoà``).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from encodings import cp1258 as cp1258_codec
from functools import lru_cache
from typing import NamedTuple

from hopnhat.errors import HopnhatError
from hopnhat.i18n import tr
from hopnhat.text import viqr, viscii

__all__ = [
    "DETECTABLE",
    "ENCODINGS",
    "Detection",
    "LegacyEncodingError",
    "cp1252_view",
    "decode",
    "detect",
    "encode",
    "Quality",
    "is_syllable",
    "quality",
    "legacy_looking",
    "READINGS",
    "reading",
    "readings",
    "repair_value",
    "has_junk",
    "scored",
    "scores_of",
    "vietnamese_letters",
    "viqr_reading",
]

ENCODINGS: tuple[str, ...] = ("tcvn3", "vni", "cp1258", "cp1258-decomposed", "utf-8", "mojibake", "viscii", "viqr")
DETECTABLE: tuple[str, ...] = ("ascii", *ENCODINGS)

_ALIASES = {
    "abc": "tcvn3", "tcvn": "tcvn3", "tcvn-3": "tcvn3", "tcvn5712": "tcvn3", "vni-windows": "vni",
    "windows-1258": "cp1258", "utf8": "utf-8", "ascii": "utf-8", "windows-1258-decomposed": "cp1258-decomposed",
}


class LegacyEncodingError(HopnhatError):
    """A value cannot be decoded (or encoded) in the given Vietnamese text encoding; names the value."""


def _fail(value: object, encoding: str, reason: str) -> LegacyEncodingError:
    return LegacyEncodingError(
        tr(f"Không chuyển được mã {encoding}", f"Cannot convert {encoding} text"), value=value, reason=reason
    )


def _canonical(encoding: str) -> str:
    name = _ALIASES.get(encoding.strip().lower(), encoding.strip().lower())
    if name not in ENCODINGS:
        raise LegacyEncodingError(
            tr("Bảng mã không hỗ trợ", "Unsupported encoding"), value=encoding,
            reason=tr("dùng một trong ", "use one of ") + ", ".join(ENCODINGS),
        )
    return name


# --------------------------------------------------------------------------------------------- Vietnamese letters

_VOWELS = "aăâeêioôơuưy"
_normalize = unicodedata.normalize  # module-level names: one lookup each where compiled code calls them per cell
_charmap_decode = codecs.charmap_decode
_TONE_MARKS = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # none, sắc, huyền, hỏi, ngã, nặng
_TONE_SET = frozenset(_TONE_MARKS[1:])


def _letter(vowel: str, tone: int) -> str:
    return unicodedata.normalize("NFC", vowel + _TONE_MARKS[tone])


@lru_cache(maxsize=1)
def vietnamese_letters() -> tuple[str, ...]:
    """The 134 Vietnamese letters that are not plain ASCII (67 lowercase then their 67 uppercase forms)."""
    lower = [_letter(v, t) for v in _VOWELS for t in range(6)] + ["đ"]
    lower = [c for c in lower if not c.isascii()]
    return tuple(lower + [c.upper() for c in lower])


# --------------------------------------------------------------------------------------------- TCVN3 (TCVN 5712)

# Bytes 0x80–0xFF of TCVN 5712:1993 (VN1). The lowercase letters sit where the ABC (VN3) fonts have them.
_TCVN3_HIGH = (
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨ"  # 0x80
    "ÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"  # 0x90
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"  # 0xA0
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"  # 0xB0
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"  # 0xC0
    "éẹềểễếệìỉỄẾỒĩíịò"  # 0xD0
    "Ổỏõóọồổỗốộờởỡớợù"  # 0xE0
    "ỖủũúụừửữứựỳỷỹýỵỐ"  # 0xF0
)
# Uppercase letters VN1 puts on C0 control positions (never 0x09/0x0A/0x0D).
_TCVN3_LOW = {0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ", 0x12: "Ự",
              0x13: "Ỳ", 0x14: "Ỷ", 0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ"}


def _tcvn3_decode_table() -> tuple[str, ...]:
    table = [_TCVN3_LOW.get(b, chr(b)) for b in range(0x80)]
    return tuple(table + list(_TCVN3_HIGH))


_TCVN3_DECODE = _tcvn3_decode_table()
_TCVN3_TABLE = "".join(_TCVN3_DECODE)  # one character per byte: the codec machinery (C) decodes a whole value
_TCVN3_ENCODE = {char: bytes([b]) for b, char in enumerate(_TCVN3_DECODE) if b not in (0x00,)}


def _tcvn3_encode(text: str) -> bytes:
    try:
        return b"".join(_TCVN3_ENCODE[c] for c in unicodedata.normalize("NFC", text))
    except KeyError as exc:
        raise _fail(text, "tcvn3", tr(f"ký tự {exc.args[0]!r} không có trong TCVN3",
                                      f"character {exc.args[0]!r} has no TCVN3 code")) from exc


def _tcvn3_decode(data: bytes) -> str:
    return unicodedata.normalize("NFC", codecs.charmap_decode(data, "strict", _TCVN3_TABLE)[0])


# --------------------------------------------------------------------------------------------- VNI-Windows

_VNI_TONES = ("", "ù", "ø", "û", "õ", "ï")  # none, sắc, huyền, hỏi, ngã, nặng after a, e, o, u, y, ơ, ư
_VNI_CIRCUMFLEX = ("â", "á", "à", "å", "ã", "ä")  # â ê ô with each tone
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")  # ă with each tone
_VNI_I = ("i", "í", "ì", "æ", "ó", "ò")  # i has single-character forms
_VNI_BASE = {"â": ("a", _VNI_CIRCUMFLEX), "ê": ("e", _VNI_CIRCUMFLEX), "ô": ("o", _VNI_CIRCUMFLEX),
             "ă": ("a", _VNI_BREVE), "ơ": ("ô", _VNI_TONES), "ư": ("ö", _VNI_TONES)}
_VNI_DIACRITICS = frozenset(_VNI_TONES[1:] + _VNI_CIRCUMFLEX + _VNI_BREVE)


def _vni_lower(vowel: str, tone: int) -> str:
    if vowel == "i":
        return _VNI_I[tone]
    if vowel == "y" and tone == 5:
        return "î"
    base, marks = _VNI_BASE.get(vowel, (vowel, _VNI_TONES))
    return base + marks[tone]


def _vni_tables() -> tuple[dict[str, str], dict[str, str]]:
    encode: dict[str, str] = {"đ": "ñ", "Đ": "Ñ"}
    for vowel in _VOWELS:
        for tone in range(6):
            letter, code = _letter(vowel, tone), _vni_lower(vowel, tone)
            if not letter.isascii():
                encode[letter], encode[letter.upper()] = code, code.upper()
    decode: dict[str, str] = {}
    variants = [(_letter(v, t), v + _VNI_TONES[t]) for v in "iy" for t in range(1, 6)]  # iù = í, yï = ỵ
    for letter, code in [*encode.items(), *variants, *[(c.upper(), k.upper()) for c, k in variants]]:
        decode.setdefault(code, letter)
        if len(code) == 2:  # tolerate a diacritic typed in the other case
            decode.setdefault(code[0] + code[1].swapcase(), letter)
    return encode, decode


_VNI_ENCODE, _VNI_DECODE = _vni_tables()
_VNI_DIACRITIC_CHARS = _VNI_DIACRITICS | {c.upper() for c in _VNI_DIACRITICS}


def _vni_encode_text(text: str) -> str:
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char in _VNI_ENCODE:
            out.append(_VNI_ENCODE[char])
        elif char.isascii():
            out.append(char)
        else:
            raise _fail(text, "vni", tr(f"ký tự {char!r} không có trong VNI", f"character {char!r} has no VNI code"))
    return "".join(out)


def _vni_decode_text(text: str) -> str:
    decoded = _vni_quiet(text)
    if isinstance(decoded, str):
        return decoded
    raise _fail(text, "vni", tr(f"dấu {decoded[0]!r} không đứng sau nguyên âm",
                                f"diacritic {decoded[0]!r} does not follow a vowel"))


def _vni_quiet(text: str) -> str | tuple[str]:
    """The text, or (the diacritic that follows no vowel,): no exception in the repair engine's hot path. A run of
    ASCII characters none of which a diacritic follows is copied as it is (no ASCII character is a VNI code and
    every diacritic is outside ASCII: tests/text checks both), the rest read a character or a pair at a time."""
    out, i, n, start = [], 0, len(text), 0
    table, marks = _VNI_DECODE, _VNI_DIACRITIC_CHARS  # typed locals when compiled
    while i < n:
        if text[i] < "\x80" and (i + 1 >= n or text[i + 1] < "\x80"):
            i += 1
            continue
        if start < i:
            out.append(text[start:i])
        char = text[i]
        if i + 1 < n and text[i + 1] in marks:  # every two-character code ends in a diacritic
            pair = text[i : i + 2]
            if pair in table:
                out.append(table[pair])
                i += 2
                start = i
                continue
        if char in marks and char not in table:
            return (char,)
        out.append(table.get(char, char))
        i += 1
        start = i
    if start < n:
        out.append(text[start:])
    return _normalize("NFC", "".join(out))


# --------------------------------------------------------------------------------------------- Windows-1252 bytes

def _sloppy_1252_table() -> tuple[str, ...]:
    """Windows-1252 with its five undefined bytes read as the C1 controls of the same value (as Windows does); the
    256 bytes decoded at once (one character each)."""
    every = bytes(range(256)).decode("cp1252", errors="replace")
    return tuple(chr(b) if char == "\ufffd" else char for b, char in enumerate(every))


_SLOPPY_DECODE = _sloppy_1252_table()
_SLOPPY_TABLE = "".join(_SLOPPY_DECODE)
_SLOPPY_ENCODE = {**{chr(b): b for b in range(256)}, **{c: b for b, c in enumerate(_SLOPPY_DECODE)}}


def _sloppy_decode(data: bytes) -> str:
    return codecs.charmap_decode(data, "strict", _SLOPPY_TABLE)[0]


def cp1252_view(data: bytes) -> str:
    """Bytes read as Windows-1252 (undefined bytes as C1 controls): what Excel shows for legacy text; reversible."""
    return _sloppy_decode(data)


_SLOPPY_MAP = codecs.charmap_build("".join(_SLOPPY_DECODE))


def _byte_table() -> bytes:
    """One byte per code point up to the last character of :data:`_SLOPPY_ENCODE` (U+2122 ™): 1 where it has a byte."""
    table = bytearray(max(map(ord, _SLOPPY_ENCODE)) + 1)
    for char in _SLOPPY_ENCODE:
        table[ord(char)] = 1
    return bytes(table)


_SLOPPY_CHARS = _byte_table()
_SLOPPY_LAST = len(_SLOPPY_CHARS) - 1


def _byte_chars(text: str) -> bool:
    """Whether every character of a text has a byte in :data:`_SLOPPY_ENCODE` (a loop over code points, in C)."""
    table, last = _SLOPPY_CHARS, _SLOPPY_LAST
    for char in text:
        code = ord(char)
        if code > last or not table[code]:
            return False
    return True


def _sloppy_encode(text: str) -> bytes | None:
    """The bytes a Latin-1/Windows-1252 reading of legacy bytes came from, or None for real Unicode text (told by a
    loop over code points first, compiled: without the two failed encodings, each raising, it took)."""
    if not _byte_chars(text):
        return None
    try:
        return codecs.charmap_encode(text, "strict", _SLOPPY_MAP)[0]  # the common case, in C
    except UnicodeEncodeError:
        pass
    try:
        return bytes([_SLOPPY_ENCODE[c] for c in text])  # C1 controls of a Latin-1 reading
    except KeyError:
        return None


# --------------------------------------------------------------------------------------------- Windows-1258

@lru_cache(maxsize=512)
def _cp1258_char(char: str, decomposed: bool) -> bytes:
    if not decomposed or char.isascii():
        try:
            return char.encode("cp1258")
        except UnicodeEncodeError:
            pass
    parts = unicodedata.normalize("NFD", char)
    tones = "".join(c for c in parts if c in _TONE_SET)
    base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_SET))
    return base.encode("cp1258") + tones.encode("cp1258")


def _cp1258_encode(text: str, decomposed: bool) -> bytes:
    try:
        return b"".join(_cp1258_char(c, decomposed) for c in unicodedata.normalize("NFC", text))
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start:exc.end]
        raise _fail(text, "cp1258", tr(f"ký tự {char!r} không có trong Windows-1258",
                                       f"character {char!r} has no Windows-1258 code")) from exc


def _cp1258_decode(data: bytes) -> str:
    try:
        return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError as exc:
        raise _fail(data, "cp1258", tr(f"byte 0x{data[exc.start]:02X} không có trong Windows-1258",
                                       f"byte 0x{data[exc.start]:02X} is undefined in Windows-1258")) from exc


# --------------------------------------------------------------------------------------------- UTF-8 and mojibake

def _utf8_decode(data: bytes) -> str:
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail(data, "utf-8", tr(f"byte 0x{data[exc.start]:02X} ở vị trí {exc.start} sai UTF-8",
                                      f"invalid UTF-8 byte 0x{data[exc.start]:02X} at {exc.start}")) from exc


def _mojibake_encode(text: str) -> bytes:
    return _sloppy_decode(unicodedata.normalize("NFC", text).encode("utf-8")).encode("utf-8")


def _exact_unmojibake(text: str) -> str | None:
    raw = _sloppy_encode(text)
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _unmojibake(text: str) -> str:
    """Undo one UTF-8-read-as-Windows-1252 round: the whole value, else word by word (a value edited after it was
    broken), then ``ftfy.fix_encoding`` for what is left (e.g. a lost no-break space: ``HoÃ `` → ``Hoà``)."""
    whole = _exact_unmojibake(text)
    if whole is not None:
        return unicodedata.normalize("NFC", whole)
    words = re.split(r"([ \t\r\n]+)", text)
    fixed = "".join(_exact_unmojibake(w) or w for w in words)
    import ftfy  # loaded when a cell first needs it (a tenth of a second of start-up otherwise)

    return unicodedata.normalize("NFC", ftfy.fix_encoding(fixed))


# --------------------------------------------------------------------------------------------- VISCII and VIQR

def _table_encode(text: str, name: str) -> bytes:
    try:
        return viscii.encode(text) if name == "viscii" else viqr.encode(text).encode("ascii")
    except KeyError as exc:
        raise _fail(text, name, tr(f"ký tự {exc.args[0]!r} không có trong {name.upper()}",
                                   f"character {exc.args[0]!r} has no {name.upper()} code")) from exc


def _ascii_decode(data: bytes) -> str:
    try:
        return data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise _fail(data, "viqr", tr(f"byte 0x{data[exc.start]:02X} không phải ASCII",
                                     f"byte 0x{data[exc.start]:02X} is not ASCII")) from exc


# --------------------------------------------------------------------------------------------- public codec API

def encode(text: str, encoding: str) -> bytes:
    """Encode NFC Vietnamese text to the bytes a legacy system would have stored (see the module doc)."""
    name = _canonical(encoding)
    if name == "tcvn3":
        return _tcvn3_encode(text)
    if name == "vni":
        return _vni_encode_text(text).encode("cp1252")
    if name in ("cp1258", "cp1258-decomposed"):
        return _cp1258_encode(text, decomposed=name == "cp1258-decomposed")
    if name == "mojibake":
        return _mojibake_encode(text)
    if name in ("viscii", "viqr"):
        return _table_encode(text, name)
    return unicodedata.normalize("NFC", text).encode("utf-8")


def decode(data: bytes, encoding: str) -> str:
    """Decode bytes in a Vietnamese legacy encoding; always returns NFC text. Raises LegacyEncodingError."""
    name = _canonical(encoding)
    if name == "tcvn3":
        return _tcvn3_decode(data)
    if name == "vni":
        return _vni_decode_text(_sloppy_decode(data))
    if name in ("cp1258", "cp1258-decomposed"):
        return _cp1258_decode(data)
    if name == "mojibake":
        return _unmojibake(_utf8_decode(data))
    if name == "viscii":
        return viscii.decode(data)
    if name == "viqr":
        return viqr.decode(_ascii_decode(data))
    return _utf8_decode(data)


# --------------------------------------------------------------------------------------------- syllables

_INITIALS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr", "qu",
             "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
# Consonant clusters and letters of Central Highlands and northern minority names as official unit names write them
# (Krông, Drăng, Dliê, Plông, Hrú, Jút, Zà) and the old Dz of names (Hồ Dzếnh): never produced by misreading legacy
# bytes, which changes vowels.
# Also the clusters of clan and people names (Ê Đê Byă, Hđơk, Ktla; Jrai Ksor, Ê Đê Ksơr; Hmông, Mnông).
# Session 24, from the Ê Đê and Jrai alphabets as published (not from any corpus): the aspirate dh beside bh (Ê Đê
# writes bh, dh, kh, ph, th), h before n as before l, m, r (hn), the glottal đ after h, k, m written with or without
# its bar (hd beside hđ, kđ beside kd, mđ), đr as in M'Đrắk, and y as an onset (Ê Đê and Jrai y is a consonant: Yang,
# Yưm; Kinh writes y only as a vowel, so no Kinh word starts with y before another vowel but ê) — before a, ă, â, e,
# ê, ô, ơ, ư only: VNI and Windows-1258 bytes of ý ỳ read as Windows-1252 are y + ù õ ì ò (yù, yì), never a name.
# Session 24, second part, from the published alphabets: Tày-Nùng sl (slam, slao: its own consonant) and the cl of
# Cơ Tu and Ta Oi writing (Clâu).
_MINORITY_INITIALS: tuple[str, ...] = (
                      "bl", "bh", "br", "by", "cl", "dh", "dj", "dl", "dr", "dz", "đr", "gl", "gr", "hb", "hd", "hđ",
                      "hl", "hm", "hn", "hr", "jr", "kb", "kd", "kđ", "kl", "km", "kn", "kp", "kr", "ks", "kt", "mđ",
                      "ml", "mn", "mr", "pl", "pn", "pr", "rc", "rs", "rt", "rv", "sl", "sr", "j", "z", "f", "w", "y")
# Session 26, from the Latin scripts of the south-central and southern highland peoples as Vietnamese registers write
# them: st (Stiêng) and its Vietnamese spelling xt (Xtiêng, the ethnonym of the official list of peoples), xr (Xrê,
# the Cơ Ho group the list names; Koho sr written with Vietnamese x), tl (Ê Đê and Jrai Tlang, Ktla) and rl (Mnông
# Rlăm). Consonant letters are ASCII in every table, so an onset reads the same in every reading of a cell: it makes
# no misreading well formed that its rhyme does not already make so.
_SOUTH_INITIALS = ("rl", "st", "tl", "xr", "xt")
_KINH_RHYMES = frozenset("""
a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây
e ec em en eng eo ep et ê êch êm ên êng ênh êp êt êu
i ia ich iêc iêm iên iêng iêp iêt iêu im in inh ip it iu
o oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oc oe oem oen oeo oet oi om on ong
ooc oong op ot ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt
u ua uân uâng uât uây uc uê uêch uênh ui um un ung uơ uôc uôi uôm uôn uông uôt up ut uy uya uych uyên uyêt uynh
uyt uyu ư ưa ưc ưi ưm ưn ưng ưt ưu ươ ươc ươi ươm ươn ương ươp ươt ươu
y yêm yên yêng yêt yêu ych ynh yt
""".split())  # the rhymes of the national orthography (Kinh syllables)
_MINORITY_RHYMES = frozenset("""
ak ăk âk ek êk ik ok ôk ơk uk ưk
ơng ơl ơr ăl ăh ăi ăih ôr ôh ơh ưh êh êl êr iê iêr uôl uôr uêh eh oh uh ah
ưr ưl âr âl ăr âo iô eang uên
ei ih uih il ul ur
""".split())  # finals of Central Highlands names (Đắk Lắk, Pơng, Dliê, Cuôr, Păh); session 24,
# second part: r and l after ư â ă as after ơ ê (Ê Đê, Jrai, Cơ Tu: Ngưr, Mâl), the vowels âo and iô of those
# alphabets (Yâo, Aliô), and the eang Vietnamese registers write Khmer names with (Néang, Neàng). Not ôl (VNI Yơl
# read as Windows-1252 is Yôl: the cell as it is, which a tie keeps). Session 25: uên (Ê Đê and Jrai Zuên, Buên; the
# national orthography writes uân and uyên only), left out before because VNI Dhuôn read as TCVN3 is Dhuền: that
# misreading now loses the tie on its tone mark (see hopnhat.repair.stage._least_marked).
# Session 26, from the same alphabets (Ê Đê, Jrai, Bahnar, Mnông, Cơ Ho), which write l, r and h finals after any
# vowel: ei (Jrai and Bahnar Plei, the village of many unit names), h after i and ui (the Ê Đê group Bih, the Jrai
# clan Kpuih), l after i and u, r after u (the Cơ Ho group Chil, the Ê Đê clan Knul and group Ktul). Not l or r
# after a plain a or o: Windows-1258 keeps ă and ơ on the bytes Windows-1252 shows as ã and õ (Kơr, Kăl shown as
# Kõr, Kãl), so with those rhymes the cell as it is would be a well-formed twin of every such name; nor after ô (VNI
# ơ is the byte Windows-1252 shows as ô: Yơl, Yôl). Nor after e: hel, her would make English words two-syllable
# compounds (Hello^ in a VIQR column read as Hel-lô).
_RHYMES = _KINH_RHYMES | _MINORITY_RHYMES
_STOP_FINALS = ("c", "ch", "p", "t", "k")
_STOP_TONES = frozenset(("", "\u0301", "\u0323"))
_CHECKED_TONES = frozenset(("\u0301", "\u0323"))  # the tones of a Kinh syllable on a stop final: sắc, nặng
_PLAIN_VOWELS = frozenset("aeiouy")
_SHAPED_VOWELS = frozenset("ăâêôơư")
_EITHER = frozenset(("oa", "oe", "uy"))  # old and new tone placement: hoà / hòa, thuỷ / thủy
# Session 27: the national orthography writes /k/ before the glide o/u as qu (quang, quế, quyên), so c never comes
# before the glide's oa oă oe uâ uê uy (before the vowel u it does: cuốn, cúc, Cuôr). VNI writes ô with its tones as
# o + â á à å ã ä, so its bytes of Cống, Cồ read as Windows-1252 are Coáng, Coà: with this, no syllable.
_GLIDES = ("oa", "oă", "oe", "uâ", "uê", "uy")
# Nor does a labial (b m p ph v) come before the glide in a Vietnamese word: only loanwords write it (boa, buýt,
# voan), and the minority alphabets (Buên). So it is no syllable of the national orthography (marked in a tie, see
# marked): VNI ố after a labial read as Windows-1252 (Boá, Moác) loses a tie to the reading with ô.
_LABIALS = frozenset(("b", "m", "p", "ph", "v"))


_CHAR_TONES: dict[str, tuple[str, str, int]] = {}  # letter → (letter without its tone, the tone, tones on it)


def _char_tone(char: str) -> tuple[str, str, int]:
    """One NFC letter without its tone mark, the tone mark and how many tone marks it carries (remembered)."""
    known = _CHAR_TONES.get(char)
    if known is None:
        parts = unicodedata.normalize("NFD", char)
        marks = [c for c in parts if c in _TONE_SET]
        bare = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_SET)) if marks else char
        known = _CHAR_TONES[char] = (bare, marks[0] if marks else "", len(marks))
    return known


def _split_tone(word: str) -> tuple[str, str, int] | None:
    """(toneless NFC word, tone mark, index of the letter that carries it or -1); None with two tones."""
    lowered = _normalize("NFC", word.lower())
    if lowered.isascii():  # no letter carries a tone (the halves of compounds, mostly)
        return lowered, "", -1
    toneless, tone, where = [], "", -1
    for i, char in enumerate(lowered):
        if char < "\x80":  # an ASCII letter carries no tone
            toneless.append(char)
            continue
        bare, mark, marks = _char_tone(char)
        if marks:
            if tone or marks > 1:
                return None
            tone, where = mark, i
        toneless.append(bare)
    return "".join(toneless), tone, where


def _tone_places(rhyme: str) -> set[int]:
    """Where in a rhyme a tone may sit: on its shaped vowel (ươ: ơ), else the last vowel before a final consonant,
    else the first of two vowels (both for oa/oe/uy), the middle of three."""
    vowels = len(rhyme) - len(rhyme.lstrip("aăâeêioôơuưy"))
    if rhyme[:2] == "ea":
        return {0, 1}  # Khmer names: Néang as registers write it, Neáng
    shaped = {i for i in range(vowels) if rhyme[i] in _SHAPED_VOWELS}
    if shaped:
        return {max(shaped)} if rhyme[:vowels] in ("ươ", "ươi", "ươu") else shaped
    if vowels < len(rhyme) or vowels == 1:
        return {vowels - 1}
    if vowels == 2:
        return {0, 1} if rhyme[:2] in _EITHER else {0}
    return {1}


def is_syllable(word: str) -> bool:
    """Whether a word is a well-formed Vietnamese syllable: initial, rhyme, one tone at most on a vowel where
    Vietnamese writes it (old and new placement both accepted: Hoà / Hòa); minority names' clusters allowed."""
    return _known_syllable(word, True)


_SYLLABLES: tuple[dict[str, bool], dict[str, bool]] = ({}, {})  # without / with minority initials: word → syllable?


def _known_syllable(word: str, minority: bool) -> bool:
    """:func:`_syllable`, remembered in a plain dictionary each way (the engine asks for every distinct word, and for
    the halves of the words that are not syllables: see :func:`_compound`)."""
    memo = _SYLLABLES[1 if minority else 0]
    known = memo.get(word)
    if known is None:
        if len(memo) >= 200_000:
            memo.clear()
        known = memo[word] = _syllable(word, minority)
    return known


# Ê Đê and Jrai write a consonant of a lost first syllable before a cluster on r or l (Mđrăng, Bkrông, Kbla): three
# consonants, the first b, h, k, m or p.
_TRIPLES = frozenset(first + i for first in "bhkmp" for i in (*_MINORITY_INITIALS, "tl") if len(i) == 2 and
                     i[1] in "rl" and i[0] != first)  # Ktla; not rl nor xr: no alphabet writes a consonant before them
_MINORITY_INITIALS = (*_MINORITY_INITIALS, *_SOUTH_INITIALS)
_ALL_INITIALS = (*_INITIALS[:-1], *sorted(_TRIPLES), *_MINORITY_INITIALS, "")
_CLUSTERS = frozenset(i for i in _MINORITY_INITIALS if len(i) == 2)
_AFTER_Y = "aăâeêôơư"  # the vowels y begins a minority syllable before (see _MINORITY_INITIALS)
_OPEN_AFTER_CLUSTER = frozenset(("ă",))  # Jrai and Bahnar names end on an open ă after a cluster: Kpă, Hră, Blă


_PLACES = {rhyme: _tone_places(rhyme) for rhyme in _RHYMES | _OPEN_AFTER_CLUSTER}
# The initials a syllable may start with, by length, in the order they are tried (Kinh first, then minority).
_KINH = (frozenset(i for i in _INITIALS if len(i) == 3), frozenset(i for i in _INITIALS if len(i) == 2),
         frozenset(i for i in _INITIALS if len(i) == 1))
_MINORITY = (_TRIPLES, frozenset(i for i in _MINORITY_INITIALS if len(i) == 2),
             frozenset(i for i in _MINORITY_INITIALS if len(i) == 1))


_KINH_BY_LENGTH = tuple(zip((3, 2, 1), _KINH, strict=True))
_MINORITY_BY_LENGTH = tuple(zip((3, 2, 1), _MINORITY, strict=True))


def _initials(toneless: str, minority: bool) -> list[str]:
    """The initials a toneless word starts with, in the order of ``_ALL_INITIALS`` (or ``_INITIALS``): at most one
    of each length in each group, so only the word's own prefixes are looked up."""
    found = []
    for n, group in _KINH_BY_LENGTH:
        if toneless[:n] in group:
            found.append(toneless[:n])
    if minority:
        for n, group in _MINORITY_BY_LENGTH:
            if toneless[:n] in group:
                found.append(toneless[:n])
    found.append("")
    return found


def _syllable(word: str, minority: bool) -> bool:
    split = _split_tone(word)
    if split is None:
        return False
    toneless, tone, where = split
    rhymes, open_after, clusters = _RHYMES, _OPEN_AFTER_CLUSTER, _CLUSTERS  # typed locals when compiled
    for initial in _initials(toneless, minority):
        rhyme = toneless[len(initial):]
        if initial == "y" and rhyme[:1] not in _AFTER_Y or initial == "c" and rhyme.startswith(_GLIDES):
            continue
        if rhyme in rhymes or rhyme in open_after and initial in clusters:
            if tone and where - len(initial) not in _PLACES[rhyme]:
                continue
            return tone in _STOP_TONES or not rhyme.endswith(_STOP_FINALS)
    return False


def _kinh_syllable(word: str) -> bool:
    """Whether a word is a syllable of the national orthography alone: a Kinh initial and a Kinh rhyme, its tone
    where Vietnamese writes it, and on a stop final (c ch p t) sắc or nặng, the only tones Vietnamese gives one (no
    cluster, no minority final or vowel, no open ă after a consonant, no toneless ``Săc``)."""
    split = _split_tone(word)
    if split is None:
        return False
    toneless, tone, where = split
    for initial in _initials(toneless, False):
        rhyme = toneless[len(initial):]
        if (initial == "c" or initial in _LABIALS) and rhyme.startswith(_GLIDES):
            continue
        if rhyme in _KINH_RHYMES and (not tone or where - len(initial) in _PLACES[rhyme]):
            return tone in _CHECKED_TONES if rhyme.endswith(_STOP_FINALS) else True
    return False


_MARKED: dict[str, tuple[int, int]] = {}  # reading → marked(reading)


def marked(text: str) -> tuple[int, int]:
    """How marked a reading is, for a tie between two readings that score the same (session 25): its non-ASCII
    words of two letters or more that are no syllable of the national orthography (a minority cluster, final or
    vowel, a compound, an open ă: what only the minority alphabets write) — none in a reading that shows a minority
    name (see :func:`_minority_cell`), where those forms are expected — and its words with a letter no Vietnamese
    alphabet has (``ñ``, ``Û``), then its tone marks. Remembered."""
    known = _MARKED.get(text)
    if known is None:
        if len(_MARKED) >= 65_536:
            _MARKED.clear()
        rare = alien = tones = 0
        for word in _foreign_words(text):  # loops, not generators: compiled
            kind = _KINH_WORDS.get(word)
            if kind is None:
                if len(_KINH_WORDS) >= 65_536:
                    _KINH_WORDS.clear()
                kind = _KINH_WORDS[word] = _word_kind(word)
            if kind == 1:
                rare += 1
            elif kind == 2:
                alien += 1
        if rare and _minority_cell(text):
            rare = 0
        for char in text:
            if char in _TONED:
                tones += 1
        known = _MARKED[text] = (rare + alien, tones)
    return known


def _word_kind(word: str) -> int:
    """0: a syllable of the national orthography (a lone letter: a Vietnamese letter); 1: a word only a minority
    alphabet writes, or foreign; 2: a word with a letter no Vietnamese alphabet has (``ñ``, ``Û``), marked even in
    a minority name."""
    for char in word:
        if char >= "\x80" and char not in _LETTERS:
            return 2
    return 0 if len(word) < 2 or _kinh_syllable(word) else 1


_KINH_WORDS: dict[str, int] = {}  # word → _word_kind(word)
_TONED = frozenset(c for c in vietnamese_letters() if _normalize("NFD", c) != c and
                   any(m in _TONE_SET for m in _normalize("NFD", c)))  # the letters that carry a tone mark


_TOKEN = re.compile(r"[^\s\d!-/:-@\[-`{-~]+")


def _foreign_words(text: str) -> list[str]:
    """Words that hold a non-ASCII character: the only ones that tell encodings apart."""
    return [w for w in _TOKEN.findall(text) if not w.isascii()]


def _plausible(text: str) -> bool:
    for word in _foreign_words(text):  # a loop: compiled
        if not is_syllable(word) and not transcription(word):
            return False
    return True


_VIQR_HINT = re.compile(r"[aeiouyAEIOUY][(^+'`?~.]|[dD][dD]")


# RFC 1456: a mark character right after a vowel that is meant as itself is escaped with a backslash (``A\.`` is the
# cell ``A.``); only VIQR writes one, so in a VIQR column a cell whose only mnemonics are such escapes is VIQR (session
# 26). Elsewhere a backslash is left as it is.
_VIQR_ESCAPE = re.compile(r"[aeiouyAEIOUY]\\[(^+'`?~.]")


@lru_cache(maxsize=262_144)
def viqr_reading(text: str, *, column: bool = False) -> str | None:
    """The Unicode text a plain-ASCII cell stands for when it is VIQR (``Vie^.t Nam`` → ``Việt Nam``), else None.

    Every word the reading changes must be a Vietnamese syllable (``www.google.com``, ``O'Brien`` stay). A cell on its
    own needs a mark plain text does not make — a shape mark or a huyền/ngã tone on a word, or two other tones inside
    words — so ``Hoa.``, ``I'm``, ``10 a.m.``, ``O+`` stay; in a column where VIQR was found (``column=True``) one
    tone inside a word or two at word ends will do, and a minority name among Vietnamese words (``R'Ti'h``) does not
    stop the reading. A declared VIQR column reads the same way: ``Done.``, ``10 a.m.``, ``O+`` stay even there.
    """
    if not text.isascii() or _VIQR_HINT.search(text) is None and not (column and _VIQR_ESCAPE.search(text)):
        return None
    decoded, evidence = viqr.parse(text)
    if decoded == text:
        return None
    if column and decoded.isascii():  # only escapes were undone (a mark or dd would give a letter outside ASCII)
        return decoded if _VIQR_ESCAPE.search(text) is not None else None
    if not evidence.strong:  # then enough of the weaker marks (the words looked at only when those are too few)
        enough = evidence.medium or evidence.weak >= 2 or _marked_family(text, decoded) or \
            _marked_common(text, decoded) or _inner_hoi(text) if column else evidence.medium >= 2
        if not enough:
            return None
    if column:
        score = quality(decoded)
        # a shape mark, huyền or ngã is VIQR for sure: then a word that is no syllable (a Chăm or Raglai name written
        # as one word, Chamale'a) beside as many syllables does not stop the reading
        return decoded if (score.good > score.bad or evidence.strong and score.good >= score.bad) \
            and not score.junk else None
    return decoded if _plausible(decoded) else None


# Session 27: RFC 1456 writes a literal question mark after a vowel escaped (``\?``), so in VIQR text ``?`` after a
# vowel is the hỏi mark; a word ending on it before another word of the cell (``Y? Lan``, ``Phu? Cam``) is a
# question only in plain text, which a VIQR column is not.
_INNER_HOI = re.compile(r"(?<![^\s(\-])([A-Za-z]*[aeiouyAEIOUY][(^+]?)\?(?= +[A-Za-z])")


def _inner_hoi(text: str) -> bool:
    """Whether a cell of a VIQR column has a word ending on the hỏi mark ``?`` before another word, and every such
    word reads as a Vietnamese syllable (``Y? Lan`` → ``Ỷ Lan``; ``Why? Lan`` gives no syllable)."""
    words = _INNER_HOI.findall(text)
    for word in words:  # a loop: compiled
        if not is_syllable(viqr.decode(word + "?")):
            return False
    return bool(words)


def _marked_family(text: str, decoded: str) -> bool:
    """A VIQR mark makes the first word a family name (``Ta. Anh Huy`` → ``Tạ Anh Huy``): in a VIQR column, the
    first word of a name cell is far more often a family name than a word ending a sentence."""
    return family_first(decoded) and not family_first(text)


def _marked_common(text: str, decoded: str) -> bool:
    """A VIQR mark makes a word one of the everyday words that count everywhere (``Thi.`` → ``Thị``, ``Va(n``): in a
    VIQR column a name's middle name is far more often marked than a word ending a sentence."""
    return _common_words(decoded) > _common_words(text)


def _common_words(text: str) -> int:
    words = 0
    for word in _TOKEN.findall(text):
        if word.lower() in _ALWAYS:
            words += 1
    return words


_C0_CAPITALS = {"viscii": re.compile("[\x02\x05\x06\x14\x19\x1e]"),
                 "tcvn3": re.compile("[\x01\x02\x04\x05\x06\x11-\x17]")}


def _plain(value: str | bytes, name: str) -> bool:
    """ASCII that no reading in ``name`` changes (VISCII keeps six capitals on C0 controls, TCVN3's VN1 level
    twelve, VIQR is ASCII)."""
    if not value.isascii() or name == "viqr":
        return False
    capitals = _C0_CAPITALS.get(name)
    if capitals is not None:
        text = value if isinstance(value, str) else value.decode("ascii")
        return capitals.search(text) is None
    return True


# --------------------------------------------------------------------------------------------- per-value views

def _is_ascii(value: str | bytes) -> bool:
    return value.isascii()


def _text_view(value: str | bytes) -> str | None:
    if isinstance(value, str):
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _legacy_bytes(value: str | bytes) -> bytes | None:
    """The legacy bytes behind a value: raw non-UTF-8 bytes, or text that is a Latin-1/Windows-1252 reading."""
    text = _text_view(value)
    if text is None:
        return value if isinstance(value, bytes) else None
    return _sloppy_encode(text)


# A UTF-8 lead byte of Vietnamese letters (Ã Ä Æ á …) read as Windows-1252, then a continuation byte so read.
_MOJIBAKE = re.compile("[\u00c2-\u00c6\u00e1][" + re.escape("".join(_SLOPPY_DECODE[0x80:0xC0])) + "]")


def _candidate(value: str | bytes, encoding: str) -> str:
    """Decode one value as if its column were in ``encoding`` (raises LegacyEncodingError)."""
    if encoding in ("utf-8", "mojibake"):
        text = _text_view(value)
        if text is None:
            raise _fail(value, encoding, tr("không phải UTF-8", "not UTF-8"))
        if encoding == "utf-8":
            return unicodedata.normalize("NFC", text)
        if _MOJIBAKE.search(text) is None:
            raise _fail(value, encoding, tr("không có dấu hiệu mojibake", "no mojibake to undo"))
        repaired = _unmojibake(text)
        if repaired == unicodedata.normalize("NFC", text):
            raise _fail(value, encoding, tr("không có dấu hiệu mojibake", "no mojibake to undo"))
        return repaired
    raw = _legacy_bytes(value)
    if raw is None:
        raise _fail(value, encoding, tr("đã là Unicode", "already Unicode"))
    return decode(raw, encoding)


# --------------------------------------------------------------------------------------------- detection

_CANDIDATES = ("utf-8", "cp1258", "mojibake", "tcvn3", "vni", "viscii")  # order = preference when scores tie
_MARGIN = 0.05  # a less preferred encoding must beat a preferred one by this share of words
_MIN_SCORE = 0.5  # below this no reading looks Vietnamese: keep the text as it is
_SAMPLE = 2000
_MEMO_LIMIT = 200_000  # values whose readings and tallies are remembered (then forgotten all at once)


@dataclass(frozen=True)
class Detection:
    """A column's encoding with its confidence (0–1) and the evidence it rests on."""

    encoding: str
    confidence: float
    values: int = 0
    non_ascii: int = 0
    words: int = 0
    scores: dict[str, float] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)

    @property
    def valid_share(self) -> float:
        """Share of non-ASCII words that are valid Vietnamese syllables once decoded with the chosen encoding."""
        return self.scores.get(_family(self.encoding), 1.0)

    def evidence(self) -> str:
        """One line a user can read: how many values and words, and how each reading scored."""
        scores = ", ".join(f"{k}={v:.2f}" for k, v in sorted(self.scores.items(), key=lambda kv: -kv[1]))
        return tr(
            f"{self.non_ascii}/{self.values} giá trị có ký tự ngoài ASCII, {self.words} từ; tỷ lệ âm tiết hợp lệ: "
            f"{scores or '-'}",
            f"{self.non_ascii}/{self.values} values with non-ASCII text, {self.words} words; valid syllable share: "
            f"{scores or '-'}",
        )


def _family(encoding: str) -> str:
    return "cp1258" if encoding == "cp1258-decomposed" else encoding


class _Tally:
    """Valid words, words and failed readings of a column's sample in one encoding (a plain class: a dataclass costs
    a fraction of a millisecond of every start-up to make)."""

    __slots__ = ("valid", "total", "failed")

    def __init__(self, valid: int = 0, total: int = 0, failed: int = 0) -> None:
        self.valid, self.total, self.failed = valid, total, failed

    @property
    def score(self) -> float:
        return self.valid / self.total if self.total else 0.0


def _quiet_candidate(value: str | bytes, encoding: str) -> str | None:
    """:func:`_candidate` for a detected encoding, None where it raises (the detector tries every encoding)."""
    if encoding in ("utf-8", "mojibake"):
        text = _text_view(value)
        if text is None or encoding == "utf-8":
            return None if text is None else unicodedata.normalize("NFC", text)
        if _MOJIBAKE.search(text) is None:
            return None
        repaired = _unmojibake(text)
        return None if repaired == unicodedata.normalize("NFC", text) else repaired
    raw = _legacy_bytes(value)
    return None if raw is None else _quiet_decode(raw, encoding)


def _detected_reading(value: str | bytes, encoding: str) -> str | None:
    """:func:`_quiet_candidate`, taken from the engine's remembered readings of a text cell where they are the same
    text: every encoding but TCVN3 (whose reading restores .VnTimeH capitals) when the cell has Windows-1252 bytes
    (a cell that has none reads as legacy bytes only by chance, which the detector does not count)."""
    if isinstance(value, str) and encoding != "tcvn3":
        if encoding not in ("utf-8", "mojibake") and _source(value)[1]:
            return None
        return reading(value, encoding)
    return _quiet_candidate(value, encoding)


def _tally_one(value: str | bytes, encoding: str) -> tuple[int, int, int]:
    """(valid words, words, failed) of one value read in ``encoding``."""
    text = _detected_reading(value, encoding)
    if text is None:
        return 0, _failed_words(value), 1
    stats = _stats(text)
    return stats[4], stats[5], 0


_TALLIES: dict[str, dict[str | bytes, tuple[int, int, int]]] = {}  # encoding → value → tally, for all columns
_FAILED: dict[str | bytes, int] = {}  # value → the words a reading that fails counts (the same in every encoding)


def _failed_words(value: str | bytes) -> int:
    known = _FAILED.get(value)
    if known is None:
        if len(_FAILED) >= _MEMO_LIMIT:
            _FAILED.clear()
        known = _FAILED[value] = max(1, _foreign_count(_sloppy_view(value)))  # len(_foreign_words(...))
    return known


def _tally(values: Sequence[str | bytes], encoding: str) -> _Tally:
    valid = total = failed = 0
    memo = _TALLIES.get(encoding)
    if memo is None:
        memo = _TALLIES[encoding] = {}
    for value in values:
        one = memo.get(value)
        if one is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            one = memo[value] = _tally_one(value, encoding)
        valid += one[0]
        total += one[1]
        failed += one[2]
    return _Tally(valid, total, failed)


def _sloppy_view(value: str | bytes) -> str:
    return value if isinstance(value, str) else _sloppy_decode(value)


def _choose(tallies: dict[str, _Tally]) -> str:
    best = _CANDIDATES[0]
    for name in _CANDIDATES[1:]:
        if tallies[name].score > tallies[best].score + _MARGIN:
            best = name
    return best


def _identity(values: Sequence[str | bytes]) -> str:
    return "utf-8" if all(_text_view(v) is not None for v in values) else "cp1258"


def _confidence(chosen: _Tally, tallies: dict[str, _Tally], name: str) -> float:
    rivals = [t.score for k, t in tallies.items() if k != name]
    margin = chosen.score - max(rivals, default=0.0)
    size = chosen.total / (chosen.total + 2)
    return round(max(0.0, chosen.score * size * min(1.0, 0.5 + margin)), 3)


def _name_cp1258(values: Sequence[str | bytes]) -> str:
    """``cp1258-decomposed`` when some tone mark is written apart although the code page has the letter whole."""
    for value in values:
        raw = _legacy_bytes(value) or b""
        try:
            if raw != encode(decode(raw, "cp1258"), "cp1258"):
                return "cp1258-decomposed"
        except LegacyEncodingError:
            continue
    return "cp1258"


_VIQR_SHARE = 0.1  # of the cells with letters: a VIQR column has its marks in most names, plain text in almost none


def _detect_ascii(present: Sequence[str | bytes]) -> Detection:
    """``viqr`` when enough cells read as VIQR on their own (at least two), else ``ascii``."""
    texts = [v if isinstance(v, str) else v.decode("ascii") for v in present[:_SAMPLE]]
    worded = [t for t in texts if _has_letter(t)]
    readings = sum(viqr_reading(t) is not None for t in worded)
    if readings >= 2 and readings >= _VIQR_SHARE * len(worded):
        share = round(readings / len(worded), 3)
        return Detection("viqr", round(min(1.0, 0.5 + share), 3), values=len(present), words=readings,
                         scores={"viqr": share})
    return Detection("ascii", 1.0, values=len(present))


def detect(values: Sequence[bytes] | Sequence[str]) -> Detection:
    """Detect the encoding of one column from its raw values (bytes, or str read as Latin-1/Windows-1252)."""
    present = [v for v in values if v]
    legacy = [v for v in present if not _is_ascii(v)][:_SAMPLE]
    if not legacy:
        return _detect_ascii(present)
    tallies = {name: _tally(legacy, name) for name in _CANDIDATES}
    name = _choose(tallies)
    if tallies[name].score < _MIN_SCORE:
        name = _identity(legacy)
    confidence = _confidence(tallies[name], tallies, name)
    encoding = _name_cp1258(legacy) if name == "cp1258" else name
    return Detection(
        encoding, confidence, values=len(present), non_ascii=len(legacy), words=tallies[name].total,
        scores={k: round(t.score, 3) for k, t in tallies.items()},
        failures={k: t.failed for k, t in tallies.items() if t.failed},
    )


# --------------------------------------------------------------------------------------------- repair

_CAPS_WORD = re.compile(r"\S+")


def _has_lower(text: str) -> bool:
    """Whether a text has a lowercase letter (``str.islower`` of one character; compiled, a loop in C)."""
    for char in text:
        if char.islower():
            return True
    return False


def _has_letter(text: str) -> bool:
    for char in text:
        if char.isalpha():
            return True
    return False


def _has_ascii_lower(text: str) -> bool:
    for char in text:
        if "a" <= char <= "z":
            return True
    return False


def _restore_caps(text: str) -> str:
    """ABC 'H' fonts (.VnTimeH) show lowercase TCVN3 codes as capitals: ``THừA`` was typed as ``THỪA``. Only in a
    cell with no lowercase ASCII letter (one typed in such a font): ``Xã Ia RVê`` keeps its minority name."""
    if _has_ascii_lower(text):
        return text

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        ascii_letters = [c for c in word if c.isascii() and c.isalpha()]
        if sum(c.isupper() for c in ascii_letters) >= 2 and not any(c.islower() for c in ascii_letters):
            return word.upper()
        return word

    return _CAPS_WORD.sub(fix, text)


def repair_value(value: str | bytes, encoding: str) -> str:
    """Repair one cell given its column's detected encoding; returns NFC text, raises LegacyEncodingError.

    A value that is already plausible Vietnamese Unicode while its legacy reading is not is kept (NFC): columns
    that were partly converted before are common.
    """
    name = "ascii" if encoding == "ascii" else _canonical(encoding)
    if name == "ascii" or _plain(value, name):
        return value if isinstance(value, str) else value.decode("ascii")
    if name == "viqr":
        text = _text_view(value)
        if text is None or not text.isascii():
            return _candidate(value, "utf-8")  # real Unicode (or broken bytes) in a VIQR column
        return viqr_reading(text, column=True) or text
    text = _text_view(value)
    if name == "mojibake":
        return _unmojibake(_candidate(value, "utf-8"))
    if name == "utf-8":
        return _candidate(value, name)
    if text is not None and _legacy_bytes(value) is None:
        return unicodedata.normalize("NFC", text)  # real Unicode in a legacy column
    repaired = _candidate(value, name)
    if text is not None and _plausible(text) and not _plausible(repaired):
        return unicodedata.normalize("NFC", text)
    return _restore_caps(repaired) if name == "tcvn3" else repaired


# --------------------------------------------------------------------------------------------- per-cell readings

_LETTERS = frozenset(vietnamese_letters())


def _junk(char: str) -> bool:
    """A character no Vietnamese text has but misread legacy bytes produce: Latin-1 signs (``§ ¶ ª ¢``), C0/C1
    controls, combining marks left over, letters of other alphabets below U+2000 (NKo ``߶`` from VISCII bytes read
    as UTF-8). Latin-1 letters (``ü é ñ``) are not junk: foreign names have them."""
    code = ord(char)
    if code < 0x80:
        return code < 0x20 and char not in "\t\n\r"
    if char in _LETTERS or char == "\u00a0":
        return False
    if code < 0xC0:
        return True
    if code < 0x100:
        return char in "×÷"
    if code < 0x2000:
        return True
    return unicodedata.category(char) in ("Cc", "Co", "Cn")


# Syllables that fill Vietnamese names, addresses and civil-status records (written for this list, not counted
# from any corpus): between two readings equally well formed, the one made of these is the text (:data:`COMMON`).
_EVERYDAY = frozenset("""
xã phường thị trấn huyện tỉnh thành phố quận thôn ấp bản xóm làng tổ khu khối đội số đường ngõ hẻm
nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý trương đinh lâm mai cao hà
văn thị hữu đức minh thanh ngọc quốc xuân thu hồng hương lan anh tuấn dũng hùng hải hoa hoà hòa bình an
sơn nam bắc đông tây trung tân phú mỹ long thạnh thịnh phước lộc lợi hiệp hưng hưởng vĩnh quang trường
giang thủy thuỷ hồ cầu chợ đình kim ninh yên gia hiếu nghĩa tiến thắng lập định điện quảng đà nẵng
ủy uỷ ban nhân dân giấy khai sinh tử kết hôn đăng ký trích lục bản sao con cha mẹ vợ chồng nữ
ông bà việt người nơi dân tộc kinh tôn giáo phật công không nghề nghiệp nông quan hệ chủ hộ
""".split())


# Family names, and the name syllables that fill registers, break ties the same way. Written for these lists from
# public knowledge, not counted from any corpus; only words with a non-ASCII letter are listed (an ASCII word reads
# the same in every table, so it cannot tell readings apart).
# Kinh family names beyond the commonest (the lists of Vietnamese family names in encyclopaedias and name guides).
FAMILY_NAMES = frozenset("""
đào đoàn vương trịnh lưu lương tạ tô tôn tăng thái thân triệu từ viên ông quách quản khúc khổng khương kiều lã lại
lục lữ mạc mạch mẫn nghiêm nhâm phùng phó phí thạch đàm đồng đới doãn giáp hầu hứa lò lạc mã ôn âu ứng úc cù cấn
chử chúc diệp đậu đường giả hàn hạ lăng lỗ mạnh phương sầm tiêu trình tống bạch bế cung đổng lê võ
""".split())
# Middle and given names most often written (the same sources), and words of civil-status phrases.
GIVEN_NAMES = frozenset("""
trọng thế đình bá quý tiên tâm yến phúc khánh huệ thuý thúy thùy thuỳ hạnh hằng trâm phượng hiền hiển kiên quân
quế thảo vân nguyệt diễm đạt toàn tú tùng thư sương ánh châu chí cường điệp hậu hoài huyền kỳ lệ liên lực ngân
nhật phát phụng quyên sĩ sỹ thiện thơ thuận tín trí tuyết tường uyên vĩ vượng duyên hảo khải luân nhàn quyền tài
trúc vỹ nguyên thứ lần
""".split())
# Central Highlands clan (family) names and name words as Vietnamese official documents spell them, from public
# descriptions of these peoples' naming: Jrai (Rơ Mah, Rơ Lan, Rơ Châm, Kpă, Ksor), Ê Đê (Niê, Niê Kdăm, Êban, Mlô,
# Byă, Adrơng, Hđơk, Ênuôl, Buôn Yă, Ksơr), Mnông (Điểu), and the peoples' names themselves (Hmông, Mnông).
# Adrơng, Êban and Yă are not single Kinh-shaped syllables: a word of this list counts as well formed.
MINORITY_NAMES = frozenset("""
rơ châm kpă niê kdăm êban mlô byă adrơng hđơk ênuôl buôn yă ksơr điểu hmông mnông
""".split())
COMMON = _EVERYDAY | FAMILY_NAMES | GIVEN_NAMES | MINORITY_NAMES
# Where a word of these lists breaks a tie (session 24): the lists are of names and of phrases, and a word counts
# only where it is one. A name word (the family, given and clan names above that are not everyday words) counts when
# it is written as a name, with a capital: lower-case ``bá`` in a phrase is no middle name (VISCII ``trẻ bị bỏ rơi``
# read as TCVN3 ``trở bá bử rẵi``). A word only phrases and addresses have (below) counts in lower case, in an
# upper-case word, or as a cell's first word (``Xã Tân Phú``), not as a capitalised word inside a cell, where names
# are (VNI ``Nay Hơn`` is Windows-1252 ``Nay Hôn``: no ``kết hôn`` there). The everyday words that are names or
# places as well (``Thị``, ``Hoà``, ``Bình``) count everywhere, as before.
_PHRASE_WORDS = frozenset("""
xã phường trấn huyện tỉnh phố quận thôn ấp bản xóm làng tổ khu khối đội số ngõ hẻm ủy uỷ ban giấy khai tử kết hôn
ký trích sao con cha mẹ vợ chồng nữ bà người nơi tộc giáo phật không nghề nghiệp hệ chủ hộ thứ lần
""".split())
_NAME_WORDS = (FAMILY_NAMES | GIVEN_NAMES | MINORITY_NAMES) - _EVERYDAY - _PHRASE_WORDS
_ALWAYS = COMMON - _NAME_WORDS - _PHRASE_WORDS
# Every Kinh family name of these lists and of :data:`_EVERYDAY`, ASCII ones too: what the first word of a name is.
FAMILY_FIRST = FAMILY_NAMES | frozenset("""
nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý trương đinh lâm mai cao hà
kim ninh giang chu la kha vi
""".split())


def family_first(text: str) -> bool:
    """Whether a text's first word is a Kinh family name (``Hồ Văn An``; ``Hoà Bình`` is not)."""
    words = text.split(None, 1)
    return bool(words) and words[0].lower() in FAMILY_FIRST


class Quality(NamedTuple):
    """How Vietnamese a reading looks: ``bad`` = foreign or mis-cased words + junk characters (``junk`` of them),
    ``good`` = syllables, ``common`` = syllables of :data:`COMMON`. A named tuple: one is made for every distinct
    reading the engine scores, and a frozen dataclass costs several times as much to make."""

    bad: int
    good: int
    junk: int = 0
    common: int = 0

    @property
    def clean(self) -> bool:
        return self.bad == 0

    @property
    def rank(self) -> tuple[int, int, int]:
        """Sort key: best reading first."""
        return self.bad, -self.good, -self.common


def _junk_ranges() -> list[tuple[int, int]]:
    """:func:`_junk` below U+2000 as ranges of consecutive code points (first, last)."""
    ranges: list[list[int]] = []
    for code in range(0x2000):
        if _junk(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return [(a, b) for a, b in ranges]


# :func:`_junk_ranges`, written out (tests/text checks that it is): the class is compiled from these at import
# instead of from 8,192 calls of _junk (a twentieth of a small file's start-up)
_JUNK_RANGES = ((0x0000, 0x0008), (0x000B, 0x000C), (0x000E, 0x001F), (0x0080, 0x009F), (0x00A1, 0x00BF),
                (0x00D7, 0x00D7), (0x00F7, 0x00F7), (0x0100, 0x0101), (0x0104, 0x010F), (0x0112, 0x0127),
                (0x012A, 0x0167), (0x016A, 0x019F), (0x01A2, 0x01AE), (0x01B1, 0x1E9F), (0x1EFA, 0x1FFF))


def _junk_class(ranges: Sequence[tuple[int, int]] = _JUNK_RANGES) -> re.Pattern[str]:
    """:func:`_junk` below U+2000 as one character class (the text is scanned in C), plus private use; written as
    ranges of consecutive characters (a short pattern compiles in a fraction of the time)."""
    parts = [re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges]
    return re.compile("[" + "".join(parts) + "\ue000-\uf8ff]")



def _junk_table(ranges: Sequence[tuple[int, int]] = _JUNK_RANGES) -> bytes:
    """:data:`_JUNK_RANGES` as one byte per code point below U+2000 (1: junk), for the loop of :func:`_stats`."""
    table = bytearray(0x2000)
    for first, last in ranges:
        table[first : last + 1] = b"\x01" * (last - first + 1)
    return bytes(table)


_JUNK_TABLE = _junk_table()


@lru_cache(maxsize=262_144)
def quality(text: str) -> Quality:
    """Count the non-ASCII words that are (not) Vietnamese syllables and the junk characters of one reading."""
    bad, good, junk, common, _, _ = _stats(text)
    return _new_tuple(Quality, (bad, good, junk, common))  # Quality(...), made in C


_new_tuple = tuple.__new__  # a named tuple made without its Python-level __new__ (one per distinct reading)
_STATS: dict[str, tuple[int, int, int, int, int, int]] = {}  # text → see _stats
_WORDS: dict[str, tuple[bool, bool, int, bool, bool]] = {}  # word → (well-cased syllable or compound, upper,
# everyday (see _usual), syllable, open ă after one consonant (see _open_a))


def _junk_count(text: str) -> int:
    """How many characters of a text :func:`_junk_class` matches (a loop over code points: compiled, in C)."""
    junk = 0
    table = _JUNK_TABLE
    for char in text:
        code = ord(char)
        if code < 0x2000:
            junk += table[code]
        elif 0xE000 <= code <= 0xF8FF:
            junk += 1
    return junk


def _token_char(char: str) -> bool:
    """A character of a :data:`_TOKEN` word: not white space, a decimal digit or ASCII punctuation (what the
    regular expression's ``\\s`` and ``\\d`` are: ``str.isspace`` and ``str.isdecimal``)."""
    code = ord(char)
    if code < 0x80:  # ASCII letters, and the control characters that are not white space
        return 0x41 <= code <= 0x5A or 0x61 <= code <= 0x7A or code <= 0x08 or 0x0E <= code <= 0x1B or code == 0x7F
    return not (char.isspace() or char.isdecimal())


def _foreign_count(text: str) -> int:
    """``len(_foreign_words(text))``: the words of :data:`_TOKEN` with a non-ASCII character, counted by a loop over
    code points (compiled, in C)."""
    words = 0
    i, n = 0, len(text)
    while i < n:
        if not _token_char(text[i]):
            i += 1
            continue
        wide = False
        while i < n and _token_char(text[i]):
            wide = wide or ord(text[i]) >= 0x80
            i += 1
        words += wide
    return words


def _stats(text: str) -> tuple[int, int, int, int, int, int]:
    """What :func:`quality` counts (bad, good, junk, common) and what the detector counts (syllables among the
    non-ASCII words, those words): one pass over the words of a text for both (remembered). The words are
    :data:`_TOKEN`'s, found by a loop over code points (compiled, in C): only those with a non-ASCII letter are
    made strings and looked up."""
    known = _STATS.get(text)
    if known is not None:
        return known
    if len(_STATS) >= _MEMO_LIMIT:
        _STATS.clear()
    junk = _junk_count(text)
    if text.isascii():  # no word that tells encodings apart
        known = _STATS[text] = (junk, 0, junk, 0, 0, 0)
        return known
    shouting = _has_lower(text)  # a capitalised word among lower-case ones: TỰ Anh Huy is a misreading
    good = bad = common = syllables = words = pending = 0
    first = True  # the cell's first word (see _usual)
    i, n = 0, len(text)
    while i < n:
        if not _token_char(text[i]):
            i += 1
            continue
        start, wide = i, False
        while i < n and _token_char(text[i]):
            wide = wide or ord(text[i]) >= 0x80
            i += 1
        if not wide:
            first = False
            continue
        word = text[start:i]
        ok, upper, usual, syllable, open_a = _WORDS.get(word) or _word_info(word)
        words += 1
        syllables += syllable
        if i - start > 1:  # a lone letter is an initial (Nguyễn Văn Đ): neutral for the quality
            if ok and not (shouting and upper):
                good += 1
                common += usual == 1 or usual == 2 and first
            elif open_a and not (shouting and upper):
                pending += 1
            else:
                bad += 1
        elif syllable:  # session 26: a lone vowel letter that is a syllable (the given name Ỷ, Pa Ủ) is a word
            good += 1
        first = False
    if pending:  # open ă after one consonant: a syllable in a minority name only (see _open_a)
        if _minority_cell(text):
            good += pending
        else:
            bad += pending
    known = _STATS[text] = (bad + junk, good, junk, common, syllables, words)
    return known


def common_apart(text: str, other: str) -> int:
    """The everyday words of a reading (as :func:`quality` counts them) where another reading of the same cell has
    another word (session 25): a word both readings share (``Lý`` in TCVN3 ``Lý Mí Chớ`` and its Windows-1252 view
    ``Lý MÝ Chí``) says nothing about which of them is right. With another number of words, all of them count."""
    mine, theirs = _TOKEN.findall(text), _TOKEN.findall(other)
    if len(mine) != len(theirs):
        return quality(text).common
    shouting = _has_lower(text)
    count = 0
    for i, word in enumerate(mine):
        if word == theirs[i] or word.isascii() or len(word) < 2:
            continue
        ok, upper, usual, _, _ = _WORDS.get(word) or _word_info(word)
        if ok and not (shouting and upper) and (usual == 1 or usual == 2 and i == 0):
            count += 1
    return count


def _word_info(word: str) -> tuple[bool, bool, int, bool, bool]:
    if len(_WORDS) >= 262_144:
        _WORDS.clear()
    lower = word.lower()
    ok = _word_ok(word) or lower in MINORITY_NAMES and _cased(word)
    known = _WORDS[word] = (ok, word.isupper(), _usual(word, lower), _known_syllable(word, True),
                            not ok and lower[-1:] in "ăắằẳẵặ" and _open_a(word))
    return known


# Session 24: an open ă after one consonant (Jrai and Bahnar Să, Mă, Yă; Kơ Ho and Mnông K'Să) is no Kinh syllable,
# and the bytes of other words seldom read as one, but it may be what a legacy table's bytes of one say. It counts as
# a syllable only in a cell that shows it holds such a name (see _minority_cell); elsewhere it is foreign.
_OPEN_A_ONSETS = frozenset("b c d đ g h k l m n p r s t v x j z f w y ch nh ng kh ph th tr".split())


def _open_a(word: str) -> bool:
    """Whether a word is an open ă after one consonant (``Să``, ``SĂ``, ``Mắ``), written with a name's case."""
    split = _split_tone(word)
    if split is None or not _cased(word):
        return False
    toneless, tone, where = split
    initial = toneless[:-1]
    return toneless[-1:] == "ă" and initial in _OPEN_A_ONSETS and (not tone or where == len(initial))


# what marks a cell as a minority name: a one-letter prefix with an apostrophe (Kơ Ho, Mnông and Ê Đê K'Bron,
# H'Hen, M'Đrắk), a word that begins with a minority cluster before a vowel (Ksor, Hlim, Mlô), the Ê Đê man's Y first
# st before a vowel begins too many English words of a register (Studio, Store, Street) to show a minority name
_NAME_CLUSTERS = _CLUSTERS - {"st"}
_PREFIXED = re.compile(r"(?:^|[\s,;(\-])[^\W\d_]'[^\W\d_]")


def _minority_cell(text: str) -> bool:
    """Whether a reading shows it is a minority name (see :data:`_PREFIXED`): a word of :data:`MINORITY_NAMES`, an
    apostrophe prefix, a word beginning with a minority cluster before a vowel, or ``Y`` as its first word."""
    if _PREFIXED.search(text) is not None:
        return True
    words = _TOKEN.findall(text)
    if words and words[0] == "Y":
        return True
    for word in words:
        lower = word.lower()
        if lower in MINORITY_NAMES or len(lower) > 2 and lower[:2] in _NAME_CLUSTERS and lower[2] not in _CONSONANTS:
            return True
    return False


def _usual(word: str, lower: str) -> int:
    """Whether a word breaks ties as a word of :data:`COMMON`: 1 yes, 0 no, 2 only as the cell's first word (a
    phrase word written with a capital)."""
    if lower in _ALWAYS:
        return 1
    if lower in _NAME_WORDS:
        return 1 if word[:1].isupper() else 0
    if lower in _PHRASE_WORDS:
        return 1 if word.islower() or word.isupper() else 2
    return 0


_CONSONANTS = frozenset("bcdđghklmnpqrstvx")
# Every character whose lower case is one of them (the Kelvin sign K too; tests/text checks every code point), so
# that a character is looked up as a code point in C instead of lower-cased first.
_CONSONANT_CHARS = "BCDGHKLMNPQRSTVXbcdghklmnpqrstvxĐđ\u212a"
_FOREIGN_LETTERS = frozenset("fjwz")


def _word_ok(word: str) -> bool:
    return _cased(word) and (_known_syllable(word, True) or _compound(word) or transcription(word))  # case first


def _compound(word: str) -> bool:
    """Two syllables written as one word: minority names (``Ênuôl``, ``Pơnan``, ``Krôngpa``). The first toneless,
    the second starting with a Vietnamese initial, no f/j/w/z — so foreign words do not pass (``José``, ``Martí``) —
    but as the first letter of a presyllable on ơ (``Zơrâm``)."""
    if len(word) < 3:
        return False
    if _FOREIGN_LETTERS.intersection(word.lower()):
        # a j, w or z begins the presyllable of a Cơ Tu, Ta Oi or Jrai name (Zơrâm, Jơnưm): one letter before ơ,
        # which no foreign word writes; anywhere else the word is foreign
        if word[1:2] not in ("ơ", "Ơ") or word[:1] not in "jwzJWZ" or _FOREIGN_LETTERS.intersection(word[2:].lower()):
            return False
    consonants = _CONSONANT_CHARS  # a typed local when compiled
    for k in range(1, len(word) - 1):  # a loop, not any() over a generator: compiled, no generator object
        if word[k] in consonants and _known_syllable(word[:k], True) and _known_syllable(word[k:], False) \
                and not _TONE_SET.intersection(_normalize("NFD", word[:k])):
            return True
    return False


# Session 27: the official Vietnamese transcription of foreign names writes each syllable of the name in Vietnamese
# letters and joins them into one word (Têrêsa, Matthêô, Phanxicô, Micae, Gioakim, Mátthêu, Máccô). Each syllable is
# one of the national orthography or a closed one on a toneless stop final (Mat, Mac: Vietnamese gives a stop final
# sắc or nặng only); a vowel alone may follow an open syllable (Mi-ca-e, Thê-ô, Gio-a-kim); the word keeps one tone
# mark at most, on a stop final where Vietnamese needs one (Mát-thêu, Mác-cô), while a misreading changes vowels all
# over a word (TCVN3 Tếrếsa of VNI Têrêsa, Windows-1252 Põloong of Windows-1258 Pơloong). Accepted as well formed,
# marked in a tie (a word that is not one syllable of the national orthography): a cell is read as such a word only
# when no reading is better. A cluster split across syllables (Mát-xcơ-va) is not accepted.
_TRANSCRIPTIONS: dict[str, bool] = {}  # word → transcription(word)
# The vowels a transcription writes alone after an open syllable (Ma-ri-a, Mi-ca-e, Xa-vi-ê, Thê-ô), never in a word
# with a tone mark: not â or ă (VNI writes ê as e + â, ``TEÂREÂSA``), nor o or u, the glides of Vietnamese rhymes
# (TCVN3 ``giỏo`` of the Windows-1252 ``giáo``, VISCII ``Chẹu`` of TCVN3 ``Châu``).
_ALONE = frozenset("aeêiô")


def transcription(word: str) -> bool:
    """Whether a word is a foreign name in official Vietnamese transcription: two syllables or more (see above),
    written with a name's case, no f, j, w or z. Remembered."""
    known = _TRANSCRIPTIONS.get(word)
    if known is None:
        if len(_TRANSCRIPTIONS) >= 65_536:
            _TRANSCRIPTIONS.clear()
        known = _TRANSCRIPTIONS[word] = _transcribed(word)
    return known


def _transcribed(word: str) -> bool:
    for char in word:  # a letter no Vietnamese alphabet has (most misreadings): no split is tried
        if char >= "\x80" and char not in _LETTERS:
            return False
    split = _split_tone(word)
    if split is None or len(word) < 4 or not _cased(word) or _FOREIGN_LETTERS.intersection(split[0]):
        return False
    return _pieces(_normalize("NFC", word.lower()), split[0], 0) >= 2


def _piece_ok(word: str, piece: str, bare: str, first: bool, after_open: bool) -> bool:
    """One syllable of a transcription (``bare``: without its tone): a Kinh syllable — with a tone mark only on a
    stop final — or one on a toneless stop final; after the first, one on a consonant, or after an open syllable a
    vowel letter alone in a word without a tone mark (see :data:`_ALONE`)."""
    if not first and bare[0] in _VOWELS:
        return after_open and len(piece) == 1 and piece in _ALONE and not _TONE_SET.intersection(
            _normalize("NFD", word))
    if piece != bare:  # a tone only where Vietnamese needs one, on a stop final (Mát-thêu; not Põ-loong)
        return bare.endswith(_STOP_FINALS) and _kinh_syllable(piece)
    return _kinh_syllable(piece) or bare.endswith(("c", "p", "t")) and _known_syllable(piece, False)


def _pieces(word: str, bare: str, start: int) -> int:
    """How many syllables ``word`` (lower case; ``bare`` the same letters without the tone) splits into from
    ``start``, trying the longest piece first; 0 when it does not split."""
    after_open = start > 0 and bare[start - 1] in _VOWELS
    for end in range(min(len(word), start + 7), start, -1):  # a syllable has 7 letters at most (nghiêng)
        if not _piece_ok(word, word[start:end], bare[start:end], start == 0, after_open):
            continue
        if end == len(word):
            return 1
        rest = _pieces(word, bare, end)
        if rest:
            return rest + 1
    return 0


def _cased(word: str) -> bool:
    """lower, UPPER, Title, or capital ASCII consonants before lower case (minority names: ``RVê``, ``HBông``);
    a capital inside a lowercase word (``LỰc``, ``CƯm``) is a misreading."""
    rest = word.lstrip("BCDFGHJKLMNPQRSTVWXZĐ")
    return word.islower() or word.isupper() or rest.islower() or (word[:1].isupper() and word[1:].islower())


def legacy_looking(value: str) -> bool:
    """Whether a text cell could be legacy bytes shown as Windows-1252/Latin-1 (every character has a byte)."""
    return not _source(value)[1]


READINGS = ("utf-8", "mojibake", "tcvn3", "vni", "cp1258", "viscii")


_VISCII_TABLE = "".join(viscii.DECODE)  # what viscii.decode reads, as one character per byte (decoded in C)
_CP1258_TABLE = cp1258_codec.decoding_table  # what bytes.decode("cp1258") decodes with, without the codec lookup


def _quiet_decode(raw: bytes, name: str) -> str | None:
    """:func:`decode` for the byte tables, None instead of an error (the engine tries every table on every cell):
    each table read by the codec machinery (C) from its 256-character decoding table, as ``_tcvn3_decode``,
    ``viscii.decode``, ``_sloppy_decode`` and ``bytes.decode("cp1258")`` read it (tests/text checks they agree)."""
    if name == "tcvn3":
        return _normalize("NFC", _charmap_decode(raw, "strict", _TCVN3_TABLE)[0])
    if name == "viscii":
        return _normalize("NFC", _charmap_decode(raw, "strict", _VISCII_TABLE)[0])
    if name == "vni":
        text = _vni_quiet(_charmap_decode(raw, "strict", _SLOPPY_TABLE)[0])
        return text if isinstance(text, str) else None
    try:
        return _normalize("NFC", _charmap_decode(raw, "strict", _CP1258_TABLE)[0])
    except UnicodeDecodeError:
        return None


_MEMO: dict[str, dict[str, str | None]] = {}  # value → encoding → its reading (None: none), for all columns


def _one_reading(value: str, name: str) -> str | None:
    """One reading of a text cell (see :func:`readings`), None when the encoding gives none."""
    if name == "utf-8":
        return unicodedata.normalize("NFC", value)
    if name == "mojibake":
        if _MOJIBAKE.search(value) is None:
            return None
        try:
            return _candidate(value, "mojibake")
        except LegacyEncodingError:
            return None
    raw, by_chance = _source(value)
    if raw is None:
        return None
    text = _quiet_decode(raw, name)
    if text is None:
        return None
    if name == "tcvn3" and not _has_ascii_lower(text):  # (what _restore_caps looks at first, in C)
        text = _restore_caps(text)
    return text if not by_chance or _stats(text)[0] == 0 else None  # quality(text).clean


_SOURCES: dict[str, tuple[bytes | None, bool]] = {}  # value → _source(value), for all columns


def _source(value: str) -> tuple[bytes | None, bool]:
    """The legacy bytes a text cell may stand for and whether they are its UTF-8 bytes: its Windows-1252/Latin-1
    reading undone, or — for text that read as UTF-8 only by chance (VISCII/TCVN3 byte pairs that form valid UTF-8:
    ``Ph߶ng``: a reading of them must be flawless) — its UTF-8 bytes; None for real Unicode text. Remembered in a
    plain dictionary (compiled: looked up in C; it was an lru_cache, a Python-level call each time)."""
    known = _SOURCES.get(value)
    if known is None:
        if len(_SOURCES) >= _MEMO_LIMIT:
            _SOURCES.clear()
        known = _SOURCES[value] = _find_source(value)
    return known


def _find_source(value: str) -> tuple[bytes | None, bool]:
    sloppy = _sloppy_encode(value)  # once: for real Unicode text it fails, and a failure raises
    if sloppy is not None:
        return sloppy, False
    return (value.encode("utf-8", "surrogatepass") if any(_junk(c) for c in value) else None), True


def _memo(value: str) -> dict[str, str | None]:
    known = _MEMO.get(value)
    if known is None:
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        known = _MEMO[value] = {}
    return known


def readings(value: str, encodings: Sequence[str] = READINGS) -> dict[str, str]:
    """The decodings of one text cell among ``encodings``: ``utf-8`` (the cell as it is, NFC), ``mojibake`` when
    there is one to undo, and each legacy byte encoding that decodes without error. Each reading of a value is
    made once in a process and remembered (columns of one file share many values)."""
    known = _memo(value)
    out: dict[str, str] = {}
    for name in encodings:
        if name in known:
            text = known[name]
        else:
            text = known[name] = _one_reading(value, name)
        if text is not None:
            out[name] = text
    return out


def reading(value: str, name: str) -> str | None:
    """One reading of a text cell (:func:`readings`), None when the encoding gives none (remembered)."""
    known = _memo(value)
    if name in known:
        return known[name]
    text = known[name] = _one_reading(value, name)
    return text


def has_junk(text: str) -> bool:
    """Whether a reading holds a junk character (:func:`quality` counts it against: the reading is not clean): what
    :func:`_junk_class` matches, found by a loop over code points that stops at the first (compiled, in C; the same
    characters as :func:`_junk_count`'s, which tests/text checks against the class for every code point)."""
    table = _JUNK_TABLE
    for char in text:
        code = ord(char)
        if code < 0x2000:
            if table[code]:
                return True
        elif 0xE000 <= code <= 0xF8FF:
            return True
    return False


Scored = tuple[str, Quality, tuple[int, int, int]]  # a reading, its quality and its rank (:attr:`Quality.rank`)
_QUALITIES: dict[tuple[int, ...], tuple[Quality, tuple[int, int, int]]] = {}  # counts → (quality, rank), shared
_SCORED: dict[str, dict[str, Scored | None]] = {}  # value → encoding → its scored reading, for all columns


def scores_of(value: str) -> dict[str, Scored | None]:
    """The scored readings of a text cell made so far (encoding → :func:`scored`), to look up without a call."""
    known = _SCORED.get(value)
    if known is None:
        if len(_SCORED) >= _MEMO_LIMIT:
            _SCORED.clear()
        known = _SCORED[value] = {}
    return known


def scored(value: str, name: str) -> Scored | None:
    """One reading of a text cell (:func:`readings`) with its quality and rank, None when the encoding gives none;
    made once in a process (the repair engine scores the same readings in every column)."""
    known = _SCORED.get(value)
    if known is None:
        if len(_SCORED) >= _MEMO_LIMIT:
            _SCORED.clear()
        known = _SCORED[value] = {}
    elif name in known:
        return known[name]
    text = reading(value, name)
    if text is None:
        known[name] = None
        return None
    stats = _stats(text)
    counts = stats[:4]  # (bad, good, junk, common): the same few come back, so each quality and rank is made once
    kept = _QUALITIES.get(counts)
    if kept is None:
        if len(_QUALITIES) >= _MEMO_LIMIT:
            _QUALITIES.clear()
        kept = _QUALITIES[counts] = (_new_tuple(Quality, counts), (stats[0], -stats[1], -stats[3]))  # quality(text)
    entry = known[name] = (text, kept[0], kept[1])
    return entry
