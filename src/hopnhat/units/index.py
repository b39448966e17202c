"""Lookup indexes over the reference tables: matching keys → units, per level and per parent.

Keys are :func:`hopnhat.text.normalize.name_key` values (folded, no spaces) of a unit's full name (with its type),
its short name (without the type) and its aliases (units abolished in earlier rounds, other spellings).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from hopnhat.text.normalize import accent_key, has_diacritics, name_key
from hopnhat.units.cache import TABLES, keep, shared, tables_key
from hopnhat.units.reference import Reference, Unit, reference, strip_type

KeyIndex = dict[str, list[Unit]]


def unit_keys(unit: Unit) -> set[str]:
    """Every key a unit can be written as (``phuonghaichau``, ``haichau``, aliases)."""
    keys = {name_key(unit.name), name_key(unit.short_name), *unit.alias_keys}
    if unit.level == "province" and unit.type == "Thành phố":
        keys.add("tp" + name_key(unit.short_name))
    return {k for k in keys if k}


def is_numeric_short(unit: Unit) -> bool:
    """``Phường 1``: its short key is a number, which may only match after a type word."""
    return name_key(unit.short_name).isdigit()


def _add(index: KeyIndex, unit: Unit) -> None:
    for key in unit_keys(unit):
        if key.isdigit():
            continue
        index[key].append(unit)


@dataclass
class Indexes:
    ref: Reference
    provinces: KeyIndex = field(default_factory=lambda: defaultdict(list))
    districts_by_province: dict[str, KeyIndex] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    districts: KeyIndex = field(default_factory=lambda: defaultdict(list))
    old_by_district: dict[str, KeyIndex] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    old_by_province: dict[str, KeyIndex] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    old_communes: KeyIndex = field(default_factory=lambda: defaultdict(list))
    new_by_province: dict[str, KeyIndex] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    new_communes: KeyIndex = field(default_factory=lambda: defaultdict(list))
    numbered: dict[tuple[str, str], list[Unit]] = field(default_factory=lambda: defaultdict(list))
    province_districts: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # old codes
    # (old province code, number) → the numbered districts of that number (Quận 3; Quận 2 and 9 through history)
    numbered_districts: dict[tuple[str, str], list[Unit]] = field(default_factory=dict)
    max_words: int = 6

    def build(self) -> Indexes:
        for version in ("old", "new"):
            for unit in self.ref.provinces[version].values():
                _add(self.provinces, unit)
        for d in self.ref.districts.values():
            self.province_districts[d.province_code].append(d.code)
            _add(self.districts_by_province[d.province_code], d)
            _add(self.districts, d)
        for c in self.ref.communes["old"].values():
            for idx in (self.old_by_district[c.district_code or ""], self.old_by_province[c.province_code],
                        self.old_communes):
                _add(idx, c)
            self._add_numbered(c, f"old:{c.district_code}")
        for district, codes in self.ref.former_members().items():  # moved away 2019–2025: still read there
            for code in codes:
                c = self.ref.communes["old"][code]
                if c not in self.old_by_district[district].get(name_key(c.name), ()):
                    _add(self.old_by_district[district], c)
                    self._add_numbered(c, f"old:{district}")
        self._add_former_numbered()
        self._add_numbered_districts()
        for c in self.ref.communes["new"].values():
            _add(self.new_by_province[c.province_code], c)
            _add(self.new_communes, c)
            self._add_numbered(c, f"new:{c.province_code}")
        return self

    def _add_former_numbered(self) -> None:
        """Numbered wards merged or renamed 2019–2025 (``Phường 13`` of Quận 3): their number still reads, in the
        district of the unit that took them and in the district they were in (history.csv)."""
        for row in self.ref.history:
            number = name_key(strip_type(row["name"]))
            if row["level"] != "commune" or not number.isdigit():
                continue
            for code in filter(None, row["successor_codes"].split(";")):
                unit = self.ref.communes["old"][code]
                for district in dict.fromkeys((unit.district_code, row["parent_code"])):
                    scope = (f"old:{district}", number)
                    if district in self.ref.districts and unit not in self.numbered.get(scope, ()):
                        self.numbered[scope].append(unit)

    def _add_numbered_districts(self) -> None:
        """Districts named by a number (``Quận 3``), and those merged 2019–2025 by theirs (Quận 2, Quận 9 into
        Thành phố Thủ Đức, 2021): a bare number before the province may name one (``parse.match_bare_district``)."""
        table = self.numbered_districts
        for d in self.ref.districts.values():
            if name_key(d.short_name).isdigit():
                table.setdefault((d.province_code, name_key(d.short_name)), []).append(d)
        for row in self.ref.history:
            number = name_key(strip_type(row["name"]))
            if row["level"] == "district" and number.isdigit():
                for code in filter(None, row["successor_codes"].split(";")):
                    table.setdefault((row["parent_code"], number), []).append(self.ref.districts[code])

    def _add_numbered(self, unit: Unit, scope: str) -> None:
        if is_numeric_short(unit):
            self.numbered[(scope, name_key(unit.short_name))].append(unit)

    def frozen(self) -> Indexes:
        """Plain dictionaries (a missing key is read with ``.get``), so that the indexes can be pickled."""
        for name in ("provinces", "districts", "old_communes", "new_communes", "numbered", "province_districts"):
            setattr(self, name, dict(getattr(self, name)))
        for name in ("districts_by_province", "old_by_district", "old_by_province", "new_by_province"):
            setattr(self, name, {k: dict(v) for k, v in getattr(self, name).items()})
        return self



@cache
def _indexes() -> Indexes:
    key = tables_key()
    found = shared(TABLES, key)
    if isinstance(found, tuple):
        return found[1]
    ref = reference()  # built in this process (a miss is remembered): the indexes share its units
    built = Indexes(ref).build().frozen()
    for table in (*ref.provinces.values(), ref.districts, *ref.communes.values()):
        for unit in table.values():
            unit.derive()  # kept with the tables: no process computes a unit's keys again
    _share_strings(ref, built)
    keep(TABLES, key, (ref, built))
    return built


def _share_strings(ref: Reference, built: Indexes) -> None:
    """Make equal strings one object where the tables repeat them: the units' fields (a province's code and a type
    on thousands of units, each read from its own CSV row), the links' codes and kinds, and the keys of the
    reference tables and of every index (the same key in the index of a district, of its province and of the whole
    country). Pickle then writes each once, and the next process makes each once (the cached tables: 178,000
    strings, about 80,000 distinct). Loops over these fields and keys alone (compiled): a few hundredths of a
    second once per build, where a walk over every object of the tables took 0.4 s."""
    pool: dict[str, str] = {}
    tables = [*ref.provinces.values(), ref.districts, *ref.communes.values()]
    for table in tables:
        for unit in table.values():
            _share_fields(vars(unit), pool)
    for links in ref.links.values():
        for link in links:
            _share_fields(vars(link), pool)
    indexes: list[dict[str, Any]] = [*tables, ref.links, built.provinces, built.districts, built.old_communes,
                           built.new_communes, built.districts_by_province, built.old_by_district,
                           built.old_by_province, built.new_by_province]
    for nested in (built.districts_by_province, built.old_by_district, built.old_by_province, built.new_by_province):
        indexes.extend(nested.values())
    for index in indexes:
        _share_keys(index, pool)


def _share_fields(fields: dict[str, Any], pool: dict[str, str]) -> None:
    """An object's string fields, and the strings of its tuple and frozenset fields, taken from ``pool``."""
    for name, value in fields.items():  # (values replaced in place: the dictionary keeps its size)
        if type(value) is str:
            fields[name] = pool.setdefault(value, value)
        elif type(value) is tuple or type(value) is frozenset:
            fields[name] = type(value)([pool.setdefault(v, v) if type(v) is str else v for v in value])


def _share_keys(index: dict[str, Any], pool: dict[str, str]) -> None:
    """A dictionary's string keys taken from ``pool``, in the same order."""
    items = [(pool.setdefault(k, k) if type(k) is str else k, v) for k, v in index.items()]
    index.clear()
    index.update(items)


_loading: threading.Thread | None = None


def indexes() -> Indexes:
    """The lookup indexes, built once per process (from the local cache when it is current)."""
    if _loading is not None:
        _loading.join()
    return _indexes()


def preload() -> None:
    """Start loading the indexes in a thread, so that they load while the caller reads its input with Arrow (which
    does not hold Python's lock). Whoever needs them next waits for the thread: nothing forks while it runs."""
    global _loading
    if _loading is None and not _indexes.cache_info().currsize:
        _loading = threading.Thread(target=_indexes, name="hopnhat-indexes", daemon=True)
        _loading.start()


_MEMO_SIZE = 100_000
_NAME_KEYS: dict[str, str] = {}
_ACCENT_KEYS: dict[str, str] = {}


def name_key_of(text: str) -> str:
    """:func:`hopnhat.text.normalize.name_key`, remembered (units' names and types and the names written in
    addresses recur: the parser asks for the same few thousand keys over and over)."""
    found = _NAME_KEYS.get(text)
    if found is None:
        if len(_NAME_KEYS) >= _MEMO_SIZE:
            _NAME_KEYS.clear()
        found = _NAME_KEYS[text] = name_key(text)
    return found


def accent_key_of(text: str) -> str:
    """:func:`hopnhat.text.normalize.accent_key`, remembered as :func:`name_key_of` is."""
    found = _ACCENT_KEYS.get(text)
    if found is None:
        if len(_ACCENT_KEYS) >= _MEMO_SIZE:
            _ACCENT_KEYS.clear()
        found = _ACCENT_KEYS[text] = accent_key(text)
    return found


def narrow_by_accents(units: list[Unit], written: str) -> list[Unit]:
    """Among units sharing a folded key, keep those whose accented name agrees with what was written.

    ``Cẩm Giàng`` and ``Cẩm Giang`` fold alike; when the text carries diacritics they decide. Tone placement
    (Hoà/Hòa) is ignored. When no unit agrees (a typo in a diacritic) all are kept.
    """
    if len(units) < 2:
        return units
    key = accent_key_of(written)
    former = has_diacritics(written)  # without diacritics, "Thanh An" may be Thạnh An or the former Thanh An
    keep = [u for u in units if key in u.accent_keys or former and key in u.former_accents]
    return keep or units
