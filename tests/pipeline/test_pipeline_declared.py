"""An export that says how many records it holds, migrated end to end: a portal's API dump of the first page only
(``data.total`` = 9, four items, ``pageSize`` 4) balances its books yet ends ``hopnhat migrate`` non-zero, the
finding named in the books table, the run report and ``hopnhat reconcile``; the merger file's ``accept_short`` with
the very counts ends it zero and leaves an entry in the audit chain; the full export makes the finding go away. An
XML exchange file whose ``TongSo`` matches its records passes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import duckdb
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from hopnhat.cli.main import app
from hopnhat.project.config import AcceptShort, load_project
from hopnhat.reconcile.books import books
from hopnhat.reconcile.declared import DeclaredCheck

NAMES = ("Nguyễn Thị Hoà", "Trần Văn Đức", "Lê Thị Bích Ngọc", "Phạm Văn Tỵ", "Hoàng Thị Lan", "Võ Văn Kiệt",
         "Đặng Thị Mỹ", "Bùi Văn Tèo", "Đỗ Thị Hằng")


def _dump(names: tuple[str, ...], total: int, size: int) -> str:
    items = [{"maHoSo": f"H48-{n}", "nguoiNop": {"hoTen": name}} for n, name in enumerate(names, start=1)]
    return json.dumps({"success": True, "data": {"page": 1, "pageSize": size, "items": items, "total": total}},
                      ensure_ascii=False)


def _xml(names: tuple[str, ...], declared: int) -> bytes:
    people = "".join(f'<CongDan Ma="CD{n}"><HoTen>{name}</HoTen></CongDan>\n' for n, name in enumerate(names, 1))
    return f'<?xml version="1.0" encoding="utf-8"?>\n<DanhSach TongSo="{declared}">\n{people}</DanhSach>\n'.encode()


def _merger(folder: Path, accept: dict[str, Any] | None = None) -> Path:
    api: dict[str, Any] = {"name": "ho_so", "path": "hoso.json", "records": "data.items",
                           "declared_total": "data.total", "maps_to": "person",
                           "columns": {"source_key": "maHoSo", "full_name": {"json": "nguoiNop.hoTen"}}}
    if accept is not None:
        api["accept_short"] = accept
    doc = {"merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"}, "linkage": {"enabled": False},
           "sources": [
               {"name": "dvc_api", "system": "Cổng dịch vụ công", "province": "48", "kind": "json", "tables": [api]},
               {"name": "hotich_xml", "system": "Hộ tịch", "province": "49", "kind": "xml", "tables": [
                   {"name": "cong_dan", "path": "congdan.xml", "records": "DanhSach/CongDan",
                    "declared_total": "DanhSach/@TongSo", "maps_to": "person",
                    "columns": {"source_key": "@Ma", "full_name": "HoTen"}}]}]}
    path = folder / "merger.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _flat(text: str) -> str:
    return " ".join(text.split())


def _checks(merger: Path) -> dict[str, Any]:
    project = load_project(merger)
    with duckdb.connect(str(project.store_path), read_only=True) as con:
        return {b.source: b for b in books(con, project)}


def _audit(merger: Path) -> list[dict[str, Any]]:
    app_db = load_project(merger).app_db_path
    if not app_db.exists():
        return []
    with sqlite3.connect(app_db) as con:
        rows = con.execute("SELECT detail FROM audit WHERE action = 'declared_total_accepted'").fetchall()
    return [json.loads(r[0]) for r in rows]


def test_a_first_page_balances_but_fails_the_run_until_acknowledged_or_replaced(tmp_path: Path) -> None:
    (tmp_path / "hoso.json").write_text(_dump(NAMES[:4], total=9, size=4), encoding="utf-8")
    (tmp_path / "congdan.xml").write_bytes(_xml(NAMES[:3], declared=3))
    merger = _merger(tmp_path)
    runner = CliRunner()
    out = runner.invoke(app, ["--lang", "en", "migrate", str(merger)], terminal_width=200)
    assert out.exit_code == 1, out.output
    said = _flat(out.output)
    assert "Before the run: dvc_api/ho_so: the export declares 9 records (data.total = 9), the file holds 4" in said
    assert ("dvc_api/ho_so: the file declares 9 records (data.total = 9), 4 read: 5 missing — one page of a paginated "
            "dump (page 1 of 3, 4 records a page)") in said
    assert "The books do not balance" not in _flat(out.output)  # they do: the finding is of its own
    balances = _checks(merger)
    api, xml = balances["dvc_api"], balances["hotich_xml"]
    assert api.balanced and (api.read, api.loaded) == (4, 4)
    assert api.declared is not None
    assert (api.declared.status, api.declared.declared, api.declared.pages) == ("paged", 9, 3)
    assert xml.declared is not None and xml.declared.status == "ok" and not xml.declared.finding
    report = json.loads(next(load_project(merger).runs_dir.glob("*/reconcile.json")).read_text(encoding="utf-8"))
    assert [(f["table"], f["status"], f["declared"], f["read"]) for f in report["declared_findings"]] == [
        ("ho_so", "paged", 9, 4)]
    assert runner.invoke(app, ["--lang", "en", "reconcile", str(merger)]).exit_code == 1

    wrong = _merger(tmp_path, {"declared": 9, "read": 3, "reason": "chỉ thử trang đầu"})  # other counts: no cover
    assert runner.invoke(app, ["--lang", "en", "migrate", str(wrong)]).exit_code == 1
    assert _audit(merger) == []

    reason = "Cổng DVC chỉ cho xuất trang đầu; phần còn lại nạp ở đợt 2 (công văn 15/STTTT)"
    merger = _merger(tmp_path, {"declared": 9, "read": 4, "reason": reason})
    out = runner.invoke(app, ["--lang", "en", "migrate", str(merger)], terminal_width=200)
    assert out.exit_code == 0, out.output
    said = _flat(out.output)
    assert f"accepted: {reason}" in said and "acknowledgement recorded in the audit log" in said
    assert _checks(merger)["dvc_api"].declared.accepted == reason
    entries = _audit(merger)
    assert [(e["table"], e["declared"], e["read"], e["reason"]) for e in entries] == [("ho_so", 9, 4, reason)]
    assert runner.invoke(app, ["--lang", "en", "migrate", str(merger)]).exit_code == 0
    assert len(_audit(merger)) == 1  # the same acknowledgement, recorded once

    (tmp_path / "hoso.json").write_text(_dump(NAMES, total=9, size=100), encoding="utf-8")  # the full export
    out = runner.invoke(app, ["--lang", "en", "migrate", str(merger)], terminal_width=200)
    assert out.exit_code == 0, out.output
    api = _checks(merger)["dvc_api"]
    assert (api.read, api.loaded) == (9, 9) and api.declared is not None and api.declared.status == "ok"


def test_an_xml_export_declaring_more_than_it_holds_fails_the_run(tmp_path: Path) -> None:
    (tmp_path / "hoso.json").write_text(_dump(NAMES[:2], total=2, size=100), encoding="utf-8")
    (tmp_path / "congdan.xml").write_bytes(_xml(NAMES[:3], declared=812))
    merger = _merger(tmp_path)
    out = CliRunner().invoke(app, ["migrate", str(merger)], terminal_width=200)
    assert out.exit_code == 1, out.output
    assert ("hotich_xml/cong_dan: tệp khai báo 812 bản ghi (DanhSach/@TongSo = 812), chỉ đọc được 3: thiếu 809"
            in _flat(out.output))
    assert _checks(merger)["hotich_xml"].declared.status == "short"


@given(declared=st.one_of(st.none(), st.integers(min_value=0, max_value=10**7)),
       read=st.integers(min_value=0, max_value=10**7), pages=st.one_of(st.none(), st.integers(1, 200)),
       accepted=st.one_of(st.none(), st.tuples(st.integers(0, 10**7), st.integers(0, 10**7))))
def test_a_finding_is_any_difference_no_acknowledgement_covers(declared: int | None, read: int, pages: int | None,
                                                                accepted: tuple[int, int] | None) -> None:
    ack = AcceptShort(declared=accepted[0], read=accepted[1], reason="đã xác nhận với đơn vị") if accepted else None
    check = DeclaredCheck("s", "t", "data.total", declared, str(declared), read, 1, 100, pages)
    if ack is not None and ack.covers(declared, read) and check.status != "ok":
        check.accepted = ack.reason
    expected = ("missing" if declared is None else "ok" if read == declared else "over" if read > declared
                else "paged" if pages and pages > 1 else "short")
    assert check.status == expected
    covered = ack is not None and (ack.declared, ack.read) == (declared, read)
    assert check.finding == (expected != "ok" and not covered)


def test_only_the_json_dump_is_read_again_for_its_count(tmp_path: Path, second_reads: list[str]) -> None:
    """The XML's ``TongSo`` is read as the load streams past it; the dump's ``data.total`` stands after its items,
    where the JSON reader stops: that file alone is read again (cheaply) after its load."""
    (tmp_path / "hoso.json").write_text(_dump(NAMES[:4], total=4, size=100), encoding="utf-8")
    (tmp_path / "congdan.xml").write_bytes(_xml(NAMES[:3], declared=3))
    out = CliRunner().invoke(app, ["--lang", "en", "migrate", str(_merger(tmp_path))], terminal_width=200)
    assert out.exit_code == 0, out.output
    assert second_reads == ["ho_so"]
    checks = _checks(tmp_path / "merger.yaml")
    assert checks["hotich_xml"].declared.status == checks["dvc_api"].declared.status == "ok"
