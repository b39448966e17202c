"""Build ``src/hopnhat/units/data/history.csv``: former names of provinces, districts and communes, 2019–2025.

Run:  python scripts/build_history.py --git /path/to/dvhcvn/repo   (or --snapshots DIR of YYYY-MM-DD.json files)

Source. The statistics office (GSO, Tổng cục Thống kê) publishes the list of administrative units and keeps each
change in it. Dated copies of that list (2019-10-17 … 2025-02-18, 20 of them) are kept in the git history of the
public repository daohoangson/dvhcvn (``data/dvhcvn.json``, fetched from the office's web service); the last state,
30/6/2025, is the project's own ``old_*.csv`` tables. Only the facts of the list are read: codes, names, types and
which unit holds which commune code. The repository's code is never used.

What the builder derives, between two consecutive states of the list:

* a unit whose code remains but whose name or type changed: ``renamed`` / ``retyped`` (Thừa Thiên Huế → Thành phố
  Huế, Thị xã → Thành phố, Xã → Phường); its successor is the same code;
* a district whose code disappears: ``merged``; its successors are the districts (of 30/6/2025) that hold its
  commune codes then (commune codes survive a district's abolition);
* a commune whose code stays but whose district changes while the old district remains: ``moved`` (a record of
  the earlier district still names it there: Xã Thạch Thắng, Huyện Thạch Hà);
* a commune whose code disappears: ``merged``; its successor is the commune of 30/6/2025 that keeps its name as a
  former name in vietnamadminunits' data (MIT; ``alias_keys`` of ``old_communes.csv``), in the same district, when
  exactly one does; otherwise the row keeps the district and no commune (an address naming it is not certain).

A change took effect after ``last_seen`` and by ``gone_by`` (the next state of the list). When the resolution that
made it is known, it is cited (``RESOLUTIONS``) with its effective date.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hopnhat.text.normalize import name_key, official_tones  # noqa: E402

DATA = ROOT / "src" / "hopnhat" / "units" / "data"
FINAL_DATE = "2025-06-30"
TYPE_WORDS = ("Thành phố", "Thị trấn", "Thị xã", "Phường", "Quận", "Huyện", "Tỉnh", "Xã")

# (level, code, change) → (resolution, effective date). Only resolutions whose number and date are certain.
RESOLUTIONS: dict[tuple[str, str, str], tuple[str, str]] = {
    ("province", "46", "renamed"): ("175/2024/QH15 (Quốc hội, 30/11/2024: thành lập thành phố Huế trực thuộc "
                                    "trung ương)", "2025-01-01"),
}
HEADER = ["level", "code", "name", "type", "parent_code", "last_seen", "gone_by", "change", "successor_codes",
          "resolution", "effective", "source"]


@dataclass(frozen=True)
class State:
    date: str
    provinces: dict[str, tuple[str, str]]  # code → (name, type)
    districts: dict[str, tuple[str, str, str]]  # code → (name, type, province)
    communes: dict[str, tuple[str, str, str]]  # code → (name, type, district)


def _type_of(name: str) -> str:
    return next((t for t in TYPE_WORDS if name.startswith(t + " ")), "")


def _clean(name: str) -> str:
    return " ".join(name.split())


def state_from_gso(date: str, data: dict) -> State:
    provinces, districts, communes = {}, {}, {}
    for p in data["data"]:
        provinces[p["level1_id"]] = (_clean(p["name"]), _type_of(_clean(p["name"])))
        for d in p["level2s"]:
            districts[d["level2_id"]] = (_clean(d["name"]), d["type"], p["level1_id"])
            for c in d["level3s"]:
                communes[c["level3_id"]] = (_clean(c["name"]), c["type"], d["level2_id"])
    return State(date, provinces, districts, communes)


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def final_state() -> State:
    provinces = {r["code"]: (r["name"], _type_of(r["name"])) for r in _read("old_provinces.csv")}
    districts = {r["code"]: (r["name"], r["type"], r["province_code"]) for r in _read("old_districts.csv")}
    communes = {r["code"]: (r["name"], r["type"], r["district_code"]) for r in _read("old_communes.csv")}
    return State(FINAL_DATE, provinces, districts, communes)


def snapshots_from_git(repo: Path) -> list[State]:
    log = subprocess.run(["git", "-C", str(repo), "log", "--format=%H %ad", "--date=short", "--", "data/dvhcvn.json"],
                         check=True, capture_output=True, text=True).stdout.split("\n")
    states = []
    for line in filter(None, log):
        commit, date = line.split()
        text = subprocess.run(["git", "-C", str(repo), "show", f"{commit}:data/dvhcvn.json"], check=True,
                              capture_output=True, text=True).stdout
        states.append(state_from_gso(date, json.loads(text)))
    return sorted(states, key=lambda s: s.date)


def snapshots_from_dir(folder: Path) -> list[State]:
    return [state_from_gso(p.stem, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json"))]


def _dedupe(states: list[State]) -> list[State]:
    """Consecutive identical states kept once (the first date)."""
    out: list[State] = []
    for s in states:
        if out and (out[-1].provinces, out[-1].districts, out[-1].communes) == (s.provinces, s.districts, s.communes):
            continue
        out.append(s)
    return out


def _short(name: str) -> str:
    t = _type_of(name)
    return name[len(t) + 1 :] if t else name


class Successors:
    """Where a code of one state is in the final state."""

    def __init__(self, final: State) -> None:
        self.final = final
        self.alias_index: dict[tuple[str, str], list[str]] = defaultdict(list)  # (final district, key) → communes
        for r in _read("old_communes.csv"):
            for key in filter(None, r["alias_keys"].split(";")):
                self.alias_index[(r["district_code"], key)].append(r["code"])
        self.commune_memo: dict[str, list[str]] = {}

    def commune(self, code: str, name: str, district_code: str, states: list[State], i: int) -> list[str]:
        """The final commune(s) a commune of ``states[i]`` is in (by code when it survives, else by former name)."""
        if code in self.final.communes:
            return [code]
        districts = self.district_of_communes(district_code, states, i, exclude=code)
        keys = {name_key(name), name_key(_short(name))}
        found = sorted({c for d in districts for k in keys for c in self.alias_index.get((d, k), ())})
        return found if len(found) == 1 else []

    def district_of_communes(self, district_code: str, states: list[State], i: int, exclude: str = "") -> list[str]:
        """The final districts holding the surviving commune codes of a district of ``states[i]``."""
        codes: list[str] = []
        for state in states[i::-1]:  # a copy of the list may show a district without its communes: look back
            codes = [c for c, (_, _, d) in state.communes.items() if d == district_code and c != exclude]
            if codes:
                break
        found = sorted({self.final.communes[c][2] for c in codes if c in self.final.communes})
        if not found and district_code in self.final.districts:
            found = [district_code]
        return found


def changes(states: list[State]) -> list[list[str]]:
    succ = Successors(states[-1])
    rows: list[list[str]] = []
    for i in range(len(states) - 1):
        before, after = states[i], states[i + 1]
        rows += _province_changes(before, after)
        rows += _district_changes(before, after, succ, states, i)
        rows += _commune_changes(before, after, succ, states, i)
    return rows


def _row(level: str, code: str, name: str, type_: str, parent: str, before: State, after: State, change: str,
         successors: list[str]) -> list[str]:
    resolution, effective = RESOLUTIONS.get((level, code, change), ("", ""))
    return [level, code, name, type_, parent, before.date, after.date, change, ";".join(successors), resolution,
            effective, "GSO unit list (dated copies: daohoangson/dvhcvn data/dvhcvn.json)"]


def _renamed(old: tuple[str, ...], new: tuple[str, ...]) -> str | None:
    """The kind of change of a unit that kept its code, or None: a tone moved (``Hoà`` → ``Hòa``) is no change."""
    if official_tones(old[0]) == official_tones(new[0]):
        return None
    return "retyped" if _short(old[0]) == _short(new[0]) else "renamed"


def _province_changes(before: State, after: State) -> list[list[str]]:
    rows = []
    for code, old in before.provinces.items():
        new = after.provinces.get(code)
        change = _renamed(old, new) if new else None
        if change:
            rows.append(_row("province", code, old[0], old[1], "", before, after, change, [code]))
    return rows


def _district_changes(before: State, after: State, succ: Successors, states: list[State], i: int) -> list[list[str]]:
    rows = []
    for code, old in before.districts.items():
        new = after.districts.get(code)
        if new is not None:
            change = _renamed(old, new)
            if change:  # a district renamed may also have lost communes to a new one (Thành phố Huế, 2025)
                rows.append(_row("district", code, old[0], old[1], old[2], before, after, change,
                                 succ.district_of_communes(code, states, i)))
            continue
        rows.append(_row("district", code, old[0], old[1], old[2], before, after, "merged",
                         succ.district_of_communes(code, states, i)))
    return rows


def _commune_changes(before: State, after: State, succ: Successors, states: list[State], i: int) -> list[list[str]]:
    rows = []
    for code, old in before.communes.items():
        new = after.communes.get(code)
        if new is not None:
            change = _renamed(old, new)
            if change:
                rows.append(_row("commune", code, old[0], old[1], old[2], before, after, change,
                                 succ.commune(code, new[0], new[2], states, i + 1)))
            if old[2] != new[2] and after.districts.get(old[2]) is not None:  # moved to another district
                rows.append(_row("commune", code, old[0], old[1], old[2], before, after, "moved",
                                 succ.commune(code, new[0], new[2], states, i + 1)))
            continue
        rows.append(_row("commune", code, old[0], old[1], old[2], before, after, "merged",
                         succ.commune(code, old[0], old[2], states, i)))
    return rows


def _chained(rows: Iterable[list[str]]) -> list[list[str]]:
    """A unit renamed, then merged later: its earlier name goes where the later change took its code."""
    rows = list(rows)
    later: dict[tuple[str, str], list[list[str]]] = defaultdict(list)
    for r in rows:
        later[(r[0], r[1])].append(r)
    for r in rows:
        if not r[8]:
            after = [o for o in later[(r[0], r[1])] if o[5] >= r[6] and o[8]]
            if after:
                r[8] = min(after, key=lambda o: o[5])[8]
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--git", type=Path, help="a clone of daohoangson/dvhcvn")
    src.add_argument("--snapshots", type=Path, help="a folder of YYYY-MM-DD.json copies of data/dvhcvn.json")
    args = ap.parse_args(argv)
    states = snapshots_from_git(args.git) if args.git else snapshots_from_dir(args.snapshots)
    states = _dedupe([*states, final_state()])
    rows = sorted(_chained({tuple(r): r for r in changes(states)}.values()),
                  key=lambda r: (r[0] != "province", r[0] != "district", r[1], r[5]))
    with (DATA / "history.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    counts = defaultdict(int)
    for r in rows:
        counts[(r[0], r[7], bool(r[8]))] += 1
    print(f"history.csv: {len(rows)} rows from {len(states)} states ({states[0].date} … {states[-1].date})")
    for key in sorted(counts):
        print(f"  {key}: {counts[key]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
