"""Injection strings in every search field and parameter change nothing: no error, no data out of scope, the store
untouched, HTML escaped."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.serve.conftest import Subjects

from hopnhat.load.lookup_index import fingerprint

PAYLOADS = [
    "' OR '1'='1", "' OR 1=1 --", "'; DROP TABLE person; --", '" OR ""="', "1; DELETE FROM quarantine",
    "%' OR '%'='", "x' UNION SELECT name, password_hash FROM users --", "') OR ('a'='a", "\\'; SELECT 1; --",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "../../../../etc/passwd", "${7*7}{{7*7}}",
    "20194' OR '1'='1 3 1", "Nguyễn' OR 1=1 -- 1985", "0'; ATTACH '/tmp/x.db' AS x; --", "?", "%s %s", "\u0000",
    "a" * 5000, "; COPY person TO '/tmp/leak.csv'",
]
PAGES = [("/lookup", "q"), ("/review", "status"), ("/review", "kind"), ("/dashboard/quarantine", "reason"),
         ("/dashboard/quarantine", "source"), ("/dashboard/quarantine", "table"), ("/audit", "action"),
         ("/audit", "actor"), ("/review/item", "key")]


@pytest.fixture(scope="module")
def before(ctx) -> str:
    return fingerprint(ctx.reader)


@pytest.mark.parametrize(("path", "param"), PAGES)
def test_injection_in_every_page_parameter(client_as, path: str, param: str) -> None:
    client = client_as("admin")
    for payload in PAYLOADS:
        response = client.get(path, params={param: payload})
        assert response.status_code in (200, 400, 404, 422), (path, param, payload, response.status_code)
        assert "<script>alert(1)</script>" not in response.text
        assert "onerror=alert(1)>" not in response.text


def test_injection_gives_a_commune_clerk_nothing_out_of_scope(client_as, subjects: Subjects) -> None:
    client = client_as("clerk_a")
    for payload in PAYLOADS + [f"{subjects.b.id_number}' OR '1'='1", f"{subjects.b.name}' OR 1=1 --"]:
        page = client.get("/lookup", params={"q": payload})
        assert page.status_code == 200
        assert subjects.b.golden_id not in page.text


def test_injection_in_path_parameters(client_as) -> None:
    client = client_as("admin")
    for path in ("/record/person/x' OR '1'='1", "/record/person%27%3B%20DROP%20TABLE%20person%3B--/x",
                 "/archive/person\"; DROP TABLE person; --/1", "/archive/legacy.x/1", "/record/dossier/' OR 1=1 --"):
        assert client.get(path).status_code in (400, 404, 422), path


def test_injection_through_the_api(app, tokens, subjects: Subjects) -> None:
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {tokens['clerk_a']}"}
    for payload in PAYLOADS:
        response = client.get("/api/lookup", params={"q": payload}, headers=headers)
        assert response.status_code == 200
        assert all(r["golden_id"] != subjects.b.golden_id for r in response.json()["results"])
        reveal = client.post("/api/reveal", json={"entity": "person", "key": payload, "field": "cccd"},
                             headers=headers)
        assert reveal.status_code in (400, 404, 422)


def test_the_store_is_unchanged(ctx, before: str, client_as) -> None:
    for payload in PAYLOADS:
        client_as("admin").get("/lookup", params={"q": payload})
    assert fingerprint(ctx.reader) == before
    assert ctx.reader.rows("SELECT count(*) AS n FROM person")[0]["n"] > 0


def test_the_store_connection_is_read_only(ctx) -> None:
    from hopnhat.load.storedb import StoreError

    for sql in ("CREATE TABLE evil (i INTEGER)", "DELETE FROM person", "UPDATE person SET full_name = 'x'"):
        with pytest.raises(StoreError):
            ctx.reader.rows(sql)
