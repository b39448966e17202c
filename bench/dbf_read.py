"""Benchmark: hopnhat's DBF reader against dbfread alone, on a FoxPro register of ``--records`` records.

Run from the repository root (the ``dev`` extra brings the ``dbf`` package that writes the table)::

    .venv/bin/python bench/dbf_read.py [--records 100000] [--runs 3] [--layout vfp|fp|db3]

The table: the register of ``tests/ingest/dbfwrite.py`` (nine fields: text typed in TCVN3 and VNI, a date, a number,
a logical, a memo), its first ``--seed-records`` clean records written by the ``dbf`` package (its two garbage
fields left out: dbfread alone raises ``ValueError: invalid date`` at the first and reads no further), then repeated
byte for byte
up to ``--records`` with the header's count set to match (the memo pointers of the copies point at the same memos),
written once to ``bench/out/dbf/``. Every 50th record is marked deleted.

Timed, as CPU seconds (``time.process_time``, the median of ``--runs``):

* ``dbfread``: ``DBF(path, encoding="latin-1")`` iterated for its live records, then for its deleted ones (dbfread
  gives the two apart; latin-1 so that no TCVN3 byte fails to decode) — every field parsed, memos read;
* ``hopnhat reader``: :class:`hopnhat.ingest.dbf.DbfReader` — every record in file order, cells as text, errors;
* ``hopnhat read_table``: the whole ingest path, ``read_table`` into Arrow batches of 50,000 rows, as a run reads it.
"""

from __future__ import annotations

import argparse
import statistics
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from dbfread import DBF  # noqa: E402
from tests.ingest.dbfwrite import BAD_DATE, BAD_NUMBER, register  # noqa: E402

from hopnhat.ingest import read_table  # noqa: E402
from hopnhat.ingest.dbf import DbfReader  # noqa: E402
from hopnhat.project.config import MergerConfig, Project  # noqa: E402


def build(folder: Path, records: int, seed_records: int, layout: str) -> Path:
    """The register repeated up to ``records`` records (written once; kept when its size is right)."""
    path = folder / f"hotich_{layout}_{records}.dbf"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    written = register(folder, layout, name=f"hotich_{layout}_{records}")
    data = bytearray(written.path.read_bytes())
    header_len, record_len = struct.unpack_from("<HH", data, 8)
    count = struct.unpack_from("<I", data, 4)[0]
    body = bytes(data[header_len:header_len + count * record_len])
    clean = [i for i in range(count) if i + 1 not in (BAD_DATE, BAD_NUMBER)][:seed_records]  # dbfread stops at them
    live = [bytes([0x20]) + body[i * record_len + 1:(i + 1) * record_len] for i in clean]
    rows = [live[i % len(live)] for i in range(records)]
    rows = [(b"*" + r[1:]) if i % 50 == 49 else r for i, r in enumerate(rows)]
    out = data[:header_len] + b"".join(rows) + b"\x1a"
    struct.pack_into("<I", out, 4, records)
    path.write_bytes(bytes(out))
    return path


def with_dbfread(path: Path) -> int:
    table = DBF(str(path), encoding="latin-1", ignorecase=False)
    return sum(1 for _ in table.records) + sum(1 for _ in table.deleted)


def with_reader(path: Path) -> int:
    reader = DbfReader(path)
    try:
        return sum(1 for _ in reader.records())
    finally:
        reader.close()


def with_read_table(path: Path) -> int:
    raw = {"version": 1, "merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "sources": [{"name": "hotich", "system": "Hộ tịch", "kind": "dbf", "tables": [
               {"name": "khai_sinh", "path": str(path), "maps_to": "person",
                "columns": {"source_key": "MA", "full_name": "HOTEN"}}]}]}
    project = Project(path.parent / "merger.yaml", MergerConfig.model_validate(raw), raw)
    source = project.config.sources[0]
    return sum(batch.num_rows for batch in read_table(project, source, source.tables[0]))


def timed(fn: Callable[[Path], int], path: Path, runs: int) -> tuple[float, int]:
    seconds, count = [], 0
    for _ in range(runs):
        started = time.process_time()
        count = fn(path)
        seconds.append(time.process_time() - started)
    return statistics.median(seconds), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed-records", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--layout", choices=("vfp", "fp", "db3"), default="vfp")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "dbf")
    args = parser.parse_args()
    path = build(args.out, args.records, args.seed_records, args.layout)
    print(f"{path.name}: {args.records:,} records, {path.stat().st_size:,} bytes, layout {args.layout}")
    base = None
    for label, fn in (("dbfread", with_dbfread), ("hopnhat reader", with_reader),
                      ("hopnhat read_table", with_read_table)):
        seconds, count = timed(fn, path, args.runs)
        base = base or seconds
        print(f"{label:20s} {count:>9,} records  {seconds:7.3f} CPU-s  {count / seconds:>10,.0f} records/CPU-s  "
              f"{seconds / base:5.2f}× dbfread's time")


if __name__ == "__main__":
    main()
