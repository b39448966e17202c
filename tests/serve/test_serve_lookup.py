"""One search box over the unified store and the legacy archives: IDs, names (with or without diacritics, misspelt,
+ birth year), old or new addresses, dossier codes, tax codes, parcels (old or new commune); results show where each
came from; every lookup is audited."""

from __future__ import annotations

import gc
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rapidfuzz import fuzz
from tests.serve.conftest import Subjects

from hopnhat.load.lookup_index import read_doc
from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.search.lookup import classify, name_scores
from hopnhat.serve.security import audit
from hopnhat.serve.security.scope import Scope
from hopnhat.text.normalize import fold


def misspell(name: str) -> str:
    """Unaccented, lower case, and the given name's second letter doubled: 'Nguyễn Văn Hùng' → 'nguyen van huung'."""
    words = fold(name).lower().split()
    words[-1] = words[-1][:2] + words[-1][1:] if len(words[-1]) > 1 else words[-1] + "h"
    return " ".join(words)


def links(html: str) -> list[str]:
    return re.findall(r'class="open" href="([^"]+)"', html)


@pytest.mark.parametrize(("text", "kind"), [
    ("049193639832", "id"), ("205 108 971", "id"), ("4069522482-001", "id"), ("0402088741", "id"),
    ("4804004-240601-0001", "dossier"), ("000.00.15.H49-240601-0001", "dossier"), ("20392 3 1", "parcel"),
    ("tờ 3 thửa 1 Tam Dân", "parcel"), ("Thửa đất số 12, tờ bản đồ số 4, xã Bình Quế", "parcel"),
    ("nguyen van hung 1985", "name"), ("NGUYỄN THỊ LAN", "name"),
    ("Thôn 3, Xã Bình Quế, Huyện Thăng Bình", "address"), ("phường Hải Châu", "address"), ("", "empty"),
])
def test_the_search_box_reads_what_was_typed(text: str, kind: str) -> None:
    assert classify(text).kind == kind


def test_vectorised_name_scores_equal_the_per_candidate_ones() -> None:
    """The block is scored in one rapidfuzz call per measure: the scores must be exactly the per-pair ones."""
    query = "nguyen van huung"
    block = ["nguyen van hung", "nguyen van hung", "van hung nguyen", "nguyen hung", "tran thi lan", "nguyen van",
             "hung", "nguyen vann hungg", "nguyen van hung"]
    scores = name_scores(query, block)
    assert set(scores) == set(block)
    for name in block:
        want = max(fuzz.ratio(query, name), 0.95 * fuzz.token_sort_ratio(query, name),
                   0.9 * fuzz.token_set_ratio(query, name))
        assert scores[name] == want
    assert scores["nguyen van hung"] > scores["van hung nguyen"] > scores["tran thi lan"]
    assert name_scores(query, []) == {}


def test_year_is_taken_from_the_name() -> None:
    q = classify("Nguyễn Văn Hùng 1985")
    assert (q.kind, q.name, q.year) == ("name", "nguyen van hung", 1985)


def test_by_cccd(client_as, subjects: Subjects) -> None:
    page = client_as("clerk").get("/lookup", params={"q": subjects.a.id_number})
    assert f"/record/person/{subjects.a.golden_id}" in links(page.text)
    assert subjects.a.name in page.text


def test_by_misspelt_unaccented_name_and_birth_year(client_as, subjects: Subjects) -> None:
    query = f"{misspell(subjects.a.name)} {subjects.a.birth_year}"
    page = client_as("clerk").get("/lookup", params={"q": query})
    assert links(page.text)[0] == f"/record/person/{subjects.a.golden_id}", query


def test_by_name_with_diacritics_any_case(client_as, subjects: Subjects) -> None:
    page = client_as("clerk").get("/lookup", params={"q": subjects.b.name.upper()})
    assert f"/record/person/{subjects.b.golden_id}" in links(page.text)


def test_by_misspelt_name_without_year(ctx, subjects: Subjects) -> None:
    _, groups = ctx.lookup.search(misspell(subjects.b.name), Scope(("48",), "48"))
    assert any(g.best.row.get("golden_id") == subjects.b.golden_id for g in groups)


def test_by_old_and_new_address(ctx, subjects: Subjects) -> None:
    rows = ctx.reader.rows("SELECT address, address_old_commune_code AS old, address_new_commune_code AS new "
                           "FROM person WHERE record_id = ?", [subjects.a.record_id])[0]
    scope = Scope(("48",), "48")
    q, groups = ctx.lookup.search(rows["address"], scope)
    assert q.kind == "address"
    assert any(g.best.row.get("golden_id") == subjects.a.golden_id for g in groups)
    from hopnhat.units.reference import reference

    new_name = reference().communes["new"][rows["new"]].name
    q, groups = ctx.lookup.search(f"{new_name}, Thành phố Đà Nẵng", scope)
    assert q.kind == "address" and groups
    assert all(rows["new"] in (g.best.row.get("new_commune"), *(g.best.row.get("candidates") or "").split(";"))
               for g in groups)


def test_by_dossier_code_and_tax_code(client_as, subjects: Subjects) -> None:
    client = client_as("admin")
    page = client.get("/lookup", params={"q": subjects.dossier_code})
    assert any(link.startswith("/record/dossier/") for link in links(page.text))
    assert subjects.dossier_code in page.text
    page = client.get("/lookup", params={"q": subjects.tax_code})
    assert any(link.startswith("/record/organization/") for link in links(page.text))


def test_by_parcel_old_or_new_commune(ctx, subjects: Subjects) -> None:
    p, scope = subjects.parcel, Scope(("48",), "48")
    for commune in (p["old"], p["new"]):
        _, groups = ctx.lookup.search(f"{commune} {p['map_sheet']} {p['parcel_number']}", scope)
        assert any(g.best.row.get("record_id") == p["record_id"] for g in groups), commune


def test_results_say_where_they_came_from(client_as, subjects: Subjects) -> None:
    page = client_as("clerk").get("/lookup", params={"q": subjects.a.id_number})
    assert "kho hợp nhất" in page.text and "lưu trữ cũ" in page.text  # the record and its archived source row
    assert "Hộ tịch - dân cư" in page.text


def test_archive_only_rows_are_found(ctx, client_as, subjects: Subjects) -> None:
    """A quarantined row never became a record, but the legacy archive still answers for it."""
    q = subjects.quarantined
    table = f"{q['src_source']}__{q['src_table']}"
    docs = [read_doc(r["doc"]) for r in ctx.lookup.index.rows("SELECT doc FROM doc")]
    found = [d for d in docs if d["legacy_table"] == table and d["legacy_row"] == q["src_row"]]
    assert found, "the quarantined row is in the index"
    doc = found[0]
    assert doc["in_store"] is False
    needle = doc["ids"][0] if doc["ids"] else doc["title"]
    page = client_as("admin").get("/lookup", params={"q": needle})
    assert f"/archive/{table}/{q['src_row']}" in links(page.text)
    assert client_as("admin").get(f"/archive/{table}/{q['src_row']}").status_code == 200


def test_identifiers_are_masked_in_results(client_as, subjects: Subjects) -> None:
    page = client_as("clerk").get("/lookup", params={"q": misspell(subjects.a.name) + f" {subjects.a.birth_year}"})
    results = page.text.split('id="results"')[1]
    assert subjects.a.id_number not in results
    assert subjects.a.id_number[0] + "*" * (len(subjects.a.id_number) - 4) + subjects.a.id_number[-3:] in results


def test_every_lookup_is_audited(client_as, db: AppDB, subjects: Subjects) -> None:
    client_as("clerk").get("/lookup", params={"q": subjects.b.id_number})
    entry = audit.entries(db, "clerk", "lookup", 1)[0]
    assert entry["detail"]["q"] == subjects.b.id_number and entry["detail"]["kind"] == "id"


def test_api_lookup(app, tokens: dict[str, str], subjects: Subjects) -> None:
    client = TestClient(app)
    response = client.get("/api/lookup", params={"q": subjects.a.id_number},
                          headers={"Authorization": f"Bearer {tokens['admin']}"})
    data = response.json()
    assert response.status_code == 200 and data["kind"] == "id"
    assert any(r["golden_id"] == subjects.a.golden_id for r in data["results"])
    assert subjects.a.id_number not in response.text.replace(f'"query":"{subjects.a.id_number}"', "")
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    phone = client.get("/api/lookup", params={"q": "0905123456"}, headers=admin)
    assert (phone.json()["reading"], phone.json()["readings"]) == ("phone", ["id"])
    chosen = client.get("/api/lookup", params={"q": "0905123456", "as": "id"},
                        headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert chosen.json()["reading"] == "id"
    assert client.get("/api/lookup", params={"q": "x"}, headers={"Authorization": "Bearer nope"}).status_code == 401
    leader = client.get("/api/lookup", params={"q": "x"}, headers={"Authorization": f"Bearer {tokens['leader']}"})
    assert leader.status_code == 403 and leader.json()["error"]["code"] == "forbidden"


def test_a_started_app_keeps_its_long_lived_objects_out_of_the_garbage_collector(app: FastAPI) -> None:
    """Start-up objects (reference data, routes …) are frozen, so a full collection does not stall every request
    for the time it takes to walk them."""
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    with TestClient(app) as started:
        assert started.get("/health").status_code == 200
        assert gc.get_freeze_count() > 10_000


def test_the_page_shows_the_reading_and_switches_to_another(client_as, db: AppDB, subjects: Subjects) -> None:
    """"Hiểu là" names the reading that found the first result; each other reading is one click away, and the
    clerk's choice is searched alone, shown as chosen and audited."""
    client = client_as("clerk")
    page = client.get("/lookup", params={"q": f"{subjects.a.name} {subjects.a.birth_year}"})
    assert 'data-reading="name-year"' in page.text and "họ tên + năm sinh" in page.text
    assert links(page.text)[0] == f"/record/person/{subjects.a.golden_id}"
    page = client.get("/lookup", params={"q": "0905123456"})
    assert 'id="reading" data-reading="phone"' in page.text
    switch = re.search(r'class="reading" data-reading="id" href="([^"]+)"', page.text)
    assert switch, "a one-click switch to the ID reading"
    chosen = client.get(switch.group(1).replace("&amp;", "&"))
    assert 'id="reading" data-reading="id"' in chosen.text and "theo cách đọc bạn chọn" in chosen.text
    entry = audit.entries(db, "clerk", "lookup", 1)[0]
    assert entry["detail"]["reading"] == "id" and entry["detail"]["forced"] is True
    english = client.get("/lookup", params={"q": "0905123456", "lang": "en"})
    assert "Read as" in english.text and "phone number" in english.text and "Read it another way" in english.text
    client.get("/lookup", params={"lang": "vi"})


def test_a_name_of_unit_words_is_a_name(client_as, subjects: Subjects) -> None:
    """Issue 22: a name whose words are also unit words (Dương, Quang, Hòa, Xa …) was read as an address and found
    nothing; every citizen of the estate whose name holds such a word is found by name + birth year."""
    import duckdb
    from tests.serve.conftest import _rows

    client = client_as("admin")
    # the estate's citizens with a unit word in their name (the estate is read, the queries are the names as is)
    con = duckdb.connect(str(client.app.state.ctx.project.store_path), read_only=True)
    try:
        people = _rows(con, "SELECT golden_id, any_value(full_name) AS name, any_value(year(birth_date)) AS y "
                            "FROM person WHERE golden_id IS NOT NULL AND birth_date IS NOT NULL AND regexp_matches("
                            "full_name, '(^| )(Dương|Quang|Hòa|Xa|Sơn|Bình|Hải|Phú)( |$)') GROUP BY golden_id "
                            "ORDER BY golden_id LIMIT 15")
    finally:
        con.close()
    assert people
    for p in people:
        page = client.get("/lookup", params={"q": f"{p['name']} {p['y']}"})
        assert f"/record/person/{p['golden_id']}" in links(page.text)[:5], p
