"""Benchmark: person linkage — hopnhat vs a plain Splink 5 setup with tight rules, side by side in one run, on an
INDEPENDENT population and on the project's own synth estate.

Run from the repository root::

    .venv/bin/python bench/link.py --people 30000 --scale 0.02        # development size, a few minutes
    .venv/bin/python bench/link.py --people 1000000 --sets population  # the issue's size (~1.43 M records)

Data sets
---------
``population``
    ``bench/population`` (written apart from ``hopnhat.synth``, sharing no code or table): ``--people`` people of
    Quảng Nam + Đà Nẵng in five registers, households, twins, namesakes and combinations of register noises on one
    record (lunar years, missing dates, Telex/VNI/VIQR keystrokes, swapped names, wrong sex, typos, year only, stale
    address, 01/01, IDs mangled by a spreadsheet or missing, the old CMND beside the CCCD). Seed ``--seed``.
``blind``
    ``bench/blind`` (written blind: apart from the linker, ``hopnhat.synth`` and ``bench/population``): ``--people``
    people of the new Hưng Yên (old Hưng Yên + Thái Bình) in five registers (two old population registers, one-stop
    dossiers, social insurance, land), households, natural twins and namesakes, 0-3 noises on each non-first
    record (bench/blind/SOURCE.md). Seed ``--seed``.
``synth``
    every person row of both population registers of ``hopnhat synth danang --scale S`` (the project's own noise
    model: kinder, reported for comparison only).

Tools (each in its own process, ``--threads`` threads)
------------------------------------------------------
* **hopnhat** — the CLI: ``hopnhat link persons IN -o OUT --threads N --memory-limit M``; run twice, and the second
  output must be byte-identical in ``cluster_id`` and ``match_probability`` (reported as ``rerun identical``).
* **hopnhat-spark** (``--engine spark``) — the same command with ``--engine spark`` (local mode on ``--threads``
  cores, ``--spark-conf`` passed through), in the same run as **hopnhat** on DuckDB; its clusters are compared with
  DuckDB's (``vs_duckdb``: pairwise F1 between the two, pairs only one engine links, rows whose strongest match
  probability differs, and the differing pairs' probabilities on each engine).
  Every tool's DuckDB gets the same ``--memory-limit`` (default 2 GB, what the plain Splink run always had; until
  session 16 hopnhat ran under 1500 MB beside it).
* **splink-tight** — the plain Splink 5 setup the issue names: blocking on the exact ``id_number`` and on the exact
  ``full_name`` + birth date; comparisons Jaro-Winkler (0.92 / 0.8) on the raw name, exact birth date, exact ID; prior
  from same-ID pairs (recall 0.7), u by random sampling of 1e7 pairs (at Splink's tutorial 1e6 no two sampled records
  share an ID, the ID's u stays untrained — Splink warns — and pair recall halves), EM on the two prediction rules
  themselves (name + date, then ID); clusters at 0.95. Until session 14 its EM ran on a block of the birth date alone,
  which iterates over every same-date pair: it did not finish at 1 M in 900 s, while the issue's run of this setup
  took 29.4 s; with EM on its own rules it takes about 30 CPU-s at 1 M, as the issue measured.
  Dates parsed (ISO, dd/mm/yyyy, yyyymmdd, a year) so that they can agree at all.
* **recordlinkage** (optional, ``--tools``): family name + birth year and ID blocks, Jaro-Winkler, ECM.

Measured: wall time, CPU time (user + system of the whole process tree, from ``wait4``; system apart), peak memory
of the whole process tree (:mod:`treemem`: RSS summed every 0.1 s and each process's high-water mark, PSS
summed every second — until session 22 PSS every 0.1 s, whose page-table walks slowed hopnhat by ~4 s at 1 M), the
machine's huge-page faults and compaction stalls during the run (``/proc/vmstat``: its state, not the tool's); pair
precision / recall / F1, cluster precision / recall / F1 (exact clusters of ≥ 2 records); per noise class (pairs with a
record carrying it: recall, precision, F1) and per combination of noises on the pair; for ``population``, false pairs
by kind (same household, namesakes, other) and hopnhat's blocking recall (share of true pairs any blocking rule
compares, :mod:`hopnhat.link.blocking`). ``uptime`` is recorded before and after: the machine is shared.
Results: ``bench/out/link-<people>-<scale>.json`` and a table.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import treemem

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
COLUMNS = ("full_name", "dob", "sex", "id_number", "phone", "address")
IDEAL_MAX_ROWS = 2_000_000  # records; the ideal's competitor join: 66 s at 1.45 M (joined on the agreed fields)


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


# --- tools (each runs in its own process: ``bench/link.py _run TOOL IN OUT THREADS MEMORY``) ------------------------

def hopnhat_command(src: Path, dst: Path, threads: int, memory: str, *conf: str) -> list[str]:
    """Exactly the CLI, in a process of its own as a user starts it: ``hopnhat link persons IN -o OUT --threads N
    --memory-limit M`` (``python -m hopnhat``; not imported into a child of this module, which has loaded pyarrow and
    this module's own imports before the tool's first line)."""
    return [sys.executable, "-m", "hopnhat", "link", "persons", str(src), "--output", str(dst), "--threads",
            str(threads), "--memory-limit", memory]


def hopnhat_spark_command(src: Path, dst: Path, threads: int, memory: str, *conf: str) -> list[str]:
    """The CLI on Spark: ``hopnhat link persons IN -o OUT --engine spark --threads N --memory-limit M
    [--spark-conf KEY=VALUE …]`` (the DuckDB work space still builds the features)."""
    extra = [arg for item in conf for arg in ("--spark-conf", item)]
    return [*hopnhat_command(src, dst, threads, memory), "--engine", "spark", *extra]


def _baseline_frame(src: Path) -> Any:  # a pandas DataFrame (pandas is imported only in the tool's process)
    """The raw columns as a competent user prepares them: dates parsed (ISO, dd/mm/yyyy, yyyymmdd, a year alone),
    names and IDs as written, family name = first word, birth year from the date."""
    import pandas as pd

    df = pq.read_table(src).to_pandas()
    df["unique_id"] = range(len(df))
    df["family"] = df["full_name"].str.split().str[0]
    dob = pd.to_datetime(df["dob"], format="%Y-%m-%d", errors="coerce")
    for fmt in ("%d/%m/%Y", "%Y%m%d", "%Y"):
        dob = dob.fillna(pd.to_datetime(df["dob"], format=fmt, errors="coerce"))
    df["dob"] = dob.dt.strftime("%Y-%m-%d")
    df["birth_year"] = dob.dt.year.astype("Int64").astype(str).replace("<NA>", None)
    df["id_number"] = df["id_number"].where(df["id_number"].str.len() > 0)
    df["full_name"] = df["full_name"].where(df["full_name"].str.len() > 0)
    return df[["unique_id", "full_name", "family", "birth_year", "dob", "id_number"]]


def run_splink_tight(src: Path, dst: Path, threads: int, memory: str) -> None:
    """Plain Splink 5 with tight rules (see the module doc)."""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = _baseline_frame(src)
    con = duckdb.connect(config={"threads": threads, "memory_limit": memory,
                                 "temp_directory": str(dst.parent / "baseline-spill")})
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[cl.JaroWinklerAtThresholds("full_name", [0.92, 0.8]), cl.ExactMatch("dob"),
                     cl.ExactMatch("id_number")],
        blocking_rules_to_generate_predictions=[block_on("id_number"), block_on("full_name", "dob")],
    )
    linker = Linker(DuckDBAPI(con).register(df), settings)
    linker.training.estimate_probability_two_random_records_match([block_on("id_number")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("full_name", "dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("id_number"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95)
    out = clusters.as_duckdbpyrelation().select("unique_id, cluster_id").order("unique_id").fetch_arrow_table()
    pq.write_table(out.select(["cluster_id"]), dst)


def run_recordlinkage(src: Path, dst: Path, threads: int, memory: str) -> None:
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


TOOLS = {"splink-tight": run_splink_tight, "recordlinkage": run_recordlinkage}  # run by ``_run`` in a child
COMMANDS = {"hopnhat": hopnhat_command, "hopnhat-spark": hopnhat_spark_command}  # a child of their own


# --- measuring -----------------------------------------------------------------------------------------------------

THP = ("thp_fault_alloc", "thp_fault_fallback", "compact_stall")


def measure(tool: str, src: Path, dst: Path, threads: int, memory: str, timeout: float,
            extra: tuple[str, ...] = ()) -> dict[str, object]:
    """Run one tool in a child process: wall time, CPU time of its tree, peak RSS and PSS of its tree (JVMs
    included; :mod:`treemem`), and the machine's huge-page faults and compaction stalls meanwhile."""
    dst.unlink(missing_ok=True)
    log = dst.with_suffix(".log").open("w")
    machine = treemem.vmstat(*THP)
    started = time.perf_counter()
    command = (COMMANDS[tool](src, dst, threads, memory, *extra) if tool in COMMANDS else
               [sys.executable, str(Path(__file__).resolve()), "_run", tool, str(src), str(dst), str(threads), memory,
                *extra])
    proc = subprocess.Popen(command, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(
                                [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])})
    memory_use = treemem.TreeMemory(proc.pid)
    limit = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
    limit.start()
    _, status, usage = os.wait4(proc.pid, 0)
    limit.cancel()
    seconds = time.perf_counter() - started
    peak = memory_use.stop()
    machine = {k: v - machine[k] for k, v in treemem.vmstat(*THP).items()}
    proc.returncode = os.waitstatus_to_exitcode(status)
    log.close()
    shutil.rmtree(dst.parent / "baseline-spill", ignore_errors=True)
    finished, note = True, ""
    if seconds >= timeout and proc.returncode == -signal.SIGKILL:
        finished, note = False, f"stopped after {seconds:.0f} s: time limit"
    elif proc.returncode != 0 or not dst.is_file():
        finished, note = False, f"exit status {proc.returncode}: " + _last_error(dst.with_suffix(".log"))
    return {"tool": tool, "finished": finished, "seconds": round(seconds, 1),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1), "sys_seconds": round(usage.ru_stime, 1),
            "peak_pss_mb": round(peak.pss_mb), "peak_rss_mb": round(peak.rss_mb), "processes": peak.processes,
            "machine": machine, "note": note}


def _last_error(log: Path) -> str:
    lines = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return next((line for line in reversed(lines) if "Error" in line), lines[-1] if lines else "")[:160]


def output_digest(dst: Path) -> str:
    table = pq.read_table(dst)
    cols = [c for c in ("cluster_id", "match_probability") if c in table.column_names]
    digest = hashlib.sha256()
    for col in cols:
        digest.update(repr(table.column(col).to_pylist()).encode())
    return digest.hexdigest()[:16]


# --- scoring -------------------------------------------------------------------------------------------------------

def _pairs(keys: list) -> set[tuple[int, int]]:
    groups: dict[object, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        groups[k].append(i)
    return {(a, b) for m in groups.values() if len(m) > 1 for a, b in itertools.combinations(m, 2)}


def _prf(tp: int, predicted: int, actual: int, ideal: int | None = None,
         anchored: int | None = None) -> dict[str, float | int]:
    p = tp / predicted if predicted else 1.0
    r = tp / actual if actual else 1.0
    out: dict[str, float | int] = {"precision": round(p, 5), "recall": round(r, 5),
                                   "f1": round(2 * p * r / (p + r), 5) if p + r else 0.0, "true_positive": tp,
                                   "predicted": predicted, "actual": actual}
    if ideal is not None:  # the share of true pairs an ideal linker can link (bench/population/ideal.py)
        out["ideal_recall"] = round(ideal / actual, 5) if actual else 1.0
        out["ideal_f1"] = round(2 * out["ideal_recall"] / (1 + out["ideal_recall"]), 5)
    if anchored is not None:  # … without linking a namesake born the same day elsewhere (precision ≥ 0.998)
        out["ideal_anchored_recall"] = round(anchored / actual, 5) if actual else 1.0
        out["ideal_anchored_f1"] = round(2 * out["ideal_anchored_recall"] / (1 + out["ideal_anchored_recall"]), 5)
    return out


def _clusters(keys: list) -> set[frozenset[int]]:
    groups: dict[object, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        groups[k].append(i)
    return {frozenset(m) for m in groups.values() if len(m) > 1}


def _noises(text: str | None) -> frozenset[str]:
    return frozenset(k for k in (text or "").split(";") if k and k != "no_diacritics")


def score(predicted: list, truth: pa.Table, ideals: dict[str, set[tuple[int, int]]] | None = None) -> dict[str, object]:
    """Pair and cluster scores, per noise class and per combination (see the module doc); with ``ideals`` (the true
    pairs an ideal linker can link: ``any``, and ``anchored`` — without linking namesakes,
    :func:`bench.population.ideal.ideal_sets`), each line's ideal recalls beside it."""
    ideal = ideals["any"] if ideals else None
    anchored = ideals["anchored"] if ideals else set()
    entity = truth.column("entity").to_pylist()
    noises = [_noises(n) for n in truth.column("noises").to_pylist()]
    pred, true = _pairs(predicted), _pairs(entity)
    tp = pred & true
    pc, tc = _clusters(predicted), _clusters(entity)
    with_ideal = (lambda v: _prf(*v)) if ideal is not None else (lambda v: _prf(*v[:3]))
    out: dict[str, object] = {"rows": len(entity),
                              "pairs": with_ideal([len(tp), len(pred), len(true), len(ideal or ()), len(anchored)]),
                              "clusters": _prf(len(pc & tc), len(pc), len(tc))}
    by_class: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # tp, predicted, actual, ideal, anchored
    by_combo: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    by_count: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for pair_set, slot in ((true, 2), (pred, 1)):
        for a, b in pair_set:
            kinds = noises[a] | noises[b]
            hit, can = (a, b) in tp, slot == 2 and ideal is not None and (a, b) in ideal
            firm = slot == 2 and (a, b) in anchored
            combo = "+".join(sorted(kinds)) or "clean"
            for line in [by_class[k] for k in kinds or ("clean",)] + [by_combo[combo], by_count[str(len(kinds))]]:
                line[slot] += 1
                line[0] += hit and slot == 2
                line[3] += can
                line[4] += firm
    out["by_noise"] = {k: with_ideal(v) for k, v in sorted(by_class.items())}
    out["by_noise_count"] = {k: with_ideal(v) for k, v in sorted(by_count.items())}
    top = sorted(by_combo.items(), key=lambda kv: -kv[1][2])[:40]
    out["by_combination"] = {k: with_ideal(v) for k, v in top}
    if ideal is not None:
        out["ideal_missed"] = len(ideal - tp)  # pairs an ideal linker links and this one does not
        out["ideal_anchored_missed"] = len(anchored - tp)
    if "household" in truth.column_names:
        household = truth.column("household").to_pylist()
        relation = truth.column("relation").to_pylist()
        kinds = Counter("twins" if household[a] == household[b] and relation[a] == relation[b] == "twin"
                        else "same household" if household[a] == household[b]
                        else "namesakes" if relation[a] == relation[b] == "namesake" else "other"
                        for a, b in pred - true)
        out["false_pairs_by_kind"] = dict(sorted(kinds.items()))
    return out


def engines_compared(duck: Path, spark: Path, examples: int = 20) -> dict[str, object]:
    """Spark's clusters against DuckDB's on the same input: pairwise F1 between the two, the pairs only one links,
    rows whose strongest match probability differs (beyond 1e-9), and the differing pairs with both probabilities."""
    a, b = pq.read_table(duck), pq.read_table(spark)
    pa_, pb = _pairs(a.column("cluster_id").to_pylist()), _pairs(b.column("cluster_id").to_pylist())
    prob_a, prob_b = a.column("match_probability").to_pylist(), b.column("match_probability").to_pylist()
    differ = [i for i, (x, y) in enumerate(zip(prob_a, prob_b))
              if (x is None) != (y is None) or (x is not None and y is not None and abs(x - y) > 1e-9)]
    only = sorted(pa_ - pb)[:examples] + sorted(pb - pa_)[:examples]
    return {"pair_f1": round(2 * len(pa_ & pb) / (len(pa_) + len(pb)), 7) if pa_ or pb else 1.0,
            "pairs_duckdb": len(pa_), "pairs_spark": len(pb), "only_duckdb": len(pa_ - pb),
            "only_spark": len(pb - pa_), "identical_cluster_ids": a.column("cluster_id").equals(b.column("cluster_id")),
            "rows_probability_differs": len(differ),
            "max_probability_difference": max((abs((prob_a[i] or 0.0) - (prob_b[i] or 0.0)) for i in differ),
                                              default=0.0),
            "differing_pairs": [{"rows": [x, y], "duckdb": [prob_a[x], prob_a[y]], "spark": [prob_b[x], prob_b[y]],
                                 "linked_on": "duckdb" if (x, y) in pa_ else "spark"} for x, y in only]}


def _chained(n: int, links: list[tuple[int, int]], pairs: list[tuple[int, int]]) -> int:
    """How many of ``pairs`` ``links`` join by a chain."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.population.ideal import chain_roots

    root = chain_roots(n, links)
    return sum(root[a] == root[b] for a, b in pairs)


def candidate_count(work: Any) -> int:
    """:func:`hopnhat.link.blocking.candidate_pairs` (one DISTINCT over every rule's join, 12 M pairs at 1 M people)
    on one DuckDB thread. The count died natively in 3 of 5 runs at 1 M (DuckDB 1.4.1: "Attempted to dereference
    unique_ptr that is NULL" in a hash table's combine, segmentation faults) when it was a chain of UNIONs — 26
    DISTINCTs on two threads. DuckDB 1.4.1's parallel hash aggregate can combine the threads' partitions at
    different radix bits when one thread goes out of core while the other combines (fixed after 1.4.1:
    duckdb/duckdb#20342, #20357, #23757); on one thread there is nothing to combine."""
    from hopnhat.link.blocking import candidate_pairs

    threads = work.execute("SELECT current_setting('threads')").fetchone()[0]
    work.execute("SET threads = 1")
    try:
        return candidate_pairs(work)
    finally:
        work.execute(f"SET threads = {int(threads)}")


def namesake_estimate(work: Any) -> list[str]:
    """The linker's own estimate of how often a pair tied only by the name and the birth date is one person, per
    stratum (:func:`hopnhat.link.namesakes.estimate`, on the features the CLI builds: the same figures the CLI's run
    decides with; no truth read), as the run's notes write it."""
    from hopnhat.link.namesakes import estimate, notes

    return notes(estimate(work))


def blocking(src: Path, truth: pa.Table, threads: int,
             ideals: dict[str, set[tuple[int, int]]] | None = None) -> dict[str, object]:
    """hopnhat's blocking recall on the true pairs (features built exactly as ``hopnhat link persons`` builds them):
    ``recall`` (the target: a rule holds for the pair itself), ``chain_recall`` (the pair's records are joined by a
    chain of compared true pairs: what a perfect scorer could link at most); with ``ideals``, both on the pairs an
    ideal linker links (``ideal_recall``, ``ideal_chain_recall``)."""
    from hopnhat.link.blocking import blocked_pairs, blocking_recall
    from hopnhat.link.standalone import people_features

    pairs = sorted(_pairs(truth.column("entity").to_pylist()))
    work = people_features(pq.read_table(src), threads=threads, memory_limit="1500MB")
    table = pa.table({"uid_l": [a for a, _ in pairs], "uid_r": [b for _, b in pairs]})
    result = blocking_recall(work, table)
    blocked = blocked_pairs(work, table)
    candidates = candidate_count(work)
    estimate = namesake_estimate(work)
    work.close()
    compared = [p for p, hit in zip(pairs, blocked, strict=True) if hit]
    out: dict[str, object] = {"recall": round(result.recall, 5), "blocked": result.blocked, "pairs": result.pairs,
                              "chain_recall": round(_chained(truth.num_rows, compared, pairs) / len(pairs), 5),
                              "candidate_pairs": candidates,
                              "candidates_per_record": round(candidates / truth.num_rows, 3),
                              "namesakes": estimate}
    if ideals:
        ideal = sorted(ideals["any"])
        seen = set(compared)
        out["ideal_pairs"] = len(ideal)
        out["ideal_recall"] = round(sum(p in seen for p in ideal) / len(ideal), 5)
        out["ideal_chain_recall"] = round(_chained(truth.num_rows, compared, ideal) / len(ideal), 5)
    return out


def blocking_apart(src: Path, truth_path: Path, threads: int,
                   ideals: dict[str, set[tuple[int, int]]] | None) -> dict[str, object]:
    """:func:`blocking` in a child process (``bench/link.py _blocking``): a crash there (a native one was seen once,
    at 1 M under load) costs the blocking figures only, not the run's."""
    folder = src.parent
    if ideals:
        for key, pairs in ideals.items():
            pq.write_table(pa.table({"a": [a for a, _ in sorted(pairs)], "b": [b for _, b in sorted(pairs)]}),
                           folder / f"ideal-{key}.parquet")
    out = folder / "blocking.json"
    out.unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "_blocking", str(src), str(truth_path),
                           str(threads), "1" if ideals else "0"], check=False)
    if proc.returncode != 0 or not out.is_file():
        return {"error": f"exit status {proc.returncode}"}
    return json.loads(out.read_text(encoding="utf-8"))


def _blocking_main(src: Path, truth_path: Path, threads: int, with_ideals: bool) -> None:
    ideals = ({key: {(int(a), int(b)) for a, b in zip(*pq.read_table(src.parent / f"ideal-{key}.parquet")
                                                       .to_pydict().values(), strict=True)}
               for key in ("any", "anchored")} if with_ideals else None)
    result = blocking(src, pq.read_table(truth_path), threads, ideals)
    (src.parent / "blocking.json").write_text(json.dumps(result), encoding="utf-8")


# --- data sets -----------------------------------------------------------------------------------------------------

def population(work: Path, people: int, seed: int, namesakes: float | None = None,
               name_pool: str | None = None, twins: float | None = None,
               profile: str = "harsh") -> tuple[Path, Path]:
    """The independent population (generated once per size, seed, namesake share, name pool and twin rate): the
    ``profile``'s parameters (bench/population/generate.PROFILES), each overridable."""
    sys.path.insert(0, str(ROOT))
    from bench.population.generate import GENERATOR_VERSION, NAMESAKES, PROFILES, TWINS, generate

    chosen = PROFILES[profile]
    share = chosen.namesakes if namesakes is None else namesakes
    pool = name_pool or chosen.name_pool
    rate = chosen.twins if twins is None else twins
    tail = (("" if share == NAMESAKES else f"-n{share:g}") + ("" if pool == "bench" else f"-{pool}")
            + ("" if rate == TWINS else f"-t{rate:g}"))
    out = work / f"population-{people}-{seed}-v{GENERATOR_VERSION}{tail}"
    inp, truth = out / "input.parquet", out / "truth.parquet"
    if not (inp.is_file() and truth.is_file()):
        started = time.perf_counter()
        generate(people, seed, out, share, pool, rate)
        print(f"population generated in {time.perf_counter() - started:.0f} s → {out}", flush=True)
    return inp, truth


def blind(work: Path, people: int, seed: int) -> tuple[Path, Path]:
    """The blind population (bench/blind: the new Hưng Yên = old Hưng Yên + Thái Bình, written apart from the
    linker, the synth generator and bench/population), generated once per size and seed."""
    sys.path.insert(0, str(ROOT))
    from bench.blind.generate import GENERATOR_VERSION, generate

    out = work / f"blind-{people}-{seed}-v{GENERATOR_VERSION}"
    inp, truth = out / "input.parquet", out / "truth.parquet"
    if not (inp.is_file() and truth.is_file()):
        started = time.perf_counter()
        generate(people, seed, out)
        print(f"blind population generated in {time.perf_counter() - started:.0f} s → {out}", flush=True)
    return inp, truth


def _ideal(truth: pa.Table, src: Path) -> dict[str, set[tuple[int, int]]]:
    """The true pairs an ideal linker can link, and those it links without namesakes (:mod:`bench.population.ideal`)."""
    from bench.population.ideal import ideal_sets

    started = time.perf_counter()
    out = ideal_sets(truth, pq.read_table(src, columns=["dob"]).column("dob"))
    print(f"ideal pairs: {len(out['any']):,}, anchored {len(out['anchored']):,} in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    return out


def _ceiling(truth: pa.Table, src: Path) -> dict[str, int]:
    """Pairs with only name + middle + exact date as evidence, of one person and of two
    (:func:`bench.population.ideal.namesake_ceiling`)."""
    from bench.population.ideal import namesake_ceiling

    return namesake_ceiling(truth, pq.read_table(src, columns=["dob"]).column("dob"))


def _timed(tool: str, label: str, src: Path, args: argparse.Namespace) -> tuple[dict[str, object], Path]:
    """One tool's run on one set (and hopnhat's rerun, with whether its output is identical), not yet scored: the
    result and the output's path."""
    print(f"running {tool} on {label} …", flush=True)
    dst = src.parent / f"out-{tool}.parquet"
    extra = tuple(args.spark_conf) if tool == "hopnhat-spark" else ()
    result = measure(tool, src, dst, args.threads, args.memory_limit, args.timeout, extra)
    result["set"] = label
    if result["finished"] and tool == "hopnhat" and not args.no_rerun:
        digest = output_digest(dst)
        again = measure(tool, src, dst.with_name("out-hopnhat-rerun.parquet"), args.threads, args.memory_limit,
                        args.timeout)
        result["rerun"] = {k: again[k] for k in ("seconds", "cpu_seconds", "sys_seconds", "peak_rss_mb",
                                                 "peak_pss_mb")}
        result["rerun_identical"] = again["finished"] and output_digest(
            dst.with_name("out-hopnhat-rerun.parquet")) == digest
    return result, dst


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _cells(r: dict[str, object]) -> list[str]:
    p, c = r.get("pairs") or {}, r.get("clusters") or {}
    scores = [f"{d[k]:.4f}" if d else "—" for d in (p, c) for k in ("precision", "recall", "f1")]  # type: ignore[index]
    rows = f"{r['rows']:,}" if r.get("rows") else ""
    return [str(r["set"]), str(r["tool"]), rows, f"{r['seconds']}", f"{r['cpu_seconds']}", f"{r['peak_rss_mb']:,}",
            f"{r['peak_pss_mb']:,}",
            *scores, str(r.get("rerun_identical", "")), str(r.get("note", ""))]


def ratios(results: list[dict[str, object]], baseline: str = "splink-tight") -> list[str]:
    """Each finished tool's wall and CPU time as a multiple of ``baseline``'s on the same set (the issue's targets:
    hopnhat at most 1× plain Splink's CPU and 0.5× its wall), its rerun's beside it."""
    base = {r["set"]: r for r in results if r["tool"] == baseline and r["finished"]}
    lines = []
    for r in results:
        b = base.get(r["set"])
        if b is None or r["tool"] == baseline or not r["finished"]:
            continue
        runs = [r, *([r["rerun"]] if isinstance(r.get("rerun"), dict) else [])]
        cpu = " / ".join(f"{float(x['cpu_seconds']) / float(b['cpu_seconds']):.2f}×" for x in runs)  # type: ignore[arg-type]
        wall = " / ".join(f"{float(x['seconds']) / float(b['seconds']):.2f}×" for x in runs)  # type: ignore[arg-type]
        lines.append(f"{r['set']}: {r['tool']} against {baseline} — CPU {cpu}, wall {wall} (run / rerun)")
    return lines


def report(results: list[dict[str, object]], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=220)
    table = Table(title=title)
    for col in ("set", "tool", "rows", "wall s", "CPU s", "peak RSS MB", "peak PSS MB", "pair P", "pair R", "pair F1",
                "cluster P", "cluster R", "cluster F1", "rerun identical", "note"):
        table.add_column(col, justify="left" if col in ("set", "tool", "note") else "right")
    for r in results:
        table.add_row(*_cells(r))
    console.print(table)
    for line in ratios(results):
        console.print(line)
    for r in results:
        if not r.get("by_noise"):
            continue
        t = Table(title=f"{r['set']} — {r['tool']}: per noise class (pairs with a record carrying it)")
        for col in ("noise", "true pairs", "recall", "ideal recall", "ideal anchored", "precision", "F1"):
            t.add_column(col, justify="left" if col == "noise" else "right")
        lines = sorted(r["by_noise"].items(), key=lambda kv: kv[1]["f1"])  # type: ignore[attr-defined]
        lines += [(f"{k} noise(s) on the pair", v) for k, v in r["by_noise_count"].items()]  # type: ignore[attr-defined]
        lines += [(f"combination: {k}", v) for k, v in list(r["by_combination"].items())[:25]]  # type: ignore[attr-defined]
        for k, v in lines:
            ideal = f"{v['ideal_recall']:.4f}" if "ideal_recall" in v else "—"
            firm = f"{v['ideal_anchored_recall']:.4f}" if "ideal_anchored_recall" in v else "—"
            t.add_row(k, f"{v['actual']:,}", f"{v['recall']:.4f}", ideal, firm, f"{v['precision']:.4f}",
                      f"{v['f1']:.4f}")
        console.print(t)
        extra = {k: r[k] for k in ("false_pairs_by_kind", "blocking", "vs_duckdb", "ideal_missed",
                                   "ideal_anchored_missed", "namesake_ceiling")
                 if k in r}
        if extra:
            console.print(json.dumps(extra, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=30_000, help="people of the independent population")
    parser.add_argument("--scale", type=float, default=0.02, help="scale of the synth estate")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--synth-seed", type=int, default=1)
    parser.add_argument("--sets", default="population,synth")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="2GB",
                        help="DuckDB's memory limit, the same for every tool (hopnhat's --memory-limit)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/hopnhat-bench-link"))
    parser.add_argument("--timeout", type=float, default=3 * 3600)
    parser.add_argument("--tools", default="hopnhat,splink-tight")
    parser.add_argument("--no-rerun", action="store_true", help="skip hopnhat's second run (identical output check)")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                        help="spark: also run hopnhat on Spark (tool hopnhat-spark) and compare its clusters with "
                        "DuckDB's in the same run")
    parser.add_argument("--spark-conf", action="append", default=[], help="KEY=VALUE for hopnhat-spark (repeatable)")
    parser.add_argument("--no-blocking", action="store_true", help="skip the blocking-recall measurement")
    parser.add_argument("--profile", choices=("harsh", "realistic"), default="harsh",
                        help="population: harsh (default: made namesakes, concentrated names, 4 %% twins) or "
                        "realistic (natural namesakes, the public name pool, 0.8 %% twins): generate.PROFILES")
    parser.add_argument("--name-pool", choices=("bench", "public"), default=None,
                        help="population: the generator's own name tables or the public pool (the profile's)")
    parser.add_argument("--namesakes", type=float, default=None,
                        help="population: share of people made a namesake of another (the profile's)")
    parser.add_argument("--twins", type=float, default=None,
                        help="population: share of births that are twins (the profile's)")
    args = parser.parse_args()
    tools = args.tools.split(",")
    if args.engine == "spark":
        tools = [t for t in tools if t != "hopnhat-spark"]
        tools.insert(tools.index("hopnhat") + 1 if "hopnhat" in tools else 0, "hopnhat-spark")
    args.work.mkdir(parents=True, exist_ok=True)
    load_before = uptime()
    plan = []
    if "blind" in args.sets.split(","):
        plan.append(("blind", *blind(args.work, args.people, args.seed)))
    if "population" in args.sets:
        plan.append(("population", *population(args.work, args.people, args.seed, args.namesakes, args.name_pool,
                                               args.twins, args.profile)))
    if "synth" in args.sets:
        root = estate(args.work, args.scale, args.synth_seed)
        full, truth, _, _ = inputs(root, root, 0)
        plan.append(("synth", full, truth))
    results = []
    for label, src, truth_path in plan:
        runs = [(tool, _timed(tool, label, src, args)) for tool in tools]
        # the truth and the ideal pairs only now: their computation grows this process to ~2.2 GB at 1 M, and a tool
        # run beside that paid 3-4 s more system time than its rerun (session 22)
        truth = pq.read_table(truth_path)
        with_truth = "t_name" in truth.column_names
        # the ideal's competitor join grows with the square of a name's records: measured up to IDEAL_MAX_ROWS
        ideals = _ideal(truth, src) if with_truth and truth.num_rows <= IDEAL_MAX_ROWS else None
        ceiling = _ceiling(truth, src) if with_truth else None
        for tool, (result, dst) in runs:
            if ceiling:
                result["namesake_ceiling"] = ceiling
            if result["finished"]:
                result.update(score(pq.read_table(dst).column("cluster_id").to_pylist(), truth, ideals))
            if tool == "hopnhat" and not args.no_blocking:
                print(json.dumps({k: v for k, v in result.items() if k not in ("by_combination", "by_noise")},
                                 ensure_ascii=False), flush=True)  # kept whatever happens to the blocking step
                result["blocking"] = blocking_apart(src, truth_path, args.threads, ideals)
            duck_out = src.parent / "out-hopnhat.parquet"
            if tool == "hopnhat-spark" and result["finished"] and "hopnhat" in tools and duck_out.is_file():
                result["vs_duckdb"] = engines_compared(duck_out, dst)
            results.append(result)
            print(json.dumps({k: v for k, v in result.items() if k != "by_combination"}, ensure_ascii=False),
                  flush=True)
    load_after = uptime()
    report(results, f"Person linkage — population {args.people:,} people (seed {args.seed}), synth scale "
                    f"{args.scale:g}; {args.threads} threads")
    print("uptime before:", load_before)
    print("uptime after: ", load_after)
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {"people": args.people, "seed": args.seed, "profile": args.profile, "namesakes": args.namesakes,
            "name_pool": args.name_pool, "twins": args.twins,
            "scale": args.scale,
            "threads": args.threads,
            "engine": args.engine, "spark_conf": args.spark_conf,
            "memory_limit": args.memory_limit, "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "uptime_before": load_before, "uptime_after": load_after}
    profile = "" if args.profile == "harsh" else f"-{args.profile}"
    profile = "-blind" if args.sets == "blind" else profile
    name = OUT / f"link-{args.people}-{args.scale:g}{profile}{'-spark' if args.engine == 'spark' else ''}.json"
    name.write_text(json.dumps({"meta": meta, "results": results, "ratios": ratios(results)}, indent=1,
                               ensure_ascii=False), encoding="utf-8")
    print("→", name)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_blocking":
        sys.path.insert(0, str(ROOT / "src"))
        _blocking_main(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1")
    elif len(sys.argv) > 1 and sys.argv[1] == "_run":
        sys.path.insert(0, str(ROOT / "src"))
        tool, args = sys.argv[2], (Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5]), sys.argv[6], *sys.argv[7:])
        if tool in COMMANDS:  # (the same process as measure() starts)
            command = COMMANDS[tool](*args)
            os.execv(command[0], command)
        TOOLS[tool](*args)
    else:
        main()
