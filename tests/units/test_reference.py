"""The shipped reference tables: counts, province conversion, links, and the cross-check against government data.

The cross-check reads the government tables shipped beside these tests (``tests/units/official/``, public data: see its
README), so a fresh clone runs it; where ../shared/data/admin-units/ exists (dev and CI machines) the shipped copies
must be byte-identical to it. Every difference from conversion_2025.csv must be explained, row by row, in
``src/hopnhat/units/data/corrections.csv``; a new unexplained difference fails the test.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from importlib import resources
from pathlib import Path

import pytest

from hopnhat.text.normalize import accent_key, fold, name_key, nfc
from hopnhat.units.reference import reference, strip_type

OFFICIAL = Path(__file__).with_name("official")  # the government tables, shipped (README there)
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "admin-units"  # the same, on dev and CI machines
OFFICIAL_FILES = ("conversion_2025.csv", "communes_old_2025-01-04.csv", "units_new_2025-07-01.json")
DECISIONS = {"keep_reference", "apply_crosscheck"}


def _data_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("hopnhat.units").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", nfc(text)).strip()


_TYPES = ("thanh pho", "thi tran", "thi xa", "dac khu", "phuong", "quan", "huyen", "tinh", "xa")


def _short_key(name: str) -> str:
    """name_key without a leading unit type, tolerant to the type's own misspellings (``Thi trấn``, ``phường``)."""
    words = fold(_clean(name)).lower()
    for word in _TYPES:
        if words.startswith(word + " "):
            words = words[len(word) + 1 :]
            break
    return name_key(words)


def _code_in_parens(text: str) -> str:
    match = re.search(r"\((\d+)\)", text)
    return match.group(1) if match else ""


@pytest.fixture(scope="module")
def ref():
    return reference()


@pytest.fixture(scope="module")
def official() -> Path:
    """The government tables the cross-check reads: the copies shipped with the tests."""
    return OFFICIAL


@pytest.fixture(scope="module")
def crosscheck(official: Path) -> list[dict[str, str]]:
    """conversion_2025.csv without its two header lines and province banner rows, names cleaned of line breaks."""
    with (official / "conversion_2025.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[2:]
    keys = ("province", "new_name", "new_code", "old_name", "old_code", "note", "district", "old_province")
    return [dict(zip(keys, (_clean(v) for v in row))) for row in rows if len(row) > 4 and row[2].strip()]


@pytest.fixture(scope="module")
def corrections() -> list[dict[str, str]]:
    return _data_csv("corrections.csv")


# --- counts and structure -------------------------------------------------------------------------------------------


def test_old_structure_counts(ref):
    assert len(ref.provinces["old"]) == 63
    assert len(ref.districts) == 696
    assert 10_000 <= len(ref.communes["old"]) <= 10_060
    assert len(ref.communes["old"]) == 10_035


def test_new_structure_counts(ref):
    assert len(ref.provinces["new"]) == 34
    assert len(ref.communes["new"]) == 3_321
    assert Counter(u.type for u in ref.communes["new"].values()) == {"Xã": 2_621, "Phường": 687, "Đặc khu": 13}


def test_every_unit_knows_its_parents(ref):
    for unit in ref.communes["old"].values():
        assert ref.districts[unit.district_code].province_code == unit.province_code
    for unit in ref.communes["new"].values():
        assert unit.province_code in ref.provinces["new"]


@pytest.mark.parametrize(("old", "new"), [("49", "48"), ("62", "51"), ("30", "31"), ("48", "48"), ("51", "51"),
                                          ("31", "31"), ("01", "01"), ("93", "92"), ("94", "92"), ("77", "79")])
def test_province_conversion(ref, old, new):
    assert ref.province_map[old] == new


def test_province_conversion_is_total_and_onto(ref):
    assert set(ref.province_map) == set(ref.provinces["old"])
    assert set(ref.province_map.values()) == set(ref.provinces["new"])
    assert Counter(ref.province_map.values())["48"] == 2


def test_every_old_commune_has_a_link(ref):
    assert set(ref.links) == set(ref.communes["old"])
    for links in ref.links.values():
        assert links and all(link.new_code in ref.communes["new"] for link in links)


def test_every_new_commune_has_an_origin(ref):
    reached = {link.new_code for links in ref.links.values() for link in links} | set(ref.district_only.values())
    assert reached == set(ref.communes["new"])


def test_split_communes_have_two_to_five_targets(ref):
    splits = {old: links for old, links in ref.links.items() if len(links) > 1}
    assert 430 <= len(splits) <= 471
    for links in splits.values():
        assert 2 <= len({link.new_code for link in links}) <= 5
        assert all(link.kind == "split" for link in links)


def test_single_links_are_never_split(ref):
    for links in ref.links.values():
        if len(links) == 1:
            assert links[0].kind in {"whole", "unchanged", "renamed"}
            assert not links[0].source_default


@pytest.mark.parametrize(("old", "targets"), [
    ("20296", {"20194", "20197"}),  # Xã Hòa Liên, Hòa Vang, Đà Nẵng
    ("21142", {"21136", "21157"}),  # Xã Trà Bùi, Trà Bồng, Quảng Ngãi (Quảng Ngãi side of the Kon Tum merger)
    ("00667", {"00640", "00685"}),  # Xã Ngũ Hiệp, Thanh Trì, Hà Nội
    ("00167", {"00160", "00166"}),  # Phường Dịch Vọng Hậu, Cầu Giấy, Hà Nội
])
def test_known_splits(ref, old, targets):
    assert {link.new_code for link in ref.links[old]} == targets


def test_codes_carry_versions(ref):
    old, new = ref.communes["old"]["20242"], ref.communes["new"]["20242"]
    assert (old.ref, new.ref) == ("old:20242", "new:20242")
    assert old.name == "Phường Phước Ninh" and new.name == "Phường Hải Châu"
    assert len(set(ref.communes["old"]) & set(ref.communes["new"])) >= 3_300


def test_earlier_round_alias(ref):
    assert "haichau1" in ref.communes["old"]["20236"].alias_keys


# --- corrections.csv itself -----------------------------------------------------------------------------------------


def test_corrections_are_well_formed(ref, corrections):
    seen = set()
    for row in corrections:
        key = (row["old_code"], row["new_code"])
        assert key not in seen, key
        seen.add(key)
        assert row["decision"] in DECISIONS
        assert {row["in_reference"], row["in_crosscheck"]} == {"yes", "no"}
        assert len(row["reason"]) > 40, f"reason too thin for {key}"
        assert row["new_code"] in ref.communes["new"]
        assert not row["old_code"] or row["old_code"] in ref.communes["old"]


def test_apply_crosscheck_rows_are_applied(ref, corrections):
    for row in corrections:
        if row["decision"] != "apply_crosscheck":
            continue
        targets = {link.new_code for link in ref.links[row["old_code"]]}
        assert (row["new_code"] in targets) == (row["in_crosscheck"] == "yes"), row


def test_the_known_collisions_are_fixed(ref):
    assert {link.new_code for link in ref.links["11890"]} == {"11911"}  # Xã Hòa Bình, Vĩnh Bảo
    assert {link.new_code for link in ref.links["10798"]} == {"10804", "10843"}  # Xã Hòa Bình, Kim Thành
    assert {link.new_code for link in ref.links["31379"]} == {"31378"}  # Xã Phú Tân, Châu Thành, Hậu Giang
    assert {link.new_code for link in ref.links["31582"]} == {"31582"}  # Xã Phú Tân, Châu Thành, Sóc Trăng


# --- cross-check against the government tables ------------------------------------------------------------------------


@pytest.mark.parametrize("name", OFFICIAL_FILES)
def test_the_shipped_government_tables_are_the_shared_ones(name: str) -> None:
    """The copies under tests/units/official are byte-identical to ../shared (where a machine has it)."""
    if not SHARED.is_dir():
        pytest.skip("../shared/data/admin-units is absent: the shipped copies are used as they are")
    assert (OFFICIAL / name).read_bytes() == (SHARED / name).read_bytes(), name


def test_every_shipped_government_table_is_described() -> None:
    readme = (OFFICIAL / "README.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in OFFICIAL.iterdir() if p.name != "README.md") == sorted(OFFICIAL_FILES)
    assert all(name in readme for name in OFFICIAL_FILES)


def test_crosscheck_parsing(crosscheck):
    assert len({row["new_code"] for row in crosscheck}) == 3_321
    assert 10_030 <= len({row["old_code"] for row in crosscheck if row["old_code"]}) <= 10_035


def test_conversion_matches_crosscheck_or_is_explained(ref, crosscheck, corrections):
    theirs: dict[str, set[str]] = defaultdict(set)
    for row in crosscheck:
        if row["old_code"] or row["old_name"]:  # rows without an old commune are whole districts, checked below
            theirs[row["old_code"]].add(row["new_code"])
    ours = {old: {link.new_code for link in links} for old, links in ref.links.items()}
    # ours is *after* corrections: an applied row now agrees with the table, a kept row still differs.
    explained = {(r["old_code"], r["new_code"]) for r in corrections}
    unexplained = []
    for old in sorted(set(ours) | set(theirs)):
        for new in sorted(ours.get(old, set()) ^ theirs.get(old, set())):
            if (old, new) not in explained:
                unexplained.append((old, new, "in reference" if new in ours.get(old, set()) else "in cross-check"))
    assert not unexplained, f"{len(unexplained)} unexplained differences, first: {unexplained[:10]}"


def test_every_correction_still_matters(ref, crosscheck, corrections):
    """A correction row whose difference has vanished (source or table fixed) must be removed, not left to rot."""
    theirs: dict[str, set[str]] = defaultdict(set)
    for row in crosscheck:
        if row["old_code"] or row["old_name"]:
            theirs[row["old_code"]].add(row["new_code"])
    raw = defaultdict(set)
    for row in _data_csv("conversion.csv"):
        raw[row["old_code"]].add(row["new_code"])
    for row in corrections:
        old, new = row["old_code"], row["new_code"]
        assert (new in raw.get(old, set())) == (row["in_reference"] == "yes"), row
        assert (new in theirs.get(old, set())) == (row["in_crosscheck"] == "yes"), row


def test_districts_without_communes_match(ref, crosscheck):
    rows = {_code_in_parens(r["district"]): r["new_code"]
            for r in crosscheck if not r["old_code"] and not r["old_name"]}
    assert rows == ref.district_only


def test_new_communes_match_the_official_list(ref, official):
    provinces = json.loads((official / "units_new_2025-07-01.json").read_text(encoding="utf-8"))
    theirs = {f"{w['code']:05d}": (f"{p['code']:02d}", w["name"]) for p in provinces for w in p["wards"]}
    assert set(theirs) == set(ref.communes["new"])
    for code, (province, name) in theirs.items():
        unit = ref.communes["new"][code]
        assert unit.province_code == province, code
        assert accent_key(unit.name) == accent_key(name), (code, unit.name, name)  # Hoà/Hòa, ’/' only


def test_new_names_match_the_crosscheck(ref, crosscheck):
    for row in crosscheck:
        unit = ref.communes["new"][row["new_code"]]
        assert name_key(unit.name) == name_key(row["new_name"]), (row["new_code"], unit.name, row["new_name"])


def _variants() -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for row in _data_csv("spelling_variants.csv"):
        out[row["code"]].add(_short_key(row["alias"]))
    return out


def test_old_communes_match_the_january_list(ref, official):
    """Same code, district and name (up to tone placement and diacritics), or a listed spelling variant."""
    variants = _variants()
    with (official / "communes_old_2025-01-04.csv").open(encoding="utf-8") as fh:
        listed = {r["Mã PX"]: r for r in csv.DictReader(fh) if r["Mã PX"].strip()}
    shared_codes = set(listed) & set(ref.communes["old"])
    assert len(shared_codes) >= 10_000
    for code in shared_codes:
        unit, row = ref.communes["old"][code], listed[code]
        assert (unit.province_code, unit.district_code) == (row["Mã TP"], row["Mã QH"]), code
        key = _short_key(row["Phường Xã"])
        assert key == _short_key(unit.name) or key in variants[code], (code, unit.name, row["Phường Xã"])


def test_old_names_match_the_crosscheck(ref, crosscheck, corrections):
    variants = _variants()
    miscoded = {r["old_code"] for r in corrections if r["reason"].startswith("code defect")}
    for row in crosscheck:
        if not row["old_code"] or row["old_code"] in miscoded:
            continue
        unit = ref.communes["old"][row["old_code"]]
        key = _short_key(row["old_name"])
        assert key == _short_key(unit.name) or key in variants[unit.code], (unit.code, unit.name, row["old_name"])


def test_spelling_variants_resolve_as_aliases(ref):
    for row in _data_csv("spelling_variants.csv"):
        assert name_key(strip_type(row["alias"])) in ref.communes[row["version"]][row["code"]].alias_keys, row
