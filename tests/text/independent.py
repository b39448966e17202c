"""Encoders this project did not write, and the independent legacy-text corpus built with them.

Used by ``bench/repair.py`` and by the tests in this folder. Nothing here imports ``hopnhat``: the bytes come from

- GNU libc ``iconv`` (``TCVN5712-1`` = TCVN3 with its full VN1 level, ``VISCII``, ``CP1258``);
- Python's codecs: ``utf-8`` (NFC and NFD), ``cp1258`` with every tone mark written apart (what Vietnamese keyboard
  drivers typed), and ftfy's ``sloppy-windows-1252`` for UTF-8 read as Windows-1252 and saved again (mojibake);
- VNI-Windows, which neither has: :data:`VNI_LOWER` below was written from the public description of the VNI fonts
  (a base letter followed by one Latin-1 character carrying the diacritic; ``i``, ``ơ``, ``ư``, ``đ``, ``ỵ`` single
  characters; capitals are the same codes in upper case), apart from ``hopnhat.text.legacy``;
- VIQR, from RFC 1456's mnemonics (:func:`viqr_encode`), apart from ``hopnhat.text.viqr``.

The source texts (``data/*.txt``) are hand-written names, addresses and civil-status phrases, plain ASCII cells that
must never change, and the official unit names shipped in ``src/hopnhat/units/data`` — none comes from ``synth``.
"""

from __future__ import annotations

import csv
import random
import subprocess
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)
import pyarrow as pa

DATA = Path(__file__).parent / "data"
UNITS = Path(__file__).resolve().parents[2] / "src" / "hopnhat" / "units" / "data"

# ------------------------------------------------------------------------------------------------ VNI-Windows

# letter → code, lowercase; capitals are the codes upper-cased (Á = AÙ, Ỵ = Î, Đ = Ñ).
VNI_LOWER = {
    "á": "aù", "à": "aø", "ả": "aû", "ã": "aõ", "ạ": "aï",
    "ă": "aê", "ắ": "aé", "ằ": "aè", "ẳ": "aú", "ẵ": "aü", "ặ": "aë",
    "â": "aâ", "ấ": "aá", "ầ": "aà", "ẩ": "aå", "ẫ": "aã", "ậ": "aä",
    "é": "eù", "è": "eø", "ẻ": "eû", "ẽ": "eõ", "ẹ": "eï",
    "ê": "eâ", "ế": "eá", "ề": "eà", "ể": "eå", "ễ": "eã", "ệ": "eä",
    "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
    "ó": "où", "ò": "oø", "ỏ": "oû", "õ": "oõ", "ọ": "oï",
    "ô": "oâ", "ố": "oá", "ồ": "oà", "ổ": "oå", "ỗ": "oã", "ộ": "oä",
    "ơ": "ô", "ớ": "ôù", "ờ": "ôø", "ở": "ôû", "ỡ": "ôõ", "ợ": "ôï",
    "ú": "uù", "ù": "uø", "ủ": "uû", "ũ": "uõ", "ụ": "uï",
    "ư": "ö", "ứ": "öù", "ừ": "öø", "ử": "öû", "ữ": "öõ", "ự": "öï",
    "ý": "yù", "ỳ": "yø", "ỷ": "yû", "ỹ": "yõ", "ỵ": "î",
    "đ": "ñ",
}
VNI = {**VNI_LOWER, **{k.upper(): v.upper() for k, v in VNI_LOWER.items()}}


def vni_encode(text: str) -> bytes:
    return "".join(VNI.get(c, c) for c in unicodedata.normalize("NFC", text)).encode("cp1252")


# ------------------------------------------------------------------------------------------------ VIQR (RFC 1456)

_VIQR_SHAPE = {"\u0306": "(", "\u0302": "^", "\u031b": "+"}
_VIQR_TONE = {"\u0301": "'", "\u0300": "`", "\u0309": "?", "\u0303": "~", "\u0323": "."}


def viqr_encode(text: str) -> bytes:
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if char in "đĐ":
            out.append("dd" if char == "đ" else "DD")
            continue
        parts = unicodedata.normalize("NFD", char)
        if char.isascii():
            vowel_before = bool(out) and out[-1][-1:].lower() in "aeiouy('`?~.^+"
            out.append("\\" + char if char in "(^+'`?~." and vowel_before else char)
            continue
        shapes = "".join(_VIQR_SHAPE[m] for m in parts[1:] if m in _VIQR_SHAPE)
        tones = "".join(_VIQR_TONE[m] for m in parts[1:] if m in _VIQR_TONE)
        out.append(parts[0] + shapes + tones)
    return "".join(out).encode("ascii")


# ------------------------------------------------------------------------------------------------ the others

_ICONV = {"tcvn3": "TCVN5712-1", "viscii": "VISCII", "cp1258": "CP1258"}


def iconv_many(texts: Sequence[str], encoding: str) -> list[bytes]:
    """Encode many texts in one ``iconv`` run (one a line: no letter of these charsets uses 0x0A)."""
    blob = "\n".join(unicodedata.normalize("NFC", t) for t in texts).encode("utf-8")
    done = subprocess.run(["iconv", "-f", "UTF-8", "-t", _ICONV[encoding]], input=blob, capture_output=True,
                          check=True)
    lines = done.stdout.split(b"\n")
    assert len(lines) == len(texts), (encoding, len(lines), len(texts))
    return lines


def cp1258_decomposed(text: str) -> bytes:
    """Windows-1258 as keyboard drivers typed it: letter with its shape (â ă ơ …), then the tone mark apart."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _VIQR_TONE)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _VIQR_TONE))
        out += base.encode("cp1258") + tones.encode("cp1258")
    return out


PYTHON: dict[str, Callable[[str], bytes]] = {
    "utf-8": lambda t: unicodedata.normalize("NFC", t).encode("utf-8"),
    "utf-8-nfd": lambda t: unicodedata.normalize("NFD", t).encode("utf-8"),
    "cp1258-decomposed": cp1258_decomposed,
    "mojibake": lambda t: unicodedata.normalize("NFC", t).encode("utf-8").decode("sloppy-windows-1252").encode(),
    "vni": vni_encode,
    "viqr": viqr_encode,
}
ENCODINGS = ("utf-8", "utf-8-nfd", "cp1258", "cp1258-decomposed", "tcvn3", "viscii", "vni", "mojibake", "viqr")


def encode_many(texts: Sequence[str], encoding: str) -> list[bytes]:
    if encoding in _ICONV:
        return iconv_many(texts, encoding)
    return [PYTHON[encoding](t) for t in texts]


# ------------------------------------------------------------------------------------------------ source texts

def lines(name: str) -> list[str]:
    """The non-blank lines of one of the ``data/`` text lists."""
    return [line for line in (DATA / name).read_text(encoding="utf-8").split("\n") if line.strip()]


def unit_names(limit: int = 600, seed: int = 1) -> list[str]:
    """Official names of old communes and districts (shipped reference tables), a fixed sample."""
    names: list[str] = []
    for file in ("old_communes.csv", "old_districts.csv", "new_communes.csv"):
        with (UNITS / file).open(encoding="utf-8") as fh:
            names += [row["name"] for row in csv.DictReader(fh)]
    return random.Random(seed).sample(sorted(set(names)), limit)


@dataclass(frozen=True)
class Texts:
    vietnamese: list[str]
    ascii: list[str]


def texts() -> Texts:
    return Texts(lines("names.txt") + lines("addresses.txt") + lines("civil.txt") + unit_names(),
                 lines("ascii_clean.txt"))


# ------------------------------------------------------------------------------------------------ corpus

@dataclass(frozen=True)
class Cell:
    raw: bytes
    truth: str
    kind: str  # the encoding the cell was written in, or "ascii" / "clean" for text that must not change
    clean: bool


# column name → (encoding, weight) of its Vietnamese cells; every column also has about 10 % plain ASCII cells
SCENARIOS: dict[str, tuple[tuple[str, float], ...]] = {
    **{enc: ((enc, 1.0),) for enc in ENCODINGS},
    "mixed tcvn3+vni": (("tcvn3", 0.6), ("vni", 0.4)),
    "mixed vni+tcvn3": (("vni", 0.7), ("tcvn3", 0.3)),
    "mixed cp1258+vni": (("cp1258-decomposed", 0.6), ("vni", 0.4)),
    "mixed utf-8+vni": (("utf-8", 0.6), ("vni", 0.4)),
    "mixed utf-8+tcvn3+mojibake": (("utf-8", 0.5), ("tcvn3", 0.3), ("mojibake", 0.2)),
    "mixed viscii+tcvn3": (("viscii", 0.6), ("tcvn3", 0.4)),
    "mixed tcvn3+viqr": (("tcvn3", 0.7), ("viqr", 0.3)),
    "mixed all": tuple((enc, 1.0) for enc in ENCODINGS),
    "ascii": (),
}
ASCII_SHARE = 0.1


def _encoded(txt: Texts) -> dict[str, dict[str, bytes]]:
    return {enc: dict(zip(txt.vietnamese, encode_many(txt.vietnamese, enc), strict=True)) for enc in ENCODINGS}


def _pick(rng: random.Random, mix: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([e for e, _ in mix], weights=[w for _, w in mix])[0]


def build(rows: int, seed: int = 7, txt: Texts | None = None) -> dict[str, list[Cell]]:
    """Columns of ``rows`` cells each, one per scenario (same rows for all columns)."""
    txt = txt or texts()
    encoded = _encoded(txt)
    rng = random.Random(seed)
    columns: dict[str, list[Cell]] = {}
    for name, mix in SCENARIOS.items():
        cells = []
        for _ in range(rows):
            if not mix or rng.random() < ASCII_SHARE:
                text = rng.choice(txt.ascii)
                cells.append(Cell(text.encode("ascii"), text, "ascii", True))
                continue
            enc, text = _pick(rng, mix), rng.choice(txt.vietnamese)
            truth = unicodedata.normalize("NFC", text)
            cells.append(Cell(encoded[enc][text], truth, "clean" if enc == "utf-8" else enc, enc == "utf-8"))
        columns[name] = cells
    return columns


def write_csv(columns: dict[str, list[Cell]], path: Path) -> None:
    """Every field quoted; raw bytes as the legacy system stored them."""
    names = list(columns)
    lines = [b",".join(b'"' + n.encode() + b'"' for n in names)]
    for row in zip(*columns.values(), strict=True):
        lines.append(b",".join(b'"' + c.raw.replace(b'"', b'""') + b'"' for c in row))
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")


# ------------------------------------------------------------------------------------------------ a list of people

FONTS = ("tcvn3", "vni", "cp1258-decomposed", "viscii", "mojibake")  # the legacy fonts a clerk's list is typed in
TYPED_COLUMNS = ("full_name", "sex", "address")


def font_view(raw: bytes, encoding: str) -> str:
    """Legacy bytes as a legacy font shows them in a sheet: read as Windows-1252 (the mojibake encoder's bytes are
    already the UTF-8 of text read so)."""
    return raw.decode("utf-8" if encoding == "mojibake" else "sloppy-windows-1252")


def font_typed(table: pa.Table, share: float, seed: int) -> tuple[pa.Table, list[str | None]]:
    """``table`` (a list of people: :data:`TYPED_COLUMNS`) with a ``share`` of its records' text cells typed in a
    legacy font (each record one of :data:`FONTS`, round-robin), and each record's font (None: left as it was).
    ``bench/link_legacy.py`` and tests/link type their lists with it."""
    rng = random.Random(seed)
    chosen = [FONTS[i % len(FONTS)] if rng.random() < share else None for i in range(table.num_rows)]
    out = table
    for name in TYPED_COLUMNS:
        cells = table.column(name).to_pylist()
        for encoding in FONTS:
            rows = [i for i, e in enumerate(chosen) if e == encoding and cells[i]]
            for i, raw in zip(rows, encode_many([cells[i] for i in rows], encoding), strict=True):
                cells[i] = font_view(raw, encoding)
        out = out.set_column(out.column_names.index(name), name, pa.array(cells, pa.string()))
    return out, chosen
