"""Old → new conversion of one address.

The answer is certain only when every reading of the text leads to one new commune. A split commune returns all of
its new communes and is resolved only by evidence that can be named (a hamlet the province assigned to one of them);
never by a default.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from hopnhat.errors import InputError
from hopnhat.units.index import Indexes, indexes
from hopnhat.units.parse import Parsed, parse
from hopnhat.units.reference import Unit
from hopnhat.units.tokens import tokenize

Status = Literal["converted", "already_new", "split", "ambiguous", "not_found", "invalid"]
STATUSES: tuple[Status, ...] = ("converted", "already_new", "split", "ambiguous", "not_found", "invalid")
MAX_LENGTH = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, init=False)
class Conversion:
    """The result for one address. Codes are versioned by their field names (``old_``/``new_``)."""

    status: Status
    reason: str
    new_province_code: str | None = None
    new_commune_code: str | None = None
    candidates: tuple[str, ...] = ()
    old_province_code: str | None = None
    old_district_code: str | None = None
    old_commune_code: str | None = None
    rest: str = ""

    def __init__(self, status: Status, reason: str, new_province_code: str | None = None,
                 new_commune_code: str | None = None, candidates: tuple[str, ...] = (),
                 old_province_code: str | None = None, old_district_code: str | None = None,
                 old_commune_code: str | None = None, rest: str = "") -> None:
        """The dataclass's own ``__init__``, written out: that one is generated at run time and interpreted (a
        third of deciding an address); this one is compiled with the module. Frozen all the same: the fields are
        set in the instance's dictionary, as the generated one does through ``object.__setattr__``."""
        fields = self.__dict__
        fields["status"] = status
        fields["reason"] = reason
        fields["new_province_code"] = new_province_code
        fields["new_commune_code"] = new_commune_code
        fields["candidates"] = candidates
        fields["old_province_code"] = old_province_code
        fields["old_district_code"] = old_district_code
        fields["old_commune_code"] = old_commune_code
        fields["rest"] = rest

    @property
    def certain(self) -> bool:
        return self.status in ("converted", "already_new")

    def new_commune(self) -> Unit | None:
        return indexes().ref.communes["new"].get(self.new_commune_code or "")

    def as_row(self) -> dict[str, str | None]:
        return {
            "status": self.status,
            "new_province_code": self.new_province_code,
            "new_commune_code": self.new_commune_code,
            "candidates": ";".join(self.candidates),
            "reason": self.reason,
        }


@dataclass
class SplitEvidence:
    """Hamlets (thôn/ấp/tổ…) of split communes assigned to one new commune, as a province published them."""

    by_old: dict[str, list[tuple[tuple[str, ...], str, str]]] = field(default_factory=lambda: defaultdict(list))
    source: str = ""

    @classmethod
    def from_csv(cls, path: Path) -> SplitEvidence:
        """Columns ``old_commune_code, hamlet, new_commune_code``."""
        evidence = cls(source=path.name)
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    evidence.add(row["old_commune_code"], row["hamlet"], row["new_commune_code"])
        except (OSError, KeyError) as exc:
            raise InputError("cannot read split-commune evidence", source=str(path), reason=str(exc)) from exc
        return evidence

    def add(self, old_code: str, hamlet: str, new_code: str) -> None:
        words = tuple(t.key for t in tokenize(hamlet)[1])
        if words:
            self.by_old[old_code.zfill(5)].append((words, hamlet, new_code.zfill(5)))

    def decide(self, old_code: str, rest: str, candidates: set[str]) -> tuple[str, str] | None:
        keys = [t.key for t in tokenize(rest)[1]]
        found = {(new, hamlet) for words, hamlet, new in self.by_old.get(old_code, ())
                 if new in candidates and _contains(keys, words)}
        if len({new for new, _ in found}) != 1:
            return None
        new, hamlet = sorted(found)[0]
        return new, hamlet


def _contains(keys: list[str], words: tuple[str, ...]) -> bool:
    n = len(words)
    return any(tuple(keys[i : i + n]) == words for i in range(len(keys) - n + 1))


def invalid_reason(value: object) -> str | None:
    """Why a value cannot be an address at all, or None."""
    if isinstance(value, str) and _plainly_valid(value):
        return None  # (what every address but a few needs: the checks below, in one pass where it can)
    return _checked_reason(value)


def _checked_reason(value: object) -> str | None:
    """:func:`invalid_reason`, every check."""
    if value is None:
        return "empty"
    if not isinstance(value, str):
        return f"not text ({type(value).__name__})"
    text = value.strip()
    if not text:
        return "empty"
    if len(text) > MAX_LENGTH:
        return f"too long ({len(text)} characters > {MAX_LENGTH})"
    if "\ufffd" in text or (not text.isprintable() and _CONTROL.search(text) and len(_CONTROL.findall(text)) > 2):
        return "undecodable or binary text (repair the encoding first)"
    if not (text[0].isalpha() or _LETTER.search(text)):  # (a letter first is a letter of [^\W\d_])
        return "no letters"
    return None


def _plainly_valid(value: str) -> bool:
    """The checks of :func:`invalid_reason` pass, seen without stripping the text: not too long, no replacement
    character, no character below a space (so none of ``_CONTROL``'s C0 controls; a tab or a new line: the full
    checks read those) nor of its C1 controls or DEL, and a letter (which ``_LETTER`` matches, and stripping never
    removes). False says nothing: the full checks decide.

    One loop over the characters (compiled, comparisons of code points), where ``str.isprintable`` looked each one
    up in the Unicode database and ``"\\ufffd" in value`` read the text again."""
    if len(value) > MAX_LENGTH:
        return False
    letter = False
    for c in value:
        if c < " " or "\x7f" <= c <= "\x9f" or c == "\ufffd":
            return False
        if not letter and c.isalpha():
            letter = True
    return letter


def _targets(unit: Unit, idx: Indexes) -> set[str]:
    return {link.new_code for link in idx.ref.links.get(unit.code, ())}


def _is_split(unit: Unit, idx: Indexes) -> bool:
    return any(link.kind == "split" for link in idx.ref.links.get(unit.code, ()))


def _province_of(codes: set[str], idx: Indexes) -> str | None:
    provinces = {idx.ref.communes["new"][c].province_code for c in codes}
    return provinces.pop() if len(provinces) == 1 else None


def _old_codes(parsed: Parsed) -> dict[str, str | None]:
    communes = {c.code for c in parsed.old_communes}
    districts = {c.district_code for c in parsed.old_communes} or {d.code for d in parsed.districts}
    provinces = {u.province_code for u in parsed.old_communes} or {d.province_code for d in parsed.districts}
    return {"old_commune_code": _one(communes), "old_district_code": _one(districts),
            "old_province_code": _one(provinces)}


def _one(codes: set[str] | set[str | None]) -> str | None:
    return next(iter(codes)) if len(codes) == 1 else None


def _names(units: list[Unit]) -> str:
    return ", ".join(dict.fromkeys(u.name for u in units))


def _result(parsed: Parsed, status: Status, reason: str, codes: set[str], idx: Indexes) -> Conversion:
    certain = status in ("converted", "already_new")
    if parsed.notes:
        reason = f"{reason} ({'; '.join(parsed.notes)})"
    return Conversion(
        status=status,
        reason=reason,
        new_province_code=_province_of(codes, idx) if codes else None,
        new_commune_code=next(iter(codes)) if certain else None,
        candidates=() if certain else tuple(sorted(codes)),
        rest=parsed.rest,
        **_old_codes(parsed),
    )


def _district_targets(parsed: Parsed, idx: Indexes) -> set[str]:
    """Every new commune the written district's communes went to."""
    return _district_targets_of(parsed.districts, idx)


def _district_targets_of(districts: list[Unit], idx: Indexes) -> set[str]:
    codes: set[str] = set()
    for d in districts:
        if d.code in idx.ref.district_only:
            codes.add(idx.ref.district_only[d.code])
        for c in idx.ref.communes_in("old", d.province_code, d.code):
            codes |= _targets(c, idx)
    return codes


def _district_only(parsed: Parsed, idx: Indexes) -> Conversion:
    codes = _district_targets(parsed, idx)
    if len(codes) == 1:
        return _result(parsed, "converted", f"district {_names(parsed.districts)} became one new unit", codes, idx)
    return _result(parsed, "ambiguous", f"no commune found, only district {_names(parsed.districts)}", codes, idx)


def decide(parsed: Parsed, idx: Indexes, evidence: SplitEvidence | None = None) -> Conversion:
    """Turn the readings of one address into a conversion result."""
    if parsed.districts and not parsed.old_communes:
        return _district_only(parsed, idx)
    old_codes = set().union(*(_targets(c, idx) for c in parsed.old_communes)) if parsed.old_communes else set()
    new_codes = {c.code for c in parsed.new_communes}
    codes = old_codes | new_codes
    if not codes:
        found = _names(parsed.provinces) or "nothing"
        return _result(parsed, "not_found", f"no commune recognised (found: {found})", codes, idx)
    if parsed.doubts:
        others = _district_targets_of(parsed.doubt_units, idx).union(
            *(_targets(c, idx) for c in parsed.doubt_communes))
        return _result(parsed, "ambiguous", "; ".join(parsed.doubts) + "; check the record", codes | others, idx)
    if parsed.commune_outside_district:
        where = _names(parsed.districts)
        return _result(parsed, "ambiguous", f"{_names(parsed.old_communes)} is not under {where} as written; "
                       "check the record", codes | _district_targets(parsed, idx), idx)
    if len(codes) == 1:
        return _certain(parsed, codes, idx)
    if len(parsed.old_communes) == 1 and not new_codes and _is_split(parsed.old_communes[0], idx):
        return _split(parsed, codes, idx, evidence)
    return _result(parsed, "ambiguous", _ambiguity(parsed), codes, idx)


def _certain(parsed: Parsed, codes: set[str], idx: Indexes) -> Conversion:
    new = idx.ref.communes["new"][next(iter(codes))]
    if parsed.new_communes:
        agree = " (the old reading agrees)" if parsed.old_communes else ""
        return _result(parsed, "already_new", f"new-structure address: {new.name}{agree}", codes, idx)
    old = parsed.old_communes[0]
    kinds = {link.kind for c in parsed.old_communes for link in idx.ref.links.get(c.code, ())}
    reason = f"{old.name} (old {old.code}) → {new.name} ({'/'.join(sorted(kinds))})"
    return _result(parsed, "converted", reason, codes, idx)


def _split(parsed: Parsed, codes: set[str], idx: Indexes, evidence: SplitEvidence | None) -> Conversion:
    old = parsed.old_communes[0]
    if evidence is not None:
        decided = evidence.decide(old.code, parsed.rest, codes)
        if decided:
            new_code, hamlet = decided
            new = idx.ref.communes["new"][new_code]
            reason = (f"{old.name} (old {old.code}) was split; hamlet '{hamlet}' belongs to {new.name} "
                      f"according to {evidence.source or 'the province list'}")
            return _result(parsed, "converted", reason, {new_code}, idx)
    names = ", ".join(idx.ref.communes["new"][c].name for c in sorted(codes))
    return _result(parsed, "split", f"{old.name} (old {old.code}) was split among {names}; needs review", codes, idx)


def _ambiguity(parsed: Parsed) -> str:
    parts = []
    if parsed.old_communes:
        parts.append(f"old: {', '.join(f'{c.name} ({c.code})' for c in parsed.old_communes)}")
    if parsed.new_communes:
        parts.append(f"new: {', '.join(f'{c.name} ({c.code})' for c in parsed.new_communes)}")
    return "several units match — " + "; ".join(parts) + "; add the district or check the record"


def convert_address(text: object, evidence: SplitEvidence | None = None) -> Conversion:
    """Convert one free-text address (old 3-tier or new 2-tier) to the new structure. Never raises on bad text."""
    problem = invalid_reason(text)
    if problem:
        return Conversion(status="invalid", reason=problem)
    idx = indexes()
    return decide(parse(str(text), idx), idx, evidence)
