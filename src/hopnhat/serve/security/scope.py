"""A user's scope: the new-unit codes whose citizens they may see, enforced inside every SQL query.

Scope codes are new-structure codes: a province (2 digits, e.g. ``48``) or communes (5 digits). A scope that holds
the merged province's own code sees the whole store (every record in it belongs to that province, including those
whose address could not be placed). Otherwise a record is visible when its new province, its new commune or one of
its candidate communes (split / ambiguous addresses) is in the scope; a record without any placed unit is then not
visible. The columns that place each entity are listed in :data:`PLACE`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hopnhat.load.storedb import Dialect

CODE = re.compile(r"^\d{2}$|^\d{5}$")

# entity → admin-field prefixes whose _new_province_code / _new_commune_code / _candidates place a record
PLACE: dict[str, tuple[str, ...]] = {
    "person": ("address", "commune"),
    "civil_servant": ("hometown",),
    "organization": ("address",),
    "dossier": ("receiving_unit", "applicant_address"),
    "parcel": ("commune",),
    "person_event": ("place", "commune"),
    "document": ("issuing_commune",),
}


def parse_codes(text: str | None) -> tuple[str, ...]:
    """``"48"`` / ``"20194, 20195"`` → codes; every code must be 2 or 5 digits."""
    codes = tuple(c.strip() for c in (text or "").replace(";", ",").split(",") if c.strip())
    bad = [c for c in codes if not CODE.match(c)]
    if bad:
        raise ValueError(f"scope codes must be a 2-digit province or 5-digit commune code: {', '.join(bad)}")
    return codes


@dataclass(frozen=True)
class Scope:
    codes: tuple[str, ...]
    province: str  # the merged province of the store

    @property
    def unrestricted(self) -> bool:
        return self.province in self.codes

    def allows(self, codes: set[str]) -> bool:
        """In Python, for rows that were already fetched through a scoped query (defence in depth)."""
        return self.unrestricted or bool(codes & set(self.codes))

    def label(self) -> str:
        return ", ".join(self.codes) or "—"


def predicate(scope: Scope, dialect: Dialect, entity: str, columns: set[str], alias: str = "") -> tuple[str, list[Any]]:
    """SQL (``?`` placeholders) and parameters restricting ``entity`` rows to the scope."""
    if scope.unrestricted:
        return "TRUE", []
    prefix = f"{alias}." if alias else ""
    parts, params = [], []
    for place in PLACE.get(entity, ()):
        single = [f'{prefix}"{place}{s}"' for s in ("_new_province_code", "_new_commune_code")
                  if f"{place}{s}" in columns]
        cand = f'{prefix}"{place}_candidates"' if f"{place}_candidates" in columns else None
        if single or cand:
            parts.append(dialect.codes_overlap(single or ["NULL"], cand))
            params.append(list(scope.codes))
    return ("(" + " OR ".join(parts) + ")" if parts else "FALSE"), params
