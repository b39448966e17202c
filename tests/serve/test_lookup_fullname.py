"""A full name alone, on the hand-written store (:mod:`tests.serve.lookup_store`) read with fewer candidates than
its most crowded name block holds (100 Nguyễn Thị Trang before the one Nguyễn Thanh Trang, as a common name's block
holds tens of thousands at 3 M persons): the person meant is found by their name — typed right, with a slip in the
family, middle or given name, or given name first — not by the luck of where the block was cut; a name whose last
words are a commune is not beaten by that commune's namesakes of its first words."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.serve.lookup_store import build

from hopnhat.load.storedb import SQLiteReader
from hopnhat.serve.search.lookup import Found, Lookup
from hopnhat.serve.search.readings import readings
from hopnhat.serve.search.vocabulary import NameVocabulary
from hopnhat.serve.security.scope import Scope

PROVINCE = Scope(("48",), "48")
CANDIDATES = 40  # fewer than the block of Nguyễn T… Trang holds


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(Path(tmp_path_factory.mktemp("lookup-fullname")))[1]


@pytest.fixture(scope="module")
def lookup(index: Path) -> Lookup:
    return Lookup(SQLiteReader(index, 5_000), CANDIDATES, 82.0, 20)


def goldens(found: Found) -> list[str]:
    return [g.best.row.get("golden_id") or "" for g in found.groups]


@pytest.mark.parametrize("text", [
    "Nguyễn Thanh Trang",  # typed right
    "nguyen thanh trang",
    "Trang Nguyễn Thanh",  # given name first
    "nguyen thnah trang",  # two letters swapped in the middle name
    "nuyen thanh trang",  # a letter dropped in the family name
    "nguyen thanh trangg",  # a letter doubled in the given name
    "nguyen thanh tarng",  # swapped letters that also read as a Telex tone (r: hỏi)
])
def test_a_rare_name_in_a_crowded_block_comes_first(lookup: Lookup, text: str) -> None:
    found = lookup.find(text, PROVINCE)
    assert goldens(found)[:1] == ["G-TRANG83"], (text, goldens(found)[:5])


def test_a_common_name_still_shows_its_bearers(lookup: Lookup) -> None:
    found = goldens(lookup.find("Nguyễn Thị Trang", PROVINCE))
    assert len(found) == 20 and all(g.startswith("G-TRANG-") for g in found)


def test_a_name_ending_in_a_commune_is_the_whole_name_first(lookup: Lookup) -> None:
    found = lookup.find("Huỳnh Văn Duy Tiến Lộc", PROVINCE)
    assert goldens(found)[:1] == ["G-DUYTL"], goldens(found)[:5]
    assert set(goldens(found)[1:3]) == {"G-DUY-0", "G-DUY-1"}  # the commune's namesakes right after
    assert {r.query.slug for r in found.others()} >= {"name-place"}


def test_chi_nhanh_unspelt_is_a_name_too() -> None:
    assert readings("phan chi nhanh", "48")[0].slug == "name"
    assert readings("Công ty TNHH Phan Chi Nhánh", "48")[0].slug == "org"


def test_the_vocabulary_corrects_a_word_to_the_names_the_index_holds(index: Path) -> None:
    vocabulary = NameVocabulary(SQLiteReader(index, 5_000))
    assert {"nguyen", "tran", "le", "phan", "huynh"} <= vocabulary.words("f")
    assert "nguyen" in vocabulary.corrections("nuyen", "f")
    assert vocabulary.corrections("tarng", "g")[:1] == ["trang"]
    assert "trang" not in vocabulary.corrections("trang", "g")


def test_a_commune_clerk_reads_the_full_name_in_their_commune_only(lookup: Lookup) -> None:
    hoa_nhon = lookup.find("nguyen thanh trang", PROVINCE).groups[0].best.row["new_commune"]
    assert goldens(lookup.find("nguyen thanh trang", Scope((hoa_nhon,), "48")))[:1] == ["G-TRANG83"]
    other = next(c for c in ("20401", "20878") if c != hoa_nhon)
    assert "G-TRANG83" not in goldens(lookup.find("nguyen thanh trang", Scope((other,), "48")))
