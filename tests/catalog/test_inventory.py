from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from hopnhat.catalog.columns import COLUMNS, HEADER_ROW, SYSTEMS_SHEET
from hopnhat.catalog.errors import InventoryError
from hopnhat.catalog.importer import read_inventory
from hopnhat.catalog.kinds import SHARED_KINDS
from hopnhat.catalog.model import Inventory
from hopnhat.catalog.pairing import one_sided, pair_systems
from hopnhat.catalog.workbook import write_inventory_workbook, write_template
from hopnhat.errors import HopnhatError
from hopnhat.synth.inventory import SCENARIOS, build_inventory, write_inventory

DATA = Path(__file__).parent / "data"


def test_template_has_vietnamese_headers_lists_and_readme(tmp_path: Path) -> None:
    path = write_template(tmp_path / "mau.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["HuongDan", "HeThong", "SoHoa", "DanhMuc"]
    ws = wb[SYSTEMS_SHEET]
    headers = [c.value for c in ws[HEADER_ROW]]
    assert headers[0] == "Mã hệ thống *" and "Hình thức triển khai *" in headers
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert any(f and f.startswith("DanhMuc!") for f in formulas)
    lists = [c.value for c in wb["DanhMuc"]["A"]]
    assert "Hệ thống thông tin giải quyết TTHC" in lists and "CSDL chuyên ngành" in lists
    assert "HƯỚNG DẪN" in wb["HuongDan"]["A1"].value


def test_template_is_byte_identical(tmp_path: Path) -> None:
    assert write_template(tmp_path / "a.xlsx").read_bytes() == write_template(tmp_path / "b.xlsx").read_bytes()


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_synth_inventories_have_all_shared_kinds_and_specialised(
        scenario: str, synth_inventories: dict[str, list[Inventory]]) -> None:
    for inv in synth_inventories[scenario]:
        kinds = {s.kind for s in inv.systems}
        assert set(SHARED_KINDS) <= kinds
        assert sum(s.kind == "specialised" for s in inv.systems) >= 10
    pairs = pair_systems(synth_inventories[scenario])
    assert all(not p.one_sided for p in pairs if p.kind != "specialised")
    assert one_sided(pairs), "some specialised databases exist on one side only"


def test_synth_is_deterministic_and_seed_dependent(tmp_path: Path) -> None:
    a = [p.read_bytes() for p in write_inventory("quangngai", 3, tmp_path / "a")]
    b = [p.read_bytes() for p in write_inventory("quangngai", 3, tmp_path / "b")]
    c = [p.read_bytes() for p in write_inventory("quangngai", 4, tmp_path / "c")]
    assert a == b and a != c


def test_synth_digitisation_uses_real_old_communes_some_below_one_percent(synth_files: dict[str, list[Path]]) -> None:
    _, rows = read_inventory(synth_files["danang"][0])
    assert len(rows) == 233 and all(r.commune_code.isdigit() and len(r.commune_code) == 5 for r in rows)
    assert any(r.share < 0.01 for r in rows)


def test_seed_case_figures_in_synth() -> None:
    inv, _ = build_inventory("danang", 1, "49")
    tthc = next(s for s in inv.systems if s.kind == "tthc")
    assert (tthc.hosting, tthc.phase, tthc.vendor) == ("leased", "trial", "VNPT")
    assert tthc.records == 850_000 and tthc.lease_cost == 6_000_000_000 and tthc.yearly_cost == 800_000_000


def test_excel_round_trip(tmp_path: Path) -> None:
    inv, digit = build_inventory("haiphong", 2, "30")
    path = write_inventory_workbook(tmp_path / "inv.xlsx", inv, digit)
    again, digit2 = read_inventory(path)
    assert again.model_copy(update={"systems": [s.model_copy(update={"origin": None}) for s in again.systems]}) == inv
    assert digit2 == digit
    assert again.systems[0].origin is not None and again.systems[0].origin.sheet == "HeThong"


def _as_xls(xlsx: Path, xls: Path) -> None:
    """Every sheet and filled cell of ``xlsx`` written again by xlwt (a writer this project did not write) as Excel
    97–2003, the way a planner's "Save As" keeps it: dates as date cells, numbers as numbers, merges kept."""
    import datetime as dt

    import xlwt

    book, dates = xlwt.Workbook(encoding="utf-8"), xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for ws in load_workbook(xlsx).worksheets:
        sheet = book.add_sheet(ws.title)
        merged = [(m.min_row, m.max_row, m.min_col, m.max_col) for m in ws.merged_cells.ranges]
        starts = {(r0, c0): (r1, c1) for r0, r1, c0, c1 in merged}
        inside = {(r, c) for r0, r1, c0, c1 in merged for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None or ((cell.row, cell.column) in inside and (cell.row, cell.column) not in starts):
                    continue
                style = (dates,) if isinstance(cell.value, (dt.date, dt.datetime)) else ()
                if (cell.row, cell.column) in starts:
                    r1, c1 = starts[(cell.row, cell.column)]
                    sheet.write_merge(cell.row - 1, r1 - 1, cell.column - 1, c1 - 1, cell.value, *style)
                else:
                    sheet.write(cell.row - 1, cell.column - 1, cell.value, *style)
    book.save(str(xls))


def test_an_xls_inventory_reads_as_its_xlsx(tmp_path: Path) -> None:
    """The filled template saved as Excel 97–2003 gives the same inventory, systems, digitisation and cell origins
    (but the file name); a damaged .xls is refused naming the file, never with xlrd's words alone."""
    inv, digit = build_inventory("danang", 3, "49")
    xlsx = write_inventory_workbook(tmp_path / "kiemke-49.xlsx", inv, digit)
    _as_xls(xlsx, tmp_path / "kiemke-49.xls")
    new, new_digit = read_inventory(xlsx)
    old, old_digit = read_inventory(tmp_path / "kiemke-49.xls")
    assert old_digit == new_digit and len(old.systems) == len(inv.systems) > 0
    for a, b in zip(old.systems, new.systems, strict=True):
        assert a.origin is not None and b.origin is not None and a.origin.file == "kiemke-49.xls"
        assert a.model_copy(update={"origin": a.origin.model_copy(update={"file": b.origin.file})}) == b
    assert old.model_copy(update={"systems": new.systems}) == new
    (tmp_path / "hong.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(HopnhatError) as refused:
        read_inventory(tmp_path / "hong.xls")
    assert "hong.xls" in str(refused.value) and "xlrd" not in str(refused.value)


def test_yaml_import_accepts_labels_and_codes() -> None:
    inv, _ = read_inventory(DATA / "seed_case_49.yaml")
    s = inv.systems[0]
    assert (s.kind, s.hosting, s.phase, s.security_approved) == ("tthc", "leased", "trial", False)
    assert s.integrations == ["LGSP", "Cổng DVC quốc gia", "CSDLQG dân cư"]


def test_excel_errors_name_sheet_row_column_value(tmp_path: Path) -> None:
    inv, _ = build_inventory("danang", 1, "48")
    path = write_inventory_workbook(tmp_path / "bad.xlsx", inv)
    wb = load_workbook(path)
    ws = wb[SYSTEMS_SHEET]
    col = {c.field: i + 1 for i, c in enumerate(COLUMNS)}
    ws.cell(row=6, column=col["users"], value="nhiều")
    ws.cell(row=7, column=col["hosting"], value="Đám mây")
    ws.cell(row=8, column=col["name"]).value = None
    ws.cell(row=9, column=col["kind"], value="CSDL chuyên ngành")
    ws.cell(row=9, column=col["domain"]).value = None
    wb.save(path)
    with pytest.raises(InventoryError) as err:
        read_inventory(path)
    where = {(p.table, p.row, p.column) for p in err.value.problems}
    assert ("HeThong", 6, "Số người dùng") in where
    assert ("HeThong", 7, "Hình thức triển khai") in where
    assert ("HeThong", 8, "Tên hệ thống") in where
    assert any(p.row == 9 and "domain" in (p.reason or "") for p in err.value.problems)
    assert "value='nhiều'" in str(err.value)


def test_yaml_errors_name_row_and_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text('unit_code: "49"\nunit_name: Q\nsystems:\n  - {id: A, name: A, kind: email, owner: X, '
                    'hosting: leased, users: -3, records: 1, monthly_volume: 1, colour: red}\n', encoding="utf-8")
    with pytest.raises(InventoryError) as err:
        read_inventory(path)
    where = {(p.table, p.row, p.column) for p in err.value.problems}
    assert ("systems", 1, "colour") in where and ("systems", 1, "users") in where
