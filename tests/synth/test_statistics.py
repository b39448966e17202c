"""Statistics of a generated estate within tolerance."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tests.synth.helpers import truth_rows

from hopnhat.synth import ids
from hopnhat.units.reference import reference

PERSON_TABLES = ("quangnam/nhan_khau_tcvn3", "quangnam/nhan_khau_vni", "quangnam/nhan_khau_cp1258",
                 "quangnam/nhan_khau_utf8", "danang/cong_dan")


def _persons(estate: Path) -> list[dict[str, str]]:
    return truth_rows(estate / "truth/quangnam/persons.csv") + truth_rows(estate / "truth/danang/persons.csv")


def test_nguyen_share(estate: Path) -> None:
    people = _persons(estate)
    share = sum(p["full_name"].startswith("Nguyễn ") for p in people) / len(people)
    assert 0.34 < share < 0.42


def test_middle_names_are_sex_typical(estate: Path) -> None:
    people = _persons(estate)
    thi = Counter(p["sex"] for p in people if p["full_name"].split()[1] == "Thị")
    van = Counter(p["sex"] for p in people if p["full_name"].split()[1] == "Văn")
    assert thi["Nam"] == 0 and thi["Nữ"] > 0.35 * sum(p["sex"] == "Nữ" for p in people)
    assert van["Nữ"] == 0 and van["Nam"] > 0.2 * sum(p["sex"] == "Nam" for p in people)


def test_cccd_consistent_with_birth_province_sex_and_year(estate: Path) -> None:
    provinces = set(reference().provinces["old"])
    people = _persons(estate)
    for p in people:
        cccd, year = p["cccd"], int(p["birth_date"][:4])
        assert len(cccd) == 12 and cccd.isdigit()
        assert cccd[:3] == "0" + p["birth_province"] and p["birth_province"] in provinces
        assert int(cccd[3]) == ids.century_sex_digit(year, p["sex"] == "Nữ")
        assert cccd[4:6] == f"{year % 100:02d}"
        assert p["cmnd"] == "" or (len(p["cmnd"]) == 9 and year < 2003)
    assert len({p["cccd"] for p in people}) == len(people)
    home = sum(p["birth_province"] in ("48", "49") for p in people) / len(people)
    assert 0.9 < home < 0.99


def test_duplicate_rate_and_noise(estate: Path) -> None:
    rows = [r for t in PERSON_TABLES for r in truth_rows(estate / f"truth/{t}.csv")]
    counts = Counter(r["entity"] for r in rows)
    copies = sum(c - 1 for c in counts.values())
    assert 0.03 < copies / len(rows) < 0.08
    cross = sum(1 for r in truth_rows(estate / "truth/danang/cong_dan.csv") if r["entity"].startswith("P49-"))
    assert cross > 0
    noisy = [r for r in rows if r["noises"]]
    assert 0.6 * copies < len(noisy) <= copies


def test_defect_rate(estate: Path) -> None:
    summary = json.loads((estate / "truth/summary.json").read_text(encoding="utf-8"))
    rows = sum(t["rows"] for t in summary["tables"].values())
    defects = sum(sum(t["defects"].values()) for t in summary["tables"].values())
    assert 0.001 < defects / rows < 0.01
    kinds = {k for t in summary["tables"].values() for k in t["defects"]}
    assert {"truncated", "impossible_date", "bad_encoding", "duplicate_key"} <= kinds


def test_tax_codes_have_valid_check_digits(estate: Path) -> None:
    rows = truth_rows(estate / "truth/quangnam/doanh_nghiep.csv") + truth_rows(estate / "truth/danang/doanh_nghiep.csv")
    clean = [r for r in rows if r["defects"] != "duplicate_key"]
    assert all(ids.mst_is_valid(r["ma_so_thue"]) for r in clean)
    branches = [r for r in clean if r["is_branch"] == "1"]
    assert branches and all(len(r["ma_so_thue"]) == 14 and r["ma_so_thue"][10] == "-" for r in branches)


def test_address_truth_is_a_successor(estate_hp: Path) -> None:
    ref = reference()
    split = {(r["old_commune_code"], r["hamlet"]): r["new_commune_code"]
             for r in truth_rows(estate_hp / "estate/split_hamlets.csv")}
    rows = truth_rows(estate_hp / "truth/haiphong/cong_dan.csv")
    seen_split = 0
    for r in rows:
        successors = {link.new_code for link in ref.links[r["address_old_commune"]]}
        assert r["address_new_commune"] in successors
        if len(successors) > 1:
            seen_split += 1
            assert split[(r["address_old_commune"], r["address_hamlet"])] == r["address_new_commune"]
            assert r["address_hamlet"] in r["dia_chi_thuong_tru"]
    assert seen_split > 0


def test_dossiers_in_flight_and_overdue(estate: Path) -> None:
    rows = truth_rows(estate / "truth/quangnam/tthc_ho_so.csv")
    in_flight = sum(r["in_flight"] == "1" for r in rows) / len(rows)
    overdue = sum(r["overdue"] == "1" for r in rows)
    assert 0.01 < in_flight < 0.15 and overdue > 0
    assert sum(r["receiving_unit_admin"].__len__() == 3 for r in rows) / len(rows) > 0.2  # old districts
