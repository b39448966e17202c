"""The units stage inside the mapping: every admin-unit reference (code or free text) → the new structure.

Codes say their version in the merger file (``version: old|new``); 2 digits name a province, 3 a district (abolished:
its work spreads over several new communes, so it is never certain), 5 a commune. A split commune keeps all its new
communes as candidates unless real evidence decides: a hamlet published in the province's split list, or a cadastral
map sheet published as belonging to one new commune. Free text goes through the admin-unit core.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.units.bulk import convert_entries, raw_ending
from hopnhat.units.convert import SplitEvidence, convert_address
from hopnhat.units.reference import reference


@dataclass(frozen=True)
class AdminResult:
    old_commune_code: str | None
    new_province_code: str | None
    new_commune_code: str | None
    status: str
    candidates: str
    reason: str


SUFFIXES = ("_old_commune_code", "_new_province_code", "_new_commune_code", "_status", "_candidates", "_reason")
EMPTY = AdminResult(None, None, None, "invalid", "", "")


def load_map_sheets(path: Path) -> dict[tuple[str, str], str]:
    """``old_commune_code, map_sheet, new_commune_code``: the map sheets of split communes, as published."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return {(r["old_commune_code"].zfill(5), r["map_sheet"].strip()): r["new_commune_code"].zfill(5)
                    for r in csv.DictReader(fh)}
    except (OSError, KeyError) as exc:
        raise InputError("cannot read split map-sheet evidence", source=str(path), reason=str(exc)) from exc


class AdminResolver:
    """Converts admin references batch after batch; results are cached for the whole run."""

    def __init__(self, evidence: SplitEvidence | None = None,
                 map_sheets: dict[tuple[str, str], str] | None = None) -> None:
        self.evidence = evidence
        self.map_sheets = map_sheets or {}
        self.ref = reference()
        self._text: dict[str, AdminResult] = {}
        self._codes: dict[tuple[str, str], AdminResult] = {}
        self._old: dict[str, str | None] = {}  # address ending → old commune code

    # --- free text -------------------------------------------------------------------------------------------
    def from_text(self, values: Sequence[str | None]) -> list[AdminResult]:
        todo = [v for v in dict.fromkeys(v for v in values if v) if v not in self._text]
        if todo:
            rows, shared = convert_entries(todo, self.evidence)
            for value, (status, prov, commune, cands, reason), holds in zip(todo, rows, shared, strict=True):
                old = self._old_commune(value, status, bool(holds))
                self._text[value] = AdminResult(old, prov, commune, status, cands, reason)
        if len(self._text) > 500_000:
            keep = set(values)
            self._text = {k: v for k, v in self._text.items() if k in keep}
            self._old.clear()
        return [self._text[v] if v else EMPTY for v in values]

    def _old_commune(self, value: str, status: str, holds: bool) -> str | None:
        """The old commune the address was written in (one only, else None). The bulk rows carry the new units only;
        the old commune comes from the same parse, once per address ending (``holds``: the row is decided by the
        ending, :func:`hopnhat.units.bulk.raw_ending`) — else once per address."""
        if status in ("not_found", "invalid", "already_new", ""):
            return None  # no old unit named, or written in the new units (an old name it resembles is no fact)
        ending = raw_ending(value) if holds else None
        if ending is None:
            return convert_address(value).old_commune_code
        if ending not in self._old:
            self._old[ending] = convert_address(value).old_commune_code
        return self._old[ending]

    # --- codes -----------------------------------------------------------------------------------------------
    def from_codes(self, codes: Sequence[str | None], version: str, hints: Sequence[str | None] | None = None,
                   sheets: Sequence[str | None] | None = None) -> list[AdminResult]:
        out = []
        for i, code in enumerate(codes):
            hint = hints[i] if hints else None
            sheet = sheets[i] if sheets else None
            out.append(self.code(code, version, hint, sheet))
        return out

    def code(self, code: str | None, version: str, hint: str | None = None, sheet: str | None = None) -> AdminResult:
        digits = (code or "").strip()
        if not digits:
            return EMPTY
        if not digits.isdigit():
            return AdminResult(None, None, None, "invalid", "", tr(f"mã {digits!r} không phải số",
                                                                   f"code {digits!r} is not a number"))
        cached = self._codes.get((digits, version))
        if cached is not None:
            return cached
        if version == "new":
            result = self._new(digits)
        elif len(digits) <= 2:
            result = self._province(digits.zfill(2))
        elif len(digits) == 3:
            result = self._district(digits)
        else:
            result = self._commune(digits.zfill(5), hint, sheet)
            if result.candidates:
                return result  # a split: this row's own evidence (sheet, hamlet) decides, not valid for other rows
        self._codes[(digits, version)] = result
        return result

    def _new(self, code: str) -> AdminResult:
        code = code.zfill(2) if len(code) <= 2 else code.zfill(5)
        level = "province" if len(code) == 2 else "commune"
        unit = (self.ref.provinces if level == "province" else self.ref.communes)["new"].get(code)
        if unit is None:
            return AdminResult(None, None, None, "not_found", "", tr(f"không có mã mới {code}", f"no new code {code}"))
        commune = code if level == "commune" else None
        return AdminResult(None, unit.province_code, commune, "already_new", "", tr(f"đã là đơn vị mới: {unit.name}",
                                                                                    f"already new: {unit.name}"))

    def _province(self, code: str) -> AdminResult:
        new = self.ref.province_map.get(code)
        if new is None:
            return AdminResult(None, None, None, "not_found", "", tr(f"không có tỉnh cũ mã {code}",
                                                                     f"no old province {code}"))
        return AdminResult(None, new, None, "converted", "", tr(f"cấp tỉnh: tỉnh cũ {code} → tỉnh mới {new}",
                                                                f"province level: old {code} → new {new}"))

    def _district(self, code: str) -> AdminResult:
        if code not in self.ref.districts:
            return AdminResult(None, None, None, "not_found", "", tr(f"không có huyện cũ mã {code}",
                                                                     f"no old district {code}"))
        district = self.ref.districts[code]
        targets = sorted({link.new_code for c in self.ref.communes_in("old", district.province_code, code)
                          for link in self.ref.new_communes_of(c.code)})
        prov = self.ref.province_map.get(district.province_code)
        return AdminResult(None, prov, None, "ambiguous", ";".join(targets), tr(
            f"{district.name} đã bỏ cấp huyện; công việc chuyển về {len(targets)} xã/phường mới",
            f"{district.name}: the district tier is abolished; its work goes to {len(targets)} new communes"))

    def _commune(self, code: str, hint: str | None, sheet: str | None) -> AdminResult:
        unit = self.ref.communes["old"].get(code)
        targets = sorted({link.new_code for link in self.ref.new_communes_of(code)})
        if unit is None or not targets:
            return AdminResult(code, None, None, "not_found", "", tr(f"không có xã cũ mã {code}",
                                                                     f"no old commune {code}"))
        prov = self.ref.communes["new"][targets[0]].province_code
        if len(targets) == 1:
            name = self.ref.communes["new"][targets[0]].name
            return AdminResult(code, prov, targets[0], "converted", "", tr(f"{unit.name} → {name}",
                                                                           f"{unit.name} → {name}"))
        decided = self._evidence(code, set(targets), hint, sheet)
        if decided is not None:
            return AdminResult(code, prov, decided[0], "converted", ";".join(targets), decided[1])
        return AdminResult(code, prov, None, "split", ";".join(targets), tr(
            f"{unit.name} bị chia cho {len(targets)} xã/phường mới: cần chọn", f"{unit.name} was split into "
            f"{len(targets)} new communes: choose one"))

    def _evidence(self, code: str, targets: set[str], hint: str | None, sheet: str | None) -> tuple[str, str] | None:
        if sheet and (code, sheet.strip()) in self.map_sheets and self.map_sheets[(code, sheet.strip())] in targets:
            new = self.map_sheets[(code, sheet.strip())]
            return new, tr(f"tờ bản đồ {sheet} thuộc xã mới {new} theo danh sách đã công bố",
                           f"map sheet {sheet} belongs to new commune {new} per the published list")
        if hint and self.evidence is not None:
            found = self.evidence.decide(code, hint, targets)
            if found is not None:
                return found[0], tr(f"thôn/xứ đồng {found[1]!r} thuộc xã mới {found[0]} theo danh sách đã công bố",
                                    f"hamlet {found[1]!r} belongs to new commune {found[0]} per the published list")
        return None
