"""Bad input, measured: a few hundred damaged inputs and odd paths per file-taking command, each outcome counted.

    .venv/bin/python bench/badinput.py [--per-command 300] [--seed 1] [--commands "units convert,repair"]

Commands: ``units convert``, ``repair``, ``link persons`` (damaged input files, odd input and output paths) and
``migrate`` (a hand-written merger file with a CSV and an NDJSON source; the merger file damaged — impossible date,
no source, long delimiter, unknown encoding, absent key column, wrong kind, store on a source, deep nesting,
truncation, flipped bytes — or one source file damaged). Prints per command: worked (exit 0, output
complete), clean error (refused with a message, nothing written),
traceback, input changed, half output (an unreadable output after exit 0, or an output or temporary file left by a
failed run). The damage and the valid seeds are in ``tests/boundary/harness.py`` (written apart from ``synth/``).
Target: 0 tracebacks, 0 inputs changed, 0 half-written outputs. Runs in-process (Typer's CliRunner).
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "boundary"))

from harness import (  # type: ignore[import-not-found]
    COMMANDS,
    OUTCOMES,
    Case,
    draw,
    make_migrate_case,
    make_review_case,
    review_store,
    run_case,
    seeds_in,
)

_STORES: dict[Path, Path] = {}


def _case(command: str, folder: Path, seed_files: dict[str, bytes], rng: random.Random, tmp: Path) -> Case:
    if command == "migrate":
        return make_migrate_case(folder, seed_files, rng)
    if command.startswith("review"):
        if tmp not in _STORES:
            _STORES[tmp] = review_store(tmp / "store", seed_files)
        return make_review_case(command.split()[1], folder, _STORES[tmp], rng)
    return draw(command, folder, seed_files, rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-command", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--commands", default=",".join([*COMMANDS, "migrate", "review import", "review export"]))
    parser.add_argument("--by-damage", action="store_true", help="outcomes per kind of damage or odd path")
    parser.add_argument("--show", type=int, default=5, help="examples of bad outcomes printed per command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="badinput-") as tmp:
        seed_files = seeds_in(Path(tmp) / "seeds")
        print(f"{'command':<15}" + "".join(f"{o:>15}" for o in OUTCOMES) + f"{'runs':>7}{'s':>7}  exit codes")
        for command in [c.strip() for c in args.commands.split(",")]:
            rng = random.Random(f"{args.seed}:{command}")
            counts: collections.Counter[str] = collections.Counter()
            codes: collections.Counter[int] = collections.Counter()
            by_label: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
            bad: list[str] = []
            started = time.perf_counter()
            for i in range(args.per_command):
                folder = Path(tmp) / "case"
                case = _case(command, folder, seed_files, rng, Path(tmp))
                outcome, code, text = run_case(case)
                counts.update(outcome)
                codes[code] += 1
                by_label[case.label].update(outcome)
                if (outcome & {"traceback", "input_changed", "half_output"} or code == 1) and len(bad) < args.show:
                    bad.append(f"  #{i} {case.label} {sorted(outcome)} exit {code}: {text.strip()[-300:]}")
            seconds = time.perf_counter() - started
            print(f"{command:<15}" + "".join(f"{counts[o]:>15}" for o in OUTCOMES)
                  + f"{args.per_command:>7}{seconds:>7.0f}  "
                  + ", ".join(f"{c}: {n}" for c, n in sorted(codes.items())))
            if args.by_damage:
                print("  per damage (worked/clean/bad): " + "; ".join(
                    f"{label} {c['worked']}/{c['clean']}/{sum(c[o] for o in OUTCOMES[2:])}"
                    for label, c in sorted(by_label.items())))
            for line in bad:
                print(line)


if __name__ == "__main__":
    main()
