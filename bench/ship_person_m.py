"""Write ``src/hopnhat/link/data/person_m.json``: the person model's m-probabilities, trained on a large population,
for the lists too small to train their own (:mod:`hopnhat.link.shipped`).

An m-probability is how often the records of one person agree at a comparison level; it depends on how registers go
wrong, not on who is in them, so a large population trains it once. The population is the blind one (bench/blind,
written apart from the linker): 1 M people by default, every column. u (how often two people agree by chance) and
the prior are always the list's own.

    .venv/bin/python bench/ship_person_m.py [--people 1000000] [--seed 11] [--work /tmp/hopnhat-bench-link-blind]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.link import blind  # noqa: E402

from hopnhat.link import persons  # noqa: E402
from hopnhat.link.engine import open_backend  # noqa: E402
from hopnhat.link.shipped import PATH, levels_of  # noqa: E402
from hopnhat.link.standalone import people_features  # noqa: E402
from hopnhat.link.tables import one  # noqa: E402
from hopnhat.link.training import train  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work", type=Path, default=Path("/tmp/hopnhat-bench-link-blind"))
    args = parser.parse_args()
    src, _ = blind(args.work, args.people, args.seed)
    work = people_features(pq.read_table(src), threads=2, memory_limit="2GB")
    records = int(one(work, "SELECT count(*) FROM person_features")[0])
    backend = open_backend("duckdb", work, 2)
    try:
        trained = persons.soften(train(backend, backend.input(persons.SPEC.features), persons.SPEC, records))
    finally:
        backend.close()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=False).stdout.strip()
    document = {"trained_on": f"bench/blind population, {args.people:,} people (seed {args.seed}), {records:,} "
                              f"records, every column; hopnhat {commit}; command: bench/ship_person_m.py",
                "comparisons": levels_of(trained.settings)}
    PATH.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"→ {PATH}")


if __name__ == "__main__":
    main()
