"""Pair the systems of the same kind (and, for specialised databases, the same domain) across the old provinces."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from hopnhat.catalog.kinds import KINDS, label
from hopnhat.catalog.model import Inventory, System
from hopnhat.text.normalize import name_key

_KIND_ORDER = {k.code: i for i, k in enumerate(KINDS)}


@dataclass(frozen=True)
class Pair:
    """All candidate systems for one role in the merged province (usually one per old province)."""

    key: str
    kind: str
    domain: str | None
    systems: tuple[System, ...]

    @property
    def one_sided(self) -> bool:
        return len({s.unit_code for s in self.systems}) == 1

    @property
    def units(self) -> tuple[str, ...]:
        return tuple(sorted({s.unit_code for s in self.systems}))

    @property
    def title(self) -> str:
        return label("domain", self.domain) if self.domain else label("kind", self.kind)


def role_key(system: System) -> str:
    """The role a system plays in the merged province: its kind, or ``specialised:<domain>``."""
    return system.kind if system.kind != "specialised" else f"specialised:{name_key(system.domain or '')}"


_key = role_key


def pair_systems(inventories: Iterable[Inventory]) -> list[Pair]:
    """Group every system by role; pairs come in the order of the 12 kinds, then specialised domains."""
    groups: dict[str, list[System]] = defaultdict(list)
    for inv in inventories:
        for system in inv.systems:
            groups[_key(system)].append(system)
    pairs = [Pair(k, v[0].kind, v[0].domain, tuple(sorted(v, key=lambda s: (s.unit_code, s.key))))
             for k, v in groups.items()]
    return sorted(pairs, key=lambda p: (_KIND_ORDER.get(p.kind, 99), p.key))


def one_sided(pairs: Iterable[Pair]) -> list[Pair]:
    """The roles that only one old province has."""
    return [p for p in pairs if p.one_sided]
