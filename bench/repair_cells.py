"""Legacy-text repair cell by cell: one build's outputs on the bench's corpora, and two builds compared.

    PYTHONPATH=<a build's src> .venv/bin/python bench/repair_cells.py dump OUT.pkl [--rows 3000] [--seed 7]
                                                                       [--corpora independent,held-out,...]
    .venv/bin/python bench/repair_cells.py compare BEFORE.pkl AFTER.pkl

``dump`` runs the migrate path (``ColumnRepairer`` on the cells the ingest stage produces, which ``bench/repair.py``
checks gives the CLI's cells) of the build on ``PYTHONPATH`` over the corpora of ``bench/repair.py`` (same rows and
seed) and keeps every cell's truth, encoding and output. ``compare`` prints each corpus's right % by encoding for both
and counts the cells wrong → right, right → wrong and wrong → another wrong, with the commonest of each. The default
corpora are the development sets (held-out-3 among them since session 24's second part, which looked at it) and leave
out held-out-4, held-out-5, held-out-6, held-out-7 and held-out-8, which are measured only with
``bench/repair.py`` (docs/repair.md, sessions 24 to 27); ``--corpora held-out-5`` lists the cells of a measurement
already made, to name its misses.
"""

from __future__ import annotations

import argparse
import importlib.util
import pickle
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
Dump = dict[str, dict[str, list[tuple[str, str, bool, Any]]]]  # corpus → column → (truth, kind, clean, output)


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_repair", ROOT / "bench" / "repair.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def corpora(names: list[str], rows: int, seed: int) -> dict[str, Any]:
    bench = _bench()
    ind = bench.ind
    texts = {"held-out": "heldout", "held-out-2": "heldout2", "held-out-3": "heldout3", "held-out-4": "heldout4",
             "held-out-5": "heldout5", "held-out-6": "heldout6", "held-out-7": "heldout7",
             "held-out-8": "heldout8"}
    out = {}
    for name in names:
        if name == "independent":
            out[name] = ind.build(rows, seed)
        elif name == "synth":
            out[name] = bench.synth_columns(rows, seed)
        else:
            stem = texts[name]
            out[name] = ind.build(rows, seed, ind.Texts(ind.lines(f"{stem}.txt"), ind.lines(f"{stem}_ascii.txt")))
    return out


def dump(path: Path, names: list[str], rows: int, seed: int) -> None:
    run = _bench().run_migrate_path
    result: Dump = {}
    for name, columns in corpora(names, rows, seed).items():
        outputs = run(columns)
        result[name] = {c: [(cell.truth, cell.kind, cell.clean, out) for cell, out in zip(cells, outputs[c],
                                                                                           strict=True)]
                        for c, cells in columns.items()}
    path.write_bytes(pickle.dumps(result))


def summary(result: Dump) -> None:
    for name, columns in result.items():
        right, total, clean = Counter[str](), Counter[str](), 0
        for cells in columns.values():
            for truth, kind, is_clean, out in cells:
                total[kind] += 1
                right[kind] += out == truth
                clean += is_clean and out != truth
        pct = 100 * sum(right.values()) / sum(total.values())
        kinds = " ".join(f"{k} {100 * right[k] / total[k]:.2f}" for k in sorted(total))
        print(f"  {name:12s} {pct:.3f} % right, {clean} clean changed; by encoding: {kinds}")


def compare(before: Dump, after: Dump) -> None:
    print("before:")
    summary(before)
    print("after:")
    summary(after)
    for name in before:
        moved: dict[str, Counter[tuple[str, ...]]] = {"wrong -> right": Counter(), "right -> wrong": Counter(),
                                                      "wrong -> another wrong": Counter()}
        for column, cells in before[name].items():
            for (truth, _, _, old), (_, _, _, new) in zip(cells, after[name][column], strict=True):
                if old == new:
                    continue
                way = "wrong -> right" if new == truth else "right -> wrong" if old == truth else \
                    "wrong -> another wrong"
                moved[way][(column, truth, str(old), str(new))] += 1
        print(f"== {name}: " + ", ".join(f"{way} {sum(c.values())}" for way, c in moved.items()))
        for way, found in moved.items():
            for (column, truth, old, new), n in found.most_common(8):
                print(f"   {way:22s} {n:5d} [{column}] {truth!r}: {old!r} -> {new!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("dump")
    one.add_argument("out", type=Path)
    one.add_argument("--rows", type=int, default=3000)
    one.add_argument("--seed", type=int, default=7)
    one.add_argument("--corpora", default="independent,held-out,held-out-2,held-out-3,synth")
    two = sub.add_parser("compare")
    two.add_argument("before", type=Path)
    two.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out, args.corpora.split(","), args.rows, args.seed)
    else:
        compare(pickle.loads(args.before.read_bytes()), pickle.loads(args.after.read_bytes()))


if __name__ == "__main__":
    sys.exit(main())
