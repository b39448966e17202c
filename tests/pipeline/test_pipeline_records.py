"""Exports as e-government systems give them, migrated end to end with ``hopnhat migrate``: a civil-status system's
XML export whose names were typed in TCVN3 and declared Windows-1252, cut short after its third record, and a
one-stop-shop portal's JSON API dump (``records: data.items``). Names are Unicode in the store, every element is
accounted for (read = loaded + merged + quarantined, the cut one row in quarantine), and a second run after the
export changed loads what changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import yaml
from typer.testing import CliRunner

from hopnhat.cli.main import app
from hopnhat.project.config import load_project
from hopnhat.reconcile.books import books
from hopnhat.text.legacy import encode

NAMES = ("ĐẶNG VĂN ỨNG", "Lý Thị Ngọc Hân", "Trương Văn Tỵ", "Hà Thị Mỹ Dung")


def _xml(names: tuple[str, ...], cut: bool) -> bytes:
    people = b"".join(b'<CongDan Ma="CD%d"><HoTen>%s</HoTen><NgaySinh>%02d/03/1980</NgaySinh></CongDan>\n'
                      % (n, encode(name, "tcvn3"), n) for n, name in enumerate(names, start=1))
    body = b'<?xml version="1.0" encoding="windows-1252"?>\n<DuLieu>\n<DanhSach>\n' + people
    return body[:-20] if cut else body + b"</DanhSach>\n</DuLieu>\n"


def _api_dump(names: tuple[str, ...]) -> str:
    items = [{"maHoSo": f"H48-{n}", "nguoiNop": {"hoTen": name}} for n, name in enumerate(names, start=1)]
    return json.dumps({"success": True, "data": {"items": items, "total": len(items)}}, ensure_ascii=False)


def _merger(folder: Path) -> Path:
    person: dict[str, Any] = {"source_key": "@Ma", "full_name": "HoTen",
                              "birth_date": {"column": "NgaySinh", "type": "date", "formats": ["dd/mm/yyyy"]}}
    doc = {
        "merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
        "linkage": {"enabled": False},
        "sources": [
            {"name": "hotich_xml", "system": "Hộ tịch", "province": "49", "kind": "xml", "tables": [
                {"name": "cong_dan", "path": "congdan.xml", "records": "DuLieu/DanhSach/CongDan", "encoding": "tcvn3",
                 "maps_to": "person", "columns": person}]},
            {"name": "dvc_api", "system": "Cổng dịch vụ công", "province": "48", "kind": "json", "tables": [
                {"name": "ho_so", "path": "hoso.json", "records": "data.items", "maps_to": "person",
                 "columns": {"source_key": "maHoSo", "full_name": {"json": "nguoiNop.hoTen"}}}]}],
    }
    path = folder / "merger.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _store(merger: Path) -> tuple[dict[str, Any], dict[str, str], list[tuple[str, str]]]:
    project = load_project(merger)
    with duckdb.connect(str(project.store_path), read_only=True) as con:
        balances = {b.source: b for b in books(con, project)}
        people = dict(con.execute("SELECT src_key, full_name FROM person").fetchall())
        quarantine = con.execute("SELECT src_source, reason_code FROM quarantine").fetchall()
    return balances, people, quarantine


def test_an_xml_export_and_an_api_dump_migrate_accounted_and_again_as_a_delta(tmp_path: Path) -> None:
    (tmp_path / "congdan.xml").write_bytes(_xml(NAMES, cut=True))
    (tmp_path / "hoso.json").write_text(_api_dump(NAMES[:2]), encoding="utf-8")
    merger = _merger(tmp_path)
    out = CliRunner().invoke(app, ["--lang", "en", "migrate", str(merger)])
    assert out.exit_code == 0, out.output
    balances, people, quarantine = _store(merger)
    xml, api = balances["hotich_xml"], balances["dvc_api"]
    assert (xml.read, xml.loaded, xml.quarantined) == (4, 3, 1) and xml.balanced  # the cut record: one row
    assert (api.read, api.loaded) == (2, 2) and api.balanced
    assert quarantine == [("hotich_xml", "bad_xml")]
    assert [people[f"CD{n}"] for n in (1, 2, 3)] == list(NAMES[:3])  # TCVN3 read back as Unicode
    assert (people["H48-1"], people["H48-2"]) == NAMES[:2]

    renamed = (NAMES[0], "Lý Thị Ngọc Hằng", *NAMES[2:])
    (tmp_path / "congdan.xml").write_bytes(_xml(renamed, cut=False))  # exported again, whole, one name corrected
    (tmp_path / "hoso.json").write_text(_api_dump(NAMES[:3]), encoding="utf-8")
    out = CliRunner().invoke(app, ["--lang", "en", "migrate", str(merger)])
    assert out.exit_code == 0, out.output
    balances, people, quarantine = _store(merger)
    assert (balances["hotich_xml"].read, balances["hotich_xml"].quarantined) == (4, 0)
    assert [people[f"CD{n}"] for n in (1, 2, 3, 4)] == list(renamed) and people["H48-3"] == NAMES[2]
    assert quarantine == [] and all(b.balanced for b in balances.values())
