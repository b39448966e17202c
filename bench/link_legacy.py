"""``link persons`` on a list partly typed in legacy fonts: the cells read back, and what it does to the linkage.

A share of the blind population's records (bench/blind, written apart from the linker) get their name, sex and
address cells typed in a legacy encoding, as an Excel list typed with a ``.VnTime`` or ``VNI-Times`` font shows them
(the bytes read as Windows-1252). The bytes come from encoders this project did not write
(``tests/text/independent.py``: glibc iconv's TCVN5712-1 and VISCII, Python's cp1258 with the tones apart, the VNI
table written from its public description, UTF-8 read as Windows-1252 by ftfy). Then:

- the cells: how many of the typed cells :func:`hopnhat.repair.arrowtext.repair_text_column` reads back exactly, per
  encoding, and how many clean cells it changed (must be 0);
- the linkage: pair precision, recall and F1 of ``link_people`` on the clean list, on the typed list as it reads it
  now, and on the typed list with the cells taken as they are (``legacy_text=False``, what it did before) — overall
  and on the true pairs with a typed record.

    .venv/bin/python bench/link_legacy.py --people 100000 [--share 0.1] [--work /tmp/hopnhat-bench-link-blind]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.text.independent import font_typed as typed  # noqa: E402

from hopnhat.link.standalone import link_people  # noqa: E402
from hopnhat.repair.arrowtext import repair_text_column  # noqa: E402

COLUMNS = ("full_name", "sex", "address")  # the cells typed (tests/text/independent.font_typed)
OUT = ROOT / "bench" / "out"


def cells_read_back(clean: pa.Table, list_: pa.Table, chosen: list[str | None]) -> dict[str, object]:
    """Per encoding, the typed cells read back exactly; and the clean cells changed."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    missed: dict[str, list[tuple[str, str]]] = defaultdict(list)
    changed = 0
    for name in COLUMNS:
        read, _ = repair_text_column(name, list_.column(name))
        for truth, was, got, encoding in zip(clean.column(name).to_pylist(), list_.column(name).to_pylist(),
                                             read.to_pylist(), chosen, strict=True):
            if encoding is None or truth == was:
                changed += got != was
                continue
            total[encoding] += 1
            right[encoding] += got == truth
            if got != truth and len(missed[encoding]) < 6:
                missed[encoding].append((truth, got))
    return {"read_back_pct": {e: round(100 * right[e] / total[e], 3) for e in total},
            "typed_cells": dict(total), "clean_cells_changed": changed, "missed": dict(missed)}


def _pairs(groups: list[object]) -> set[tuple[int, int]]:
    members: dict[object, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    return {(a, b) for rows in members.values() for k, a in enumerate(rows) for b in rows[k + 1:]}


def scored(table: pa.Table, truth: list[str], chosen: list[str | None], **options: object) -> dict[str, object]:
    started = time.process_time()
    result = link_people(table, threads=2, memory_limit="2GB", **options)  # type: ignore[arg-type]
    seconds = time.process_time() - started
    predicted, actual = _pairs(result.table.column("cluster_id").to_pylist()), _pairs(truth)
    hit = predicted & actual
    touched = {p for p in actual if chosen[p[0]] or chosen[p[1]]}
    precision = len(hit) / len(predicted) if predicted else 1.0
    recall = len(hit) / len(actual) if actual else 1.0
    return {"precision": round(precision, 5), "recall": round(recall, 5),
            "f1": round(2 * precision * recall / (precision + recall), 5) if hit else 0.0,
            "recall_typed_pairs": round(len(hit & touched) / len(touched), 5) if touched else None,
            "typed_pairs": len(touched), "cpu_seconds": round(seconds, 1), "repaired": result.repaired}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--share", type=float, default=0.1, help="share of records typed in a legacy font")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work", type=Path, default=Path("/tmp/hopnhat-bench-link-blind"))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from bench.link import blind  # (it imports its neighbour treemem: run as a script, not imported by tests)

    src, truth_path = blind(args.work, args.people, args.seed)
    clean = pq.read_table(src)
    truth = pq.read_table(truth_path).column("entity").to_pylist()
    list_, chosen = typed(clean, args.share, args.seed)
    report: dict[str, object] = {"people": args.people, "records": clean.num_rows, "share": args.share,
                                 "typed_records": dict(Counter(e for e in chosen if e))}
    report["cells"] = cells_read_back(clean, list_, chosen)
    print(json.dumps(report, ensure_ascii=False), flush=True)
    report["clean"] = scored(clean, truth, [None] * clean.num_rows)
    report["typed, read back"] = scored(list_, truth, chosen)
    report["typed, as they are"] = scored(list_, truth, chosen, legacy_text=False)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"link-legacy-{args.people}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1),
                                                         encoding="utf-8")


if __name__ == "__main__":
    main()
