"""Benchmark: a report's declared count (``declared_total: footer``) taken from the load's own read, against the
second read a run made for it before session 27.

Run from the repository root::

    .venv/bin/python bench/report_footer.py [--rows 200000] [--runs 3]

The files (written once to ``bench/out/report/``): ``--rows`` one-stop-shop dossiers of six fields with Vietnamese
text, closed as the old systems close their reports — "Tổng cộng: 200.000 hồ sơ", then a signature block — as a
CSV in code page 1258 (tones as combining marks) and as an ``.xlsx`` sheet (written by openpyxl). Timed in a fresh
process each, wall and CPU seconds (median of ``--runs``, modules imported before the clock):

* ``before``: the table read whole as a run's load reads it (``read_table`` into 50,000-row Arrow batches), then
  read again for its footer (:func:`hopnhat.ingest.declared.report_declared`: what ``scan_declared`` did after every
  load of a declaring table);
* ``now``: the same read, the count taken from it (``TableRead.declared()``).

Both give the same count and records (checked). Preflight's notice before the run reads a declaring CSV report
once more, an Excel report no longer (docs/boundary.md, *Before the run*).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

from hopnhat.text.legacy import encode  # noqa: E402

NAMES = ("Nguyễn Thị Hoà", "Trần Văn Đức", "Lê Thị Bích Ngọc", "Huỳnh Văn Lợi", "Phạm Thị Thu Hương")
HEADER = ["MA_HO_SO", "TEN_TTHC", "HO_TEN", "SO_GIAY_TO", "NGAY_NHAN", "TRANG_THAI"]
SIGNATURES = [["Người lập biểu", "", "", "", "", "Thủ trưởng đơn vị"],
              ["(Ký, ghi rõ họ tên)", "", "", "", "", "(Ký tên, đóng dấu)"],
              ["Phạm Thị Thu", "", "", "", "", "Hoàng Văn Nam"],
              ["", "", "", "", "", "Tam Kỳ, ngày 30 tháng 6 năm 2025"]]
CASES = ("csv before", "csv now", "xlsx before", "xlsx now")


def _rows(count: int) -> list[list[str]]:
    rows = [[f"000.00.15.H49-2506{n % 28 + 1:02d}-{n:06d}", "Đăng ký khai sinh", NAMES[n % len(NAMES)],
             f"049{n:09d}", "12/06/2025", "Đang xử lý"] for n in range(count)]
    total = f"{count:,}".replace(",", ".")
    return [HEADER, *rows, [f"Tổng cộng: {total} hồ sơ", "", "", "", "", ""], *SIGNATURES]


def build(folder: Path, count: int) -> dict[str, Path]:
    """The CSV and the workbook (kept when written before for the same count)."""
    paths = {"csv": folder / f"bao_cao_{count}.csv", "xlsx": folder / f"bao_cao_{count}.xlsx"}
    if all(p.exists() for p in paths.values()):
        return paths
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    rows = _rows(count)
    text = "".join(",".join(f'"{c}"' if "," in c else c for c in row) + "\r\n" for row in rows)
    paths["csv"].write_bytes(encode(text, "cp1258-decomposed"))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Báo cáo")
    for row in rows:
        sheet.append([c or None for c in row])
    book.save(paths["xlsx"])
    return paths


def _table(path: Path, kind: str) -> tuple[object, object, object]:
    from hopnhat.project.config import MergerConfig, Project

    table = {"name": "bao_cao", "path": str(path), "maps_to": "dossier", "declared_total": "footer",
             "columns": {"source_key": "MA_HO_SO"}}
    raw = {"version": 1, "merged_unit": {"province_code": "48", "name": "Đà Nẵng"},
           "sources": [{"name": "mot_cua", "system": "Một cửa", "kind": kind, "tables": [table]}]}
    project = Project(path.parent / "merger.yaml", MergerConfig.model_validate(raw), raw)
    source = project.config.sources[0]
    return project, source, source.tables[0]


def one(case: str, paths: dict[str, Path]) -> dict[str, float | int | None]:
    """One load's read and its count, in this process."""
    from hopnhat.ingest import read_table
    from hopnhat.ingest.declared import report_declared

    form, how = case.split()
    project, source, table = _table(paths[form], "excel" if form == "xlsx" else "csv")
    wall, cpu = time.perf_counter(), time.process_time()
    reading = read_table(project, source, table)  # type: ignore[arg-type]
    rows = sum(b.num_rows for b in reading)
    found = report_declared(project, source, table) if how == "before" else reading.declared()  # type: ignore[arg-type]
    assert found is not None
    return {"rows": rows, "declared": found.value, "records": found.records,
            "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    paths = build(ROOT / "bench" / "out" / "report", args.rows)
    if args.one:
        print(json.dumps(one(args.one, paths)))
        return
    print(f"{args.rows:,} dossiers: " + ", ".join(f"{k} {p.stat().st_size / 1e6:.1f} MB" for k, p in paths.items()))
    for case in CASES:
        command = [sys.executable, __file__, "--rows", str(args.rows), "--one", case]
        results = [json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
                   for _ in range(args.runs)]
        first = results[0]
        print(f"{case:12} rows read {first['rows']:>9,}  declared {first['declared']:>9,}  "
              f"records {first['records']:>9,}  {statistics.median(r['wall'] for r in results):7.2f} s  "
              f"{statistics.median(r['cpu'] for r in results):7.2f} CPU-s")


if __name__ == "__main__":
    main()
