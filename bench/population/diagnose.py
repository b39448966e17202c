"""Why does the linker miss the true pairs the ideal says are decidable? One run, every missed pair classified.

Runs exactly what ``hopnhat link persons`` runs (:func:`hopnhat.link.standalone.link_people`'s steps) on a population
folder, but scores every blocked pair (threshold 0) so that a missed pair's waterfall is known, then sorts each true
pair that :mod:`bench.population.ideal` counts as linkable and the run did not link into:

``never compared`` (no blocking rule holds), ``scored < 0.4`` (below the only-candidate floor), ``0.4 ≤ p <
threshold`` (not each other's only candidate, or something against), ``kept apart`` (a rule: conflicting numbers,
household), ``≥ threshold, linked apart`` (should not happen), per noise class; and for the low-scored ones, which
comparison levels weigh against.
False pairs are listed by kind with their levels too.

    .venv/bin/python -m bench.population.diagnose /tmp/hopnhat-bench-link/population-20000-11-v2 [--examples 20]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from bench.population.ideal import ideal_pairs


def _run(src: Path, threads: int) -> tuple[list[int], dict[tuple[int, int], tuple[float, str]], dict, object]:
    """Clusters as the CLI makes them, every blocked pair's (probability, evidence), the cluster reasons, work."""
    from hopnhat.link import persons
    from hopnhat.link.engine import open_backend
    from hopnhat.link.standalone import people_features

    work = people_features(pq.read_table(src), threads=threads)
    n = int(work.execute("SELECT count(*) FROM person_features").fetchone()[0])  # type: ignore[index]
    backend = open_backend("duckdb", work, threads)
    try:
        persons.person_pairs(work, backend, 0.0)
    finally:
        backend.close()
    every = {(a, b): (p, ev) for a, b, p, ev in
             work.execute("SELECT uid_l, uid_r, match_probability, evidence FROM person_pairs").fetchall()}
    pairs = sorted((a, b, p) for (a, b), (p, _) in every.items() if p >= persons.UNIQUE_FROM)
    result = persons.person_clusters(work, n, [x for x in pairs if x[2] >= 0.95], 0.95, 0.6, scored=pairs)
    return result.root, every, result.reasons, work


def _levels(evidence: str) -> list[str]:
    data = json.loads(evidence)
    return [f"{c['comparison']}:{c['level']}:{c['weight'] + c.get('tf_weight', 0):+.1f}"
            for c in data.get("comparisons", [])]


def _against(evidence: str) -> list[str]:
    data = json.loads(evidence)
    return [f"{c['comparison']}:{c['level']}" for c in data.get("comparisons", [])
            if c["weight"] + c.get("tf_weight", 0) < 0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--examples", type=int, default=15)
    args = parser.parse_args()
    src, truth_path = args.folder / "input.parquet", args.folder / "truth.parquet"
    truth = pq.read_table(truth_path)
    inp = pq.read_table(src)
    ideal = ideal_pairs(truth, inp.column("dob"))
    root, every, reasons, work = _run(src, args.threads)
    entity = truth.column("entity").to_pylist()
    noises = [frozenset(k for k in (t or "").split(";") if k and k != "no_diacritics")
              for t in truth.column("noises").to_pylist()]
    rows = inp.to_pylist()
    missed = sorted(p for p in ideal if root[p[0]] != root[p[1]])
    kinds: Counter[str] = Counter()
    by_class: dict[str, Counter[str]] = defaultdict(Counter)
    against: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)
    for a, b in missed:
        hit = every.get((a, b))
        if hit is None:
            kind = "never compared"
        elif (a, b) in reasons:
            kind = f"kept apart: {reasons[(a, b)]}"
        elif hit[0] < 0.4:
            kind = "scored < 0.4"
        elif hit[0] < 0.95:
            kind = "0.4 <= p < 0.95"
        else:
            kind = ">= 0.95, apart by chain"
        kinds[kind] += 1
        for k in noises[a] | noises[b] or {"clean"}:
            by_class[k][kind] += 1
        combo = "+".join(sorted(noises[a] | noises[b])) or "clean"
        if hit is not None:
            for lv in _against(hit[1]):
                against[kind][lv] += 1
        if len(examples[kind]) < args.examples:
            line = f"{combo} | p={hit[0]:.3f} | {' '.join(_levels(hit[1]))}" if hit else combo
            examples[kind].append(f"{line}\n      {rows[a]}\n      {rows[b]}")
    print(f"ideal pairs {len(ideal):,}; missed {len(missed):,}: {dict(kinds.most_common())}")
    for k, c in sorted(by_class.items(), key=lambda kv: -sum(kv[1].values())):
        print(f"  {k:18s} {sum(c.values()):5d} {dict(c.most_common())}")
    for kind, c in against.items():
        print(f"against, {kind}: {c.most_common(12)}")
    for kind, lines in examples.items():
        print(f"\n== {kind}")
        for line in lines:
            print("  " + line)
    true = {(a, b) for a, b in itertools_pairs(entity)}
    linked = itertools_pairs([str(r) for r in root])
    hit = len(linked & true)
    precision, recall = hit / max(1, len(linked)), hit / max(1, len(true))
    print(f"\n== pairs linked {len(linked):,}, true {len(true):,}, ideal {len(ideal):,}: precision {precision:.4f}, "
          f"recall {recall:.4f}, F1 {2 * precision * recall / max(1e-9, precision + recall):.4f}, "
          f"false {len(linked) - hit:,}")
    false_pairs = sorted(p for p in every if root[p[0]] == root[p[1]] and p not in true)
    relation = truth.column("relation").to_pylist()
    household = truth.column("household").to_pylist()
    print(f"\n== false pairs directly scored and linked: {len(false_pairs)}")
    fk: Counter[str] = Counter()
    for a, b in false_pairs:
        kind = ("twins" if household[a] == household[b] and relation[a] == "twin" else "household"
                if household[a] == household[b] else "namesakes" if relation[a] == relation[b] == "namesake"
                else "other")
        fk[kind] += 1
        if kind != "namesakes" or fk[kind] <= 5:
            print(f"  {kind} p={every[(a, b)][0]:.3f} {' '.join(_levels(every[(a, b)][1]))}\n      {rows[a]}\n"
                  f"      {rows[b]}")
    print(dict(fk))
    work.close()  # type: ignore[attr-defined]


def itertools_pairs(entity: list[str]) -> set[tuple[int, int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(entity):
        groups[e].append(i)
    return {(m[i], m[j]) for m in groups.values() for i in range(len(m)) for j in range(i + 1, len(m))}


if __name__ == "__main__":
    _ = pa
    main()
