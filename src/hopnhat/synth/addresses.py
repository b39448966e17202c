"""Addresses in real OLD communes, written in the many styles legacy systems hold.

:func:`render_address` is the public renderer (the address-conversion benchmark reuses it):
``render_address(commune, style, rng, detail=None)`` writes an old commune (a :class:`~hopnhat.units.reference.Unit`
of version ``old``) with its district and province in one of :data:`STYLES`; ``detail`` (house, street, thôn/tổ) goes
first. ``rng`` is anything with a ``random()`` method returning a float in [0, 1) (``random.Random`` or a numpy
``Generator``), so the same call with the same generator state gives the same text.

:func:`hamlets_of` gives the thôn / tổ dân phố of an old commune (synthetic but stable per commune code), and
:func:`split_assignment` decides which new commune each hamlet of a split commune went to — the evidence a province
publishes and a converter may use.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Protocol

from hopnhat.text.normalize import fold
from hopnhat.units.reference import Reference, Unit, reference, strip_type

STYLES: tuple[str, ...] = (
    "full", "abbrev", "abbrev_tight", "no_diacritics", "upper", "upper_no_diacritics", "typo", "no_district",
    "no_province", "commune_only", "no_types", "dash", "numbered_ward",
)
ABBREVIATIONS = {"Thành phố": "TP.", "Quận": "Q.", "Phường": "P.", "Huyện": "H.", "Thị xã": "TX.",
                 "Thị trấn": "TT.", "Xã": "X.", "Tỉnh": "T."}
STREETS = ("Trần Phú", "Lê Lợi", "Hùng Vương", "Nguyễn Văn Linh", "Phan Châu Trinh", "Quang Trung", "Lê Duẩn",
           "Hai Bà Trưng", "Bạch Đằng", "Nguyễn Huệ", "Điện Biên Phủ", "Hoàng Diệu", "Lý Thường Kiệt", "Trưng Nữ Vương",
           "Nguyễn Trãi", "Lạch Tray", "Tô Hiệu", "Thanh Niên", "Phạm Văn Đồng", "Ngô Quyền")
HAMLET_WORDS = ("An", "Phú", "Tân", "Hòa", "Bình", "Thạnh", "Mỹ", "Phước", "Long", "Đông", "Tây", "Trung", "Thượng",
                "Hạ", "Lộc", "Xuân", "Quý", "Thọ", "Hưng", "Khánh", "Cẩm", "Vĩnh", "Đại", "Thuận")
_KEYBOARD_NEIGHBOURS = {"a": "s", "n": "m", "h": "g", "o": "i", "u": "y", "i": "o", "t": "r", "c": "v", "g": "h",
                        "m": "n", "e": "r", "r": "t", "y": "u", "l": "k", "d": "s", "p": "o", "b": "v", "s": "a"}


class RandomLike(Protocol):
    def random(self) -> float: ...


def _pick(rng: RandomLike, seq: tuple[str, ...] | list[str]) -> str:
    return seq[int(rng.random() * len(seq))]


def _typed(unit: Unit, abbreviate: bool, tight: bool = False) -> str:
    if not abbreviate:
        return unit.name
    short = strip_type(unit.name)
    abbr = ABBREVIATIONS.get(unit.type, "")
    return f"{abbr}{short}" if tight else f"{abbr} {short}".strip()


def _numbered(unit: Unit, rng: RandomLike) -> str:
    short = strip_type(unit.name)
    if not short.isdigit():
        return _typed(unit, True)
    forms = (f"P.{int(short):02d}", f"P{int(short)}", f"Phường {int(short):02d}", f"F{int(short)}")
    return _pick(rng, forms)


def typo(text: str, rng: RandomLike, edits: int | None = None) -> str:
    """``text`` with 1–2 letter-level slips (deletion, neighbour key, doubled letter, swapped pair)."""
    count = edits if edits is not None else 1 + int(rng.random() < 0.3)
    for _ in range(count):
        letters = [i for i, c in enumerate(text) if c.isalpha()]
        if len(letters) < 3:
            return text
        i = letters[1 + int(rng.random() * (len(letters) - 1))]
        kind = int(rng.random() * 4)
        if kind == 0:
            text = text[:i] + text[i + 1 :]
        elif kind == 1:
            text = text[:i] + _KEYBOARD_NEIGHBOURS.get(text[i].lower(), "a") + text[i + 1 :]
        elif kind == 2:
            text = text[:i] + text[i] + text[i:]
        elif i + 1 < len(text):
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text


def _parts(commune: Unit, style: str, rng: RandomLike, ref: Reference) -> list[str]:
    district = ref.districts.get(commune.district_code or "")
    province = ref.provinces["old"][commune.province_code]
    abbreviate = style in ("abbrev", "abbrev_tight", "numbered_ward") or (style == "typo" and rng.random() < 0.5)
    tight = style == "abbrev_tight"
    if style == "no_types":
        return [strip_type(u.name) for u in (commune, district, province) if u is not None]
    first = _numbered(commune, rng) if style == "numbered_ward" else _typed(commune, abbreviate, tight)
    if style == "typo":
        first = typo(first, rng)
    parts = [first]
    if district is not None and style not in ("no_district", "commune_only"):
        parts.append(_typed(district, abbreviate, tight))
    if style not in ("no_province", "commune_only"):
        parts.append(_typed(province, abbreviate, tight) if abbreviate else province.name)
    return parts


def render_address(commune: Unit, style: str, rng: RandomLike, detail: str | None = None) -> str:
    """An address in ``commune`` (old version) written in ``style`` (one of :data:`STYLES`)."""
    if style not in STYLES:
        raise ValueError(f"unknown address style {style!r}; expected one of {', '.join(STYLES)}")
    parts = _parts(commune, style, rng, reference())
    if detail:
        parts.insert(0, detail)
    text = (" - " if style == "dash" else ", ").join(parts)
    if style in ("no_diacritics", "upper_no_diacritics"):
        text = fold(text)
    if style in ("upper", "upper_no_diacritics"):
        text = text.upper()
    return text


def hamlets_of(commune: Unit) -> tuple[str, ...]:
    """Stable synthetic thôn (xã) or tổ dân phố (phường, thị trấn) names of an old commune."""
    rng = random.Random(f"hamlets:{commune.code}")
    count = 4 + int(rng.random() * 9)
    if commune.type == "Xã":
        names = sorted({f"{_pick(rng, HAMLET_WORDS)} {_pick(rng, HAMLET_WORDS)}" for _ in range(count)})
        if rng.random() < 0.6:
            return tuple(f"Thôn {n}" for n in names)
        return tuple(f"Thôn {i}" for i in range(1, count + 1))
    word = "Tổ dân phố" if rng.random() < 0.5 else "Khối phố"
    return tuple(f"{word} {i}" for i in range(1, count + 1))


def street_detail(rng: RandomLike, hamlet: str) -> str:
    """House number and street before the tổ, as urban addresses are written."""
    number = 1 + int(rng.random() * 300)
    house = f"K{number}/{1 + int(rng.random() * 40)}" if rng.random() < 0.15 else str(number)
    return f"{house} {_pick(rng, STREETS)}, {hamlet}"


def split_assignment(province_codes: Iterable[str], seed: int) -> dict[tuple[str, str], str]:
    """For every split old commune of the provinces: hamlet → the new commune it went to (every candidate gets one)."""
    ref = reference()
    out: dict[tuple[str, str], str] = {}
    for prov in sorted(province_codes):
        for commune in sorted(ref.communes_in("old", prov), key=lambda u: u.code):
            candidates = sorted({link.new_code for link in ref.links.get(commune.code, [])})
            if len(candidates) < 2:
                continue
            rng = random.Random(f"split:{seed}:{commune.code}")
            hamlets = list(hamlets_of(commune))
            while len(hamlets) < len(candidates):
                hamlets.append(f"Thôn {len(hamlets) + 1}")
            order = candidates + [candidates[int(rng.random() * len(candidates))] for _ in hamlets[len(candidates):]]
            rng.shuffle(order)
            out.update({(commune.code, h): code for h, code in zip(hamlets, order)})
    return out


def hamlets_with_assignment(commune: Unit, assignment: dict[tuple[str, str], str]) -> tuple[str, ...]:
    """The hamlets used for ``commune``: those of the split assignment when it is split, else :func:`hamlets_of`."""
    assigned = tuple(h for (code, h) in assignment if code == commune.code)
    return assigned or hamlets_of(commune)
