"""A commune clerk sees the citizens of their commune only: in lookups, by URL, through the API, for reveals."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.serve.conftest import Subjects, csrf_of

from hopnhat.load.storedb import Dialect
from hopnhat.serve.security.scope import Scope, parse_codes, predicate


def test_clerk_finds_own_commune_citizen(client_as, subjects: Subjects) -> None:
    page = client_as("clerk_a").get("/lookup", params={"q": subjects.a.id_number})
    assert f"/record/person/{subjects.a.golden_id}" in page.text
    assert client_as("clerk_a").get(f"/record/person/{subjects.a.golden_id}").status_code == 200


def test_clerk_cannot_find_another_commune_citizen(client_as, subjects: Subjects) -> None:
    client = client_as("clerk_a")
    for q in (subjects.b.id_number, subjects.b.name, f"{subjects.b.name} {subjects.b.birth_year}"):
        page = client.get("/lookup", params={"q": q})
        assert subjects.b.golden_id not in page.text, q
    assert subjects.b.golden_id in client_as("clerk_b").get("/lookup", params={"q": subjects.b.id_number}).text


def test_clerk_cannot_open_another_commune_record_by_url(ctx, client_as, subjects: Subjects) -> None:
    client = client_as("clerk_a")
    assert client.get(f"/record/person/{subjects.b.golden_id}").status_code == 404
    assert client.get(f"/record/person/{subjects.b.record_id}").status_code == 404
    row = ctx.reader.rows("SELECT src_source, src_table, src_row FROM person WHERE record_id = ?",
                          [subjects.b.record_id])[0]
    archive = f"/archive/{row['src_source']}__{row['src_table']}/{row['src_row']}"
    assert client.get(archive).status_code == 404
    assert client_as("clerk_b").get(archive).status_code == 200
    token = csrf_of(client.get("/lookup").text)
    for field in ("cccd", "id_number"):
        response = client.post("/reveal", data={"entity": "person", "key": subjects.b.golden_id, "field": field,
                                                "csrf_token": token})
        assert response.status_code == 404
        assert subjects.b.id_number not in response.text


def test_clerk_cannot_reach_another_commune_through_the_api(app, tokens, subjects: Subjects) -> None:
    client = TestClient(app)
    a = {"Authorization": f"Bearer {tokens['clerk_a']}"}
    found = client.get("/api/lookup", params={"q": subjects.b.id_number}, headers=a).json()["results"]
    assert all(r["golden_id"] != subjects.b.golden_id for r in found)
    assert client.get(f"/api/record/person/{subjects.b.golden_id}", headers=a).status_code == 404
    reveal = client.post("/api/reveal", json={"entity": "person", "key": subjects.b.golden_id, "field": "cccd"},
                         headers=a)
    assert reveal.status_code == 404
    own = client.get(f"/api/record/person/{subjects.a.golden_id}", headers=a)
    assert own.status_code == 200


def test_in_flight_dossiers_are_scoped(ctx, subjects: Subjects) -> None:
    cutover, today = ctx.project.config.merged_unit.cutover, ctx.settings.day()
    everyone = ctx.dashboard.in_flight(Scope(("48",), "48"), cutover, today)
    mine = ctx.dashboard.in_flight(Scope((subjects.commune_a,), "48"), cutover, today)
    assert len(mine) < len(everyone)
    for r in mine:
        codes = {r.get("receiving_unit_new_commune_code"), *(r.get("receiving_unit_candidates") or "").split(";")}
        applicant = ctx.reader.rows("SELECT applicant_address_new_commune_code AS c, applicant_address_candidates AS k "
                                    "FROM dossier WHERE record_id = ?", [r["record_id"]])[0]
        codes |= {applicant["c"], *(applicant["k"] or "").split(";")}
        assert subjects.commune_a in codes


def test_scope_codes_are_validated_and_bound_as_parameters() -> None:
    assert parse_codes("48") == ("48",) and parse_codes("20194, 20197") == ("20194", "20197")
    for bad in ("48' OR '1'='1", "2019", "abc"):
        try:
            parse_codes(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
    sql, params = predicate(Scope(("20194",), "48"), Dialect("duckdb"), "person",
                            {"address_new_province_code", "address_new_commune_code", "address_candidates"})
    assert "20194" not in sql and params == [["20194"]]
    assert predicate(Scope(("48",), "48"), Dialect("duckdb"), "person", set()) == ("TRUE", [])
