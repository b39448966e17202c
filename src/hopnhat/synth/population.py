"""The people of one old province, as numpy arrays (vectorised, ~30 bytes a person).

Every person is an *entity* with a true identity; register rows, dossiers, parcels … are *records* that refer to
entities, some of them noisy duplicates. Arrays are indexed by the entity number within the province.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from hopnhat.synth import ids
from hopnhat.synth.names import full_name, sample_names
from hopnhat.synth.scenarios import Side
from hopnhat.units.reference import Unit, reference

CUTOVER = dt.date(2025, 7, 1)
EPOCH = dt.date(1970, 1, 1)
_MAX_AGE = 96


def old_province_codes() -> tuple[str, ...]:
    return tuple(sorted(reference().provinces["old"]))


def _age_weights() -> np.ndarray:
    ages = np.arange(_MAX_AGE)
    weights = np.where(ages < 60, 1.0, np.maximum(0.05, 1.0 - (ages - 60) / 40))
    return weights / weights.sum()


@dataclass
class Population:
    """Entities of one province (``side``); ``communes`` are its old communes in code order."""

    side: Side
    partner: str
    communes: list[Unit]
    female: np.ndarray
    family: np.ndarray
    middle: np.ndarray
    given: np.ndarray
    birth_days: np.ndarray  # days since 1970-01-01
    birth_province: np.ndarray  # index into old_province_codes()
    id_serial: np.ndarray
    has_cmnd: np.ndarray
    commune: np.ndarray  # index into communes
    hamlet_pick: np.ndarray  # any non-negative int; modulo the commune's hamlet count
    phone: np.ndarray

    def __len__(self) -> int:
        return len(self.female)

    @cached_property
    def _provinces(self) -> tuple[str, ...]:
        return old_province_codes()

    def entity_id(self, i: int) -> str:
        return f"P{self.side.code}-{i:07d}"

    def name(self, i: int) -> str:
        return full_name(int(self.family[i]), int(self.middle[i]), int(self.given[i]))

    def birth(self, i: int) -> dt.date:
        return EPOCH + dt.timedelta(days=int(self.birth_days[i]))

    def cccd(self, i: int) -> str:
        born = self.birth(i)
        prov = self._provinces[int(self.birth_province[i])]
        return ids.cccd(prov, born.year, bool(self.female[i]), int(self.id_serial[i]))

    def cmnd(self, i: int) -> str:
        return ids.cmnd(self.side.cmnd_prefix, (i * 104_729 + 4_242) % 1_000_000) if self.has_cmnd[i] else ""

    def sex(self, i: int) -> str:
        return "Nữ" if self.female[i] else "Nam"

    def adults(self) -> np.ndarray:
        cutoff = (dt.date(2007, 7, 1) - EPOCH).days
        return np.flatnonzero(self.birth_days < cutoff)


def _birth_days(rng: np.random.Generator, n: int) -> np.ndarray:
    ages = rng.choice(_MAX_AGE, size=n, p=_age_weights())
    offset = rng.integers(0, 365, size=n)
    cut = (CUTOVER - EPOCH).days
    return (cut - ages * 365 - offset - 1).astype(np.int32)


def _birth_provinces(rng: np.random.Generator, n: int, own: str, partner: str) -> np.ndarray:
    codes = old_province_codes()
    draw = rng.random(n)
    others = rng.integers(0, len(codes), size=n)
    out = np.where(draw < 0.88, codes.index(own), np.where(draw < 0.95, codes.index(partner), others))
    return out.astype(np.int8)


def _unique_serials(rng: np.random.Generator, group: np.ndarray, survivor: bool) -> np.ndarray:
    """6-digit serials unique within each (birth province, sex, year) group; the two sides use disjoint halves."""
    order = np.lexsort((rng.random(len(group)), group))
    sorted_groups = group[order]
    starts = np.r_[0, np.flatnonzero(sorted_groups[1:] != sorted_groups[:-1]) + 1]
    rank = np.arange(len(group)) - np.repeat(starts, np.diff(np.r_[starts, len(group)]))
    serial = np.empty(len(group), dtype=np.int64)
    serial[order] = (rank * 7_919 + int(rng.integers(0, 500_000))) % 500_000
    return (serial + (500_000 if survivor else 0)).astype(np.int32)


def _commune_weights(rng: np.random.Generator, communes: list[Unit]) -> np.ndarray:
    weights = rng.lognormal(0.0, 0.6, size=len(communes))
    weights *= np.array([2.0 if u.type == "Phường" else 1.0 for u in communes])
    return weights / weights.sum()


def build_population(side: Side, partner: str, n: int, seed: int) -> Population:
    """``n`` entities of ``side``, fully determined by ``seed``."""
    rng = np.random.default_rng([seed, int(side.code), 1])
    communes = sorted(reference().communes_in("old", side.code), key=lambda u: u.code)
    female = rng.random(n) < 0.505
    family, middle, given = sample_names(rng, female)
    birth_days = _birth_days(rng, n)
    born_2003 = (dt.date(2003, 1, 1) - EPOCH).days
    birth_province = _birth_provinces(rng, n, side.code, partner)
    years = (birth_days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970)
    group = birth_province.astype(np.int64) * 1_000_000 + female.astype(np.int64) * 10_000 + years
    return Population(
        side=side, partner=partner, communes=communes, female=female, family=family, middle=middle, given=given,
        birth_days=birth_days, birth_province=birth_province,
        id_serial=_unique_serials(rng, group, side.register_in_db),
        has_cmnd=(birth_days < born_2003) & (rng.random(n) < 0.75),
        commune=rng.choice(len(communes), size=n, p=_commune_weights(rng, communes)).astype(np.int16),
        hamlet_pick=rng.integers(0, 10_000, size=n).astype(np.int16),
        phone=rng.integers(0, 2**31 - 1, size=n).astype(np.int64),
    )
