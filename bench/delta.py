"""Delta run vs full run: wall and CPU time after ~1 % of the rows changed, and the checksums of both stores.

    .venv/bin/python bench/delta.py --scale 0.1 --workers 2          # the synth estate of bench/migrate.py (cached)
    # at large scales two queue jobs: the full run, then the change, the delta run and the fresh reload
    /work/benchq .venv/bin/python bench/delta.py --scale 0.2 --phase full --keep bench/out/delta-0.2
    /work/benchq .venv/bin/python bench/delta.py --scale 0.2 --phase delta --keep bench/out/delta-0.2

Steps, each run of ``migrate`` in a child process, without linkage and the lookup index, like bench/migrate.py
(linkage is measured in bench/link.py; a delta run links the whole store again when a linked table changed, and
``hopnhat migrate`` rebuilds the web app's lookup index after either run):

1. a copy of the estate, fully migrated (the full run's time);
2. ~``--share`` of the rows of every CSV, NDJSON and SQLite table changed in place, a third each deleted, edited and
   inserted (new keys, among the others so rows below them move);
3. the delta run (the default) — its time against the full run's (target ≤ 10 %), with per-stage times;
4. a copy of that store reloaded whole (``--fresh``), and ``hopnhat store checksum`` of both: must be identical.

``--changes independent`` makes step 2 bench/changes.py's own change model (no code shared with hopnhat.synth or
the edits above: legacy encodings through Python's codecs, corrected IDs, emptied columns, rows moved by inserts
just below the header) and checks after step 3 that the keys that appeared, vanished and changed row hash in the
store are exactly its truth's inserted, deleted and updated keys.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # bench/changes.py

from tests.pipeline.test_pipeline_delta import change_rows  # noqa: E402

from hopnhat.project.config import Project, load_project  # noqa: E402

HOPNHAT = str(ROOT / ".venv" / "bin" / "hopnhat")
CACHE = ROOT / "bench" / ".cache"  # shared with bench/migrate.py


def estate(scale: float, seed: int) -> Path:
    out = CACHE / f"estate-{scale}-{seed}"
    if not (out / "merger.yaml").exists():
        from hopnhat.synth.generate import SynthSettings, generate

        generate(SynthSettings(scenario="danang", scale=scale, seed=seed, out=out))
    return out


CHILD = """
import collections, json, sys, time
from hopnhat.base import timing
from hopnhat.project.config import load_project
from hopnhat.run.runner import migrate
t = time.perf_counter()
result = migrate(load_project(sys.argv[1]), link=False, fresh=sys.argv[2] == "fresh", workers=int(sys.argv[3]))
print(json.dumps({"wall": time.perf_counter() - t, "stages": {k: round(v, 1) for k, v in timing.totals.items()},
                  "balanced": result.balanced, "modes": sorted({c.mode for c in result.loaded}),
                  "read": sum(c.read for c in result.loaded), "unchanged": sum(c.unchanged for c in result.loaded),
                  "read_by": dict(sorted(collections.Counter(c.read_by or c.mode for c in result.loaded).items())),
                  "failed": [f"{f.source}/{f.table}: {f.error[:200]}" for f in result.failed]}))
"""


def migrate_run(merger: Path, fresh: bool, workers: int) -> dict[str, Any]:
    """``migrate`` (no linkage, no lookup index: as bench/migrate.py) in a child; its own wall time and stages."""
    wall, cpu, out = run([sys.executable, "-c", CHILD, str(merger), "fresh" if fresh else "default", str(workers)])
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return {**data, "wall": round(float(data["wall"]), 1), "process_wall": round(wall, 1), "cpu": round(cpu, 1)}


def run(args: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds (the child and its workers) of one command, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}\n{done.stdout[-3000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, done.stdout


def change_ndjson(path: Path, key: str, rng: random.Random, share: float) -> int:
    """Delete, edit (a top-level text field) and insert (a copy under a new key) ~``share`` of the records."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    n = max(1, round(len(lines) * share / 3))
    picked = rng.sample([i for i, line in enumerate(lines) if _parses(line)], 3 * n)  # planted defects left alone
    drop, edit, before = set(picked[:n]), set(picked[n:2 * n]), set(picked[2 * n:])
    out = []
    for i, line in enumerate(lines):
        if i in before:
            doc = json.loads(line)
            doc[key] = f"{doc[key]}N"
            out.append(json.dumps(doc, ensure_ascii=False) + "\n")
        if i in drop:
            continue
        if i in edit:
            doc = json.loads(line)
            field = next(k for k, v in doc.items() if isinstance(v, str) and k != key)
            doc[field] = doc[field] + " (sửa)"
            line = json.dumps(doc, ensure_ascii=False) + "\n"
        out.append(line)
    path.write_text("".join(out), encoding="utf-8")
    return 3 * n


def _parses(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def change_sqlite(path: Path, table: str, key: str, rng: random.Random, share: float) -> int:
    con = sqlite3.connect(path)
    try:
        keys = [r[0] for r in con.execute(f'SELECT "{key}" FROM "{table}"')]
        n = max(1, round(len(keys) * share / 3))
        picked = rng.sample(keys, 3 * n)
        info = [(r[1], str(r[2]).upper()) for r in con.execute(f'PRAGMA table_info("{table}")')]
        cols = [c for c, _ in info]
        text = next(c for c, t in info if c != key and ("TEXT" in t or "CHAR" in t))
        con.executemany(f'DELETE FROM "{table}" WHERE "{key}" = ?', [(k,) for k in picked[:n]])
        con.executemany(f'UPDATE "{table}" SET "{text}" = "{text}" || \' (sửa)\' WHERE "{key}" = ?',
                        [(k,) for k in picked[n:2 * n]])
        other = ", ".join(f'"{c}"' for c in cols if c != key)
        new_key = f'"{key}" || \'N\'' if isinstance(keys[0], str) else f'"{key}" + 100000000'
        con.executemany(f'INSERT INTO "{table}" ("{key}", {other}) SELECT {new_key}, {other} FROM "{table}" '
                        f'WHERE "{key}" = ?', [(k,) for k in picked[2 * n:]])
        con.commit()
    finally:
        con.close()
    return 3 * n


def change_estate(project: Project, share: float, seed: int) -> dict[str, int]:
    """~``share`` of the rows of every table changed (CSV, NDJSON, SQLite; Excel sheets are left as they are)."""
    rng, changed = random.Random(seed), {}
    done_files: set[Path] = set()
    for source in project.config.sources:
        for table in source.tables:
            name = f"{source.name}/{table.name}"
            key = table.source_key.column if table.source_key else None
            if source.kind == "csv" and key and table.path and table.source_key and table.source_key.column:
                ch = change_rows(project, source.name, table.name, rng, share)
                changed[name] = len(ch.inserted) + len(ch.updated) + len(ch.deleted)
            elif source.kind == "ndjson" and key and table.path and project.resolve(table.path) not in done_files:
                done_files.add(project.resolve(table.path))
                changed[name] = change_ndjson(project.resolve(table.path), key, rng, share)
            elif source.kind == "sqlite" and key and source.path and table.table:
                changed[name] = change_sqlite(project.resolve(source.path), table.table, key, rng, share)
    return changed


def checksum(merger: Path) -> str:
    """``hopnhat store checksum``: one line per unified table (table, rows, checksum)."""
    return run([HOPNHAT, "store", "checksum", str(merger)])[2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--share", type=float, default=0.01)
    ap.add_argument("--phase", choices=("all", "full", "delta"), default="all",
                    help="full: the estate's full run only, kept in --keep; delta: the change, the delta run and the "
                         "fresh reload on what --phase full kept (two queue jobs at large scales)")
    ap.add_argument("--keep", type=Path, help="folder kept between --phase full and --phase delta")
    ap.add_argument("--no-fresh", action="store_true",
                    help="the delta phase without the --fresh reload and the checksums (at scale 1.0 they do not fit "
                         "in one queue job beside the delta: check them at a smaller scale)")
    ap.add_argument("--changes", choices=("mimic", "independent"), default="mimic",
                    help="mimic: the edits above (as synth/evolve makes them); independent: bench/changes.py's own "
                         "change model, and the store's keys and row hashes checked against its truth")
    args = ap.parse_args()
    if args.phase != "all" and args.keep is None:
        ap.error("--phase full|delta needs --keep DIR")
    work = args.keep or Path(tempfile.mkdtemp(prefix="hopnhat-delta-"))
    report: dict[str, Any] = {}
    try:
        report.update({"scale": args.scale, "workers": args.workers, "phase": args.phase})
        if args.phase in ("all", "full"):
            report["full"] = full_phase(work, args)
        else:
            report["full"] = json.loads((work / "full.json").read_text())
        if args.phase in ("all", "delta"):
            report.update(delta_phase(work, args))
            for what in ("wall", "cpu"):
                report[f"delta_share_of_full_{what}"] = round(float(report["delta"][what]) /
                                                             float(report["full"][what]), 3)
        print(json.dumps(report, indent=1))
        if args.phase != "full" and report["checksums_identical"] is False:
            raise SystemExit("the delta store differs from the full reload")
        if report.get("truth_mismatches"):
            raise SystemExit("the delta store differs from the change model's truth")
    finally:
        kept = report.get("checksums_differ") or report.get("truth_mismatches")
        if kept:  # both stores stay for a look
            print(f"stores kept in {work}", file=sys.stderr)
        elif args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
        else:  # the full run's folder stays for another --phase delta
            for name in ("delta", "fresh"):
                shutil.rmtree(work / name, ignore_errors=True)


def store_bytes(merger: Path) -> int:
    """Bytes of the published store version (what the next run copies first)."""
    return (merger.parent / "hopnhat.duckdb").resolve().stat().st_size


def full_phase(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    src = estate(args.scale, args.seed)
    shutil.copytree(src, work / "estate", ignore=shutil.ignore_patterns("*.duckdb*", "*-runs", "*-versions"))
    merger = work / "estate" / "merger.yaml"
    full = migrate_run(merger, False, args.workers)
    if not full["balanced"]:
        raise SystemExit(f"the full run did not balance: {full}")
    full["store_bytes"] = store_bytes(merger)
    (work / "full.json").write_text(json.dumps(full))
    return full


def delta_phase(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """On a copy of the full run's folder: the change, the delta run, a copy reloaded whole, both stores' checksums
    (and, with ``--changes independent``, the store's keys and row hashes against the change model's truth)."""
    for name in ("delta", "fresh"):
        shutil.rmtree(work / name, ignore_errors=True)
    shutil.copytree(work / "estate", work / "delta", symlinks=True)
    merger = work / "delta" / "merger.yaml"
    out: dict[str, Any] = {"changes": args.changes}
    if args.changes == "independent":
        import changes  # type: ignore[import-not-found,unused-ignore]

        before = store_keys(merger)
        truth = changes.change_estate(merger, args.share, args.seed)
        changes.write_truth(truth, work / "truth.json")
        changed = {k: len(t.inserted) + len(t.updated) + len(t.deleted) for k, t in truth.items()}
    else:
        changed = change_estate(load_project(merger), args.share, args.seed)
    delta = migrate_run(merger, False, args.workers)
    delta["store_bytes"] = store_bytes(merger)
    if args.changes == "independent":
        exploded = {t.label for t in changes.tables(merger) if t.explode}
        out["truth_mismatches"] = changes.check(before, store_keys(merger), truth, exploded)
    if args.no_fresh:
        return {**out, "rows_changed": sum(changed.values()), "tables_changed": len(changed), "delta": delta,
                "checksums_identical": None}
    shutil.copytree(work / "delta", work / "fresh", symlinks=True)
    fresh = migrate_run(work / "fresh" / "merger.yaml", True, args.workers)
    ours, theirs = checksum(merger).splitlines(), checksum(work / "fresh" / "merger.yaml").splitlines()
    if ours != theirs:  # which tables, and both stores kept for a look
        out["checksums_differ"] = [f"{a}  |  fresh: {b}" for a, b in zip(ours, theirs) if a != b]
    return {**out, "rows_changed": sum(changed.values()), "tables_changed": len(changed), "delta": delta,
            "fresh_reload": fresh, "checksums_identical": ours == theirs}


def store_keys(merger: Path) -> dict[str, dict[str, str | None]]:
    """Every source table's keys in the published store: records with their row hash, merged and quarantined rows."""
    import changes  # type: ignore[import-not-found,unused-ignore]
    import duckdb

    from hopnhat.model.schema import ENTITIES

    con = duckdb.connect(str(merger.parent / "hopnhat.duckdb"), read_only=True)
    try:
        have = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'")
                .fetchall()}
        parts = [f'SELECT src_source, src_table, src_key, row_hash FROM "{e}"' for e in ENTITIES if e in have]
        parts += [f"SELECT src_source, src_table, src_key, NULL FROM {t}" for t in ("merged_rows", "quarantine")]
        rows = con.execute(" UNION ALL ".join(f"({p} WHERE src_key IS NOT NULL)" for p in parts)).fetchall()
    finally:
        con.close()
    return changes.store_keys(rows)


if __name__ == "__main__":
    main()
