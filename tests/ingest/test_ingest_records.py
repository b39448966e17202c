"""JSON records under a path (``records: data.items``): a one-stop-shop portal's REST API dump read element by
element, whatever sits around the array; a path that leads nowhere refused naming the file, the path and what is
there; every element of the array a row (an object loaded, anything else quarantined with its reason)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.ingest.conftest import OneTable
from tests.ingest.refusals import in_both_languages
from tests.text.independent import font_view

from hopnhat.errors import ConfigError, InputError
from hopnhat.i18n import set_language
from hopnhat.ingest import read_table
from hopnhat.ingest.preflight import preflight
from hopnhat.project.config import load_project
from hopnhat.text.legacy import encode

DOSSIERS = [{"id": "000.00.15.H49-250612-0001", "name": "Nguyễn Thị Hoà", "thuTuc": {"ma": "1.001234"}},
            {"id": "000.00.15.H49-250612-0002", "name": "Trần Văn Đức", "giayTo": [{"ten": "Tờ khai"}]},
            {"id": "000.00.15.H49-250613-0003", "name": "Lê Thị Bích Ngọc"}]
MAPPING = {"source_key": "id", "full_name": "name"}


def _api_dump(items: list[Any], before: dict[str, Any] | None = None) -> bytes:
    """A portal's answer: status and paging before the records, their count after them."""
    answer = {"success": True, "message": "Thành công", **(before or {}),
              "data": {"page": 1, "filter": {"tuNgay": "2025-06-01", "trangThai": [2, 4]}, "items": items,
                       "total": len(items)}}
    return json.dumps(answer, ensure_ascii=False, indent=2).encode("utf-8")


def _rows(one_table: OneTable, path: Path, records: str = "data.items") -> list[dict[str, Any]]:
    project, source, table = one_table("json", {"path": str(path), "records": records, "columns": MAPPING})
    return pa.concat_tables(list(read_table(project, source, table))).to_pylist()


def test_an_api_dump_reads_its_records_and_nothing_around_them(tmp_path: Path, one_table: OneTable) -> None:
    path = tmp_path / "hoso.json"
    path.write_bytes(_api_dump(DOSSIERS, {"meta": {"items": [{"id": "not a record"}], "note": "]} ,"}}))
    rows = _rows(one_table, path)
    assert [r["_row"] for r in rows] == [1, 2, 3] and all(r["_error"] is None for r in rows)
    assert [r["name"] for r in rows] == ["Nguyễn Thị Hoà", "Trần Văn Đức", "Lê Thị Bích Ngọc"]
    assert json.loads(rows[0]["thuTuc"]) == {"ma": "1.001234"} and rows[2]["giayTo"] is None
    assert json.loads(rows[1]["_raw"]) == DOSSIERS[1]  # the element's own text, for quarantine


def test_a_bad_element_is_a_row_with_its_reason(tmp_path: Path, one_table: OneTable) -> None:
    tcvn3 = encode("Phạm Văn Đồng", "tcvn3")
    path = tmp_path / "hoso.json"
    path.write_bytes(b'{"data": {"items": [{"id": "1", "name": "' + tcvn3 + b'"}, 42, "x", {"id": "4", "name": }, '
                     b'{"id": "5"}], "total": 5}}')
    rows = _rows(one_table, path)
    assert [r["_row"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["name"] == font_view(tcvn3, "tcvn3") and rows[0]["_error"] is None  # as a CSV cell reads
    assert rows[1]["_error"] == "not_an_object: a JSON int, not an object"
    assert rows[2]["_error"] == "not_an_object: a JSON str, not an object"
    # no element can be told apart after a syntax error: the rest of the file is one quarantined row, kept whole
    assert rows[3]["_error"].startswith("bad_json: ") and rows[3]["_raw"].endswith('{"id": "5"}], "total": 5}}')


def test_a_file_cut_inside_the_array_says_so_in_its_last_row(tmp_path: Path, one_table: OneTable) -> None:
    whole = _api_dump(DOSSIERS)
    path = tmp_path / "hoso.json"
    path.write_bytes(whole[:whole.index(b"0002")])  # inside the second record
    rows = _rows(one_table, path)
    assert rows[0]["id"] == "000.00.15.H49-250612-0001" and rows[0]["_error"] is None
    assert len(rows) == 2 and rows[1]["_error"].startswith("bad_json: ")
    third = whole.rindex(b"{", 0, whole.index(b"0003"))
    path.write_bytes(whole[:third].rstrip().rstrip(b","))  # two whole records, then the end: no ']'
    rows = _rows(one_table, path)
    assert [r["_error"] for r in rows] == [None, None, "truncated: the file ends inside the array of records "
                                                       "(no closing ']')"]


def _refusal(one_table: OneTable, path: Path, records: str) -> dict[str, InputError]:
    return in_both_languages(lambda: _rows(one_table, path, records))


@pytest.mark.parametrize(("records", "found"), [
    ("data.rows", "at data: an object without the key 'rows' (its keys: page, filter, items, total)"),
    ("data.total", "at data.total: a number, not an array"),
    ("data.filter.tuNgay", "at data.filter.tuNgay: a string, not an array"),
    ("data.items.id", "at data.items: an array, not an object"),
    ("ketQua", "at the top of the document: an object without the key 'ketQua' (its keys: success, "
               "message, data)"),
])
def test_a_path_to_no_array_is_refused_naming_file_path_and_what_is_there(
        records: str, found: str, tmp_path: Path, one_table: OneTable) -> None:
    path = tmp_path / "hoso.json"
    path.write_bytes(_api_dump(DOSSIERS))
    error = _refusal(one_table, path, records)
    assert error["en"].reason == f"records = {records}: {found}"
    assert error["en"].value == str(path) and error["en"].key == "sources[src].tables[t].records"
    assert error["vi"].message == "Không tìm thấy các bản ghi theo đường dẫn 'records'"


def test_preflight_refuses_the_path_before_the_run(tmp_path: Path) -> None:
    (tmp_path / "hoso.json").write_bytes(_api_dump(DOSSIERS))
    (tmp_path / "merger.yaml").write_text(
        "version: 1\nmerged_unit: {province_code: '48', name: Thành phố Đà Nẵng}\nsources:\n"
        "- {name: tthc, system: TTHC, kind: json, tables: [{name: ho_so, path: hoso.json, records: data.item,\n"
        "   maps_to: person, columns: {source_key: id, full_name: name}}]}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        preflight(load_project(tmp_path / "merger.yaml"))
    assert "records = data.item" in (caught.value.reason or "")


@pytest.mark.parametrize(("kind", "records", "words"), [
    ("csv", "data.items", "'records' is for json or xml sources, not csv"),
    ("json", "data..items", "a path of JSON keys joined by '.'"),
    ("json", "data items", "no step empty or holding a space"),
    ("xml", None, "an xml source needs 'records'"),
])
def test_the_merger_file_refuses_a_records_path_that_cannot_be(kind: str, records: str | None, words: str,
                                                                tmp_path: Path) -> None:
    extra = "" if records is None else f", records: '{records}'"
    (tmp_path / "merger.yaml").write_text(
        "version: 1\nmerged_unit: {province_code: '48', name: Thành phố Đà Nẵng}\nsources:\n"
        f"- {{name: s, system: S, kind: {kind}, tables: [{{name: t, path: f{extra}, maps_to: person,\n"
        "   columns: {source_key: id}}]}\n", encoding="utf-8")
    set_language("en")
    try:
        with pytest.raises(ConfigError) as caught:
            load_project(tmp_path / "merger.yaml")
    finally:
        set_language("vi")
    assert words in (caught.value.reason or ""), caught.value.reason


BROKEN = ('{"id": }', '{"a" 1}', "[1,,2]")
_TEXT = st.characters(exclude_categories=("Cc", "Cs"))  # control characters are binary_junk (tested with the reader)
_ELEMENT = st.one_of(
    st.fixed_dictionaries({"id": st.text(_TEXT, min_size=1, max_size=8), "name": st.text(_TEXT, max_size=12)}),
    st.integers(), st.text(max_size=5), st.none(), st.lists(st.integers(), max_size=2),
    st.sampled_from(BROKEN),  # the element's text itself: a syntax error whatever follows
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(elements=st.lists(_ELEMENT, max_size=12), keys=st.lists(st.sampled_from(["data", "ketQua", "items", "x"]),
                                                               min_size=1, max_size=3))
def test_every_element_is_a_record_or_a_quarantined_row(elements: list[Any], keys: list[str], tmp_path: Path,
                                                          one_table: OneTable) -> None:
    texts = [e if e in BROKEN else json.dumps(e, ensure_ascii=False) for e in elements]
    body = "[" + ", ".join(texts) + "]"
    for key in reversed(keys):
        body = f'{{"before": [1, {{"a": "]"}}], "{key}": {body}, "after": 1}}'
    path = tmp_path / "dump.json"
    path.write_text(body, encoding="utf-8")
    rows = _rows(one_table, path, ".".join(keys))
    objects = [i for i, e in enumerate(elements) if isinstance(e, dict)]
    broken = next((i for i, t in enumerate(texts) if t in BROKEN), None)
    if broken is None:  # every element a row, in order; objects loaded, the rest quarantined
        assert len(rows) == len(elements)
        assert [i for i, r in enumerate(rows) if r["_error"] is None] == objects
    else:  # the elements before the first broken one read; the rest one quarantined row
        assert len(rows) == broken + 1 and rows[-1]["_error"] is not None
        assert [i for i, r in enumerate(rows) if r["_error"] is None] == [i for i in objects if i < broken]
