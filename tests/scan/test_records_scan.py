"""``hopnhat init --scan`` on the exports e-government systems give: a one-stop-shop portal's REST API dump (the
records under ``data.items``), a dossier system's XML export declared Windows-1258, an XML file that is no list of
records, and an API dump whose records sit under a key portals do not use (drafted with a check)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

from hopnhat.ingest.preflight import declared_notices, preflight
from hopnhat.project.config import load_project
from hopnhat.scan.api import scan
from hopnhat.text.legacy import encode

PEOPLE = [("Nguyễn Thị Hoà", "049190001234", "12/03/1990"), ("Trần Văn Đức", "048085004321", "01/11/1985"),
          ("Lê Thị Bích Ngọc", "049301007777", "23/07/2001"), ("Huỳnh Văn Lợi", "048079000042", "05/05/1979")]


def _api_dump(path: Path, key: str) -> None:
    items = [{"soHoSo": f"H48-2506-{n:04d}", "nguoiNop": {"hoTen": name, "soGiayTo": number},
              "ngayNop": "2025-06-12", "tinhTrang": "Đang xử lý"} for n, (name, number, _) in enumerate(PEOPLE, 1)]
    answer = {"success": True, "message": "OK", "data": {"page": 1, key: items, "total": len(items)}}
    path.write_text(json.dumps(answer, ensure_ascii=False, indent=1), encoding="utf-8")


def _xml_export(path: Path) -> None:
    people = "".join(f' <CongDan MaCongDan="CD{n:05d}">\n  <HoTen>{name}</HoTen>\n  <SoCCCD>{number}</SoCCCD>\n'
                     f"  <NgaySinh>{born}</NgaySinh>\n </CongDan>\n"
                     for n, (name, number, born) in enumerate(PEOPLE, 1))
    text = (f'<?xml version="1.0" encoding="windows-1258"?>\n<DuLieu>\n <ThongTinXuat NgayXuat="2025-06-30"/>\n'
            f' <DanhSach TongSo="{len(PEOPLE)}">\n{people} </DanhSach>\n</DuLieu>\n')
    path.write_bytes(encode(text, "cp1258-decomposed"))


def _report(path: Path) -> None:
    """A one-stop-shop system's Excel report, its total in the last row."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Số hồ sơ", "Họ tên người nộp", "Ngày nộp"])
    for n, (name, _, _) in enumerate(PEOPLE, 1):
        sheet.append([f"H48-2506-{n:04d}", name, "12/06/2025"])
    sheet.append([f"Tổng cộng: {len(PEOPLE)} hồ sơ"])
    book.save(path)


def _csv_report(path: Path) -> None:
    """A civil-status system's CSV report in code page 1258: its total, then the signatures."""
    lines = ["SO_HO_SO,HO_TEN_NGUOI_NOP,NGAY_NOP",
             *[f"H48-2506-{n:04d},{name},12/06/2025" for n, (name, _, _) in enumerate(PEOPLE, 1)],
             f"Tổng số:,,{len(PEOPLE)}", "Người lập biểu,,Thủ trưởng đơn vị", ",,", "Phạm Thị Thu,,Hoàng Văn Nam"]
    path.write_bytes(encode("\r\n".join(lines) + "\r\n", "cp1258"))


def _draft(tmp_path: Path) -> tuple[Path, dict[str, Any], str]:
    data = tmp_path / "xuat"
    (data / "mot_cua").mkdir(parents=True)
    (data / "dan_cu").mkdir()
    _api_dump(data / "mot_cua" / "ho_so_api.json", "items")
    _api_dump(data / "mot_cua" / "ho_so_cu.json", "ketQuaTraVe")
    _xml_export(data / "dan_cu" / "cong_dan.xml")
    _report(data / "mot_cua" / "bao_cao.xlsx")
    _csv_report(data / "dan_cu" / "bao_cao_khai_sinh.csv")
    (data / "dan_cu" / "cau_hinh.xml").write_text('<?xml version="1.0"?><CauHinh><MayChu>10.0.0.1</MayChu></CauHinh>',
                                                  encoding="utf-8")
    (data / "dan_cu" / "trang.html").write_text("<html><body>Trang chủ</body></html>", encoding="utf-8")
    output = tmp_path / "merger.yaml"
    draft = scan(data, output)
    output.write_text(draft.text, encoding="utf-8")
    skipped = {f.found.path.name: f.reason or "" for f in draft.files if f.skipped}
    assert set(skipped) == {"cau_hinh.xml", "trang.html"}
    assert "repeats" in skipped["cau_hinh.xml"] or "lặp lại" in skipped["cau_hinh.xml"]
    return output, yaml.safe_load(draft.text), draft.text


def _table(raw: dict[str, Any], path_end: str) -> dict[str, Any]:
    for source in raw["sources"]:
        for table in source["tables"]:
            if table["path"].endswith(path_end):
                return {**table, "_kind": source["kind"]}
    raise AssertionError(path_end)


def test_wrapped_json_and_xml_exports_are_drafted_with_where_their_records_are(tmp_path: Path) -> None:
    output, raw, text = _draft(tmp_path)
    api = _table(raw, "ho_so_api.json")
    assert (api["_kind"], api["records"], api["maps_to"]) == ("json", "data.items", "dossier")
    assert api["columns"]["source_key"] == "soHoSo" and api["columns"]["applicant_name"] == {"json": "nguoiNop.hoTen"}
    people = _table(raw, "cong_dan.xml")
    assert (people["_kind"], people["records"], people["maps_to"]) == ("xml", "DuLieu/DanhSach/CongDan", "person")
    assert people["columns"]["source_key"] == "@MaCongDan" and people["columns"]["full_name"] == "HoTen"
    assert "encoding" not in people  # the document declares it
    line = next(x for x in text.splitlines() if "records: data.ketQuaTraVe" in x)
    assert "# kiểm tra: các bản ghi có đúng nằm ở đây?" in line  # a key portals do not use: checked
    assert "# kiểm tra" not in next(x for x in text.splitlines() if "records: data.items" in x)
    assert (api["declared_total"], people["declared_total"]) == ("data.total", "DuLieu/DanhSach/@TongSo")
    assert _table(raw, "bao_cao.xlsx")["declared_total"] == "footer"
    assert _table(raw, "bao_cao_khai_sinh.csv")["declared_total"] == "footer"
    project = load_project(output)
    preflight(project)
    assert declared_notices(project) == []  # every drafted count matches its records
