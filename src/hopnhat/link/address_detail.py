"""The part of an address below the commune — hamlet (thôn, xóm, ấp, bản), residential group (tổ, tổ dân phố, khối),
house number and street — as a linkage key.

A new commune after the 2025 merger holds tens of thousands of people; two records in the same commune with the same
name and no birth date are a coin toss, while the same name in the same *hamlet* is nearly always one person. The key
is the folded segment right before the first segment that names an administrative unit (``Xã``, ``Phường``,
``Thị trấn``, ``Quận``, ``Huyện``, ``Tỉnh``, ``Thành phố`` and their abbreviations) — the hamlet or group, or the
street when no hamlet is written; a house number before it is often left out, so it is not part of the key —, with
the words registers spell several ways unified (``Tổ dân phố 5`` = ``Tổ 05`` = ``TDP 5``; ``Khu phố`` = ``KP``).
It is compared only within one new commune: hamlet numbers repeat from commune to commune — and within one *old*
commune when both records name one: the communes merged in 2025 each bring their own ``Thôn 1`` … ``Thôn 12`` into
the new commune, so ``Thôn 5, Xã Bình Lâm`` and ``Thôn 5, Xã Quế Thọ`` are two hamlets of one new commune
(:func:`written_commune` gives the commune an address names). An address without a unit segment (a bare hamlet,
free text) has no key: nothing says where the hamlet ends.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from hopnhat.text.normalize import fold

# the first words of a segment that names an administrative unit (folded, lower case)
_UNIT = re.compile(r"^(xa|phuong|thi tran|thi xa|quan|huyen|tinh|thanh pho|tp|tt|p|x|q|h)\b[ .]*")
# words of the part below the commune that registers spell several ways
_SAME = ((re.compile(r"\b(to dan pho|tdp|to dp)\b"), "to"), (re.compile(r"\b(khu pho|kp)\b"), "khu pho"),
         (re.compile(r"\bso nha\b|\bso\b"), ""), (re.compile(r"\b0+(\d)"), r"\1"))
_SPACE = re.compile(r"[^0-9a-z/]+")
# a segment naming a commune-level unit (xã, phường, thị trấn, đặc khu and their abbreviations): its type word
_COMMUNE = re.compile(r"^(xa|phuong|thi tran|dac khu|tt|p|x)\b[ .]*")
# a segment naming a district (before the 2025 merger), or a city (a district when not a province)
_DISTRICT = re.compile(r"^(huyen|quan|thi xa|tx|h|q)\b")
_CITY = re.compile(r"^(thanh pho|tp)\b[ .]*")
_SEGMENT = re.compile(r"[,;\n]")  # the segments of an address (re.split's pattern before)


class _Segment(NamedTuple):
    """What one comma-separated segment of an address says (an address's segments repeat across addresses: the
    commune, district and province segments of a place are written the same way by thousands of records)."""

    unit: bool  # it names an administrative unit
    detail: str | None  # the key it gives as a part below the commune (not a unit, not empty)
    place: str | None  # the commune it names, as written_commune gives it (a unit segment)
    district: bool  # it names a district, or a city that is not a province


@lru_cache(maxsize=200_000)
def _segment(segment: str) -> _Segment:
    text = fold(segment).lower().strip()
    if _UNIT.match(text):
        match = _COMMUNE.match(text)
        place = _SPACE.sub(" ", text[match.end():]).strip() if match else ""
        return _Segment(True, None, place or None, _dated(text))
    detail = text
    for pattern, repl in _SAME:
        detail = pattern.sub(repl, detail)
    return _Segment(False, _SPACE.sub(" ", detail).strip() or None, None, _dated(text))


def _dated(text: str) -> bool:
    if _DISTRICT.match(text):
        return True
    city = _CITY.match(text)
    return bool(city and _SPACE.sub(" ", text[city.end():]).strip() not in _province_places())


def address_facts(address: str | None) -> tuple[str | None, str | None, bool]:
    """``(address_detail(address), written_commune(address), names_district(address))`` in one pass over the
    address's segments, each segment read once per run (:func:`_segment`)."""
    if not address:
        return None, None, False
    detail, place, dated, unit = None, None, False, False
    for part in _SEGMENT.split(address):
        segment = _segment(part)
        dated = dated or segment.district
        if unit:
            continue
        if segment.unit:
            unit, place = True, segment.place
        elif segment.detail is not None:
            detail = segment.detail
    return (detail if unit else None), place, dated


def address_detail(address: str | None) -> str | None:
    """The hamlet / group / street of ``address`` as a key (``"to 5"``; ``"12 Lê Lợi, Tổ 3, Phường …"`` → ``"to 3"``),
    or None: the last part before the first segment naming a unit; none when no segment names a unit (nothing says
    which part is the hamlet); a house number or street is often left out, so the unit right below the commune."""
    return address_facts(address)[0]


def written_commune(address: str | None) -> str | None:
    """The commune ``address`` names, folded, lower case, without its type word (``"Thôn 5, Xã Bình Lâm, Huyện
    Hiệp Đức"`` → ``"binh lam"``): the first unit segment when it is a commune's, else None."""
    return address_facts(address)[1]


def names_district(address: str | None) -> bool:
    """True when ``address`` names a district (``Huyện``, ``Quận``, ``Thị xã``, a city below a province): it is written
    in the units before the 2025 merger, which has no districts since — its commune is an OLD commune, even one
    whose name a new commune took."""
    return address_facts(address)[2]


@lru_cache(maxsize=1)
def _province_places() -> frozenset[str]:
    from hopnhat.units.reference import reference

    ref = reference()
    return frozenset(commune_place(u.name) for version in ("old", "new") for u in ref.provinces[version].values())


def commune_place(name: str) -> str:
    """A unit's official name as :func:`written_commune` gives it (``"Xã Nam Phước"`` → ``"nam phuoc"``)."""
    text = _SPACE.sub(" ", fold(name).lower()).strip()
    for pattern in (_COMMUNE, _CITY, re.compile(r"^(tinh|dac khu)\b ?")):
        match = pattern.match(text)
        if match:
            return text[match.end():].strip()
    return text
