"""Ranking on a small hand-written store (:mod:`tests.serve.lookup_store`): what clerks type → the citizen they mean
first — the failing examples of issue 22 among them — with the reading shown and its alternatives; every result in
the user's scope (a commune clerk does not see the neighbouring commune's namesake)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.serve.lookup_store import build

from hopnhat.load.storedb import SQLiteReader
from hopnhat.serve.search.lookup import Found, Lookup
from hopnhat.serve.security.scope import Scope

PROVINCE = Scope(("48",), "48")


@pytest.fixture(scope="module")
def lookup(tmp_path_factory: pytest.TempPathFactory) -> Lookup:
    _, index = build(Path(tmp_path_factory.mktemp("lookup-store")))
    return Lookup(SQLiteReader(index, 5_000), 3_000, 82.0, 20)


def goldens(found: Found) -> list[str]:
    return [g.best.row.get("golden_id") or "" for g in found.groups]


FIRST = [
    # issue 22: names whose words are unit words, read as an address and found nothing
    ("Dương Đức Dũng 1971", "G-DUNG71", "name-year"),
    ("Nguyễn Văn Dương 1980", "G-DUONG80", "name-year"),
    ("Quang Văn Hòa 1965", "G-QUANG65", "name-year"),
    ("Phan Văn Xa", "G-XA58", "name"),
    ("duong duc dung 1985", "G-DUNG85", "name-year"),
    # identifiers: CCCD, an old CMND of someone who holds a CCCD now, phones in 0xx and +84 form
    ("049192004567", "G-LAN92", "id"),
    ("205 123 456", "G-LAN92", "id"),
    ("201.987.654", "G-DUONG62", "id"),
    ("0905.111.222", "G-DUNG71", "phone"),
    ("+84 905 111 222", "G-DUNG71", "phone"),
    ("84987654321", "G-HUNG85BQ", "phone"),
    # names: without diacritics, Telex / VNI keystrokes, a typo, given name first, + year or full date
    ("nguyen van hung 1990", "G-HUNG90", "name-year"),
    ("Nguyeenx Vawn Hufng 1990", "G-HUNG90", "name-year"),
    ("Nguye6n4 Va8n Hu2ng 1990", "G-HUNG90", "name-year"),
    ("Nguyen Van Hugn 1990", "G-HUNG90", "name-year"),
    ("Hùng Nguyễn Văn 1990", "G-HUNG90", "name-year"),
    ("Nguyễn Văn Hùng 12/03/1985", "G-HUNG85BQ", "name-date"),
    ("Nguyễn Văn Hùng 2/11/1985", "G-HUNG85TD", "name-date"),
    ("Nguyễn Thị Hòa 1975", "G-HOA75", "name-year"),
    ("Nguyễn Thị Hoa 1975", "G-HOA75B", "name-year"),
    ("Nguyeenx Thij Hoaf 1975", "G-HOA75", "name-year"),  # the Telex tone says Hòa, not Hoa
    ("Nguyeenx Thij Hoa 1975", "G-HOA75B", "name-year"),  # no tone key: Hoa
    # name + place: the old commune (merged since), its district too, the new commune, no comma, a partial name
    ("Nguyễn Văn Hùng, Bình Quế", "G-HUNG85BQ", "name-place"),
    ("Nguyễn Văn Hùng, Xã Bình Quế, Huyện Thăng Bình", "G-HUNG85BQ", "name-place"),
    ("Nguyễn Văn Hùng, Thăng Phú", "G-HUNG85BQ", "name-place"),
    ("nguyen van hung tam dan", "G-HUNG85TD", "name-place"),
    ("Dũng, Hòa Châu", "G-DUNG71", "name-place"),
    ("Trần Thị Lan, Tam Kỳ", "G-LAN92", "name-place"),
    # given name typed first after a rare family name, or after one that is also a middle name (Đặng / Đăng);
    # a commune typed without diacritics that folds like another (Tam Thanh / Tam Thạnh); a commune named like a
    # province (Bình Định)
    ("Huyền Trát Hoài 1990", "G-HUYEN90", "name-year"),
    ("Huyen Trat Hoai, Tam Thanh", "G-HUYEN90", "name-place"),
    ("Hoàng Đặng Văn 1968", "G-HOANG68", "name-year"),
    ("Dang Van Hoang, Binh Dinh", "G-HOANG68", "name-place"),
    # the first three readings (Vuu in the commune Hòa Phong, an address, an organisation) find no one: the name
    # with a typo, the fourth, is searched too
    ("Vuu Hoa Phong", "G-HOAPHONG", "name"),
    # the spelling typed decides among folded namesakes beyond the first forty read (45 Anh, one Ánh)
    ("Ánh 1976", "G-ANH76", "name-year"),
    ("Lê Thị Ánh", "G-ANH76", "name"),
]


@pytest.mark.parametrize(("text", "golden", "reading"), FIRST, ids=[f[0] for f in FIRST])
def test_the_intended_citizen_comes_first(lookup: Lookup, text: str, golden: str, reading: str) -> None:
    found = lookup.find(text, PROVINCE)
    assert goldens(found)[:1] == [golden], (text, goldens(found)[:5])
    assert found.query.slug == reading


def test_namesakes_of_other_years_are_not_mixed_in(lookup: Lookup) -> None:
    assert "G-DUNG85" not in goldens(lookup.find("Dương Đức Dũng 1971", PROVINCE))


def test_a_name_alone_shows_every_namesake(lookup: Lookup) -> None:
    found = goldens(lookup.find("Nguyen Van Hung", PROVINCE))
    assert {"G-HUNG85BQ", "G-HUNG85TD", "G-HUNG90"} <= set(found[:3])
    assert set(goldens(lookup.find("Dương Đức Dũng", PROVINCE))[:2]) == {"G-DUNG71", "G-DUNG85"}


@pytest.mark.parametrize(("word", "family"), [("Nguyen", "Nguyễn"), ("Trần", "Trần"), ("duong", "Dương")])
def test_one_word_is_a_family_or_given_name(lookup: Lookup, word: str, family: str) -> None:
    found = lookup.find(word, PROVINCE)
    assert found.query.slug == "name" and found.groups
    titles = [g.best.row["title"] for g in found.groups]
    assert all(family.lower() in t.lower() or word.lower() in t.lower() for t in titles) or word == "duong"
    assert any(t.startswith(family) for t in titles)


def test_given_name_and_year(lookup: Lookup) -> None:
    found = goldens(lookup.find("Hùng 1985", PROVINCE))
    assert {"G-HUNG85BQ", "G-HUNG85TD", "G-HUNG-PQ", "G-HUNGLE85", "G-HUNGNM85"} == set(found[:5])
    assert "G-HUNG90" not in found
    # family + given name typed without the middle name: the one of that very name, then those whose family and
    # given name they are (not Lê Nguyễn Hùng, who holds both words)
    found = goldens(lookup.find("Nguyễn Hùng 1985", PROVINCE))
    assert found[0] == "G-HUNGNM85" and set(found[1:4]) == {"G-HUNG85BQ", "G-HUNG85TD", "G-HUNG-PQ"}


@pytest.mark.parametrize(("text", "golden"), [
    ("Nguyễn Hùng 2/11/1985", "G-HUNG85TD"),  # the date decides before the middle name: not Nguyễn Hùng of 7/7
    ("Nguyễn Văn Hùng 11/2/1985", "G-HUNG85TD"),  # day and month swapped: before the one of another day
])
def test_a_full_birth_date_outweighs_a_missing_middle_name(lookup: Lookup, text: str, golden: str) -> None:
    assert goldens(lookup.find(text, PROVINCE))[:1] == [golden]
    # a word that is a family and a given name, with a year: the given name first (46 Lê born 1976 in the store)
    assert goldens(lookup.find("Lê 1976", PROVINCE))[:1] == ["G-LE76"]


def test_golden_record_first_its_records_and_archive_rows_grouped_under_it(lookup: Lookup) -> None:
    found = lookup.find("Dương Đức Dũng 1971", PROVINCE)
    first = found.groups[0]
    assert len({h.row["record_id"] for h in first.hits}) == 2  # the accented and the unaccented record
    assert len(found.groups) == 1
    found = lookup.find("205123456", PROVINCE)  # an old CMND: the citizen as they are now, the archive row under
    first = found.groups[0]
    assert {h.row["kind"] for h in first.hits} == {"legacy", "person"} and first.best.row["golden_id"] == "G-LAN92"
    assert first.best.unified and "049192004567" in first.best.row["ids"]  # the CCCD held now
    view = first.view()
    assert [s["kind"] for s in view["sources"]] == ["archive", "store"] and view["link"] == "/record/person/G-LAN92"


def test_readings_shown_with_switches(lookup: Lookup) -> None:
    """"Hòa Châu" is no one's name here but a commune: the name reading finds nobody, so the address reading (a
    weak one, searched only then) is shown, the name one click away."""
    found = lookup.find("Hòa Châu", PROVINCE)
    assert found.query.slug == "address" and {"G-DUNG71", "G-ANH"} <= set(goldens(found))
    assert [r.query.slug for r in found.others()] == ["name", "org"]
    forced = lookup.find("Hòa Châu", PROVINCE, "name")
    assert forced.forced and forced.query.slug == "name" and forced.groups == []
    found = lookup.find("Dương Đức Dũng 1971", PROVINCE, "address")  # a reading it cannot have: all are searched
    assert not found.forced and goldens(found)[:1] == ["G-DUNG71"]


def test_a_weak_reading_is_not_searched_once_someone_is_found(lookup: Lookup) -> None:
    found = lookup.find("Võ Hòa Phong 1980", PROVINCE)
    assert goldens(found) == ["G-HOAPHONG"] and found.query.slug == "name-year"
    assert [(r.query.slug, r.searched) for r in found.others()] == [("address", False)]  # one click away


def test_an_address_old_or_new_finds_its_residents(lookup: Lookup) -> None:
    old = goldens(lookup.find("Thôn 3, Xã Bình Quế, Huyện Thăng Bình", PROVINCE))
    assert {"G-HUNG85BQ", "G-HUNG-PQ"} <= set(old)
    new = goldens(lookup.find("Xã Thăng Phú", PROVINCE))
    assert {"G-HUNG85BQ", "G-HOA75", "G-XA58"} <= set(new)


def test_a_commune_clerk_sees_only_their_commune(lookup: Lookup) -> None:
    """Tam Dân's clerk asks for Nguyễn Văn Hùng 1985: the Bình Quế namesake is not theirs to see."""
    commune = lookup.find("Nguyễn Văn Hùng, Tam Dân", PROVINCE).groups[0].best.row["new_commune"]
    clerk = Scope((commune,), "48")
    found = goldens(lookup.find("Nguyễn Văn Hùng 1985", clerk))
    assert found == ["G-HUNG85TD"]
    assert goldens(lookup.find("0987654321", clerk)) == []  # the Bình Quế Hùng's phone
