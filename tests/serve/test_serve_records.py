"""Record pages: golden record with per-field provenance, source rows, old → new address, dossiers, parcels, events;
the logged reveal of an identifier."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.serve.conftest import Subjects, csrf_of

from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.security import audit
from hopnhat.serve.security.mask import mask


def test_record_page_shows_provenance_sources_and_address(client_as, subjects: Subjects) -> None:
    page = client_as("clerk").get(f"/record/person/{subjects.a.golden_id}")
    assert page.status_code == 200
    text = page.text
    assert subjects.a.name in text and 'id="fields"' in text
    assert "Hộ tịch - dân cư" in text and subjects.a.record_id.split("/")[1] in text  # system and table of each field
    assert 'id="sources"' in text and "Dòng gốc trong kho lưu trữ" in text
    assert 'id="address"' in text and f"({subjects.a.commune})" in text  # the new commune, with its code
    assert subjects.a.id_number not in text and mask(subjects.a.id_number) in text


def test_record_page_of_a_person_with_dossiers_parcels_or_events(ctx, client_as) -> None:
    rows = ctx.reader.rows(
        "SELECT p.golden_id FROM person p JOIN parcel l ON l.holder_id = coalesce(p.id_number, p.cccd, p.cmnd) "
        "WHERE p.golden_id IS NOT NULL ORDER BY 1", limit=1)
    page = client_as("admin").get(f"/record/person/{rows[0]['golden_id']}")
    assert 'id="parcels"' in page.text
    rows = ctx.reader.rows(
        "SELECT p.golden_id FROM person p JOIN dossier d ON d.applicant_id = coalesce(p.id_number, p.cccd, p.cmnd) "
        "WHERE p.golden_id IS NOT NULL ORDER BY 1", limit=1)
    assert 'id="dossiers"' in client_as("admin").get(f"/record/person/{rows[0]['golden_id']}").text
    rows = ctx.reader.rows(
        "SELECT p.golden_id FROM person p JOIN person_event e ON e.src_source = p.src_source AND "
        "e.person_key = p.src_key WHERE p.golden_id IS NOT NULL ORDER BY 1", limit=1)
    assert 'id="events"' in client_as("admin").get(f"/record/person/{rows[0]['golden_id']}").text


def test_dossier_organization_and_archive_pages(ctx, client_as, subjects: Subjects) -> None:
    client = client_as("admin")
    rid = ctx.reader.rows("SELECT record_id FROM dossier WHERE code = ?", [subjects.dossier_code])[0]["record_id"]
    page = client.get(f"/record/dossier/{rid}")
    assert page.status_code == 200 and subjects.dossier_code in page.text
    gid = ctx.reader.rows("SELECT golden_id FROM organization WHERE tax_code = ?", [subjects.tax_code])[0]
    assert client.get(f"/record/organization/{gid['golden_id']}").status_code == 200
    row = ctx.reader.rows("SELECT src_source, src_table, src_row FROM person WHERE record_id = ?",
                          [subjects.a.record_id])[0]
    archive = client.get(f"/archive/{row['src_source']}__{row['src_table']}/{row['src_row']}")
    assert archive.status_code == 200 and 'id="archive-row"' in archive.text
    assert client.get("/record/nosuch/x").status_code == 404
    assert client.get("/archive/nosuch__table/1").status_code == 404


def test_reveal_shows_the_full_identifier_and_is_logged(client_as, db: AppDB, subjects: Subjects) -> None:
    client = client_as("clerk")
    page = client.get(f"/record/person/{subjects.a.golden_id}")
    field = next(f for f in ("cccd", "id_number") if f'id="reveal-{f}"' in page.text)
    response = client.post("/reveal", data={"entity": "person", "key": subjects.a.golden_id, "field": field,
                                            "csrf_token": csrf_of(page.text)})
    assert response.status_code == 200 and subjects.a.id_number in response.text
    entry = audit.entries(db, "clerk", "reveal", 1)[0]
    assert entry["detail"] == {"entity": "person", "key": subjects.a.golden_id, "field": field}
    assert subjects.a.id_number not in str(entry["detail"])  # the log says what was revealed, not the value


def test_reveal_needs_csrf_and_the_permission(client_as, subjects: Subjects) -> None:
    data = {"entity": "person", "key": subjects.a.golden_id, "field": "cccd"}
    assert client_as("clerk").post("/reveal", data=data).status_code == 403  # no CSRF token
    engineer = client_as("engineer")  # may look up, may not reveal
    token = csrf_of(engineer.get("/lookup").text)
    assert engineer.post("/reveal", data={**data, "csrf_token": token}).status_code == 403
    assert client_as("clerk").post("/reveal", data={**data, "field": "full_name",
                                                    "csrf_token": csrf_of(client_as("clerk").get("/lookup").text)}
                                   ).status_code == 404


def test_api_record_and_reveal(app, tokens: dict[str, str], db: AppDB, subjects: Subjects) -> None:
    client = TestClient(app)
    auth = {"Authorization": f"Bearer {tokens['admin']}"}
    data = client.get(f"/api/record/person/{subjects.a.golden_id}", headers=auth).json()
    assert data["entity"] == "person" and data["members"] and subjects.a.id_number not in str(data)
    field = next(f["name"] for f in data["fields"] if f["identifier"] and f["name"] in ("cccd", "id_number"))
    revealed = client.post("/api/reveal", json={"entity": "person", "key": subjects.a.golden_id, "field": field},
                           headers=auth).json()
    assert revealed["value"] == subjects.a.id_number
    assert audit.entries(db, "admin", "reveal", 1)[0]["detail"]["api"] is True
    assert client.post("/api/reveal", json={"entity": "person"}, headers=auth).status_code == 422
