"""Search admin units of both versions by name (typo-tolerant, with or without diacritics)."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from hopnhat.text.normalize import name_key
from hopnhat.units.index import indexes, unit_keys
from hopnhat.units.reference import Unit


def _parent(unit: Unit) -> str:
    ref = indexes().ref
    parts = []
    if unit.district_code and unit.level == "commune":
        parts.append(ref.districts[unit.district_code].name)
    if unit.level != "province":
        parts.append(ref.provinces[unit.version][unit.province_code].name)
    return ", ".join(parts)


def _all_units() -> dict[str, list[Unit]]:
    idx = indexes()
    by_key: dict[str, list[Unit]] = {}
    units = [*idx.ref.provinces["old"].values(), *idx.ref.provinces["new"].values(), *idx.ref.districts.values(),
             *idx.ref.communes["old"].values(), *idx.ref.communes["new"].values()]
    for unit in units:
        for key in unit_keys(unit):
            by_key.setdefault(key, []).append(unit)
    return by_key


def search_units(text: str, limit: int = 15) -> list[tuple[Unit, str, float]]:
    """Units whose name best matches ``text``: (unit, parent names, score 0–100)."""
    by_key = _all_units()
    hits = process.extract(name_key(text), list(by_key), scorer=fuzz.ratio, limit=limit * 3, score_cutoff=60)
    found: dict[str, tuple[Unit, str, float]] = {}
    for key, score, _ in hits:
        for unit in by_key[key]:
            if unit.ref + unit.level not in found:
                found[unit.ref + unit.level] = (unit, _parent(unit), score)
    return sorted(found.values(), key=lambda t: (-t[2], t[0].version, t[0].code))[:limit]
