"""Mixed legacy columns whose tables hold different lines: what a mixed column's own syllables are worth without help.

    PYTHONPATH=<a build's src> .venv/bin/python bench/repair_disjoint.py dump OUT.pkl [--seeds 4]
    .venv/bin/python bench/repair_disjoint.py compare BEFORE.pkl AFTER.pkl

``bench/repair.py`` encodes the same lines in every table of a mixed column, so the syllables of the cells that read
in one table only (docs/repair.md) nearly always hold the right word for the cells that read in two. Here each
column's lines are shuffled (``--seeds`` shuffles) and split in two halves, the first written in one table (or UTF-8)
and the second in another, so the two tables share no line. The lines are the hand-written lists and the held-out
texts 1 to 7 (never held-out-8, written blind for a later measurement); the bytes come from the encoders of
``tests/text/independent.py``. ``dump`` runs ``ColumnRepairer`` of the build on ``PYTHONPATH`` and keeps every cell's
truth and output; ``compare`` prints both builds' right % and clean cells changed, and the cells that moved.
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.text import independent as ind  # noqa: E402

FILES = ("names.txt", "civil.txt", "addresses.txt", *(f"heldout{n}.txt" for n in ("", "2", "3", "4", "5", "6", "7")))
PAIRS = (("tcvn3", "vni"), ("vni", "tcvn3"), ("cp1258", "vni"), ("viscii", "tcvn3"), ("tcvn3", "viscii"),
         ("utf-8", "vni"), ("utf-8", "tcvn3"))
Cell = tuple[str, str, bool, str]  # (column, truth, clean, output)


def _cells(texts: list[str], encoding: str) -> list[str]:
    from hopnhat.text.cells import as_text

    return list(texts) if encoding == "utf-8" else [as_text(raw) for raw in ind.encode_many(texts, encoding)]


def _column(lines: list[str], first: str, second: str) -> tuple[list[str], list[str], int]:
    half = len(lines) // 2
    return _cells(lines[:half], first) + _cells(lines[half:], second), lines, half


def dump(path: Path, seeds: int) -> None:
    from hopnhat.repair.stage import ColumnRepairer

    result: list[Cell] = []
    for name in FILES:
        lines = list(dict.fromkeys(ind.lines(name)))
        for seed in range(seeds):
            random.Random(seed).shuffle(lines)
            for first, second in PAIRS:
                cells, truth, half = _column(lines, first, second)
                out = ColumnRepairer("cot").repair(list(cells))[0]
                label = f"{name} {seed} {first}+{second}"
                result += [(label, t, first == "utf-8" and i < half, str(o))
                           for i, (t, o) in enumerate(zip(truth, out, strict=True))]
    path.write_bytes(pickle.dumps(result))


def _summary(cells: list[Cell]) -> str:
    right = sum(t == o for _, t, _, o in cells)
    clean = sum(c and t != o for _, t, c, o in cells)
    return f"{len(cells)} cells, {100 * right / len(cells):.3f} % right, {clean} clean cells changed"


def compare(before: list[Cell], after: list[Cell]) -> None:
    print("before:", _summary(before))
    print("after: ", _summary(after))
    moved: dict[str, Counter[tuple[str, str, str]]] = {"wrong -> right": Counter(), "right -> wrong": Counter(),
                                                      "wrong -> another wrong": Counter()}
    for (label, truth, _, old), (_, _, _, new) in zip(before, after, strict=True):
        if old != new:
            way = "wrong -> right" if new == truth else "right -> wrong" if old == truth else "wrong -> another wrong"
            moved[way][(label.split()[-1], truth, new)] += 1
    print(", ".join(f"{way} {sum(c.values())}" for way, c in moved.items()))
    for way, found in moved.items():
        for (pair, truth, new), n in found.most_common(6):
            print(f"   {way:22s} {n:4d} [{pair}] {truth!r} -> {new!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("dump")
    one.add_argument("out", type=Path)
    one.add_argument("--seeds", type=int, default=4)
    two = sub.add_parser("compare")
    two.add_argument("before", type=Path)
    two.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out, args.seeds)
    else:
        compare(pickle.loads(args.before.read_bytes()), pickle.loads(args.after.read_bytes()))


if __name__ == "__main__":
    main()
