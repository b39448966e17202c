"""`hopnhat demo` runs end to end and leaves what it announces."""

from __future__ import annotations

import json

import duckdb
from openpyxl import load_workbook
from typer.testing import CliRunner

from hopnhat.cli.main import app
from hopnhat.demo.addresses import LEGACY
from hopnhat.project.config import load_project
from hopnhat.scan.compare import compare
from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.security.users import check_password


def project_sources(estate):
    return load_project(estate / "merger.yaml").config.sources


def test_demo_end_to_end(tmp_path):
    result = CliRunner().invoke(app, ["--lang", "en", "demo", "--out", str(tmp_path), "--rows", "300",
                                      "--scale", "0.001", "--no-serve"])
    assert result.exit_code == 0, result.output
    estate = tmp_path / "estate"
    assert (estate / "merger.yaml").is_file()
    assert (tmp_path / "catalog-report.pdf").read_bytes()[:4] == b"%PDF"
    assert "<svg" in (tmp_path / "roadmap-gantt.svg").read_text(encoding="utf-8")
    for scenario in ("danang", "quangngai", "haiphong"):
        older = len(LEGACY[scenario])  # addresses as older records write them, after the 300 sampled
        sheet = load_workbook(tmp_path / f"addresses_{scenario}.xlsx", read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("old_commune_code", "address", "status") and len(rows) == 1 + 300 + older
        assert {r[2] for r in rows[1:]} <= {"converted", "already_new", "split", "ambiguous", "not_found"}
    assert "48-TTHC" in result.output
    # step 1b: the merger file drafted from the estate's files agrees with the hand-written one
    draft = load_project(estate / "merger-draft.yaml")
    assert {s.name for s in draft.config.sources} == {s.name for s in project_sources(estate)}
    # step 4: the exchange file declaring one document more than it holds, acknowledged with its reason; the
    # draft found both document exports' counts
    said = " ".join(result.output.split())
    assert ("quangnam_van_ban/van_ban: the file declares 13 records (DanhSachVanBan/@TongSo = 13), 12 read: 1 missing"
            in said) and "merger.yaml acknowledges it (accept_short)" in said
    assert "danang_van_ban/van_ban: matches: the file declares 12 (data.total = 12), 12 read" in said
    # the marriage register's CSV report: its footer total is its count, its signature block in the books
    assert "quangnam_dancu/ket_hon: matches: the file declares" in said
    assert "5 lines of the signature block below the total: quarantined as signature_block" in said
    drafted = {t.declared_total for s in draft.config.sources for t in s.tables if t.name == "van_ban"}
    assert drafted == {"data.total", "DanhSachVanBan/@TongSo"}
    agreement = compare(load_project(estate / "merger.yaml"), draft)
    tables, maps_to, fields = (agreement.items[i] for i in ("tables found", "maps_to", "fields"))
    assert tables.share == maps_to.share == 1.0 and fields.share >= 0.95
    assert f"Agreement: tables {tables.agreed}/{tables.total}, maps_to {maps_to.agreed}/{maps_to.total}" in \
        result.output
    # step 4: the migration balances and its reports exist
    project = load_project(estate / "merger.yaml")
    report = next(project.runs_dir.glob("*/reconcile.json"))
    assert json.loads(report.read_text(encoding="utf-8"))["balanced"] is True
    assert "balanced, no row lost" in result.output
    # step 5: linkage merged citizens found in both provinces' registers
    with duckdb.connect(str(project.store_path), read_only=True) as con:
        row = con.execute("SELECT count(*), count(DISTINCT golden_id) FROM person").fetchone()
    assert row is not None
    records, golden = row
    assert golden < records
    assert "Golden records" in result.output
    # step 5a: a clerk's Excel list with Vietnamese headers, linked on its own, every row and column kept
    assert "'Họ' + 'Chữ đệm' + 'Tên'" in result.output and "'Số CCCD' + 'Số CMND'" in result.output
    # two header rows: the birth date under "Ngày sinh" merged over "Nam" | "Nữ", the sex from the column it is in
    assert "Nam if 'Ngày sinh - Nam' is filled, Nữ if 'Ngày sinh - Nữ' is" in result.output
    listed = list(load_workbook(tmp_path / "clerk-list" / "danh-sach-nhan-khau.xlsx", read_only=True)
                  .worksheets[0].iter_rows(values_only=True))
    linked = list(load_workbook(tmp_path / "clerk-list" / "danh-sach-nhan-khau-lien-ket.xlsx", read_only=True)
                  .worksheets[0].iter_rows(values_only=True))
    header = listed.index(next(r for r in listed if r[0] == "STT"))  # below the title block
    top, sub = listed[header], listed[header + 1]
    at = top.index("Ngày sinh")
    assert top[at + 1] is None and sub[at:at + 2] == ("Nam", "Nữ") and listed[header + 2][:2] == ("(1)", "(2)")
    assert "Skipped 5 rows that are neither column names nor records" in result.output
    names = [f"{t} - {s}" if s else t for t, s in zip(top, sub, strict=True)]
    names[at + 1] = f"Ngày sinh - {sub[at + 1]}"
    assert linked[0] == (*names, "cluster_id", "match_probability")
    assert len(linked) - 1 == len(listed) - header - 3 > 0
    assert len({r[-2] for r in linked[1:]}) < len(linked) - 1  # some rows are one person
    assert "full_name cells typed with a legacy font" in result.output  # read back before linking
    # step 6: the printed demo accounts log in
    line = next(ln for ln in result.output.splitlines() if ln.strip().startswith("motcua /"))
    password = line.split("/")[1].split()[0]
    assert check_password(AppDB(project.app_db_path), "motcua", password) is not None
    # step 5b: three live days, a delta run, a rehearsed then real cut-over of Quảng Nam's TTHC source
    assert (estate / "truth" / "changes.csv").is_file() and "Cut-over rehearsal of quangnam_tthc" in result.output
    document = json.loads((estate / "hopnhat-cutovers" / "quangnam_tthc" / "report.json").read_text(encoding="utf-8"))
    assert all(b["balanced"] for b in document["report"]["books"]) and not document["report"]["rehearsal"]
    from hopnhat.catalog.store import load_state
    from hopnhat.demo.continuity import audit_signer
    from hopnhat.run.cutover import verify_report

    assert verify_report(document, audit_signer(project))
    assert load_state(project.catalog_path).latest_source_states()["quangnam_tthc"].state == "cut_over"
