"""Everything the catalog knows at one moment, in one value: what the store loads and every view reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from hopnhat.catalog.model import Decision, Digitisation, Inventory, Override, SourceState, System, Task, TaskStatus
from hopnhat.catalog.pairing import Pair, pair_systems
from hopnhat.catalog.settings import CatalogSettings


@dataclass
class CatalogState:
    inventories: list[Inventory] = field(default_factory=list)
    digitisation: list[Digitisation] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    statuses: list[TaskStatus] = field(default_factory=list)
    settings: CatalogSettings = field(default_factory=CatalogSettings)
    source_states: list[SourceState] = field(default_factory=list)

    @property
    def systems(self) -> dict[str, System]:
        """Every system by its province-qualified key (ids repeat across provinces; keys never do)."""
        return {s.key: s for inv in self.inventories for s in inv.systems}

    @property
    def pairs(self) -> list[Pair]:
        return pair_systems(self.inventories)

    def unit_name(self, code: str) -> str:
        return next((i.unit_name for i in self.inventories if i.unit_code == code), code)

    def latest_status(self) -> dict[str, TaskStatus]:
        out: dict[str, TaskStatus] = {}
        for s in sorted(self.statuses, key=lambda s: s.at):
            out[s.task_id] = s
        return out

    def latest_source_states(self) -> dict[str, SourceState]:
        """Each legacy source's current state (the latest recorded)."""
        out: dict[str, SourceState] = {}
        for s in sorted(self.source_states, key=lambda s: s.at):
            out[s.source] = s
        return out
