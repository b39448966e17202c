"""The shipped, versioned admin-unit reference tables.

Two versions exist: ``old`` (the 3-tier structure as it stood on 30/6/2025) and ``new`` (the 2-tier structure from
1/7/2025). A 5-digit commune code means nothing without its version: new 20242 (Phường Hải Châu) is not old 20242
(Phường Phước Ninh). Every unit here carries its version.
"""

from __future__ import annotations

import copyreg
import csv
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from importlib import resources
from typing import Any, Literal

from hopnhat.errors import ReferenceDataError, UnitNotFoundError
from hopnhat.text.normalize import accent_key, name_key
from hopnhat.units.cache import TABLES, shared, tables_key

Version = Literal["old", "new"]
Level = Literal["province", "district", "commune"]
ConversionKind = Literal["whole", "split", "unchanged", "renamed"]

OLD_VALID_ON = "2025-06-30"
NEW_VALID_FROM = "2025-07-01"

_TYPE_WORDS = ("thành phố", "thị trấn", "thị xã", "đặc khu", "phường", "quận", "huyện", "tỉnh", "xã")


@dataclass(frozen=True)
class Unit:
    """One administrative unit of one version."""

    version: Version
    level: Level
    code: str
    name: str
    type: str
    province_code: str
    district_code: str | None = None
    alias_keys: tuple[str, ...] = ()
    former_accents: tuple[str, ...] = ()  # accent keys of former names (history.csv): written so, they are exact

    @cached_property
    def short_name(self) -> str:
        return strip_type(self.name)

    @cached_property
    def name_keys(self) -> tuple[str, str]:
        """:func:`name_key` of the name and of the short name (``phuonghaichau``, ``haichau``)."""
        return name_key(self.name), name_key(self.short_name)

    @cached_property
    def accent_keys(self) -> tuple[str, str]:
        """:func:`accent_key` of the name and of the short name."""
        return accent_key(self.name), accent_key(self.short_name)

    @cached_property
    def spellings(self) -> frozenset[str]:
        """The accent keys the unit is exactly written as: its name, its short name and its former names."""
        return frozenset((*self.accent_keys, *self.former_accents))

    @cached_property
    def type_key(self) -> str:
        """:func:`name_key` of the type (``thixa``)."""
        return sys.intern(name_key(self.type))  # one string per type: pickled once

    def derive(self) -> Unit:
        """Compute the keys above now, so that they are kept (pickled) with the unit: the parser reads them for
        every unit it meets, and a process would otherwise compute them again for each one."""
        for name in _DERIVED:
            getattr(self, name)
        return self

    @property
    def ref(self) -> str:
        """Code with its version, e.g. ``new:20242``: the only safe way to write a code down."""
        return f"{self.version}:{self.code}"

    def __reduce__(self) -> tuple[object, ...]:
        return _unpickled_as_is(self)


_DERIVED = ("short_name", "name_keys", "accent_keys", "spellings", "type_key")


@dataclass(frozen=True)
class ConversionLink:
    old_code: str
    new_code: str
    kind: ConversionKind
    source_default: bool = False

    def __reduce__(self) -> tuple[object, ...]:
        return _unpickled_as_is(self)


def _unpickled_as_is(obj: object) -> tuple[object, ...]:
    """How a :class:`Unit` or :class:`ConversionLink` is pickled: made without its constructor and given its fields
    (and a unit the keys derived so far, :meth:`Unit.derive`) as they are, into its ``__dict__`` (pickle's NEWOBJ
    and BUILD opcodes, both in C). The frozen dataclass's constructor is interpreted Python that sets each field
    through ``object.__setattr__``: unpickling the 25,000 units and links of the cached tables through it was 40 %
    of the load's instructions, and the whole load an eighth more than this way (735 against 648 million)."""
    return copyreg.__newobj__, (type(obj),), dict(obj.__dict__)  # type: ignore[attr-defined]  # (pickle knows it)


def strip_type(name: str) -> str:
    """``Phường Hải Châu`` → ``Hải Châu``; ``Thành phố Đà Nẵng`` → ``Đà Nẵng``."""
    lower = name.lower()
    for word in _TYPE_WORDS:
        if lower.startswith(word + " "):
            return name[len(word) + 1 :].strip()
    return name


def _read(name: str) -> list[dict[str, str]]:
    try:
        text = resources.files("hopnhat.units").joinpath("data", name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ReferenceDataError("reference table missing", table=name) from exc
    return list(csv.DictReader(text.splitlines()))


def _keys(raw: str) -> tuple[str, ...]:
    return tuple(k for k in raw.split(";") if k) if raw else ()


@dataclass
class Reference:
    """All reference tables with lookup indexes. Build once with :func:`reference`."""

    provinces: dict[Version, dict[str, Unit]]
    districts: dict[str, Unit]
    communes: dict[Version, dict[str, Unit]]
    links: dict[str, list[ConversionLink]]
    province_map: dict[str, str]
    district_only: dict[str, str]
    extra_aliases: list[dict[str, str]] = field(default_factory=list)
    history: list[dict[str, str]] = field(default_factory=list)

    def former_names(self, code: str, level: Level) -> list[dict[str, str]]:
        """The rows of ``history.csv`` whose unit went into this old unit (its former names, merged units)."""
        return [r for r in self.history if r["level"] == level and code in _keys(r["successor_codes"])]

    def former_members(self) -> dict[str, list[str]]:
        """Old district code → codes of communes that belonged to it in 2019–2025 and were moved to another
        district that still existed (history.csv ``moved``): a record of that time names them there."""
        out: dict[str, list[str]] = defaultdict(list)
        for r in self.history:
            if r["change"] == "moved" and r["parent_code"] in self.districts:
                out[r["parent_code"]].extend(c for c in _keys(r["successor_codes"]) if c in self.communes["old"])
        return {d: list(dict.fromkeys(codes)) for d, codes in out.items()}

    def unit(self, code: str, version: Version, level: Level = "commune") -> Unit:
        table = {"province": self.provinces[version], "commune": self.communes[version]}.get(level)
        if level == "district":
            table = self.districts if version == "old" else {}
        unit = (table or {}).get(code)
        if unit is None:
            raise UnitNotFoundError("no such unit", table=f"{version} {level}s", value=code)
        return unit

    def find(self, code: str, version: Version) -> Unit:
        """A unit of any level by code in one version (2 digits province, 3 district, 5 commune)."""
        level: Level = {2: "province", 3: "district"}.get(len(code), "commune")  # type: ignore[assignment]
        return self.unit(code, version, level)

    def new_communes_of(self, old_code: str) -> list[ConversionLink]:
        return self.links.get(old_code, [])

    def old_communes_of(self, new_code: str) -> list[ConversionLink]:
        return [link for links in self.links.values() for link in links if link.new_code == new_code]

    def communes_in(self, version: Version, province_code: str, district_code: str | None = None) -> list[Unit]:
        """The communes of a province (or of one of its districts), in table order."""
        return list(self._communes_by_parent.get((version, province_code, district_code), ()))

    @cached_property
    def _communes_by_parent(self) -> dict[tuple[str, str, str | None], list[Unit]]:
        grouped: dict[tuple[str, str, str | None], list[Unit]] = defaultdict(list)
        for version, units in self.communes.items():
            for u in units.values():
                grouped[(version, u.province_code, None)].append(u)
                if u.district_code is not None:
                    grouped[(version, u.province_code, u.district_code)].append(u)
        return dict(grouped)

    def districts_in(self, province_code: str) -> list[Unit]:
        return [d for d in self.districts.values() if d.province_code == province_code]


def _load_units() -> tuple[dict[Version, dict[str, Unit]], dict[str, Unit], dict[Version, dict[str, Unit]]]:
    provinces: dict[Version, dict[str, Unit]] = {"old": {}, "new": {}}
    communes: dict[Version, dict[str, Unit]] = {"old": {}, "new": {}}
    for version in ("old", "new"):
        for r in _read(f"{version}_provinces.csv"):
            type_ = "Thành phố" if r["name"].startswith("Thành phố") else "Tỉnh"
            provinces[version][r["code"]] = Unit(version, "province", r["code"], r["name"], type_, r["code"],
                                                 alias_keys=_keys(r["alias_keys"]))
    districts = {
        r["code"]: Unit("old", "district", r["code"], r["name"], r["type"], r["province_code"], r["code"],
                        _keys(r["alias_keys"]))
        for r in _read("old_districts.csv")
    }
    for r in _read("old_communes.csv"):
        communes["old"][r["code"]] = Unit("old", "commune", r["code"], r["name"], r["type"], r["province_code"],
                                          r["district_code"], _keys(r["alias_keys"]))
    for r in _read("new_communes.csv"):
        communes["new"][r["code"]] = Unit("new", "commune", r["code"], r["name"], r["type"], r["province_code"])
    return provinces, districts, communes


def _apply_extra_aliases(communes: dict[Version, dict[str, Unit]], extra: list[dict[str, str]]) -> None:
    for row in extra:
        version = row["version"]
        unit = communes[version].get(row["code"])  # type: ignore[index]
        if unit is None:
            raise ReferenceDataError("alias names an unknown unit", table="aliases_extra.csv", value=row["code"])
        keys = tuple(dict.fromkeys(unit.alias_keys + (name_key(row["alias"]), name_key(strip_type(row["alias"])))))
        communes[version][unit.code] = Unit(**{**unit.__dict__, "alias_keys": keys})  # type: ignore[index]


def _apply_history(provinces: dict[str, Unit], districts: dict[str, Unit], communes: dict[str, Unit],
                   history: list[dict[str, str]]) -> None:
    """Each former name of ``history.csv`` (a unit renamed, re-typed or merged 2019–2025) becomes an alias of the
    old unit(s) of 30/6/2025 it went into: ``Thừa Thiên Huế`` of Thành phố Huế, ``Huyện Nam Đông`` of Huyện Phú Lộc,
    ``Thành phố Huế`` (the district) of Quận Thuận Hóa and Quận Phú Xuân. A row without a known successor adds
    nothing (an address naming it stays uncertain)."""
    tables = {"province": provinces, "district": districts, "commune": communes}
    for row in history:
        if row["change"] == "moved":
            continue  # the same name in another district: see Reference.former_members
        table = tables.get(row["level"])
        if table is None:
            raise ReferenceDataError("unknown level", table="history.csv", value=row["level"])
        added = (name_key(row["name"]), name_key(strip_type(row["name"])))
        accents = (accent_key(row["name"]), accent_key(strip_type(row["name"])))
        for code in _keys(row["successor_codes"]):
            unit = table.get(code)
            if unit is None:
                raise ReferenceDataError("former name goes into an unknown unit", table="history.csv",
                                         value=f"{row['level']} {code}")
            table[code] = replace(unit, alias_keys=tuple(dict.fromkeys(unit.alias_keys + added)),
                                  former_accents=tuple(dict.fromkeys(unit.former_accents + accents)))


def _load_links() -> dict[str, list[ConversionLink]]:
    links: dict[str, list[ConversionLink]] = defaultdict(list)
    for r in _read("conversion.csv"):
        links[r["old_code"]].append(ConversionLink(r["old_code"], r["new_code"], r["kind"],  # type: ignore[arg-type]
                                                   r["source_default"] == "1"))
    return dict(links)


def apply_corrections(links: dict[str, list[ConversionLink]], corrections: list[dict[str, str]],
                      communes: dict[Version, dict[str, Unit]]) -> dict[str, list[ConversionLink]]:
    """Apply the ``apply_crosscheck`` rows of corrections.csv: each drops or adds one old→new link.

    The kinds of every link into a touched new commune are derived again (split / whole / unchanged / renamed, as the
    build script does), and a source default survives only on a link that is still part of a split.
    """
    fixed = {old: list(ls) for old, ls in links.items()}
    touched: set[str] = set()
    for row in corrections:
        if row["decision"] != "apply_crosscheck":
            continue
        old, new = row["old_code"], row["new_code"]
        if old not in communes["old"] or new not in communes["new"]:
            raise ReferenceDataError("correction names an unknown unit", table="corrections.csv", value=f"{old}→{new}")
        fixed[old] = [link for link in fixed.get(old, []) if link.new_code != new]
        if row["in_crosscheck"] == "yes":
            fixed[old].append(ConversionLink(old, new, "split"))
        touched |= {new} | {link.new_code for link in fixed[old]}
    return _rekind(fixed, touched, communes)


def _rekind(links: dict[str, list[ConversionLink]], touched: set[str],
            communes: dict[Version, dict[str, Unit]]) -> dict[str, list[ConversionLink]]:
    whole_into: dict[str, int] = defaultdict(int)
    for ls in links.values():
        if len(ls) == 1:
            whole_into[ls[0].new_code] += 1
    for old, ls in links.items():
        if any(link.new_code in touched for link in ls):
            links[old] = [_with_kind(link, len(ls), whole_into, communes) for link in ls]
    return links


def _with_kind(link: ConversionLink, targets: int, whole_into: dict[str, int],
               communes: dict[Version, dict[str, Unit]]) -> ConversionLink:
    if targets > 1:
        return replace(link, kind="split")
    if whole_into[link.new_code] > 1:
        kind: ConversionKind = "whole"
    else:
        same = name_key(communes["old"][link.old_code].name) == name_key(communes["new"][link.new_code].name)
        kind = "unchanged" if same else "renamed"
    return replace(link, kind=kind, source_default=False)


@cache
def reference() -> Reference:
    """Load the shipped reference tables once per process (from the local cache when it is current)."""
    found = shared(TABLES, tables_key())
    return found[0] if isinstance(found, tuple) else build_reference()


def build_reference() -> Reference:
    """Read and check the shipped CSV tables."""
    provinces, districts, communes = _load_units()
    extra = _read("aliases_extra.csv") + _read("spelling_variants.csv")
    _apply_extra_aliases(communes, extra)
    history = _read("history.csv")
    _apply_history(provinces["old"], districts, communes["old"], history)
    province_map = {r["old_code"]: r["new_code"] for r in _read("province_conversion.csv")}
    district_only = {r["old_district_code"]: r["new_code"] for r in _read("district_without_communes.csv")}
    links = apply_corrections(_load_links(), _read("corrections.csv"), communes)
    return Reference(provinces, districts, communes, links, province_map, district_only, extra, history)


def provenance() -> dict[str, Any]:
    text = resources.files("hopnhat.units").joinpath("data", "provenance.json").read_text(encoding="utf-8")
    return json.loads(text)
