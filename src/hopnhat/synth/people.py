"""Rendering one entity as a legacy record: name, birth date, ID, phone and address as written, noise included."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from hopnhat.synth import ids, noise
from hopnhat.synth.addresses import hamlets_with_assignment, render_address, street_detail
from hopnhat.synth.population import Population
from hopnhat.units.reference import Unit, reference

Assignment = dict[tuple[str, str], str]


@dataclass
class Address:
    text: str
    old_code: str
    hamlet: str
    new_code: str
    style: str


@dataclass
class PersonRow:
    entity: str
    name: str
    birth: dt.date | None
    birth_year: int
    sex: str
    id_number: str
    id_kind: str
    phone: str
    address: Address
    true_name: str
    true_birth: dt.date
    noises: list[str] = field(default_factory=list)

    def birth_text(self, iso: bool) -> str:
        if self.birth is None:
            return str(self.birth_year)
        return self.birth.isoformat() if iso else self.birth.strftime("%d/%m/%Y")


def new_commune_of(commune: Unit, hamlet: str, assignment: Assignment) -> str:
    """The true new commune of an address: the split assignment of its hamlet, else the only successor."""
    assigned = assignment.get((commune.code, hamlet))
    if assigned:
        return assigned
    links = reference().links.get(commune.code, [])
    return links[0].new_code if links else ""


def address(commune: Unit, pick: int, rng: random.Random, assignment: Assignment, styles: tuple[str, ...]) -> Address:
    """An address in ``commune``: a hamlet (and a street in towns), written in a style drawn from ``styles``."""
    hamlets = hamlets_with_assignment(commune, assignment)
    hamlet = hamlets[pick % len(hamlets)]
    detail = street_detail(rng, hamlet) if commune.type != "Xã" and rng.random() < 0.5 else hamlet
    style = styles[int(rng.random() * len(styles))]
    text = render_address(commune, style, rng, detail)
    return Address(text, commune.code, hamlet, new_commune_of(commune, hamlet, assignment), style)


def _id(pop: Population, i: int, rng: random.Random) -> tuple[str, str]:
    cmnd = pop.cmnd(i)
    old = pop.birth(i).year < 1975
    if cmnd and rng.random() < (0.6 if old else 0.15):
        return cmnd, "cmnd"
    return pop.cccd(i), "cccd"


def person_row(pop: Population, i: int, rng: random.Random, assignment: Assignment, styles: tuple[str, ...],
               noises: list[str] | None = None, home: Population | None = None) -> PersonRow:
    """Entity ``i`` of ``pop`` as a record; ``home`` (another province) gives the address of a person who moved."""
    noises = noises or []
    place = home or pop
    moved = home or "stale_address" in noises
    commune_idx = int(rng.random() * len(place.communes)) if moved else int(pop.commune[i])
    addr = address(place.communes[commune_idx], int(pop.hamlet_pick[i]), rng, assignment, styles)
    name, born = pop.name(i), pop.birth(i)
    written_birth: dt.date | None = born  # None: only the year is written
    written_name, year = name, born.year
    number, kind = _id(pop, i, rng)
    applied = ["stale_address"] if "stale_address" in noises and commune_idx != int(pop.commune[i]) else []
    for n in noises:
        before = (written_name, written_birth, number)
        if n in noise.NAME_NOISES:
            written_name = noise.noisy_name(written_name, n, rng)
        elif n in noise.DATE_NOISES:
            written_birth, year = noise.noisy_date(born, n)
        elif n in noise.ID_NOISES:
            other = pop.cccd(i) if kind == "cmnd" else pop.cmnd(i)
            number = noise.noisy_id(number, other, n, rng)
            kind = "" if not number else ("cmnd" if len(number) == 9 else "cccd")
        if (written_name, written_birth, number) != before:
            applied.append(n)
    phone = ids.phone(int(pop.phone[i]) % 97, int(pop.phone[i]) // 97, int(rng.random() * 5))
    return PersonRow(pop.entity_id(i), written_name, written_birth, year, pop.sex(i), number, kind, phone, addr,
                     name, born, sorted(applied))
