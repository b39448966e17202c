"""Where a linker's output on the blind population goes wrong: recall when one noise is the pair's only one, the
worst two-noise combinations, recall by the written form of the ID noises, and false pairs by how the two records'
IDs relate (the same, one keying slip apart, different, missing).

    .venv/bin/python -m bench.blind.explain /tmp/hopnhat-bench-link/blind-1000000-11-v1 [out-hopnhat.parquet]

Reads input.parquet, truth.parquet, people.parquet and the linker's output (a ``cluster_id`` column, row-aligned)
from the folder; prints plain text. Pure Python over the records: about a minute at 1 M (run it through a lane)."""

from __future__ import annotations

import argparse
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

NAME = {"typo", "accents_lost", "telex", "vni", "name_swap", "middle_dropped", "middle_added"}
DATE = {"dob_missing", "year_only", "placeholder_0101", "day_month_swap", "lunar_year"}
SHEET = ("id_float", "id_leading_zero", "id_scientific")


class Run:
    """One linker output beside the population's truth."""

    def __init__(self, folder: Path, output: str) -> None:
        self.rows = pq.read_table(folder / "input.parquet").to_pylist()
        truth = pq.read_table(folder / "truth.parquet").to_pylist()
        self.entity = [t["entity"] for t in truth]
        self.noises = [frozenset(k for k in t["noises"].split(";") if k) for t in truth]
        self.people = {p["entity"]: p for p in pq.read_table(folder / "people.parquet").to_pylist()}
        self.cluster = pq.read_table(folder / output).column("cluster_id").to_pylist()

    def true_pairs(self) -> Iterator[tuple[int, int]]:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(self.entity):
            groups[e].append(i)
        for rows in groups.values():
            yield from itertools.combinations(rows, 2)

    def false_pairs(self) -> Iterator[tuple[int, int]]:
        groups: dict[object, list[int]] = defaultdict(list)
        for i, c in enumerate(self.cluster):
            groups[c].append(i)
        for rows in groups.values():
            yield from ((a, b) for a, b in itertools.combinations(rows, 2) if self.entity[a] != self.entity[b])

    def linked(self, a: int, b: int) -> bool:
        return bool(self.cluster[a] == self.cluster[b])


def id_form(text: str, kinds: frozenset[str]) -> str:
    """The written form of a record's ID noise ('' for none of the forms told apart here)."""
    if "cmnd_beside" in kinds:
        return "cmnd_beside: " + ("CMND - CCCD" if " - " in text else "CCCD (CMND …)" if "(" in text else "CCCD/CMND")
    kind = next((k for k in SHEET if k in kinds), "")
    if kind == "id_scientific":
        return f"{kind}: {'born 00x' if text.startswith('1.') else 'born 0xx'}"
    if kind:
        digits = re.sub(r"\D", "", text.split(".")[0])
        return f"{kind}: {'two zeros lost (born 00x)' if len(digits) <= 10 else 'one zero lost'}"
    return ""


def context(kinds: frozenset[str]) -> str:
    return "with a name noise" if kinds & NAME else "with a date noise" if kinds & DATE else "alone or other"


def one_slip(a: str, b: str) -> bool:
    """Two 12-digit IDs one keying slip apart: one digit changed, or two neighbouring digits swapped."""
    diff = [i for i in range(12) if a[i] != b[i]]
    return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                              and a[diff[1]] == b[diff[0]])


def id_relation(a: str, b: str) -> str:
    ia, ib = set(re.findall(r"\d{12}", a)), set(re.findall(r"\d{12}", b))
    if ia & ib:
        return "same 12-digit ID"
    if any(one_slip(x, y) for x in ia for y in ib):
        return "12-digit IDs one slip apart"
    return "two different 12-digit IDs" if ia and ib else "an ID missing or not 12 digits"


def recall_lines(total: Counter[str], hit: Counter[str], order: list[str]) -> list[str]:
    return [f"  {k}: {hit[k] / total[k]:.4f} ({total[k] - hit[k]} missed / {total[k]})" for k in order]


def report(run: Run) -> list[str]:
    single, single_hit, two, two_hit, form, form_hit = (Counter[str]() for _ in range(6))
    for a, b in run.true_pairs():
        kinds, ok = run.noises[a] | run.noises[b], run.linked(a, b)
        key = "+".join(sorted(kinds)) or "clean"
        for total, hits, wanted in ((single, single_hit, len(kinds) <= 1), (two, two_hit, len(kinds) == 2)):
            if wanted:
                total[key] += 1
                hits[key] += ok
        for x, y in ((a, b), (b, a)):
            written = id_form(run.rows[x]["id_number"], run.noises[x])
            if written:
                line = f"{written:42s} {context((run.noises[x] | run.noises[y]) - {'cmnd_beside', *SHEET})}"
                form[line] += 1
                form_hit[line] += ok
    out = ["single-noise pairs, recall:"]
    out += recall_lines(single, single_hit, sorted(single, key=lambda k: single_hit[k] / single[k]))
    out += ["two-noise combinations, worst recall (≥ 30 pairs):"]
    worst = sorted((k for k in two if two[k] >= 30), key=lambda k: two_hit[k] / two[k])[:15]
    out += recall_lines(two, two_hit, worst)
    out += ["ID noises by written form:"] + recall_lines(form, form_hit, sorted(form))
    return out + false_report(run)


def false_report(run: Run) -> list[str]:
    kinds: Counter[str] = Counter()
    people = set()
    for a, b in run.false_pairs():
        pa, pb = run.people[run.entity[a]], run.people[run.entity[b]]
        truly = "true CCCDs one slip apart" if one_slip(pa["cccd"], pb["cccd"]) else "true CCCDs further apart"
        home = "same household" if pa["household"] == pb["household"] else "other households"
        kinds[f"{id_relation(run.rows[a]['id_number'], run.rows[b]['id_number'])}; {truly}; {home}"] += 1
        people.add(tuple(sorted((run.entity[a], run.entity[b]))))
    out = [f"false pairs: {sum(kinds.values())} ({len(people)} pairs of people), by the records' IDs:"]
    return out + [f"  {v} {k}" for k, v in kinds.most_common()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("output", nargs="?", default="out-hopnhat.parquet")
    args = parser.parse_args()
    print("\n".join(report(Run(args.folder, args.output))))


if __name__ == "__main__":
    main()
