"""Re-hashing the file store against its ledger: every stored content still there, byte for byte."""

from __future__ import annotations

from dataclasses import dataclass, field

from hopnhat.files.ledger import Ledger
from hopnhat.files.store import FileStore


@dataclass
class Verification:
    """What re-hashing found: contents checked, those whose bytes changed, those gone from the store."""

    checked: int = 0
    checked_bytes: int = 0
    changed: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.changed and not self.vanished


def verify(store: FileStore, ledger: Ledger) -> Verification:
    result = Verification()
    for sha256, size in ledger.objects():
        now = store.hash_of(sha256)
        result.checked += 1
        result.checked_bytes += size
        if now is None:
            result.vanished.append(sha256)
        elif now != sha256:
            result.changed.append(sha256)
    return result
