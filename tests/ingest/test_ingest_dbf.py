"""dBase/FoxPro tables (``kind: dbf``) through ``read_table``: fixtures written by the ``dbf`` package
(tests/ingest/dbfwrite.py), in the three layouts a provincial estate holds (dBase III + .dbt, FoxPro 2 + .fpt,
Visual FoxPro + .fpt), names typed in TCVN3 and VNI.

Every record comes out in file order (the deleted one too, with ``deleted_in_source``), a garbage field keeps its
text with its reason, text is the CSV reader's view of the bytes (the repair stage reads TCVN3/VNI back from it),
and a file that cannot be read whole is an InputError naming the file, in Vietnamese and in English.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.ingest.conftest import OneTable
from tests.ingest.dbfwrite import BAD_DATE, BAD_NUMBER, DELETED, register, set_language_driver, typed_table
from tests.text.independent import font_view

from hopnhat.errors import InputError
from hopnhat.i18n import set_language
from hopnhat.ingest import read_table
from hopnhat.ingest.preflight import preflight
from hopnhat.ingest.tables import read_whole
from hopnhat.io.inputs import check_input, sniff

GOLDEN = Path(__file__).parent / "golden" / "dbf_register.json"
LAYOUTS = ("db3", "fp", "vfp")
MAPPING = {"source_key": "MA", "full_name": "HOTEN", "birth_date": {"column": "NGAYSINH", "type": "date"}}


def _rows(batches: list[pa.Table]) -> list[dict[str, Any]]:
    return pa.concat_tables(batches).to_pylist()


def _read(one_table: OneTable, path: Path, **table: Any) -> list[dict[str, Any]]:
    project, source, spec = one_table("dbf", {"path": str(path), "columns": MAPPING, **table})
    return _rows(list(read_table(project, source, spec)))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_register_reads_as_its_golden_file(layout: str, tmp_path: Path, one_table: OneTable) -> None:
    rows = _read(one_table, register(tmp_path, layout).path)
    if os.environ.get("HOPNHAT_UPDATE_GOLDEN") or not GOLDEN.exists():
        GOLDEN.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert rows == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_the_register_keeps_every_record_and_says_what_is_wrong(tmp_path: Path, one_table: OneTable) -> None:
    written = register(tmp_path)
    rows = _read(one_table, written.path)
    assert [r["_row"] for r in rows] == [1, 2, 3, 4, 5, 6]  # record numbers in the file, the deleted one counted
    errors = {r["_row"]: r["_error"] for r in rows if r["_error"]}
    assert set(errors) == {DELETED, BAD_DATE, BAD_NUMBER}
    assert errors[DELETED].startswith("deleted_in_source: ")
    assert errors[BAD_DATE] == "bad_date: column NGAYSINH: '19x9/0?9' is not a date (YYYYMMDD)"
    assert errors[BAD_NUMBER].startswith("bad_number: column SOTIEN: '44,44O.4A?'")
    assert rows[BAD_DATE - 1]["NGAYSINH"] == "19x9/0?9" and rows[BAD_NUMBER - 1]["SOTIEN"] == "44,44O.4A?"
    assert rows[DELETED - 1]["HOTEN"] == font_view(written.tcvn3[DELETED - 1], "tcvn3")  # read like the others


def test_cells_are_text_as_a_person_reads_them(tmp_path: Path, one_table: OneTable) -> None:
    written = register(tmp_path)
    first, second = _read(one_table, written.path)[:2]
    assert first["HOTEN"] == font_view(written.tcvn3[0], "tcvn3")  # TCVN3 bytes as the CSV reader shows them
    assert first["HOTENVNI"] == font_view(written.vni[0], "vni")
    assert (first["NGAYSINH"], first["SOTIEN"], first["CONSONG"]) == ("1950-01-10", "1500", "true")
    assert second["SOTIEN"] == "1750.5" and second["GHICHU"] is None  # no .0, no trailing zero; no memo → null
    assert first["GHICHU"].startswith("Khai sinh ") and first["GIOITINH"] == "Nam"  # memo from the .fpt
    assert json.loads(first["_raw"])["HOTEN"] == first["HOTEN"]  # the raw record: its cells as JSON


def test_visual_foxpro_binary_types_and_a_real_code_page(tmp_path: Path, one_table: OneTable) -> None:
    project, source, spec = one_table("dbf", {"path": str(typed_table(tmp_path)),
                                              "columns": {"source_key": "MA", "full_name": "TEN"}})
    rows = _rows(list(read_table(project, source, spec)))
    assert [(r["MA"], r["TIEN"], r["LUC"], r["DIEM"], r["TEN"]) for r in rows] == [
        ("7", "1234.56", "2001-02-03T04:05:06", "2.5", "Иван Петров"), ("-12", "0.01", None, "3", None)]
    assert all(r["_error"] is None for r in rows)


@pytest.mark.parametrize("driver", [0x00, 0x01, 0x03, 0x57])  # none, DOS US, Windows ANSI: no evidence against TCVN3
def test_a_western_code_page_byte_is_no_evidence(driver: int, tmp_path: Path, one_table: OneTable) -> None:
    written = register(tmp_path, "fp", driver)
    assert _read(one_table, written.path)[0]["HOTEN"] == font_view(written.tcvn3[0], "tcvn3")


def test_a_real_code_page_byte_decodes_and_the_merger_file_overrides_it(tmp_path: Path,
                                                                         one_table: OneTable) -> None:
    written = register(tmp_path, "vfp", 0xC8)  # says Windows-1250 (Central European)
    assert _read(one_table, written.path)[0]["HOTEN"] == written.tcvn3[0].decode("cp1250")
    told = _read(one_table, written.path, encoding="tcvn3")  # the merger file knows better: the repair stage's view
    assert told[0]["HOTEN"] == font_view(written.tcvn3[0], "tcvn3")
    path = typed_table(tmp_path)
    set_language_driver(path, 0x03)
    rows = _read(one_table, path, encoding="cp1251", columns={"source_key": "MA", "full_name": "TEN"})
    assert rows[0]["TEN"] == "Иван Петров"


# --- what is refused ---------------------------------------------------------------------------------------------

def _refusal(one_table: OneTable, path: Path) -> dict[str, InputError]:
    out = {}
    for lang in ("vi", "en"):
        set_language(lang)
        try:
            with pytest.raises(InputError) as caught:
                _read(one_table, path)
        finally:
            set_language("vi")
        out[lang] = caught.value
    return out


def _header_count(path: Path, count: int) -> None:
    data = bytearray(path.read_bytes())
    data[4:8] = struct.pack("<I", count)
    path.write_bytes(bytes(data))


def test_a_truncated_file_is_refused_naming_it(tmp_path: Path, one_table: OneTable) -> None:
    path = register(tmp_path).path
    path.write_bytes(path.read_bytes()[:-100])
    error = _refusal(one_table, path)
    assert error["vi"].value == str(path) and error["vi"].source == "src" and error["vi"].table == "t"
    assert "bị cắt cụt" in (error["vi"].reason or "") and "FoxPro" in (error["vi"].hint or "")
    assert "truncated" in (error["en"].reason or "") and "header says 6 records" in (error["en"].reason or "")
    assert error["en"].message == "Cannot read the dBase/FoxPro table (.dbf)"


def test_a_header_that_lies_about_its_count_is_refused(tmp_path: Path, one_table: OneTable) -> None:
    path = register(tmp_path).path
    _header_count(path, 4)  # two records more than the header says
    error = _refusal(one_table, path)
    assert "it says 4, the file holds 6" in (error["en"].reason or "") and "PACK" in (error["en"].hint or "")
    assert "ghi sai số bản ghi" in (error["vi"].reason or "")
    _header_count(path, 9)  # three records fewer than the header says
    assert "truncated" in (_refusal(one_table, path)["en"].reason or "")
    _header_count(path, 6)
    data = path.read_bytes().removesuffix(b"\x1a")
    path.write_bytes(data + b"\x1ajunk after the end-of-file mark")  # what follows the mark is no record
    assert len(_read(one_table, path)) == 6
    path.write_bytes(data + b" HT0007  half a rec")  # a record half written, no end mark
    assert "stray bytes" in (_refusal(one_table, path)["en"].reason or "")


def test_a_missing_memo_file_is_refused_naming_what_to_copy(tmp_path: Path, one_table: OneTable) -> None:
    path = register(tmp_path, "db3").path
    path.with_suffix(".dbt").unlink()
    error = _refusal(one_table, path)
    assert ".fpt/.dbt" in (error["en"].reason or "") and ".dbt" in (error["en"].hint or "")
    assert "không có tệp .fpt/.dbt" in (error["vi"].reason or "")


def test_a_file_that_is_no_dbf_is_refused(tmp_path: Path, one_table: OneTable) -> None:
    path = tmp_path / "hotich.dbf"
    path.write_bytes(b"\x03\x00")
    error = _refusal(one_table, path)
    assert "not a dBase/FoxPro table" in (error["en"].reason or "")
    assert isinstance(error["en"].__cause__, Exception)  # the library's error kept as the cause, not shown


def test_a_truncated_memo_file_quarantines_the_records_it_loses(tmp_path: Path, one_table: OneTable) -> None:
    path = register(tmp_path).path
    memo = path.with_suffix(".fpt")
    memo.write_bytes(memo.read_bytes()[:700])  # the first memo block survives, the later ones are gone
    rows = _read(one_table, path)
    lost = [r for r in rows if r["_error"] and "bad_memo" in r["_error"]]
    assert lost and all("past the end of the memo file" in r["_error"] for r in lost)
    assert len(rows) == 6 and rows[0]["GHICHU"].startswith("Khai sinh ")


# --- before a run, and the single-file commands ------------------------------------------------------------------

def test_preflight_knows_a_dbf_by_its_bytes(tmp_path: Path, one_table: OneTable) -> None:
    path = register(tmp_path).path
    assert sniff(path.read_bytes()[:65536]) == "dbf"
    assert check_input(path) == path
    project, _, _ = one_table("dbf", {"path": str(path), "columns": MAPPING})
    preflight(project)  # the file is what it says and its header has the source key
    fake = tmp_path / "fake.dbf"
    fake.write_text("MA,HOTEN\n1,An\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        check_input(fake)
    assert "dBase/FoxPro" in str(caught.value.reason) or "dBase/FoxPro" in caught.value.render()
    bad_key = one_table("dbf", {"path": str(path), "columns": {**MAPPING, "source_key": "SOHO"}})[0]
    with pytest.raises(InputError) as caught:
        preflight(bad_key)
    assert caught.value.column == "SOHO" and "HOTEN" in (caught.value.reason or "")


def test_read_whole_takes_a_dbf_with_every_record(tmp_path: Path) -> None:
    written = register(tmp_path)
    table = read_whole(written.path)
    assert table.num_rows == 6 and table.column_names[:3] == ["_error", "MA", "HOTEN"]
    assert table.column("HOTEN")[0].as_py() == font_view(written.tcvn3[0], "tcvn3")
    assert table.column("_error")[DELETED - 1].as_py().startswith("deleted_in_source")
    assert read_whole(typed_table(tmp_path)).column_names == ["MA", "TIEN", "LUC", "DIEM", "TEN"]  # nothing wrong
    broken = tmp_path / "broken.dbf"
    broken.write_bytes(written.path.read_bytes()[:-50])
    written.path.with_suffix(".fpt").rename(broken.with_suffix(".fpt"))
    with pytest.raises(InputError) as caught:
        read_whole(broken)
    assert caught.value.source == str(broken) and caught.value.hint


# --- damage of any kind: records with reasons or one InputError, never a library's traceback ---------------------

@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, bytes]]:
    out = {}
    for layout in LAYOUTS:
        folder = tmp_path_factory.mktemp(layout)
        path = register(folder, layout).path
        memo = next(p for p in folder.iterdir() if p.suffix in (".fpt", ".dbt"))
        out[layout] = (path.read_bytes(), memo.read_bytes())
    return out


@settings(max_examples=int(os.environ.get("DBF_FUZZ", "150")), deadline=None,  # DBF_FUZZ=3000: a longer hunt
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=st.sampled_from(LAYOUTS), in_memo=st.booleans(), cut=st.one_of(st.none(), st.integers(0, 2000)),
       flips=st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), max_size=6))
def test_damage_gives_reasons_or_one_input_error(layout: str, in_memo: bool, cut: int | None,
                                                 flips: list[tuple[int, int]], tmp_path: Path,
                                                 one_table: OneTable, pristine: dict[str, tuple[bytes, bytes]]) -> None:
    table, memo = (bytearray(b) for b in pristine[layout])
    target = memo if in_memo else table
    for offset, value in flips:
        if offset < len(target):
            target[offset] = value
    if cut is not None:
        del target[cut:]
    path = tmp_path / "hotich.dbf"
    path.write_bytes(bytes(table))
    path.with_suffix(".dbt" if layout == "db3" else ".fpt").write_bytes(bytes(memo))
    try:
        rows = _read(one_table, path)
    except InputError as exc:
        assert exc.value == str(path) and exc.reason and exc.hint
        return
    assert [r["_row"] for r in rows] == list(range(1, len(rows) + 1))


def test_a_visual_foxpro_varchar_keeps_its_length_byte_out() -> None:
    """No writer at hand writes VFP 9 varchars (the dbf package has no V): the layout, from its documentation — a
    value shorter than its field has its length in the field's last byte."""
    from hopnhat.ingest.dbf import _varchar

    assert _varchar(b"abc" + b"\0" * 16 + b"\x03") == b"abc"
    assert _varchar(b"Tr\xc7n Th\xde Ho\xb5" + b" " * 7 + b"\x0c") == b"Tr\xc7n Th\xde Ho\xb5"
    assert _varchar(b"a" * 20) == b"a" * 20  # a full field has no length byte
    assert _varchar(b"x" * 19 + b"\x05") == b"x" * 19 + b"\x05"  # a TCVN3 capital at the end of a full field
