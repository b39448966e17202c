"""Build bench/data/units_realworld.csv: (commune, district, province) triples as they stood 2019–2025, with truth.

Run:  .venv/bin/python bench/units_realworld.py --git /path/to/dvhcvn/repo [--shared ../shared/data/admin-units]

Where the triples come from. The statistics office's list of administrative units (GSO, public government data), as
it stood on six dates between October 2019 and February 2025 (dated copies kept in the git history of
daohoangson/dvhcvn, ``data/dvhcvn.json``; only its facts are read), plus the 30/6/2025 list. A record typed in 2020
names the units of 2020: ``Xã Hương Phú, Huyện Nam Đông, Tỉnh Thừa Thiên Huế``, ``Phường Thảo Điền, Quận 2``. Each
triple is kept with the names exactly as the list had them on that date.

The truth is computed without the parser, from official tables only: the commune's code on that date is followed to
the 30/6/2025 list (commune codes survive renames, re-typing and a district's abolition); the government conversion
table (``conversion_2025.csv``, shared/data/admin-units) gives its new commune(s), less the rows that the table files
under a wrong old code (its known defects, listed with their evidence in units/data/corrections.csv). A commune
whose code disappeared
before 2025 (merged) is kept only when its successor is known (history.csv), and is marked ``basis=history``.
``bench/units_variants.py`` writes each triple as people type it and adjusts the truth for what a style leaves out.

The output is sorted and deterministic (fixed seed) and is shipped in bench/data with its sources (README there).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "hopnhat" / "units" / "data"
OUT = ROOT / "bench" / "data" / "units_realworld.csv"
DATES = ("2019-10-17", "2020-12-06", "2022-09-17", "2024-04-17", "2024-11-21", "2025-02-18")
HEADER = ["as_of", "commune", "commune_type", "district", "district_type", "province", "code_then", "code_2025",
          "basis", "former", "truth", "truth_no_marks", "truth_no_types", "truth_bare"]
TYPES = ("Thành phố", "Thị trấn", "Thị xã", "Phường", "Quận", "Huyện", "Tỉnh", "Xã")


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _clean(name: str) -> str:
    return " ".join(name.split())


def snapshot(repo: Path, date: str) -> list[tuple[str, ...]]:
    """(code, commune, type, district code, district, district type, province code, province) on that date."""
    log = subprocess.run(["git", "-C", str(repo), "log", "--format=%H %ad", "--date=short", "--", "data/dvhcvn.json"],
                         check=True, capture_output=True, text=True).stdout.split("\n")
    commit = next(line.split()[0] for line in log if line.endswith(date))
    data = json.loads(subprocess.run(["git", "-C", str(repo), "show", f"{commit}:data/dvhcvn.json"], check=True,
                                     capture_output=True, text=True).stdout)
    return [(c["level3_id"], _clean(c["name"]), c["type"], d["level2_id"], _clean(d["name"]), d["type"],
             p["level1_id"], _clean(p["name"]))
            for p in data["data"] for d in p["level2s"] for c in d["level3s"]]


def final_rows() -> list[tuple[str, ...]]:
    provinces = {r["code"]: r["name"] for r in _csv(DATA / "old_provinces.csv")}
    districts = {r["code"]: r for r in _csv(DATA / "old_districts.csv")}
    return [(r["code"], r["name"], r["type"], r["district_code"], districts[r["district_code"]]["name"],
             districts[r["district_code"]]["type"], r["province_code"], provinces[r["province_code"]])
            for r in _csv(DATA / "old_communes.csv")]


def government(shared: Path) -> dict[str, set[str]]:
    """Old commune code → new commune codes, from the government conversion table."""
    with (shared / "conversion_2025.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[2:]
    out: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if len(r) > 4 and r[2].strip() and r[4].strip():
            out[r[4].strip().zfill(5)].add(r[2].strip().zfill(5))
    for c in _csv(DATA / "corrections.csv"):  # rows of the table filed under a wrong old code (its known defects)
        if c["reason"].startswith("code defect"):
            out[c["old_code"]].discard(c["new_code"])
    return out


def successors() -> dict[tuple[str, str], str]:
    """(code, name) of a commune merged 2019–2025 → its single successor of 30/6/2025 (history.csv)."""
    out = {}
    for r in _csv(DATA / "history.csv"):
        codes = [c for c in r["successor_codes"].split(";") if c]
        if r["level"] == "commune" and len(codes) == 1:
            out[(r["code"], r["name"])] = codes[0]
    return out


def short(name: str) -> str:
    return next((name[len(t) + 1 :] for t in TYPES if name.startswith(t + " ")), name)


def fold(text: str) -> str:
    """No diacritics, đ → d, lower case, no spaces or punctuation (written here, not taken from the parser)."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c))


def accents(text: str) -> str:
    """Lower case with diacritics, tone marks moved to the end of each word (Hoà = Hòa), no spaces."""
    out = []
    for word in unicodedata.normalize("NFD", text.lower()).split():
        tones = "".join(c for c in word if c in "\u0300\u0301\u0303\u0309\u0323")
        out.append("".join(c for c in word if c.isalnum() or (unicodedata.combining(c) and c not in tones)) + tones)
    return unicodedata.normalize("NFC", "".join(out))


def readings(rows: list[tuple[str, ...]]) -> dict[tuple[str, bool, bool], dict[str, list[tuple[str, ...]]]]:
    """For each way of writing (diacritics kept?, type words kept?): within a province, the communes a
    (commune, district) pair as written can mean on that date (district names compared the same way)."""
    out: dict[tuple[str, bool, bool], dict[str, list[tuple[str, ...]]]] = defaultdict(lambda: defaultdict(list))
    for marks in (True, False):
        for types in (True, False):
            for r in rows:
                key = "|".join(_written(r, marks, types))
                out[(r[6], marks, types)][key].append(r)
    return out


def _written(r: tuple[str, ...], marks: bool, types: bool) -> tuple[str, str]:
    key = accents if marks else fold
    commune = key(r[1] if types else short(r[1]))
    district = key(r[4] if types else short(r[4]))
    return commune, district


def build(repo: Path, shared: Path, n_changed: int, n_plain: int, seed: int) -> list[list[str]]:
    gov, succ = government(shared), successors()
    final = {r[0]: r for r in final_rows()}
    triples: dict[tuple[str, ...], list[str]] = {}

    def code_2025(code: str, name: str) -> tuple[str, str] | None:
        if (code, name) in succ:
            return succ[(code, name)], "history"
        return (code, "code") if code in final else None

    def truth_of(rows: list[tuple[str, ...]]) -> set[str] | None:
        codes: set[str] = set()
        for r in rows:
            found = code_2025(r[0], r[1])
            if found is None or not gov.get(found[0]):
                return None  # a reading whose truth is unknown: the triple is left out
            codes |= gov[found[0]]
        return codes

    for date in DATES:
        rows = snapshot(repo, date)
        index = readings(rows)
        for row in rows:
            found = code_2025(row[0], row[1])
            if found is None or not gov.get(found[0]):
                continue
            now = final[found[0]]
            pairs = (("commune", row[1], now[1]), ("district", row[4], now[4]), ("province", row[7], now[7]))
            former = [level for level, then, later in pairs if accents(then) != accents(later)]
            truths = [truth_of(index[(row[6], marks, types)]["|".join(_written(row, marks, types))])
                      for marks, types in ((True, True), (False, True), (True, False), (False, False))]
            if any(t is None for t in truths):
                continue
            key = (row[1], row[4], row[7])
            if key not in triples:
                triples[key] = [date, row[1], row[2], row[4], row[5], row[7], row[0], found[0], found[1],
                                ";".join(former), *(";".join(sorted(t)) for t in truths)]
    rng = random.Random(seed)
    changed = sorted(t for t in triples.values() if t[9])
    plain = sorted(t for t in triples.values() if not t[9])
    chosen = rng.sample(changed, min(n_changed, len(changed))) + rng.sample(plain, min(n_plain, len(plain)))
    return sorted(chosen, key=lambda t: (t[6], t[0]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--git", type=Path, required=True, help="a clone of daohoangson/dvhcvn (its data history)")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data" / "admin-units")
    ap.add_argument("--changed", type=int, default=3000, help="triples with a former name (default 3000)")
    ap.add_argument("--plain", type=int, default=3000, help="triples named as on 30/6/2025 (default 3000)")
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args(argv)
    rows = build(args.git, args.shared, args.changed, args.plain, args.seed)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"{OUT}: {len(rows)} triples ({sum(bool(r[9]) for r in rows)} with a former name, "
          f"{sum(r[8] == 'history' for r in rows)} through history.csv)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
