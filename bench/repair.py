"""Legacy-text repair: hopnhat against viparse+ftfy on an independent corpus and on the synth estate's text.

    .venv/bin/python bench/repair.py [--rows 3000] [--seed 7] [--runs 3] [--peer-rows 3000]
                                     [--sizes 54000,200000,540000,2000000] [--only-sizes] [--baseline SRC]

The independent corpus (``tests/text/independent.py``): hand-written names, addresses and civil-status phrases and
official unit names, encoded by glibc ``iconv`` (TCVN3, VISCII, CP1258), Python codecs (UTF-8 NFC/NFD, decomposed
CP1258, mojibake through ftfy's sloppy Windows-1252) and VNI/VIQR tables written from public descriptions; one column
per scenario (every encoding alone, mixed registers, plain ASCII), about 10 % plain-ASCII cells in every column.
The held-out part is the same scenarios on texts written after the engine was tuned (``data/heldout*.txt``: 60
Vietnamese lines, 40 plain-ASCII ones) and never used to change it; held-out-2 the same on a second set written
in session 23 before that session's change (``data/heldout2*.txt``: 93 lines with names of ten peoples, 30 plain-ASCII
ones), held-out-3 on a third set written in session 24 before that session's change (``data/heldout3*.txt``: 108
lines with names of fourteen peoples, rare Kinh given names, addresses as merged in 2025, civil-status phrases; 30
plain-ASCII ones), held-out-4 on a fourth set written in session 24 (second part) before its change
(``data/heldout4*.txt``: 106 lines from civil-status and land registers of the northern mountains and the Mekong
delta; 30 plain-ASCII ones), held-out-5 on a fifth set written blind in session 25 (no look at the engine or the
earlier sets) and measured once (``data/heldout5*.txt``: 132 lines from business registers, schools and hospitals,
religion and festivals, old orthography, Hoa names, Cham and Khmer places; 32 plain-ASCII ones), held-out-6 on a
sixth set written blind in session 25 of hard cells (``data/heldout6*.txt``: 155 lines, 100 of them of 1-3 syllables:
lone given names, initials, ethnonyms and names of smaller peoples, all-capital names, punctuation right after
vowels; 33 plain-ASCII ones), held-out-7 on a seventh set written blind in session 26 and measured only by the
coordinator (``data/heldout7*.txt``: 169 lines from the civil-status, household and land registers of the merged
Central Highlands and south-central provinces and of Cham and Khmer communities, every letter with every tone in
both cases; 32 plain-ASCII ones), held-out-8 on an eighth set written blind in session 27 and measured only by the
coordinator (``data/heldout8*.txt``: 169 lines from the Catholic parish, Buddhist, clan, social-policy,
health-insurance, school, craft-village, fishing-boat and dyke registers of the merged Red River delta and
north-central coast, old orthography, 52 all-capital cells, every letter with every tone in both cases; 33 plain-ASCII
ones). The synth
part encodes names from ``hopnhat.synth.names`` with the project's own encoders, same scenarios.

Scored per cell: right = the output is the original text (NFC); clean changed = a cell that needed no repair
(UTF-8 NFC or plain ASCII) came out different; rows lost = rows missing from the output. ``hopnhat repair`` runs
as a whole process (start-up included, median of ``--runs``) and cells/s is counted on its CPU time (user + system:
the machine is shared, wall time is printed beside it); the peer runs in-process (imports excluded, CPU time, the
median of ``--runs`` runs, at least 3). The
migrate path (``ColumnRepairer`` on the cells the ingest stage produces) is compared cell by cell with the CLI.

``--sizes``: the whole ``hopnhat repair`` process on the independent corpus at each size (cells), against the peer's
rate of the same run, beside the process floors measured in the same run (``python -c pass``, ``hopnhat --help``,
``hopnhat repair`` on a two-cell file, and that run's imports by package) and the CPU time 20x the peer allows at
each size: below a size the start-up alone exceeds it.
``--only-sizes`` skips the held-out, held-out-2 … held-out-8 and synth corpora and writes
``bench/out/repair_sizes.json``.

``--this SRC`` times the build in that ``src`` folder instead of the tree's (a frozen copy while the tree is edited).
Timed processes keep their compiled bytecode under ``/tmp/bench-repair/pycache`` (as an installed package keeps it;
this machine's environment sets PYTHONDONTWRITEBYTECODE, under which every run compiled hopnhat's own Python modules
again); ``--no-bytecode-cache`` runs them as the environment says.
``--baseline SRC``: another build's ``src`` folder (its compiled modules built, e.g. a copy of the tree before a
change): every ``hopnhat repair`` run and every floor is made by both builds in turn (this build first, then the
other, ``--runs`` times), so both see the same machine; the bench prints both, and whether each output file is byte
for byte the other build's.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

import ftfy

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
TMP = Path("/tmp/bench-repair")


def _independent():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("independent", ROOT / "tests" / "text" / "independent.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["independent"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


ind = _independent()


# ------------------------------------------------------------------------------------------------ corpora

def synth_columns(rows: int, seed: int) -> dict[str, list]:  # type: ignore[type-arg]
    """The same scenarios with names from the project's generator and the project's encoders."""
    from hopnhat.synth.names import TABLES
    from hopnhat.text.legacy import encode

    rng = random.Random(seed)
    names = sorted({f"{rng.choice(TABLES.family)} {rng.choice(TABLES.middle)} {rng.choice(TABLES.given)}"
                    for _ in range(3000)})
    own = {"utf-8-nfd": lambda t: unicodedata.normalize("NFD", t).encode()}
    texts = ind.Texts(names, ind.texts().ascii)
    columns = {}
    for name, mix in ind.SCENARIOS.items():
        cells = []
        for _ in range(rows):
            if not mix or rng.random() < ind.ASCII_SHARE:
                text = rng.choice(texts.ascii)
                cells.append(ind.Cell(text.encode(), text, "ascii", True))
                continue
            enc = rng.choices([e for e, _ in mix], weights=[w for _, w in mix])[0]
            text = rng.choice(names)
            raw = own[enc](text) if enc in own else encode(text, enc)
            cells.append(ind.Cell(raw, text, "clean" if enc == "utf-8" else enc, enc == "utf-8"))
        columns[name] = cells
    return columns


# ------------------------------------------------------------------------------------------------ tools

def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


HOPNHAT = {"this build": str(ROOT / ".venv" / "bin" / "hopnhat")}  # build → its hopnhat command (see --baseline)
ENV = dict(os.environ)  # the environment of every timed process (see bytecode_cache)


def bytecode_cache(folder: Path | None) -> str:
    """Timed processes read their modules' compiled bytecode from ``folder`` (written there on first use, the tree
    left untouched), as an installed package does — or, with None, as the environment says: with
    PYTHONDONTWRITEBYTECODE set no bytecode is kept for the tree's modules, so every run compiles hopnhat's
    Python modules again (≈ 15 ms of a small file's start-up). Every build is warmed before it is timed."""
    if folder is None:
        return "as the environment says" + (" (PYTHONDONTWRITEBYTECODE: none kept for the tree's modules)"
                                            if os.environ.get("PYTHONDONTWRITEBYTECODE") else "")
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    ENV["PYTHONPYCACHEPREFIX"] = str(folder)
    return f"kept in {folder}"


def warm(runs: int = 1) -> None:
    """Each build run once untimed (bytecode cached, files in the page cache) before anything is timed."""
    tiny = TMP / "tiny.csv"
    tiny.write_bytes(b"a,b\r\n1,2\r\n")
    for command in HOPNHAT.values():
        for _ in range(runs):
            subprocess.run([command, "repair", str(tiny), "-o", str(TMP / "tiny.out.csv")], check=True,
                           capture_output=True, env=ENV)
            subprocess.run([command, "--help"], check=True, capture_output=True, env=ENV)


def build_command(src: Path, name: str) -> str:
    """A ``hopnhat`` script like the console script, running the build whose ``src`` folder is given."""
    script = TMP / f"{name}-hopnhat"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(src.resolve())!r})\n"
                      "from hopnhat.cli.main import run\nsys.exit(run())\n", encoding="utf-8")
    script.chmod(0o755)
    probe = subprocess.run([str(script), "--version"], check=True, capture_output=True, text=True)
    assert probe.stdout.startswith("hopnhat"), probe
    return str(script)


def run_builds(path: Path, runs: int) -> dict[str, tuple[bytes, list[float], list[float]]]:
    """``hopnhat repair`` on one file, ``runs`` times by each build in turn: build → (output bytes, wall, CPU)."""
    times: dict[str, list[float]] = {b: [] for b in HOPNHAT}
    cpu: dict[str, list[float]] = {b: [] for b in HOPNHAT}
    outputs: dict[str, bytes] = {}
    for _ in range(runs):
        for i, (build, command) in enumerate(HOPNHAT.items()):
            out = path.with_suffix(f".out-{i}.csv")
            start, cpu0 = time.perf_counter(), _child_cpu()
            subprocess.run([command, "repair", str(path), "--output", str(out)], check=True, capture_output=True,
                           env=ENV)
            times[build].append(time.perf_counter() - start)
            cpu[build].append(_child_cpu() - cpu0)
            outputs[build] = out.read_bytes()
    return {b: (outputs[b], times[b], cpu[b]) for b in HOPNHAT}


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def run_cli(path: Path, runs: int) -> tuple[list[list[str]], list[float], list[float], dict]:  # type: ignore[type-arg]
    """This build's rows, wall and CPU times, and what the other build (``--baseline``) did on the same file."""
    done = run_builds(path, runs)
    data, times, cpu = done["this build"]
    other = {}
    if "baseline" in done:
        base, _, base_cpu = done["baseline"]
        other = {"baseline_cpu": [round(t, 3) for t in base_cpu], "identical_to_baseline": base == data,
                 "baseline_rows": rows_of(base)}
    return rows_of(data), times, cpu, other


def run_migrate_path(columns: dict[str, list]) -> dict[str, list[str | None]]:  # type: ignore[type-arg]
    from hopnhat.repair.stage import ColumnRepairer
    from hopnhat.text.cells import as_text

    return {name: ColumnRepairer(name).repair([as_text(c.raw) for c in cells])[0] for name, cells in columns.items()}


def _peer_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # viparse's tables key on the Latin-1 surface form


def run_peer(columns: dict[str, list], limit: int) -> tuple[dict[str, list[str]], float]:  # type: ignore[type-arg]
    from viparse.normalize.detector import detect_encoding_by_content
    from viparse.normalize.encodings import AUTO_DETECT_CHARMAPS
    from viparse.normalize.tables import convert

    out, start = {}, time.process_time()
    for name, cells in columns.items():
        texts = [_peer_text(c.raw) for c in cells[:limit]]
        found = detect_encoding_by_content("\n".join(texts), AUTO_DETECT_CHARMAPS).encoding
        charmap = AUTO_DETECT_CHARMAPS.get(found) if found else None
        out[name] = [unicodedata.normalize("NFC", ftfy.fix_text(convert(t, charmap) if charmap else t))
                     for t in texts]
    return out, time.process_time() - start


def run_peer_runs(columns: dict[str, list], limit: int,  # type: ignore[type-arg]
                  runs: int) -> tuple[dict[str, list[str]], float, list[float]]:
    """The peer ``runs`` times (at least 3) in this process: its outputs, the median CPU time and every run's. One
    run moved by ±20 % between corpora of one job (ftfy's and viparse's first calls, the shared machine)."""
    times = []
    for _ in range(max(3, runs)):
        out, cpu = run_peer(columns, limit)
        times.append(cpu)
    return out, statistics.median(times), times


# ------------------------------------------------------------------------------------------------ scoring

def score(columns: dict[str, list], outputs: dict[str, list]) -> dict:  # type: ignore[type-arg]
    right, total, clean_changed, by_kind, by_kind_total = Counter(), Counter(), Counter(), Counter(), Counter()
    examples: dict[str, list] = {}  # type: ignore[type-arg]
    for name, cells in columns.items():
        got = outputs.get(name, [])
        for cell, value in zip(cells, got, strict=False):
            total[name] += 1
            by_kind_total[cell.kind] += 1
            if value == cell.truth:
                right[name] += 1
                by_kind[cell.kind] += 1
            else:
                clean_changed[name] += cell.clean
                examples.setdefault(name, []).append((cell.truth, value))
    rows = len(next(iter(columns.values())))
    lost = rows - min(len(v) for v in outputs.values())
    cells = sum(total.values())
    return {
        "right_pct": round(100 * sum(right.values()) / cells, 3), "cells": cells, "rows_lost": lost,
        "clean_changed": sum(clean_changed.values()),
        "per_column": {n: round(100 * right[n] / total[n], 2) for n in total},
        "clean_changed_per_column": dict(clean_changed),
        "per_kind": {k: round(100 * by_kind[k] / by_kind_total[k], 2) for k in by_kind_total},
        "examples": {n: e[:5] for n, e in examples.items()},
    }


def _columns_of(rows: list[list[str]], names: list[str]) -> dict[str, list[str]]:
    header, body = rows[0], rows[1:]
    return {n: [r[header.index(n)] for r in body] for n in names}


def evaluate(label: str, columns: dict, args: argparse.Namespace) -> dict:  # type: ignore[type-arg]
    path = TMP / f"{label}.csv"
    ind.write_csv(columns, path)
    rows, times, cpu, other = run_cli(path, args.runs)
    cli = score(columns, _columns_of(rows, list(columns)))
    baseline = _baseline_result(columns, other, cli["cells"])
    migrate = run_migrate_path(columns)
    cli_cols = _columns_of(rows, list(columns))
    differ = sum(a != b for n in columns for a, b in zip(cli_cols[n], migrate[n], strict=True))
    peer_cols = {n: c[: args.peer_rows] for n, c in columns.items()}
    peer_out, peer_time, peer_times = run_peer_runs(peer_cols, args.peer_rows, args.runs)
    peer = score(peer_cols, peer_out)
    cells = cli["cells"]
    cli_rate = cells / statistics.median(cpu)
    peer_rate = peer["cells"] / peer_time
    return {"cli": cli, "cli_times": [round(t, 3) for t in times], "cli_cpu": [round(t, 3) for t in cpu],
            "cli_cells_per_s": round(cli_rate),
            "peer": peer, "peer_cells_per_s": round(peer_rate), "speed_ratio": round(cli_rate / peer_rate, 1),
            "peer_cpu": [round(t, 3) for t in peer_times],
            "repair_vs_migrate_differences": differ, **baseline}


def _baseline_result(columns: dict, other: dict, cells: int) -> dict:  # type: ignore[type-arg]
    """The other build's CPU time, rate and cells right on the same file, and whether its output is this build's."""
    if not other:
        return {}
    right = score(columns, _columns_of(other["baseline_rows"], list(columns)))["right_pct"]
    return {"baseline_cpu": other["baseline_cpu"], "baseline_cells_per_s": round(cells / statistics.median(
        other["baseline_cpu"])), "baseline_right_pct": right, "identical_to_baseline": other["identical_to_baseline"]}


def show(label: str, result: dict) -> None:  # type: ignore[type-arg]
    cli, peer = result["cli"], result["peer"]
    print(f"\n== {label}: {cli['cells']} cells ({len(cli['per_column'])} columns); peer on {peer['cells']} cells")
    print(f"{'':28s} {'hopnhat repair':>15s} {'viparse+ftfy':>13s}")
    print(f"{'cells right %':28s} {cli['right_pct']:>15} {peer['right_pct']:>13}")
    print(f"{'clean cells changed':28s} {cli['clean_changed']:>15} {peer['clean_changed']:>13}")
    print(f"{'rows lost':28s} {cli['rows_lost']:>15} {peer['rows_lost']:>13}")
    print(f"{'cells/s':28s} {result['cli_cells_per_s']:>15} {result['peer_cells_per_s']:>13}"
          f"   ratio {result['speed_ratio']}x (CLI CPU {result['cli_cpu']} s, wall {result['cli_times']} s; "
          f"peer CPU {result['peer_cpu']} s)")
    print(f"repair vs migrate: {result['repair_vs_migrate_differences']} cells differ")
    if "baseline_cpu" in result:
        ratio = result["baseline_cells_per_s"] / result["peer_cells_per_s"]
        print(f"baseline build: cells/s {result['baseline_cells_per_s']} ratio {ratio:.1f}x (CPU "
              f"{result['baseline_cpu']} s), right {result['baseline_right_pct']} %, output byte-identical: "
              f"{result['identical_to_baseline']}")
    print("per column (right %):")
    for name, pct in cli["per_column"].items():
        print(f"  {name:28s} {pct:>7} {peer['per_column'].get(name, '-'):>8}")
    print("per cell encoding (right %):")
    for kind, pct in sorted(cli["per_kind"].items()):
        print(f"  {kind:28s} {pct:>7} {peer['per_kind'].get(kind, '-'):>8}")
    misses = [(n, e) for n, ex in cli["examples"].items() for e in ex[:2]]
    for name, (truth, got) in misses[:16]:
        print(f"  miss [{name}] {truth!r} -> {got!r}")


# ------------------------------------------------------------------------------------------------ speed by size

def _cpu_of(command: list[str], runs: int) -> float:
    """Median CPU seconds (user + system) of a whole process."""
    cpu = []
    for _ in range(runs):
        cpu0 = _child_cpu()
        subprocess.run(command, check=True, capture_output=True, env=ENV)
        cpu.append(_child_cpu() - cpu0)
    return statistics.median(cpu)


def floors(runs: int) -> dict[str, float]:
    """What a process costs before any cell: Python alone, the CLI's help, ``hopnhat repair`` on a two-cell file
    (each build's, in turn)."""
    tiny = TMP / "tiny.csv"
    tiny.write_bytes(b"a,b\r\n1,2\r\n")
    out = {"python -c pass": round(_cpu_of([sys.executable, "-c", "pass"], runs), 3)}
    for build, hopnhat in HOPNHAT.items():
        suffix = "" if build == "this build" else f" ({build})"
        out["hopnhat --help" + suffix] = round(_cpu_of([hopnhat, "--help"], runs), 3)
        out["hopnhat repair (2 cells)" + suffix] = round(
            _cpu_of([hopnhat, "repair", str(tiny), "-o", str(TMP / "tiny.out.csv")], runs), 3)
    return out


def startup(runs: int) -> dict[str, float]:
    """Where the start-up of ``hopnhat repair`` on a two-cell file goes: ``python -X importtime`` summed by top-level
    package (milliseconds of wall time, the median of ``runs``; the rest of the floor is the interpreter, the run
    and the exit)."""
    tiny = TMP / "tiny.csv"
    hopnhat = HOPNHAT["this build"]
    totals: dict[str, list[float]] = {}
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-X", "importtime", hopnhat, "repair", str(tiny), "-o",
                               str(TMP / "tiny.out.csv")], check=True, capture_output=True, text=True, env=ENV)
        by_package: dict[str, float] = {}
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, _, name = (part.strip() for part in line[len("import time:"):].split("|"))
            package = name.split(".")[0]
            by_package[package] = by_package.get(package, 0.0) + int(own) / 1000
        for name, ms in by_package.items():
            totals.setdefault(name, []).append(ms)
    medians = {name: round(statistics.median(ms + [0.0] * (runs - len(ms))), 1) for name, ms in totals.items()}
    top = dict(sorted(medians.items(), key=lambda kv: -kv[1])[:8])
    top["(all imports)"] = round(sum(medians.values()), 1)
    return top


def by_size(sizes: list[int], args: argparse.Namespace, peer_rate: float) -> list[dict]:  # type: ignore[type-arg]
    """``hopnhat repair`` on the independent corpus at several sizes (cells), against the peer's rate of this run."""
    out = []
    for cells in sizes:
        rows = -(-cells // len(ind.SCENARIOS))
        columns = ind.build(rows, args.seed)
        path = TMP / f"size{cells}.csv"
        ind.write_csv(columns, path)
        got, times, cpu, other = run_cli(path, args.runs)
        result = score(columns, _columns_of(got, list(columns)))
        rate = result["cells"] / statistics.median(cpu)
        baseline = _baseline_result(columns, other, result["cells"])
        if baseline:
            baseline["baseline_speed_ratio"] = round(baseline["baseline_cells_per_s"] / peer_rate, 1)
        out.append({"cells": result["cells"], "cli_cpu": [round(t, 3) for t in cpu],
                    "cli_wall": [round(t, 3) for t in times], "cli_cells_per_s": round(rate),
                    "speed_ratio": round(rate / peer_rate, 1), "right_pct": result["right_pct"],
                    "clean_changed": result["clean_changed"], "rows_lost": result["rows_lost"], **baseline})
    return out


def show_sizes(sizes: list[dict], floor: dict[str, float], peer_rate: float,  # type: ignore[type-arg]
               imports: dict[str, float]) -> None:
    print(f"\n== speed by size (independent corpus; peer viparse+ftfy {peer_rate:.0f} cells/CPU-s in this run)")
    print("floors (median CPU s): " + ", ".join(f"{k} {v}" for k, v in floor.items()))
    print("start-up imports of `hopnhat repair` (ms wall, by package): "
          + ", ".join(f"{k} {v}" for k, v in imports.items()))
    print(f"{'cells':>10s} {'CPU s (runs)':>24s} {'cells/CPU-s':>12s} {'ratio':>7s} {'20x budget s':>13s} "
          f"{'right %':>8s}")
    for row in sizes:
        budget = row["cells"] / (20 * peer_rate)  # the CPU seconds a whole process may take to be 20x the peer
        print(f"{row['cells']:>10d} {str(row['cli_cpu']):>24s} {row['cli_cells_per_s']:>12d} "
              f"{row['speed_ratio']:>6}x {budget:>13.3f} {row['right_pct']:>8}")
        if "baseline_cpu" in row:
            print(f"{'baseline':>10s} {str(row['baseline_cpu']):>24s} {row['baseline_cells_per_s']:>12d} "
                  f"{row['baseline_speed_ratio']:>6}x {'':>13s} {row['baseline_right_pct']:>8}   output "
                  f"byte-identical: {row['identical_to_baseline']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--peer-rows", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="", help="comma-separated cell counts for the speed-by-size table "
                        "(e.g. 54000,200000,540000,2000000); empty: none")
    parser.add_argument("--only-sizes", action="store_true", help="skip the held-out, held-out-2, held-out-3, "
                        "held-out-4, held-out-5, held-out-6, held-out-7, held-out-8 and synth corpora")
    parser.add_argument("--baseline", type=Path, help="another build's src folder (compiled modules built): run "
                        "in turn with this build on every file, outputs compared byte for byte")
    parser.add_argument("--no-bytecode-cache", action="store_true", help="run hopnhat as the environment says "
                        "(with PYTHONDONTWRITEBYTECODE set, its modules are compiled on every run) instead of with a "
                        "bytecode cache under /tmp/bench-repair/pycache")
    parser.add_argument("--this", type=Path, help="the src folder to time as this build (a frozen copy of the "
                        "tree, compiled modules built) instead of the tree's own hopnhat; the migrate path and "
                        "the peer run in this process on the tree's code either way")
    args = parser.parse_args()
    load_before = os.getloadavg()
    TMP.mkdir(parents=True, exist_ok=True)
    if args.this:
        HOPNHAT["this build"] = build_command(args.this, "this")
    if args.baseline:
        HOPNHAT["baseline"] = build_command(args.baseline, "baseline")
    bytecode = bytecode_cache(None if args.no_bytecode_cache else TMP / "pycache")
    print("bytecode of the timed processes: " + bytecode)
    warm()
    OUT.mkdir(parents=True, exist_ok=True)
    heldout = ind.Texts(ind.lines("heldout.txt"), ind.lines("heldout_ascii.txt"))
    results: dict = {"independent": evaluate("independent", ind.build(args.rows, args.seed), args)}  # type: ignore[type-arg]
    if not args.only_sizes:
        results["held-out"] = evaluate("heldout", ind.build(args.rows, args.seed, heldout), args)
        heldout2 = ind.Texts(ind.lines("heldout2.txt"), ind.lines("heldout2_ascii.txt"))
        results["held-out-2"] = evaluate("heldout2", ind.build(args.rows, args.seed, heldout2), args)
        heldout3 = ind.Texts(ind.lines("heldout3.txt"), ind.lines("heldout3_ascii.txt"))
        results["held-out-3"] = evaluate("heldout3", ind.build(args.rows, args.seed, heldout3), args)
        heldout4 = ind.Texts(ind.lines("heldout4.txt"), ind.lines("heldout4_ascii.txt"))
        results["held-out-4"] = evaluate("heldout4", ind.build(args.rows, args.seed, heldout4), args)
        heldout5 = ind.Texts(ind.lines("heldout5.txt"), ind.lines("heldout5_ascii.txt"))
        results["held-out-5"] = evaluate("heldout5", ind.build(args.rows, args.seed, heldout5), args)
        heldout6 = ind.Texts(ind.lines("heldout6.txt"), ind.lines("heldout6_ascii.txt"))
        results["held-out-6"] = evaluate("heldout6", ind.build(args.rows, args.seed, heldout6), args)
        heldout7 = ind.Texts(ind.lines("heldout7.txt"), ind.lines("heldout7_ascii.txt"))
        results["held-out-7"] = evaluate("heldout7", ind.build(args.rows, args.seed, heldout7), args)
        heldout8 = ind.Texts(ind.lines("heldout8.txt"), ind.lines("heldout8_ascii.txt"))
        results["held-out-8"] = evaluate("heldout8", ind.build(args.rows, args.seed, heldout8), args)
        results["synth"] = evaluate("synth", synth_columns(args.rows, args.seed), args)
    for label, result in results.items():
        show(label, result)
    if args.sizes:
        peer_rate = results["independent"]["peer_cells_per_s"]
        results["floors"] = floors(args.runs)
        results["startup_imports_ms"] = startup(args.runs)
        results["sizes"] = by_size([int(n) for n in args.sizes.split(",")], args, peer_rate)
        show_sizes(results["sizes"], results["floors"], peer_rate, results["startup_imports_ms"])
    results["bytecode"] = bytecode
    results["load_before_after"] = [round(x, 2) for x in (*load_before, *os.getloadavg())]
    print(f"load average before {results['load_before_after'][:3]}, after {results['load_before_after'][3:]}")
    name = "repair_sizes.json" if args.only_sizes else "repair.json"
    (OUT / name).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
