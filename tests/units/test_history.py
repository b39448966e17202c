"""Issue 14: former names (history.csv) and the address classes real lists contain.

Golden cases: tests/units/golden/issue14.csv, one per row, grouped by class; every expected code was read from the
government conversion table (tests/units/official/conversion_2025.csv, a copy of ../shared/data/admin-units), never
from the converter. The history table is cross-checked against the statistics office's list of 4 January 2025, shipped
in tests/units/official (public government data: see its README; test_reference checks the copies against ../shared).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from hopnhat.text.normalize import accent_key, name_key
from hopnhat.units.convert import convert_address
from hopnhat.units.reference import reference, strip_type

GOLDEN = Path(__file__).with_name("golden") / "issue14.csv"
DATA = Path(__file__).resolve().parents[2] / "src" / "hopnhat" / "units" / "data"
OFFICIAL = Path(__file__).with_name("official")  # the government tables, shipped (README there)
CLASSES = {"former_names", "bracket_types", "old_district_new_commune", "unread_segment", "fuzzy_vs_exact"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ROWS = _rows(GOLDEN)
HISTORY = _rows(DATA / "history.csv")


def test_every_class_has_golden_cases():
    counts = Counter(r["class"] for r in ROWS)
    assert set(counts) == CLASSES
    assert all(n >= 3 for n in counts.values()), counts


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['class']}-{i}" for i, r in enumerate(ROWS, start=1)])
def test_issue14_golden(row):
    result = convert_address(row["address"])
    got = {"status": result.status, "new_province_code": result.new_province_code or "",
           "new_commune_code": result.new_commune_code or "", "candidates": ";".join(sorted(result.candidates))}
    assert got == {k: row[k] for k in got}, f"{row['note']} | reason: {result.reason}"


# --- the history table ------------------------------------------------------------------------------------------


def test_history_rows_are_well_formed():
    ref = reference()
    tables = {"province": ref.provinces["old"], "district": ref.districts, "commune": ref.communes["old"]}
    assert len(HISTORY) > 2_000
    for row in HISTORY:
        assert row["change"] in {"renamed", "retyped", "merged", "moved"}, row
        assert row["last_seen"] < row["gone_by"], row  # ISO dates
        if row["effective"]:
            # the office's list may carry a change a few days before it takes effect (Huế: 30/12/2024 for 1/1/2025)
            assert row["last_seen"] < row["effective"], row
            assert row["resolution"], row
        for code in filter(None, row["successor_codes"].split(";")):
            assert code in tables[row["level"]], row


def test_thua_thien_hue_became_a_centrally_run_city():
    (row,) = [r for r in HISTORY if r["level"] == "province" and r["code"] == "46"]
    assert row["name"] == "Tỉnh Thừa Thiên Huế" and row["successor_codes"] == "46"
    assert row["effective"] == "2025-01-01" and row["resolution"].startswith("175/2024/QH15")
    assert "thuathienhue" in reference().provinces["old"]["46"].alias_keys


def test_a_split_district_names_all_its_successors():
    (row,) = [r for r in HISTORY if r["level"] == "district" and r["name"] == "Thành phố Huế"]
    assert set(row["successor_codes"].split(";")) == {"474", "475"}  # Quận Thuận Hóa, Quận Phú Xuân


def test_former_names_are_aliases_of_their_successors():
    ref = reference()
    tables = {"province": ref.provinces["old"], "district": ref.districts, "commune": ref.communes["old"]}
    for row in HISTORY:
        for code in filter(None, row["successor_codes"].split(";")):
            unit = tables[row["level"]][code]
            assert name_key(strip_type(row["name"])) in {name_key(unit.short_name), *unit.alias_keys}, row
            assert accent_key(row["name"]) in unit.former_accents or name_key(row["name"]) == name_key(unit.name)


@pytest.fixture(scope="module")
def january() -> list[dict[str, str]]:
    return [r for r in _rows(OFFICIAL / "communes_old_2025-01-04.csv") if r["Mã PX"].strip()]


def test_every_commune_gone_since_january_is_in_the_history(january):
    """A commune of the statistics office's list of 4/1/2025 that is not in the 30/6/2025 tables was merged: the
    history has it, under its code and name."""
    ref = reference()
    recorded = {(r["code"], name_key(strip_type(r["name"]))) for r in HISTORY if r["level"] == "commune"}
    gone = [r for r in january if r["Mã PX"] not in ref.communes["old"]]
    assert gone, "the January list has communes merged before 30/6/2025"
    for r in gone:
        assert (r["Mã PX"], name_key(strip_type(r["Phường Xã"]))) in recorded, r


def test_every_district_gone_since_january_is_in_the_history(january):
    ref = reference()
    recorded = {r["code"] for r in HISTORY if r["level"] == "district"}
    for code in {r["Mã QH"] for r in january} - set(ref.districts):
        assert code in recorded, code


def test_a_january_commune_renamed_since_is_recorded(january):
    """Same code in January and June with another name (tone placement aside): a renamed or retyped row."""
    ref = reference()
    recorded = {r["code"] for r in HISTORY if r["level"] == "commune"}
    variants = {r["code"] for r in _rows(DATA / "spelling_variants.csv")}
    for r in january:
        unit = ref.communes["old"].get(r["Mã PX"])
        if unit is None or r["Mã PX"] in variants:
            continue
        if accent_key(r["Phường Xã"]) != accent_key(unit.name) and name_key(r["Phường Xã"]) != name_key(unit.name):
            assert r["Mã PX"] in recorded, (r["Phường Xã"], unit.name)


# --- the column path (shared endings) answers like one-by-one conversion on these texts ---------------------------


def test_column_path_equals_one_by_one_on_issue14_texts():
    """Brackets, dashes, bare numbers and former names change how a text is prepared and split: the column path
    (rows grouped by their raw ending, one conversion per ending) must still answer each row as one-by-one does,
    whatever comes before the ending."""
    from hopnhat.units.column import convert_column

    leads = ["", "Số 5, ", "Tổ 3 - ", "12 Lê Lợi (cũ), ", "Thôn 2, Ấp 4, "]
    opening = ["Tân Hòa, Gò Vấp, Hồ Chí Minh", "Tân Hòa - Gò Vấp - Hồ Chí Minh"]  # read otherwise with words before
    texts = [lead + address for address in [r["address"] for r in ROWS] + opening for lead in leads]
    texts += [text.upper() for text in texts[:40]]
    table = convert_column(texts)
    got = list(zip(*(table.column(name).to_pylist() for name in ("status", "new_commune_code", "candidates"))))
    for text, row in zip(texts, got):
        one = convert_address(text)
        assert row == (one.status, one.new_commune_code, ";".join(one.candidates)), text
