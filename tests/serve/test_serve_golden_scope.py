"""A golden record as a commune user sees it: values from the linked records in their scope only.

The subject is a citizen with two linked records in two communes of the two old provinces, whose golden CMND and
address come from one of them (B) while the other (A) has no CMND and another address. A clerk of A's commune must
not see B's values — masked or not, on the page, in the JSON API, through a reveal — and is told how many linked
records are outside the scope; a user of the whole province sees the stored golden record."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.serve.conftest import PASSWORD, csrf_of, login

from hopnhat.link.golden import survive
from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.security import audit
from hopnhat.serve.security.mask import mask
from hopnhat.serve.security.users import add_user, create_token


@dataclass(frozen=True)
class Split:
    golden_id: str
    a: dict[str, Any]  # the member in the clerk's commune
    b: dict[str, Any]  # the member elsewhere that the golden CMND and address come from
    golden: dict[str, Any]


@pytest.fixture(scope="module")
def split(ctx: Any) -> Split:
    """Read straight from the store (not through the app)."""
    rows = ctx.reader.rows("""
        SELECT g.golden_id, b.record_id AS b_id, a.record_id AS a_id
        FROM golden_person g
        JOIN person b ON b.golden_id = g.golden_id
          AND b.record_id = json_extract_string(g.provenance, '$.cmnd')
          AND b.record_id = json_extract_string(g.provenance, '$.address')
        JOIN person a ON a.golden_id = g.golden_id AND a.record_id <> b.record_id
        WHERE g.n_records = 2 AND a.src_province <> b.src_province
          AND a.address_new_commune_code <> b.address_new_commune_code
          AND a.address_candidates IS NULL AND b.address_candidates IS NULL
          AND g.cmnd IS NOT NULL AND coalesce(a.cmnd, CASE WHEN a.id_number_kind = 'cmnd' THEN a.id_number END) IS NULL
          AND a.address <> b.address
        ORDER BY g.golden_id""", limit=1)
    assert rows, "the estate has no citizen linked across the two provinces with a CMND on one side only"
    row = rows[0]
    a = ctx.reader.rows("SELECT * FROM person WHERE record_id = ?", [row["a_id"]])[0]
    b = ctx.reader.rows("SELECT * FROM person WHERE record_id = ?", [row["b_id"]])[0]
    golden = ctx.reader.rows("SELECT * FROM golden_person WHERE golden_id = ?", [row["golden_id"]])[0]
    return Split(row["golden_id"], a, b, golden)


def _b_only(split: Split) -> dict[str, str]:
    """B's identifiers and address that A does not hold (field → value)."""
    held = {str(v) for v in split.a.values() if v is not None}
    fields = ("cccd", "cmnd", "id_number", "phone", "address")
    return {f: str(split.b[f]) for f in fields if split.b.get(f) and str(split.b[f]) not in held}


def _forms(value: str, field: str) -> set[str]:
    return {value, mask(value)} if field != "address" else {value}


@pytest.fixture(scope="module")
def clerk(app: Any, db: AppDB, split: Split) -> TestClient:
    add_user(db, "clerk_gold", "clerk", PASSWORD, split.a["address_new_commune_code"])
    client = TestClient(app, base_url="http://testserver", headers={"Sec-Fetch-Site": "same-origin"})
    assert login(client, "clerk_gold").status_code == 303
    return client


def test_the_subject_is_what_the_test_needs(split: Split) -> None:
    b_only = _b_only(split)
    assert {"cmnd", "address"} <= set(b_only) or {"id_number", "address"} <= set(b_only), b_only
    assert split.golden["address"] == split.b["address"]


def test_a_clerk_sees_no_value_only_a_record_outside_the_scope_holds(clerk: TestClient, split: Split) -> None:
    page = clerk.get(f"/record/person/{split.golden_id}")
    assert page.status_code == 200
    for field, value in _b_only(split).items():
        assert not {v for v in _forms(value, field) if v in page.text}, field
    assert split.b["record_id"] not in page.text and split.b["src_key"] not in page.text
    assert 'id="withheld"' in page.text and "1 bản ghi liên kết nằm ngoài phạm vi của bạn" in page.text
    assert split.a["address"] in page.text  # the address among the records in scope takes the golden's place
    if split.a.get("phone"):
        assert mask(split.a["phone"]) in page.text


def test_the_count_note_is_in_english_too(clerk: TestClient, split: Split) -> None:
    english = clerk.get(f"/record/person/{split.golden_id}?lang=en")
    assert "1 linked records are outside your scope" in english.text
    assert "bản ghi liên kết" in clerk.get(f"/record/person/{split.golden_id}?lang=vi").text


def test_the_api_gives_the_golden_of_the_scope(app: Any, db: AppDB, clerk: TestClient, split: Split) -> None:
    token = create_token(db, "clerk_gold", "tests")
    answer = TestClient(app).get(f"/api/record/person/{split.golden_id}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    body = answer.json()
    text = json.dumps(body, ensure_ascii=False)
    for field, value in _b_only(split).items():
        assert not {v for v in _forms(value, field) if v in text}, field
    assert split.b["record_id"] not in text
    assert body["withheld"] == 1 and body["golden"]["n_records"] == 1
    provenance = {f["name"]: f["record_id"] for f in body["fields"]}
    assert set(provenance.values()) <= {split.a["record_id"]}
    assert json.loads(body["golden"]["provenance"]).keys() >= {"address", "cmnd"}


def test_a_reveal_cannot_reach_the_value_outside_the_scope(app: Any, db: AppDB, clerk: TestClient,
                                                           split: Split) -> None:
    token = csrf_of(clerk.get("/lookup").text)
    for field, value in _b_only(split).items():
        if field == "address":
            continue
        response = clerk.post("/reveal", data={"entity": "person", "key": split.golden_id, "field": field,
                                               "csrf_token": token})
        assert response.status_code == 404 or split.a.get(field), field  # A's own value may be revealed
        assert value not in response.text and mask(value) not in response.text, field
    api = create_token(db, "clerk_gold", "tests-reveal")
    answer = TestClient(app).post("/api/reveal", json={"entity": "person", "key": split.golden_id, "field": "cmnd"},
                                  headers={"Authorization": f"Bearer {api}"})
    assert answer.status_code == 404


def test_the_record_view_audit_notes_the_withheld_count(db: AppDB, clerk: TestClient, split: Split) -> None:
    clerk.get(f"/record/person/{split.golden_id}")
    entry = audit.entries(db, "clerk_gold", "record_view", 1)[0]
    assert entry["detail"] == {"entity": "person", "key": split.golden_id, "withheld": 1}


def test_users_of_the_whole_province_see_the_stored_golden(client_as, db: AppDB, split: Split) -> None:
    for user in ("admin", "engineer"):
        page = client_as(user).get(f"/record/person/{split.golden_id}")
        assert page.status_code == 200 and 'id="withheld"' not in page.text
        assert split.golden["address"] in page.text and mask(str(split.golden["cmnd"])) in page.text
        assert audit.entries(db, user, "record_view", 1)[0]["detail"] == {"entity": "person",
                                                                          "key": split.golden_id}


def test_survivorship_over_every_member_gives_the_stored_golden(ctx: Any, project: Any) -> None:
    """The page's rebuild uses the golden build's own rules: over all members it reproduces the stored rows."""
    sample = ctx.reader.rows("SELECT golden_id FROM golden_person WHERE n_records > 1 ORDER BY golden_id", limit=40)
    ids = [r["golden_id"] for r in sample]
    members = ctx.reader.arrow("SELECT *, 0 AS _run_rank FROM person WHERE golden_id IN (SELECT unnest(?))", [ids])
    rebuilt = {g["golden_id"]: g for g in survive(members, "person", project.config.linkage.survivorship,
                                                  project.config.linkage.source_trust)}
    for stored in ctx.reader.rows("SELECT * FROM golden_person WHERE golden_id IN (SELECT unnest(?))", [ids]):
        got = rebuilt[stored["golden_id"]]
        for name in ("full_name", "birth_date", "cccd", "cmnd", "phone", "address", "address_new_commune_code"):
            assert got[name] == stored[name], (stored["golden_id"], name)
        assert got["provenance"] == json.loads(stored["provenance"])
