"""NDJSON and JSON: broken lines and elements, legacy bytes, new keys, nested values, exploded lists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
from tests.ingest.conftest import OneTable

from hopnhat.ingest import read_table
from hopnhat.ingest.shape import SAMPLE
from hopnhat.text.legacy import cp1252_view, encode

HISTORY = {"explode": "history", "parent_key": "code", "action": "action", "status": "status"}


def _read(one_table: OneTable, tmp_path: Path, data: bytes, name: str = "t.ndjson", kind: str = "ndjson",
          batch_rows: int = 4, **table: Any) -> list[pa.Table]:
    (tmp_path / name).write_bytes(data)
    project, source, spec = one_table(kind, {"path": name, **table})
    return list(read_table(project, source, spec, batch_rows=batch_rows))


def _rows(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    return pa.concat_tables(_read(*args, **kwargs), promote_options="default").to_pylist()


def test_ndjson_broken_lines_are_rows_with_reasons(one_table: OneTable, tmp_path: Path) -> None:
    lines = [b'\xef\xbb\xbf{"id": 1, "name": "An"}', b"", b'{"id": 2, "name": "B', b"[1, 2]", b'"text"',
             b'{"id": 5, "name": "N\x00ul"}', b'{"id": 6, "name": "Hoa"}']
    rows = _rows(one_table, tmp_path, b"\n".join(lines) + b"\n")
    assert [r["_row"] for r in rows] == [1, 3, 4, 5, 6, 7]
    assert [(r["_error"] or "").split(":")[0] for r in rows] == ["", "bad_json", "not_an_object", "not_an_object",
                                                                 "binary_junk", ""]
    assert rows[0]["name"] == "An" and rows[1]["_raw"] == '{"id": 2, "name": "B' and rows[1]["id"] is None
    assert rows[4]["name"] == "N\x00ul"


def test_ndjson_values_become_text(one_table: OneTable, tmp_path: Path) -> None:
    record = {"id": 7, "name": "Lê", "area": 12.5, "whole": 3.0, "ok": True, "none": None, "empty": "",
              "zip": "00123", "owner": {"HoTen": "Đỗ Thị Hà", "SoGiayTo": "048123456789"}, "tags": ["a", "ă"]}
    row = _rows(one_table, tmp_path, json.dumps(record, ensure_ascii=True).encode())[0]
    assert (row["id"], row["area"], row["whole"], row["ok"], row["none"], row["empty"], row["zip"]) == (
        "7", "12.5", "3", "true", None, None, "00123")
    assert row["owner"] == '{"HoTen":"Đỗ Thị Hà","SoGiayTo":"048123456789"}' and row["tags"] == '["a","ă"]'


def test_legacy_bytes_inside_a_json_string_only_change_that_string(one_table: OneTable, tmp_path: Path) -> None:
    tcvn3 = encode("Đà Nẵng", "tcvn3")
    line = b'{"id": 1, "name": "Nguy\xc3\xaan", "place": "' + tcvn3 + b'", "bad": "\\ud800x"}'
    row = _rows(one_table, tmp_path, line)[0]
    assert row["name"] == "Nguyên" and row["place"] == cp1252_view(tcvn3)
    assert row["bad"] == "\ufffdx" and row["_error"].startswith("undecodable: ")
    assert row["_raw"] == cp1252_view(line)  # the line is not UTF-8 as a whole: its Windows-1252 view


def test_columns_keep_their_order_and_grow_at_the_end(one_table: OneTable, tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "a": i}) for i in range(SAMPLE + 5)] + [json.dumps({"id": 0, "late": "x"})]
    batches = _read(one_table, tmp_path, "\n".join(lines).encode(), batch_rows=500)
    assert batches[0].column_names[4:] == ["id", "a", "name"]  # "name": the mapping reads it, no record has it
    assert batches[-1].column_names[4:] == ["id", "a", "name", "late"]
    assert batches[-1].column("late").to_pylist()[-1] == "x"
    assert sum(b.num_rows for b in batches) == SAMPLE + 6


def test_json_array_rows_are_indexes(one_table: OneTable, tmp_path: Path) -> None:
    records = [{"id": i, "name": f"Người {i}"} for i in range(5)]
    data = json.dumps(records, ensure_ascii=False, indent=2).encode()
    rows = _rows(one_table, tmp_path, data, "t.json", kind="json")
    assert [r["_row"] for r in rows] == [1, 2, 3, 4, 5] and rows[4]["name"] == "Người 4"
    assert json.loads(rows[2]["_raw"]) == records[2]


def test_json_array_with_a_broken_tail(one_table: OneTable, tmp_path: Path) -> None:
    data = b'[{"id": 1, "name": "A"}, 5, {"id": 3, "name": "C"}, {"id": 4, "na'
    rows = _rows(one_table, tmp_path, data, "t.json", kind="json")
    assert [r["_row"] for r in rows] == [1, 2, 3, 4]
    assert rows[1]["_error"].startswith("not_an_object") and rows[3]["_error"].startswith("bad_json")
    assert rows[3]["_raw"] == '{"id": 4, "na'


def test_json_huge_element_and_single_object(one_table: OneTable, tmp_path: Path) -> None:
    big = "ơ" * 1_500_000  # more than one read chunk
    data = json.dumps([{"id": 1, "name": big}, {"id": 2, "name": "b"}], ensure_ascii=False).encode()
    rows = _rows(one_table, tmp_path, data, "t.json", kind="json")
    assert rows[0]["name"] == big and rows[1]["name"] == "b"
    one = _rows(one_table, tmp_path, b'{\n  "id": 1,\n  "name": "X"\n}\n', "u.json", kind="json")
    assert [(r["_row"], r["name"]) for r in one] == [(1, "X")]


def test_explode_one_row_per_item_and_a_row_per_broken_parent(one_table: OneTable, tmp_path: Path) -> None:
    parents = [{"code": "A", "status": "done", "owner": {"n": 1}, "history": [{"action": "nhận", "status": "new"},
                                                                              {"action": "trả"}]},
               {"code": "B", "history": []},
               {"code": "C"},
               {"code": "D", "history": ["oops", {"action": "x"}]}]
    data = "\n".join(json.dumps(p, ensure_ascii=False) for p in parents).encode() + b'\n{"code": "E", "hi'
    rows = _rows(one_table, tmp_path, data, columns=HISTORY, maps_to="dossier_history", batch_rows=2)
    got = [(r["_row"], r["_item"], r["code"], r["action"], r["status"], (r["_error"] or "").split(":")[0])
           for r in rows]
    assert got == [(1, 0, "A", "nhận", "new", ""), (1, 1, "A", "trả", "done", ""),
                   (3, None, "C", None, None, "not_a_list"),
                   (4, 0, "D", None, None, "not_an_object"), (4, 1, "D", "x", None, ""),
                   (5, None, None, None, None, "bad_json")]
    assert "owner" not in rows[0]  # a nested parent value the mapping does not read stays out
    assert json.loads(rows[0]["_raw"]) == parents[0]["history"][0]
