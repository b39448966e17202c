"""Benchmark: person linkage on a synth estate — hopnhat vs a plain Splink 5 baseline vs recordlinkage, one run.

Run from the repository root::

    .venv/bin/python bench/link.py --scale 0.1            # ~190,000 person rows, a few minutes
    .venv/bin/python bench/link.py --scale 1.0            # the 1 M-person estate (~1.9 M rows); generation ~3.5 min

What it does
------------
1. Generates the Quảng Nam + Đà Nẵng estate (``hopnhat synth danang``, seed 1) under ``--work`` (kept between runs)
   and collects every person row of both population registers from the truth files: the six raw columns a clerk's
   list has (``full_name``, ``dob``, ``sex``, ``id_number``, ``phone``, ``address``, exactly as written, noise
   included) and, apart, the true person of each row.
2. Runs each tool in its own process (``--threads`` DuckDB threads), measuring wall time and peak memory (that
   process's own high-water mark, VmHWM, sampled while it runs; helper processes it forks, e.g. the address
   converter's workers, are not added):

   * **hopnhat** — the CLI, ``hopnhat link persons IN -o OUT --threads N --memory-limit 1GB``: values parsed,
     addresses converted to the new communes, the Vietnamese person model trained by EM on the table itself,
     clustered at 0.95. Everything from reading the input to writing the output is timed.
   * **splink-baseline** — what a competent user writes with plain Splink 5 on the raw columns: comparisons exact
     name / Jaro-Winkler ≥ 0.92 / ≥ 0.8 on the raw full name, exact date of birth, exact ID number; blocking on
     family name (first word as written) + birth year and on the ID; u by random sampling (10 M pairs), prior from
     same-ID pairs (recall 0.7), EM on blocks of date of birth and of family name + birth year; clusters at 0.95.
   * **recordlinkage** (0.16) on a ``--sample`` of the rows (whole people are sampled, so their pairs stay inside):
     the same blocking, Jaro-Winkler on the raw name, exact date and ID, unsupervised ECM classifier, connected
     components. hopnhat runs on the same sample too, for a like-for-like line.

3. Scores every output against the truth (:mod:`hopnhat.link.evaluate`): precision, recall and F1 of pairs and of
   clusters (exact match of clusters with ≥ 2 records), and prints one table; results go to
   ``bench/out/link-<scale>.json``.

Targets (issue 6): hopnhat F1 ≥ 0.995, wall time ≤ 0.5 × the Splink baseline, peak memory ≤ 2.5 GB.
``--baseline-timeout`` stops a tool that runs longer, and a tool is also stopped when it spills more than 16 GB to
disk or the disk falls under 20 GB free (the baseline's family-name blocks grow with the square of the Nguyễn
population: 37 million pairs at scale 0.1, 3.7 billion at 1.0); it is then reported as not finished.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
COLUMNS = ("full_name", "dob", "sex", "id_number", "phone", "address")


# --- data ----------------------------------------------------------------------------------------------------------

def estate(work: Path, scale: float, seed: int) -> Path:
    """The synth estate for ``scale`` (generated once, reused while its summary says the same scale and seed)."""
    from hopnhat.synth.generate import SynthSettings, generate

    out = work / f"danang-{scale:g}-{seed}"
    summary = out / "truth" / "summary.json"
    if summary.is_file():
        meta = json.loads(summary.read_text(encoding="utf-8"))
        if meta.get("scale") == scale and meta.get("seed") == seed:
            return out
    started = time.perf_counter()
    generate(SynthSettings(scenario="danang", scale=scale, seed=seed, out=out))
    print(f"estate generated in {time.perf_counter() - started:.0f} s → {out}", flush=True)
    return out


def inputs(root: Path, work: Path, sample: int) -> tuple[Path, Path, Path, Path]:
    """input.parquet (six raw columns), truth.parquet (row → person, noises) and the same for a whole-people sample."""
    from hopnhat.link.truth import person_rows

    paths = [work / n for n in ("input.parquet", "truth.parquet", "sample.parquet", "sample-truth.parquet")]
    if all(p.is_file() for p in paths) and paths[0].stat().st_mtime > (root / "truth" / "summary.json").stat().st_mtime:
        return tuple(paths)  # type: ignore[return-value]
    raw = person_rows(root)
    pq.write_table(raw.select(list(COLUMNS)), paths[0])
    pq.write_table(raw.select(["entity", "noises"]), paths[1])
    entities = raw.column("entity").to_pylist()
    keep, total = set(), 0
    counts: dict[str, int] = {}
    for e in entities:
        counts[e] = counts.get(e, 0) + 1
    for e in sorted(counts, key=lambda e: (hash_key(e), e)):
        if total >= sample:
            break
        keep.add(e)
        total += counts[e]
    mask = pa.array([e in keep for e in entities])
    part = raw.filter(mask)
    pq.write_table(part.select(list(COLUMNS)), paths[2])
    pq.write_table(part.select(["entity", "noises"]), paths[3])
    return tuple(paths)  # type: ignore[return-value]


def hash_key(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode()).hexdigest()


# --- tools (each runs in its own process: ``bench/link.py _run TOOL IN OUT THREADS``) --------------------------------

def run_hopnhat(src: Path, dst: Path, threads: int) -> None:
    """Exactly the CLI: ``hopnhat link persons IN -o OUT --threads N --memory-limit 1GB``."""
    from hopnhat.cli.link import app

    app(["persons", str(src), "--output", str(dst), "--threads", str(threads), "--memory-limit", "1GB"],
        standalone_mode=False)


def _baseline_frame(src: Path):  # noqa: ANN202 - pandas frame
    """The raw columns as a competent user prepares them: dates parsed (ISO, dd/mm/yyyy, a year alone), names and IDs
    as written, family name = first word, birth year from the date."""
    import pandas as pd

    df = pq.read_table(src).to_pandas()
    df["unique_id"] = range(len(df))
    df["family"] = df["full_name"].str.split().str[0]
    iso = pd.to_datetime(df["dob"], format="%Y-%m-%d", errors="coerce")
    dmy = pd.to_datetime(df["dob"], format="%d/%m/%Y", errors="coerce")
    year = pd.to_datetime(df["dob"], format="%Y", errors="coerce")
    dob = iso.fillna(dmy).fillna(year)
    df["dob"] = dob.dt.strftime("%Y-%m-%d")
    df["birth_year"] = dob.dt.year.astype("Int64").astype(str).replace("<NA>", None)
    df["id_number"] = df["id_number"].where(df["id_number"].str.len() > 0)
    return df[["unique_id", "full_name", "family", "birth_year", "dob", "id_number"]]


def run_splink(src: Path, dst: Path, threads: int) -> None:
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = _baseline_frame(src)
    # spills go to a folder the bench watches: a baseline too big for the machine is stopped, not the disk filled
    con = duckdb.connect(config={"threads": threads, "memory_limit": "2GB", "max_temp_directory_size": "12GB",
                                 "temp_directory": str(dst.parent / "baseline-spill")})
    api = DuckDBAPI(con)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[cl.JaroWinklerAtThresholds("full_name", [0.92, 0.8]), cl.ExactMatch("dob"),
                     cl.ExactMatch("id_number")],
        blocking_rules_to_generate_predictions=[block_on("family", "birth_year"), block_on("id_number")],
    )
    linker = Linker(api.register(df), settings)
    linker.training.estimate_probability_two_random_records_match([block_on("id_number")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("family", "birth_year"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95)
    out = clusters.as_duckdbpyrelation().select("unique_id, cluster_id").order("unique_id").fetch_arrow_table()
    pq.write_table(out.select(["cluster_id"]), dst)


def run_recordlinkage(src: Path, dst: Path, threads: int) -> None:
    import recordlinkage

    df = _baseline_frame(src).set_index("unique_id")
    indexer = recordlinkage.Index()
    indexer.block(["family", "birth_year"])
    indexer.block("id_number")
    candidates = indexer.index(df)
    compare = recordlinkage.Compare(n_jobs=threads)
    compare.string("full_name", "full_name", method="jarowinkler", threshold=0.85, label="name")
    compare.exact("dob", "dob", label="dob")
    compare.exact("id_number", "id_number", label="id")
    features = compare.compute(candidates, df)
    matches = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    parent = list(range(len(df)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in matches:
        ra, rb = find(int(a)), find(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    pq.write_table(pa.table({"cluster_id": [find(i) for i in range(len(df))]}), dst)


TOOLS = {"hopnhat": run_hopnhat, "splink-baseline": run_splink, "recordlinkage": run_recordlinkage}


# --- measuring -----------------------------------------------------------------------------------------------------

def _hwm_mb(pid: int) -> int | None:
    """Peak resident memory of a live process (VmHWM), in MB; None once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def measure(tool: str, src: Path, dst: Path, threads: int, timeout: float) -> dict[str, object]:
    """Run one tool in a child process; wall time and its peak memory.

    Peak memory is the child's own high-water mark (VmHWM, read while it runs): ``ru_maxrss`` from ``wait4`` would
    also count the bench process itself, whose memory a forked child inherits until it execs.
    """
    dst.unlink(missing_ok=True)
    log = dst.with_suffix(".log").open("w")
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "_run", tool, str(src), str(dst),
                             str(threads)], start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    peak, finished, note = 0, True, ""
    while proc.poll() is None:
        peak = max(peak, _hwm_mb(proc.pid) or 0)
        stop = _why_stop(time.perf_counter() - started, timeout, dst.parent)
        if stop:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            finished, note = False, f"stopped after {time.perf_counter() - started:.0f} s: {stop}"
            shutil.rmtree(dst.parent / "baseline-spill", ignore_errors=True)
            break
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    log.close()
    if finished and (proc.returncode != 0 or not dst.is_file()):
        finished, note = False, f"exit status {proc.returncode}: " + _last_error(dst.with_suffix(".log"))
    return {"tool": tool, "finished": finished, "seconds": round(seconds, 1), "peak_mb": peak, "note": note}


MIN_FREE_DISK = 20 * 2**30  # a tool spilling to disk is stopped before the disk (shared with others) runs low
MAX_SPILL = 16 * 2**30


def _spill_bytes(folder: Path) -> int:
    spill = folder / "baseline-spill"
    return sum(f.stat().st_size for f in spill.glob("*") if f.is_file()) if spill.is_dir() else 0


def _why_stop(elapsed: float, timeout: float, folder: Path) -> str:
    if elapsed > timeout:
        return "time limit"
    if int(elapsed * 10) % 50 == 0:  # disk checks every ~5 s
        if shutil.disk_usage(folder).free < MIN_FREE_DISK:
            return "the disk is running low"
        if _spill_bytes(folder) > MAX_SPILL:
            return f"spilled more than {MAX_SPILL // 2**30} GB to disk"
    return ""


def _last_error(log: Path) -> str:
    lines = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return next((line for line in reversed(lines) if "Error" in line), lines[-1] if lines else "")[:160]


def score(result: dict[str, object], dst: Path, truth: Path) -> None:
    from hopnhat.link.evaluate import evaluate

    if not result["finished"]:
        return
    clusters = pq.read_table(dst).column("cluster_id").to_pylist()
    table = pq.read_table(truth)
    rows = [str(i) for i in range(table.num_rows)]
    ev = evaluate(dict(zip(rows, map(str, clusters))), dict(zip(rows, table.column("entity").to_pylist())),
                  dict(zip(rows, table.column("noises").to_pylist())))
    result["rows"] = table.num_rows
    result["pairs"] = ev.pairs.as_dict()
    result["clusters"] = ev.clusters.as_dict()
    result["recall_by_noise"] = {k: round(v.recall, 4) for k, v in ev.recall_by_noise.items()}


def _cells(r: dict[str, object]) -> list[str]:
    p, c = r.get("pairs") or {}, r.get("clusters") or {}
    scores = [f"{d[k]:.4f}" if d else "—" for d in (p, c) for k in ("precision", "recall", "f1")]  # type: ignore[index]
    rows = f"{r['rows']:,}" if r.get("rows") else ""
    return [str(r["tool"]), str(r["input"]), rows, f"{r['seconds']}", f"{r['peak_mb']:,}", *scores,
            str(r.get("note", ""))]


def report(results: list[dict[str, object]], scale: float) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Person linkage — synth danang, scale {scale:g}")
    for col in ("tool", "input", "rows", "wall s", "peak MB", "pair P", "pair R", "pair F1", "cluster P",
                "cluster R", "cluster F1", "note"):
        table.add_column(col, justify="left" if col in ("tool", "input", "note") else "right")
    for r in results:
        table.add_row(*_cells(r))
    Console(width=200).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sample", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/hopnhat-bench-link"))
    parser.add_argument("--baseline-timeout", type=float, default=3 * 3600)
    parser.add_argument("--tools", default="hopnhat,splink-baseline,recordlinkage")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    root = estate(args.work, args.scale, args.seed)
    full, truth, sample, sample_truth = inputs(root, root, args.sample)
    tools = args.tools.split(",")
    results = []
    plan = [(t, "all rows", full, truth) for t in ("hopnhat", "splink-baseline") if t in tools]
    plan += [(t, f"sample {args.sample:,}", sample, sample_truth) for t in ("hopnhat", "recordlinkage") if t in tools]
    for tool, label, src, tru in plan:
        print(f"running {tool} on {label} …", flush=True)
        dst = root / f"out-{tool}-{'all' if src == full else 'sample'}.parquet"
        result = measure(tool, src, dst, args.threads, args.baseline_timeout)
        result["input"] = label
        score(result, dst, tru)
        results.append(result)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    report(results, args.scale)
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {"scale": args.scale, "seed": args.seed, "threads": args.threads, "python": platform.python_version(),
            "machine": platform.machine(), "cpus": os.cpu_count()}
    (OUT / f"link-{args.scale:g}.json").write_text(json.dumps({"meta": meta, "results": results}, indent=1,
                                                              ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_run":
        sys.path.insert(0, str(ROOT / "src"))
        TOOLS[sys.argv[2]](Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
