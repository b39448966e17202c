"""Issue 17, as a provincial IT head tried it: two provinces' inventories filled by hand (Đà Nẵng's workbook typed
cell by cell, Quảng Nam's YAML), both numbering their systems from 1, with messy cells — through the CLI only."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from tests.catalog.handmade import EXPECTED, NFD_IDS, ROWS, TTHC_OWNER, write_danang_workbook
from typer.testing import CliRunner

from hopnhat.catalog import store
from hopnhat.catalog.importer import read_inventories, read_inventory
from hopnhat.catalog.kinds import SHARED_KINDS
from hopnhat.catalog.resolve import resolve_why
from hopnhat.cli.catalog import app
from hopnhat.i18n import set_language

DATA = Path(__file__).parent / "data" / "two_provinces"
QN = DATA / "quangnam-49.yaml"
runner = CliRunner()
CONFIG = 'catalog:\n  survivor_unit: "48"\n  merger_date: 2025-07-01\n  plan_start: 2025-05-15\n'


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    return [write_danang_workbook(tmp_path / "kiemke-danang.xlsx"), QN]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "merger.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both inventories imported, evaluated and planned through the CLI, once; each test works on a copy."""
    root = tmp_path_factory.mktemp("two-provinces")
    config = root / "merger.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    path = root / "catalog.duckdb"
    files = [write_danang_workbook(root / "kiemke-danang.xlsx"), QN]
    assert runner.invoke(app, ["import", *map(str, files), "--db", str(path)]).exit_code == 0
    assert runner.invoke(app, ["evaluate", "--db", str(path), "-c", str(config)]).exit_code == 0
    assert runner.invoke(app, ["plan", "--db", str(path), "-c", str(config)]).exit_code == 0
    return path


@pytest.fixture
def db(tmp_path: Path, built: Path) -> Path:
    path = tmp_path / "catalog.duckdb"
    shutil.copyfile(built, path)
    return path


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output + (str(result.exception) if result.exit_code not in (0, 2) else "")


# ---------------------------------------------------------------- 1. keyed by (province, id), nothing overwritten

def test_repeated_ids_are_two_systems_each_kept_whole(db: Path, files: list[Path]) -> None:
    state = store.load_state(db)
    assert len(state.systems) == 32 and len(state.inventories) == 2
    assert {"48-1", "49-1", "48-16", "49-16"} <= set(state.systems)
    dn_rows = {r[0]: r for r in ROWS}
    for key, system in state.systems.items():
        unit, sid = key.split("-")
        assert system.unit_code == unit and system.id == sid
        if unit == "48":
            assert system.name == unicodedata.normalize("NFC", dn_rows[int(sid)][1]).strip()
    qn_tthc, dn_tthc = state.systems["49-6"], state.systems["48-1"]
    assert qn_tthc.kind == dn_tthc.kind == "tthc" and qn_tthc.vendor == "VNPT" and dn_tthc.capital_cost == 9e9
    decisions = {d.system_id: d for d in state.decisions}
    assert set(decisions) == set(state.systems)  # one decision per system, none lost to the other province
    for pair in state.pairs:
        assert sum(decisions[s.key].action == "keep" for s in pair.systems) == 1, pair.key
    with duckdb.connect(str(db), read_only=True) as con:
        sql = "SELECT count(*), count(DISTINCT unit_code || '/' || id) FROM systems"
        assert con.execute(sql).fetchone() == (32, 32)


def test_pairs_and_inventory_page_name_systems_by_key(db: Path) -> None:
    code, out = _cli("pairs", "--db", str(db))
    assert code == 0 and "48-1, 49-6" in out  # the TTHC role: Đà Nẵng's system 1, Quảng Nam's system 6
    from hopnhat.catalog.html import render_inventory
    from hopnhat.catalog.views import inventory_page

    html = render_inventory(inventory_page(store.load_state(db)))
    assert "<td>48-1</td>" in html and "<td>49-1</td>" in html


def test_one_province_twice_in_one_import_is_refused(tmp_path: Path) -> None:
    twin = tmp_path / "quangnam-copy.yaml"
    twin.write_text(QN.read_text(encoding="utf-8"), encoding="utf-8")
    code, out = _cli("import", str(QN), str(twin), "--db", str(tmp_path / "c.duckdb"))
    assert code == 2 and "tỉnh 49 có hai tệp kiểm kê" in out and not (tmp_path / "c.duckdb").exists()


def test_an_id_repeated_inside_one_province_is_refused_naming_both(tmp_path: Path) -> None:
    text = QN.read_text(encoding="utf-8").replace("  - id: 2\n", "  - id: 49-1\n", 1)
    bad = tmp_path / "q.yaml"
    bad.write_text(text, encoding="utf-8")
    code, out = _cli("import", str(bad), "--db", str(tmp_path / "c.duckdb"))
    assert code == 2 and "'49-1'" in out and "trùng" in out


# ---------------------------------------------------------------- 9 + amounts: messy cells read as meant

def test_messy_cells_are_read_as_officials_meant(files: list[Path]) -> None:
    dn, _ = read_inventory(files[0])
    by_id = {int(s.id): s for s in dn.systems}
    for (sid, field), value in EXPECTED.items():
        assert getattr(by_id[sid], field) == value, (sid, field)
    qn = {s.id: s for s in read_inventory(QN)[0].systems}
    assert qn["6"].lease_cost == 6_000_000_000 and qn["6"].yearly_cost == 800_000_000  # "6 tỷ", "800 triệu"
    assert qn["7"].lease_cost == 1_200_000_000  # "1,2 tỷ đồng"
    assert qn["1"].records == 6_100_000 and qn["1"].users == 14_500  # "6,1 triệu", "14.500"
    assert qn["5"].users == 3700  # a bare 3.700 in YAML is three thousand seven hundred, not 3.7
    assert qn["6"].in_operation_since == date(2024, 4, 17) and qn["3"].in_operation_since == date(2010, 6, 15)
    assert qn["3"].security_approved and not qn["2"].security_approved  # "x", "không"
    assert by_id[3].name == "Cơ sở dữ liệu hộ tịch điện tử thành phố Đà Nẵng"  # stray spaces trimmed


def test_text_is_nfc_at_import(db: Path) -> None:
    state = store.load_state(db)
    texts = [t for s in state.systems.values() for t in (s.name, s.owner, *s.integrations)]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    assert any(not unicodedata.is_normalized("NFC", line) for line in QN.read_text(encoding="utf-8").splitlines())
    assert state.systems["49-6"].owner.startswith("Trung tâm Phục vụ hành chính công tỉnh Quảng Nam")
    assert all(unicodedata.is_normalized("NFC", state.systems[f"48-{i}"].name) for i in NFD_IDS)


# ---------------------------------------------------------------- 2 + 3: per-criterion table, --why as users type

def test_why_accepts_what_users_type(db: Path) -> None:
    state = store.load_state(db)
    tthc_name = unicodedata.normalize("NFD", "hệ thống quản lý văn bản và điều hành thành phố đà nẵng")
    for typed, expect in (("tthc", "48-1"), ("Hệ thống thông tin giải quyết TTHC", "49-6"),
                          ("Administrative-procedure (TTHC) settlement system", "49-6"), ("hộ tịch", "48-3"),
                          ("Civil status", "49-13"), ("49-6", "48-1"), ("49/6", "48-1"), ("48:3", "49-13"),
                          (tthc_name, "49-4"), ("Cơ sở dữ liệu y tế thành phố Đà Nẵng", "48-16")):
        pair, _ = resolve_why(state, typed)
        assert expect in {s.key for s in pair.systems}, typed
    for typed in ("Civil status", "49/6"):  # and through the CLI
        code, out = _cli("evaluate", "--db", str(db), "--why", typed)
        assert code == 0 and "Giải trình theo tiêu chí" in out, (typed, out)


def test_why_unknown_or_ambiguous_is_exit_2_with_the_choices(db: Path) -> None:
    code, out = _cli("evaluate", "--db", str(db), "--why", "hệ thống không có")
    assert code == 2 and "không biết" in out and "48-1" in out and "tthc" in out
    code, out = _cli("evaluate", "--db", str(db), "--why", "1")  # both provinces have a system 1
    assert code == 2 and "48-1" in out and "49-1" in out and "mã tỉnh" in out
    code, out = _cli("evaluate", "--db", str(db), "--override", "7=keep", "--note", "x")
    assert code == 2 and "48-7" in out and "49-7" in out


def test_per_criterion_table_in_cli_names_the_cells(db: Path) -> None:
    code, out = _cli("evaluate", "--db", str(db), "--why", "tthc")
    assert code == 0
    for label in ("Năng lực so với tải hợp nhất", "Chi phí trong kỳ", "An toàn thông tin (NĐ 85)",
                  "Tuổi đời, thời hạn hỗ trợ kỹ thuật", "Trọng số", "Điểm 48-1", "Điểm 49-6", "Tổng điểm"):
        assert label in out, label
    # the evidence names the cell: file › sheet, row, column = the value read
    assert "kiemke-danang.xlsx › HeThong dòng 5: K «Số người dùng» = 4.100" in out
    assert "quangnam-49.yaml › systems dòng 6:" in out and "lease_cost «Giá thuê cả hợp đồng (VNĐ)» = 6 tỷ đồng" in out
    assert "I «Vận hành từ ngày» = 01/01/2016" in out


def test_explanation_in_excel_with_sheet_row_column(db: Path, tmp_path: Path) -> None:
    xlsx = tmp_path / "lotrinh.xlsx"
    assert _cli("plan", "--db", str(db), "--xlsx", str(xlsx))[0] == 0
    wb = load_workbook(xlsx)
    rows = list(wb["GiaiTrinh"].iter_rows(values_only=True))
    head = rows[0]
    col = {h: i for i, h in enumerate(head)}
    users = [r for r in rows[1:] if r[col["Mã hệ thống"]] == "48-1" and r[col["Trường"]] == "Số người dùng"]
    assert users and users[0][col["Sheet"]] == "HeThong" and users[0][col["Dòng"]] == 5 and \
        users[0][col["Cột"]] == "K" and users[0][col["Giá trị trong ô"]] == "4.100"
    criteria = {r[col["Tiêu chí"]] for r in rows[1:] if r[col["Mã hệ thống"]] == "49-6"}
    assert len(criteria) == 8 and "Tuổi đời, thời hạn hỗ trợ kỹ thuật" in criteria


def test_explanation_pdf_and_web_fragment(db: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "giaitrinh.pdf"
    assert _cli("evaluate", "--db", str(db), "--why", "tthc", "--pdf", str(pdf))[0] == 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Giải trình lựa chọn" in text and "Chi phí" in text and "HeThong dòng 5" in text
    from hopnhat.catalog.html import render_decisions
    from hopnhat.catalog.views import decision_page, explanations

    state = store.load_state(db)
    html = render_decisions(decision_page(state), explanations(state))
    assert html.count("class='explain-role'") == len(state.pairs) and "Điểm 49-6" in html


# ---------------------------------------------------------------- 4 + 5: urgent first, owners from the inventory

def test_urgent_first_and_every_shared_system_ready_on_merger_day(db: Path, tmp_path: Path) -> None:
    state = store.load_state(db)
    urgent = [t.urgent for t in state.tasks]
    assert urgent == sorted(urgent, reverse=True)
    kinds = {state.systems[t.system_id].kind for t in state.tasks if t.urgent and t.system_id}
    assert kinds == set(SHARED_KINDS)  # all 12, not only documents and TTHC
    for t in state.tasks:
        if t.urgent and t.kind in ("prepare", "migrate_data", "switch_users"):
            assert t.due <= state.settings.merger_date, t.id
    code, out = _cli("plan", "--db", str(db))
    first = next(line for line in out.splitlines() if re.search(r"\d\d-\d+:", line))
    assert "Gấp" in first


def test_owner_department_from_inventory_overridable(db: Path, tmp_path: Path) -> None:
    tasks = {t.id: t for t in store.load_state(db).tasks}
    assert tasks["48-1:prepare"].owner == TTHC_OWNER
    assert tasks["48-3:migrate_data"].owner == "Sở Tư pháp thành phố Đà Nẵng"  # Đà Nẵng's register moves
    assert len({t.owner for t in tasks.values()}) > 8
    config = tmp_path / "owners.yaml"
    config.write_text(CONFIG + '  owners:\n    "49/2": "Trung tâm CNTT Quảng Nam"\n    "Hộ tịch": "Sở Tư pháp"\n',
                      encoding="utf-8")
    assert _cli("plan", "--db", str(db), "-c", str(config))[0] == 0
    tasks = {t.id: t for t in store.load_state(db).tasks}
    assert tasks["49-2:switch_users"].owner == "Trung tâm CNTT Quảng Nam"
    assert tasks["48-3:migrate_data"].owner == tasks["49-13:prepare"].owner == "Sở Tư pháp"
    config.write_text(CONFIG + '  owners:\n    "99": "X"\n', encoding="utf-8")
    code, out = _cli("plan", "--db", str(db), "-c", str(config))
    assert code == 2 and "catalog.owners" in out


def test_late_list_grouped_by_owner_and_province(db: Path, tmp_path: Path) -> None:
    code, out = _cli("status", "--db", str(db), "--today", "2025-07-20")
    assert code == 0 and "theo đơn vị chủ trì và tỉnh" in out
    html = tmp_path / "r.html"
    assert _cli("report", "--db", str(db), "--today", "2025-07-20", "--html", str(html))[0] == 0
    text = html.read_text(encoding="utf-8")
    assert "Trễ hạn theo đơn vị chủ trì và tỉnh" in text and f"{TTHC_OWNER} — Đà Nẵng" in text
    from hopnhat.catalog.views import monitor_page

    page = monitor_page(store.load_state(db), date(2025, 7, 20))
    keys = [(g.owner, g.unit_code) for g in page.late_groups]
    assert len(keys) == len(set(keys)) > 3
    assert all(v.task.owner == g.owner and v.task.unit_code == g.unit_code for g in page.late_groups for v in g.views)


# ---------------------------------------------------------------- 8: conflicting overrides

def test_keeping_both_systems_of_one_role_is_refused_or_run_both(db: Path) -> None:
    code, out = _cli("evaluate", "--db", str(db), "--override", "48-1=keep", "--override", "49-6=keep",
                     "--note", "Hai bên đều muốn giữ")
    assert code == 2 and "mâu thuẫn" in out and "--run-both" in out
    assert not store.load_state(db).overrides  # nothing recorded
    code, out = _cli("evaluate", "--db", str(db), "--override", "49-6=keep", "--run-both", "--note",
                     "Chạy song song 6 tháng để đối soát hồ sơ đang giải quyết")
    assert code == 0, out
    state = store.load_state(db)
    decisions = {d.system_id: d for d in state.decisions}
    assert decisions["49-6"].action == decisions["48-1"].action == "keep" and decisions["49-6"].run_both
    assert state.overrides[0].run_both and "song song" in state.overrides[0].note
    assert _cli("plan", "--db", str(db))[0] == 0
    assert "49-6:prepare" in {t.id for t in store.load_state(db).tasks}
    code, out = _cli("evaluate", "--db", str(db), "--override", "49-6=keep", "--note", "giữ bên Quảng Nam",
                     "--override", "48-1=readonly")
    assert code == 0, out  # switching the survivor in one command is fine


# ---------------------------------------------------------------- 7: one page with long Vietnamese names

def test_report_pdf_is_one_page_with_long_names_and_wrapped_gantt(db: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    assert _cli("status", "--db", str(db), "--today", "2025-06-20", "--set", "48-1:prepare=doing:40")[0] == 0
    code, out = _cli("report", "--db", str(db), "--today", "2025-07-20", "--pdf", str(pdf), "--html",
                     str(tmp_path / "r.html"))
    assert code == 0, out
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    import weasyprint

    assert len(weasyprint.HTML(filename=str(tmp_path / "r.html")).render().pages) == 1
    from hopnhat.catalog.views import monitor_page, roadmap_page

    svg = roadmap_page(store.load_state(db))["gantt_svg"]
    long_title = next(t.title_vi for t in store.load_state(db).tasks if t.id == "49-6:migrate_data")
    assert len(long_title) > 150 and "…" not in svg
    words = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert " ".join(words).count("Cổng dịch vụ công và một cửa điện tử tích hợp") >= 1
    assert monitor_page(store.load_state(db), date(2025, 7, 20)).gantt_svg


# ---------------------------------------------------------------- 6: a linked run in status and report

def test_linked_run_without_merger_file_says_so(db: Path) -> None:
    code, out = _cli("plan", "--db", str(db), "--link", "48-3:migrate_data=run-20250705")
    assert code == 0
    code, out = _cli("status", "--db", str(db), "--today", "2025-07-10")
    assert code == 0 and "run-20250705" in out and "cần --merger" in out


# ---------------------------------------------------------------- Vietnamese numbers, labels, English on request

def test_numbers_and_labels_the_vietnamese_way(db: Path, tmp_path: Path) -> None:
    code, out = _cli("evaluate", "--db", str(db))
    assert code == 0 and "Giữ làm hệ thống" in out and "Giữ chỉ đọc để" in out
    assert not re.search(r"│ (keep|readonly|migrate|retire) ", out)
    assert re.search(r"\d+,\d+ tỷ đồng", out) and re.search(r"\b0,\d\d\b", out)
    html = tmp_path / "r.html"
    assert _cli("report", "--db", str(db), "--today", "2025-07-20", "--html", str(html))[0] == 0
    text = html.read_text(encoding="utf-8")
    assert re.search(r"\d+,\d %", text) and "tỷ đồng" in text


def test_english_with_lang_en(db: Path) -> None:
    set_language("en")
    try:
        code, out = _cli("evaluate", "--db", str(db), "--why", "civil status")
        assert code == 0 and "Per-criterion explanation" in out and "Weighted total" in out
        code, out = _cli("evaluate", "--db", str(db), "--why", "nothing")
        assert code == 2 and "unknown role or system" in out
    finally:
        set_language("vi")


# ---------------------------------------------------------------- inventory export of both provinces

def test_inventory_export_of_both_provinces_round_trips(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "kiemke-tonghop.xlsx"
    assert _cli("export-inventory", str(out), "--db", str(db))[0] == 0
    wb = load_workbook(out)
    assert {"TongHop", "HeThong-48", "HeThong-49"} <= set(wb.sheetnames)
    assert wb["TongHop"].max_row == 33
    back = {inv.unit_code: inv for inv, _ in read_inventories(out)}
    state = store.load_state(db)
    for inv in state.inventories:
        strip = [s.model_copy(update={"origin": None}) for s in inv.systems]
        assert [s.model_copy(update={"origin": None}) for s in back[inv.unit_code].systems] == strip
    db2 = tmp_path / "again.duckdb"
    assert _cli("import", str(out), "--db", str(db2))[0] == 0
    assert set(store.load_state(db2).systems) == set(state.systems)


# ---------------------------------------------------------------- issue 21: YAML inventories that must be refused

@pytest.mark.parametrize(("content", "needle"), [
    (b"- id: 1\n- id: 2\n", "không phải một danh sách"),
    (b"just a line\n", "không phải một danh sách"),
    (b"", "tệp kiểm kê trống"),
    (b"unit_code: '49'\nunit_name: Q\nsystems: []\n", "không có hệ thống nào"),
    (unicodedata.normalize("NFD", "unit_code: '49'\nunit_name: Quảng Nam\n").encode("cp1258"), "không phải UTF-8"),
    (b"unit_code: '49'\nsurveyed_on: 2025-02-30\nsystems:\n  - {id: 1, name: A, kind: email, owner: X, "
     b"hosting: leased, users: 1, records: 1, monthly_volume: 1}\n", "ngày không tồn tại"),
    (b"unit_code: '49'\nsystems:\n  - {id: 1, name: A, kind: email, owner: X, hosting: leased, users: 1, records: 1,"
     b" monthly_volume: 1, lease_end: 30/02/2026}\n", "lease_end"),
    (b"unit_code: '49'\nsytems:\n  - {id: 1}\n", "sytems"),
    (b"unit_code: [\n", "YAML không hợp lệ"),
])
def test_bad_yaml_inventory_is_one_clear_error(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "kiemke.yaml"
    path.write_bytes(content)
    code, out = _cli("import", str(path), "--db", str(tmp_path / "c.duckdb"))
    assert code == 2 and "Traceback" not in out, out
    assert needle in out and "kiemke.yaml" in out, out
    assert not (tmp_path / "c.duckdb").exists()


def test_linked_run_shows_in_status_and_report(db: Path, tmp_path: Path) -> None:
    """The books of the run, read through ``reconcile.progress`` as the demo and the web app do."""
    from hopnhat.project.template import TEMPLATE

    merger = tmp_path / "merger.yaml"  # beside the catalog: found without --merger
    merger.write_text(TEMPLATE.replace("    province: '49'               # OLD province code of this source\n",
                                       "    province: '48'\n    catalog_system: '48-3'\n"), encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nhan_khau.csv").write_text("MaCongDan,HoTen\n1,An\n", encoding="utf-8")
    with duckdb.connect(str(tmp_path / "hopnhat.duckdb")) as con:  # the store's books after one finished run
        con.execute("CREATE TABLE runs (run_id VARCHAR, status VARCHAR, finished_at TIMESTAMP)")
        con.execute("INSERT INTO runs VALUES ('run-20250705', 'done', '2025-07-05 10:00:00')")
        con.execute("CREATE TABLE reconciliation (run_id VARCHAR, src_source VARCHAR, read BIGINT, loaded BIGINT, "
                    "merged BIGINT, quarantined BIGINT)")
        con.execute("INSERT INTO reconciliation VALUES ('run-20250705', 'tinh_a_dancu', 1000, 950, 30, 20)")
        con.execute("CREATE TABLE review_items (item_key VARCHAR, record_id_l VARCHAR)")
        con.execute("INSERT INTO review_items VALUES ('a', 'tinh_a_dancu/1'), ('b', 'tinh_a_dancu/2')")
        con.execute("CREATE TABLE review_decisions (item_key VARCHAR)")
    assert _cli("plan", "--db", str(db), "--link", "48-3:migrate_data=run-20250705")[0] == 0
    code, out = _cli("status", "--db", str(db), "--today", "2025-07-10")
    assert code == 0, out
    assert "48-3:migrate_data ← run-20250705: 97,8 % — đọc 1.000" in out and "cách ly còn 20, chờ duyệt 2" in out
    html = tmp_path / "r.html"
    code, out = _cli("report", "--db", str(db), "--today", "2025-07-10", "--html", str(html))
    assert code == 0 and "1 đo được tiến độ" in out
    assert "Chuyển dữ liệu (đo từ lượt chạy)" in html.read_text(encoding="utf-8")


def test_bad_catalog_settings_are_one_clear_error(db: Path, tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text('catalog:\n  survivor_unit: "48"\n  merger_date: 2025-02-30\n', encoding="utf-8")
    code, out = _cli("evaluate", "--db", str(db), "-c", str(config))
    assert code == 2 and "merger_date" in out and "Traceback" not in out
    config.write_bytes(b"catalog:\n  survivor_unit: \xff\n")
    code, out = _cli("evaluate", "--db", str(db), "-c", str(config))
    assert code == 2 and "không đọc được cấu hình" in out
    set_language("en")
    try:
        code, out = _cli("import", str(tmp_path / "none.yaml"), "--db", str(tmp_path / "c.duckdb"))
        assert code == 2 and "inventory file not found" in out
    finally:
        set_language("vi")


def test_web_override_refuses_a_second_keep_unless_run_both(db: Path) -> None:
    """The web app's override path (``CatalogPages.override``) goes through the same refusal."""
    from hopnhat.catalog.errors import CatalogError
    from hopnhat.catalog.html import render_decisions
    from hopnhat.catalog.views import decision_page, explanations
    from hopnhat.serve.pagedata.catalog import CatalogPages

    pages = CatalogPages(db, project=None, reader=None)  # type: ignore[arg-type]  # override needs neither
    pages.override("48-1", "keep", "Giữ Đà Nẵng", "planner")
    with pytest.raises(CatalogError, match="mâu thuẫn"):
        pages.override("49-6", "keep", "Giữ cả Quảng Nam", "planner")
    pages.override("49-6", "keep", "Song song đến hết hợp đồng thuê 16/04/2027", "planner", run_both=True)
    state = store.load_state(db)
    assert [d.action for d in state.decisions if d.pair_key == "tthc"] == ["keep", "keep"]
    html, systems = pages.decisions()
    assert {"48-1", "49-6"} <= {s["id"] for s in systems} and "Điểm 49-6" in html
    assert "chạy song song cả hai hệ thống" in render_decisions(decision_page(state), explanations(state))


def test_the_project_template_filled_by_hand_reads_the_same(tmp_path: Path, files: list[Path]) -> None:
    """Đà Nẵng's rows typed into the official template (headers with '*', drop-down sheets) read as the free-form
    workbook does."""
    from tests.catalog.handmade import HEADERS

    from hopnhat.catalog.columns import BY_FIELD
    from hopnhat.catalog.workbook import write_template
    from hopnhat.text.normalize import name_key

    path = write_template(tmp_path / "mau.xlsx")
    wb = load_workbook(path)
    ws = wb["HeThong"]
    ws["B2"], ws["D2"], ws["B3"] = "48", "Đà Nẵng", "06/05/2025"
    by_label = {name_key(c.vi): i for i, c in enumerate(BY_FIELD.values(), start=1)}
    for r, values in enumerate(ROWS, start=5):
        for head, value in zip(HEADERS, values, strict=True):
            ws.cell(row=r, column=by_label[name_key(head.replace("*", ""))], value=value)
    wb.save(path)
    from_template, _ = read_inventory(path)
    free_form, _ = read_inventory(files[0])
    strip = lambda inv: [s.model_copy(update={"origin": None}) for s in inv.systems]
    assert strip(from_template) == strip(free_form)
    assert from_template.systems[0].origin is not None and from_template.systems[0].origin.columns["users"] == "K"
