"""Fuzzed source files (bad encodings, truncated rows, wrong delimiters, huge fields, binary junk) never crash a run and
never lose a row: for every table, read = loaded + merged + quarantined, and the checksums agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hopnhat.project.config import load_project
from hopnhat.run.runner import migrate
from hopnhat.text.legacy import encode

NAMES = ["Nguyễn Văn Hùng", "Trần Thị Diệu", "Lê Đức Thọ", "Phạm Thị Hoà", "Tôn Nữ Thị Diệu"]
ADDRESSES = ["Thôn 1, X. Đại Hồng, H. Đại Lộc, T. Quảng Nam", "12 Lê Lợi, P. Hải Châu I, Q. Hải Châu, TP Đà Nẵng", ""]
DATES = ["05/01/1957", "31/02/1990", "1975", "00/00/0000", "44197", "", "1/13/2001"]


def _cell(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["name", "addr", "date", "junk", "huge", "id"]))
    if kind == "name":
        return encode(draw(st.sampled_from(NAMES)), draw(st.sampled_from(["utf-8", "tcvn3", "vni", "cp1258"])))
    if kind == "addr":
        return draw(st.sampled_from(ADDRESSES)).encode()
    if kind == "date":
        return draw(st.sampled_from(DATES)).encode()
    if kind == "huge":
        return b"x" * draw(st.integers(1000, 200_000))
    if kind == "id":
        return draw(st.sampled_from([b"049157386887", b"000000000", b"20510897", b"abc"]))
    return draw(st.binary(max_size=30))


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    sep = draw(st.sampled_from([b",", b";", b"\t", b"|"]))
    lines = [b"Ma,HoTen,NgaySinh,SoCMND,DiaChi"]
    for _ in range(draw(st.integers(0, 25))):
        cells = [str(draw(st.integers(1, 30))).encode()] + [_cell(draw) for _ in range(draw(st.integers(0, 6)))]
        lines.append(sep.join(cells))
    if draw(st.booleans()):
        lines.append(draw(st.binary(max_size=60)))  # a truncated or binary tail
    return b"\n".join(lines) + draw(st.sampled_from([b"", b"\n", b"\r\n"]))


@st.composite
def ndjson_files(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 15))):
        doc = {"code": str(draw(st.integers(1, 20))), "status": draw(st.sampled_from(["A", "B", "?", ""])),
               "at": draw(st.sampled_from(DATES)), "who": {"name": draw(st.sampled_from(NAMES))},
               "steps": [{"s": "A"}] * draw(st.integers(0, 3))}
        line = json.dumps(doc, ensure_ascii=False).encode()
        if draw(st.booleans()):
            line = line[: draw(st.integers(0, len(line)))]
        lines.append(line)
    lines.append(draw(st.binary(max_size=40)))
    return b"\n".join(lines)


def _merger(tmp: Path) -> Path:
    doc = {
        "merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
        "sources": [
            {"name": "fuzz_csv", "system": "Hộ tịch", "province": "49", "kind": "csv", "strictness": "strict",
             "tables": [{"name": "people", "path": "people.csv", "maps_to": "person", "columns": {
                 "source_key": "Ma", "full_name": "HoTen",
                 "birth_date": {"column": "NgaySinh", "type": "date",
                                "formats": ["dd/mm/yyyy", "yyyy", "excel_serial"]},
                 "id_number": {"column": "SoCMND", "type": "id_number"},
                 "address": {"column": "DiaChi", "type": "admin_address"}}}]},
            {"name": "fuzz_json", "system": "TTHC", "province": "49", "kind": "ndjson", "strictness": "lenient",
             "tables": [
                 {"name": "dossiers", "path": "d.ndjson", "maps_to": "dossier", "columns": {
                     "source_key": "code", "code": "code", "applicant_name": {"json": "who.name"},
                     "status": {"column": "status", "type": "status", "values": {"A": 2, "B": 10}},
                     "received_at": {"column": "at", "type": "datetime", "formats": ["dd/mm/yyyy HH:MM"]}}},
                 {"name": "steps", "path": "d.ndjson", "maps_to": "dossier_history", "columns": {
                     "explode": "steps", "parent_key": "code",
                     "status": {"column": "s", "type": "status", "values": {"A": 2}}}}]},
        ],
    }
    path = tmp / "merger.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.slow  # 25 whole migrations of fuzzed sources
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(people=csv_files(), dossiers=ndjson_files())
def test_fuzzed_sources_never_crash_and_lose_no_row(tmp_path_factory, people: bytes, dossiers: bytes) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    (tmp / "people.csv").write_bytes(people)
    (tmp / "d.ndjson").write_bytes(dossiers)
    project = load_project(_merger(tmp))
    result = migrate(project, link=False)
    for b in result.balances:
        assert b.read == b.loaded + b.merged + b.quarantined, b
        assert b.source_checksum == b.store_checksum, b
    again = migrate(project, link=False)  # idempotent
    assert [b.as_dict() for b in again.balances] == [b.as_dict() for b in result.balances]
