"""The parsers against a synth estate's truth: how many parsed values agree with what the generator knows.

Options come from the estate's own merger.yaml, as the map stage would pass them. Each test prints its figures
(``pytest -s``) and asserts what must hold: clean values agree exactly, injected defects are caught, and what the
parsers cannot know (a day/month swap that is still a valid date, a 01/01 placeholder used once) is counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from tests.values.helpers import TODAY

from hopnhat.io.xls import read_xls
from hopnhat.project.config import ColumnSpec, load_project
from hopnhat.values import parse_column, parse_value


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _spec(estate: Path, source_suffix: str, table: str, field: str) -> ColumnSpec:
    project = load_project(estate / "merger.yaml")
    source = next(s for s in project.config.sources if s.name.endswith(source_suffix) and
                  any(t.name == table for t in s.tables))
    return next(t for t in source.tables if t.name == table).columns[field]


def _options(spec: ColumnSpec) -> dict[str, Any]:
    return {"formats": spec.formats, "values": spec.values, "decimal": spec.decimal}


def _people(estate: Path) -> dict[str, dict[str, str]]:
    return {r["entity"]: r for side in ("quangnam", "danang") for r in _rows(estate / "truth" / side / "persons.csv")}


def _register_rows(estate: Path) -> list[dict[str, str]]:
    return [r for p in sorted((estate / "truth" / "quangnam").glob("nhan_khau_*.csv")) for r in _rows(p)]


def test_register_birth_dates_agree_with_truth(synth_estate: Path) -> None:
    rows = _register_rows(synth_estate)
    result = parse_column("date", [r["NgaySinh"] for r in rows], today=TODAY,
                          **_options(_spec(synth_estate, "_dancu", "nhan_khau_utf8", "birth_date")))
    tally: Counter[str] = Counter()
    for i, r in enumerate(rows):
        value, quality, true = result.values[i], result.extras["_quality"][i], dt.date.fromisoformat(r["true_birth"])
        noises = r["noises"].split(";")
        if r["defects"] == "impossible_date":
            tally["impossible_date caught" if i in result.error_rows() else "impossible_date MISSED"] += 1
        elif "year_only" in noises:
            kept = (quality, value.year) == ("year_only", true.year)
            tally["year_only kept as year" if kept else "year_only WRONG"] += 1
        elif "day_month_swap" in noises:
            tally["swap undetectable (valid date)" if value != true and value.year == true.year else "swap OTHER"] += 1
        elif "placeholder_0101" in noises:
            tally["01/01 placeholder: year right" if value.year == true.year else "01/01 WRONG"] += 1
        else:
            tally["clean: exact agree" if (value, quality) == (true, "exact") else "clean DISAGREE"] += 1
    print(f"\nregister NgaySinh, {len(rows)} rows: {dict(tally)}")
    assert not [k for k in tally if k.isupper() or "MISSED" in k or "WRONG" in k or "DISAGREE" in k or "OTHER" in k]
    assert tally["clean: exact agree"] > 0.9 * len(rows) and tally["impossible_date caught"] > 0


def test_database_register_dates_sex_ids_phones(synth_estate: Path) -> None:
    rows = _rows(synth_estate / "truth" / "danang" / "cong_dan.csv")
    births = parse_column("date", [r["ngay_sinh"] for r in rows], today=TODAY,
                          **_options(_spec(synth_estate, "_dancu", "cong_dan", "birth_date")))
    sexes = parse_column("sex", [r["gioi_tinh"] for r in rows])
    people = _people(synth_estate)
    agree = sum(v == dt.date.fromisoformat(r["true_birth"]) for v, r in zip(births.values, rows, strict=True)
                if not r["noises"])
    clean = sum(1 for r in rows if not r["noises"] and r["defects"] != "impossible_date")
    true_sex = ["F" if people[r["entity"]]["sex"] == "Nữ" else "M" for r in rows]
    print(f"\ncong_dan: {agree}/{clean} clean birth dates agree; sex {sum(map(str.__eq__, sexes.values, true_sex))}/"
          f"{len(rows)}")
    assert agree == clean and sexes.values == true_sex and sexes.problems == []
    context = {"birth_date": births.values, "sex": sexes.values}
    for column, kind in (("so_cccd", "cccd"), ("so_cmnd", "cmnd")):
        ids = parse_column("id_number", [r[column] for r in rows], context=context, today=TODAY)
        assert {k for k in ids.extras["_kind"] if k} <= {kind}
        flagged = {i for i, _ in ids.problems}
        assert all("id_typo" in rows[i]["noises"] for i in flagged), [rows[i] for i in flagged][:3]
    phones = parse_column("phone", [r["so_dien_thoai"] for r in rows])
    assert phones.problems == [] and all(len(v) == 10 for v in phones.values)


def test_register_ids_with_row_context(synth_estate: Path) -> None:
    rows = _register_rows(synth_estate)
    births = parse_column("date", [r["NgaySinh"] for r in rows], formats=["dd/mm/yyyy", "yyyy"], today=TODAY)
    sexes = parse_column("sex", [r["GioiTinh"] for r in rows])
    ids = parse_column("id_number", [r["SoCMND_CCCD"] for r in rows], today=TODAY,
                       context={"birth_date": births.values, "sex": sexes.values})
    typos = [i for i, r in enumerate(rows) if "id_typo" in r["noises"]]
    flagged = {i for i, _ in ids.problems}
    assert flagged <= set(typos), [(rows[i]["SoCMND_CCCD"], rows[i]["noises"]) for i in flagged - set(typos)]
    kinds = Counter(ids.extras["_kind"])
    print(f"\nregister IDs: {dict(kinds)}; one-digit typos flagged {len(flagged)}/{len(typos)} "
          f"({Counter(p.code for _, p in ids.problems)})")
    assert kinds["cccd"] > kinds["cmnd"] > 0
    phones = parse_column("phone", [r["DienThoai"] for r in rows])
    assert phones.problems == [] and None not in phones.values


def test_businesses_tax_codes_dates_and_representatives(synth_estate: Path) -> None:
    for side in ("quangnam", "danang"):
        rows = _rows(synth_estate / "truth" / side / "doanh_nghiep.csv")
        codes = parse_column("tax_code", [r["ma_so_thue"] for r in rows])
        assert codes.problems == []
        assert [p is not None for p in codes.extras["_parent"]] == [r["is_branch"] == "1" for r in rows]
        assert all(p == r["organization_entity"].removeprefix("ORG-")
                   for p, r in zip(codes.extras["_parent"], rows, strict=True) if p)
        dates = parse_column("date", [r["ngay_cap"] for r in rows], today=TODAY,
                             **_options(_spec(synth_estate, "_doanh_nghiep", "doanh_nghiep", "registered_date")))
        assert dates.error_rows() == {i for i, r in enumerate(rows) if r["defects"] == "impossible_date"}
        reps = parse_column("id_number", [r["so_giay_to_nguoi_dai_dien"] for r in rows], today=TODAY)
        assert reps.problems == [] and set(reps.extras["_kind"]) == {"cccd"}


def test_parcel_areas_with_each_sides_decimal_mark(synth_estate: Path) -> None:
    for side in ("quangnam", "danang"):
        rows = _rows(synth_estate / "truth" / side / "thua_dat.csv")
        source = next(s for s in load_project(synth_estate / "merger.yaml").config.sources
                      if s.name == f"{side}_dat_dai")
        spec = source.tables[0].columns["area_m2"]
        areas = parse_column("decimal", [r["dien_tich"] for r in rows], decimal=spec.decimal)
        assert areas.problems == []
        assert areas.values == [float(r["dien_tich"].replace(",", ".")) for r in rows]


def _dossiers(estate: Path, side: str) -> list[tuple[dict[str, Any], dict[str, str]]]:
    lines = (estate / "estate" / side / "tthc" / "ho_so.ndjson").read_text(encoding="utf-8").splitlines()
    truth = _rows(estate / "truth" / side / "tthc_ho_so.csv")
    pairs = []
    for line, t in zip(lines, truth, strict=True):
        if t["defects"] != "truncated":
            pairs.append((json.loads(line), t))
    return pairs


@pytest.mark.parametrize(("side", "vendor_keys"), [
    ("quangnam", ("TrangThai", "NgayTiepNhan", "NgayHenTra", "QuaTrinhXuLy", "ThoiDiem")),
    ("danang", ("status", "received_at", "appointment_at", "history", "at")),
])
def test_dossier_statuses_and_times(synth_estate: Path, side: str, vendor_keys: tuple[str, ...]) -> None:
    status_key, received_key, due_key, history_key, at_key = vendor_keys
    pairs = _dossiers(synth_estate, side)
    source = next(s for s in load_project(synth_estate / "merger.yaml").config.sources if s.name == f"{side}_tthc")
    main = source.tables[0].columns
    statuses = parse_column("status", [d[status_key] for d, _ in pairs], values=main["status"].values)
    assert statuses.values == [int(t["national_status"]) for _, t in pairs]
    assert statuses.extras["_raw"] == [d[status_key] for d, _ in pairs]
    received = parse_column("datetime", [d[received_key] for d, _ in pairs], formats=main["received_at"].formats,
                            today=TODAY)
    assert received.error_rows() == {i for i, (_, t) in enumerate(pairs) if t["defects"] == "impossible_date"}
    due = parse_column("datetime", [d[due_key] for d, _ in pairs], formats=main["due_at"].formats, today=TODAY)
    assert due.problems == [] and [v.date().isoformat() for v in due.values] == [t["due"] for _, t in pairs]
    history = [step for d, _ in pairs for step in d[history_key]]
    steps = parse_column("datetime", [s[at_key] for s in history], formats=main["received_at"].formats, today=TODAY)
    step_status = parse_column("status", [s[status_key] for s in history], values=main["status"].values)
    print(f"\n{side} dossiers: {len(pairs)} statuses agree, {len(received.error_rows())} impossible received "
          f"dates caught; {len(history)} history steps, all statuses mapped, {len(steps.error_rows())} bad times")
    assert step_status.problems == [] and steps.problems == []


def test_civil_servant_sheet_native_excel_dates_and_text(synth_estate: Path) -> None:
    for side in ("quangnam", "danang"):
        folder = synth_estate / "estate" / side / "can_bo"
        if side == "danang":
            sheet = openpyxl.load_workbook(folder / "can_bo_cong_chuc.xlsx", read_only=True)["DS CBCC"]
            rows = [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]
        else:  # an Excel 97-2003 workbook, as xlrd reads it
            (sheet_xls,) = read_xls(folder / "can_bo_cong_chuc.xls")
            rows = [[c.value for c in row] + [None] * 4 for row in sheet_xls.rows[3:]]
        cells = [row[2] if row[2] is not None else row[3] for row in rows]
        truth = _rows(synth_estate / "truth" / side / "can_bo_cong_chuc.csv")
        spec = _spec(synth_estate, "_can_bo", "can_bo_cong_chuc", "birth_date")
        parsed = parse_column("date", cells, today=TODAY, **_options(spec))
        expected = [dt.datetime.strptime(t["Ngày sinh - Nam"] or t["Ngày sinh - Nữ"], "%d/%m/%Y").date() for t in truth]
        assert {type(c).__name__ for c in cells} == {"datetime", "str"}
        assert parsed.values == expected and parsed.problems == []


def test_a_written_day_month_swap_is_flagged_when_impossible() -> None:
    """What the register's swap noise becomes when the day is > 12: caught, not silently wrong."""
    parsed = parse_value("date", "10/25/1984", formats=["dd/mm/yyyy", "yyyy"], today=TODAY)
    assert (parsed.value, parsed.extras["_quality"]) == (dt.date(1984, 10, 25), "day_month_swapped")
