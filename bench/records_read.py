"""Benchmark: reading an export whose records sit under a path — a portal's JSON API dump (``records: data.items``)
and a dossier system's XML export (``kind: xml``, UTF-8 and Windows-1258) — against the plain JSON array and the
libraries' own loops, with each reader's peak memory.

Run from the repository root::

    .venv/bin/python bench/records_read.py [--records 200000] [--runs 3]

The files (written once to ``bench/out/records/``): ``--records`` dossiers of eight fields, the applicant nested
(name, ID number, address) and two papers, Vietnamese text. Timed, as CPU seconds (``time.process_time``, median of
``--runs``), each in a fresh process that also reports its peak resident memory (``VmHWM``):

* ``json.load`` of the API dump (the whole document in memory: what the streaming reader avoids);
* ``lxml iterparse``: ``lxml.etree.iterparse`` over the UTF-8 XML, each record cleared as it ends (the library's loop,
  nothing built);
* ``read_table`` of the plain JSON array, the API dump (``records: data.items``), the UTF-8 XML and the
  Windows-1258 XML, into Arrow batches of 50,000 rows, as a run reads them (modules imported before the clock);
* ``declared``: the second read a run (and preflight) makes of a table with ``declared_total:`` — the API dump's
  ``data.total`` and its items counted, the UTF-8 XML's ``DanhSachHoSo/@TongSo`` and its records counted
  (:mod:`hopnhat.ingest.declared`).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

from hopnhat.text.legacy import encode  # noqa: E402

NAMES = ("Nguyễn Thị Hoà", "Trần Văn Đức", "Lê Thị Bích Ngọc", "Huỳnh Văn Lợi", "Phạm Thị Thu Hương")
READERS = ("json.load", "lxml iterparse", "read_table json array", "read_table api dump", "read_table xml utf-8",
           "read_table xml windows-1258", "declared api dump", "declared xml utf-8")


def _dossier(n: int) -> dict[str, object]:
    name = NAMES[n % len(NAMES)]
    return {"MaHoSo": f"000.00.15.H49-2506{n % 28 + 1:02d}-{n:06d}", "TenTTHC": "Đăng ký khai sinh",
            "NgayTiepNhan": "12/06/2025", "TrangThai": "Đang xử lý",
            "NguoiNop": {"HoTen": name, "SoGiayTo": f"049{n:09d}", "DiaChi": "Thôn Phú Sơn, xã Đại Lộc, Quảng Nam"},
            "GiayTo": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]}


def _xml(dossier: dict[str, object]) -> str:
    applicant = dossier["NguoiNop"]
    assert isinstance(applicant, dict)
    inner = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in applicant.items())
    papers = "".join(f"<GiayTo>{escape(p)}</GiayTo>" for p in dossier["GiayTo"])  # type: ignore[attr-defined]
    fields = "".join(f"<{k}>{escape(str(dossier[k]))}</{k}>" for k in ("TenTTHC", "NgayTiepNhan", "TrangThai"))
    return f'<HoSo MaHoSo="{dossier["MaHoSo"]}">{fields}<NguoiNop>{inner}</NguoiNop>{papers}</HoSo>\n'


def build(folder: Path, records: int) -> dict[str, Path]:
    """The four files (kept when written before for the same count)."""
    paths = {"array": folder / f"array_{records}.json", "dump": folder / f"dump_{records}.json",
             "xml": folder / f"hoso_{records}.xml", "xml1258": folder / f"hoso_1258_{records}.xml"}
    if all(p.exists() for p in paths.values()):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    items = [_dossier(n) for n in range(records)]
    paths["array"].write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    dump = {"success": True, "message": "OK", "data": {"page": 1, "items": items, "total": records}}
    paths["dump"].write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")
    with paths["xml"].open("wb") as utf8, paths["xml1258"].open("wb") as legacy:
        utf8.write(b'<?xml version="1.0" encoding="utf-8"?>\n<DanhSachHoSo TongSo="%d">\n' % records)
        legacy.write(b'<?xml version="1.0" encoding="windows-1258"?>\n<DanhSachHoSo>\n')
        for dossier in items:
            text = _xml(dossier)
            utf8.write(text.encode("utf-8"))
            legacy.write(encode(text, "cp1258-decomposed"))
        utf8.write(b"</DanhSachHoSo>\n")
        legacy.write(b"</DanhSachHoSo>\n")
    return paths


def _peak_mb() -> float:
    """This process's peak resident memory since it started (VmHWM; ru_maxrss keeps the parent's at fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _read_table(path: Path, kind: str, records: str | None) -> int:
    from hopnhat.ingest import read_table
    from hopnhat.project.config import MergerConfig, Project

    table = {"name": "t", "path": str(path), "maps_to": "dossier", "columns": {"source_key": "MaHoSo"}}
    if records:
        table["records"] = records
    raw = {"version": 1, "merged_unit": {"province_code": "48", "name": "Đà Nẵng"},
           "sources": [{"name": "s", "system": "TTHC", "kind": kind, "tables": [table]}]}
    project = Project(path.parent / "merger.yaml", MergerConfig.model_validate(raw), raw)
    source = project.config.sources[0]
    return sum(b.num_rows for b in read_table(project, source, source.tables[0]))


def _iterparse(path: Path) -> int:
    from lxml import etree

    count = 0
    for _, element in etree.iterparse(str(path), tag="HoSo", resolve_entities=False, no_network=True):
        count += 1
        element.clear(keep_tail=False)
        while element.getprevious() is not None:
            del element.getparent()[0]
    return count


def _declared(paths: dict[str, Path], reader: str) -> int:
    from hopnhat.ingest.declared import file_declared

    if reader.endswith("api dump"):
        return file_declared(paths["dump"], "json", "data.items", "data.total").records
    return file_declared(paths["xml"], "xml", "DanhSachHoSo/HoSo", "DanhSachHoSo/@TongSo").records


def one(reader: str, paths: dict[str, Path]) -> tuple[int, float]:
    """Read once in this process: (records, CPU seconds)."""
    import hopnhat.ingest.api  # noqa: F401 - imported before the clock (SQLAlchemy, openpyxl, pyarrow, lxml)

    started = time.process_time()
    if reader == "json.load":
        count = len(json.loads(paths["dump"].read_bytes())["data"]["items"])
    elif reader == "lxml iterparse":
        count = _iterparse(paths["xml"])
    elif reader == "read_table json array":
        count = _read_table(paths["array"], "json", None)
    elif reader == "read_table api dump":
        count = _read_table(paths["dump"], "json", "data.items")
    elif reader.startswith("declared"):
        count = _declared(paths, reader)
    else:
        count = _read_table(paths["xml" if reader.endswith("utf-8") else "xml1258"], "xml", "DanhSachHoSo/HoSo")
    return count, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", choices=READERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    paths = build(ROOT / "bench" / "out" / "records", args.records)
    if args.one:
        count, cpu = one(args.one, paths)
        print(json.dumps({"records": count, "cpu": cpu, "peak_mb": _peak_mb()}))
        return
    sizes = ", ".join(f"{k} {p.stat().st_size / 1e6:.1f} MB" for k, p in paths.items())
    print(f"{args.records:,} dossiers: {sizes}")
    for reader in READERS:
        command = [sys.executable, __file__, "--records", str(args.records), "--one", reader]
        results = [json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
                   for _ in range(args.runs)]
        cpu = statistics.median(r["cpu"] for r in results)
        print(f"{reader:30} {results[0]['records']:>9,} records  {cpu:7.3f} CPU-s  "
              f"{results[0]['records'] / cpu:>9,.0f} rec/CPU-s  peak {max(r['peak_mb'] for r in results):7.1f} MB")


if __name__ == "__main__":
    main()
