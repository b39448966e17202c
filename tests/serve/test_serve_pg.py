"""The same web app on the PostgreSQL store (``--store postgresql://…``): the DuckDB test store published into a real
PostgreSQL server (``hopnhat publish``), served read-only, with its own lookup index built from PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.serve.conftest import PASSWORD, Subjects, csrf_of, login, make_settings, project_copy
from tests.serve.test_serve_injection import PAYLOADS
from tests.serve.test_serve_lookup import misspell

from hopnhat.load.lookup_index import fingerprint
from hopnhat.load.publish import publish
from hopnhat.load.storedb import PostgresReader, StoreError
from hopnhat.project.config import Project
from hopnhat.serve.app.context import AppContext, build_context
from hopnhat.serve.app.factory import create_app
from hopnhat.serve.security.scope import Scope
from hopnhat.serve.security.users import add_user, create_token


@pytest.fixture(scope="module")
def pg_url(postgres_dsn: str, project: Project) -> str:
    name = f"serve_{os.getpid()}"
    with psycopg.connect(postgres_dsn, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name}")
        con.execute(f"CREATE DATABASE {name}")
    url = postgres_dsn.rsplit("/", 1)[0] + f"/{name}"
    publish(project.store_path, url)
    return url


@pytest.fixture(scope="module")
def pg_ctx(pg_url: str, estate: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    work = tmp_path_factory.mktemp("serve-pg")
    project = project_copy(estate, work, store=pg_url)
    settings = make_settings(project, estate, work, index_path=work / "lookup.duckdb")
    context = build_context(project, settings)
    yield context
    context.close()


@pytest.fixture(scope="module")
def pg_app(pg_ctx: AppContext, subjects: Subjects) -> FastAPI:
    add_user(pg_ctx.db, "admin", "admin", PASSWORD, "48")
    add_user(pg_ctx.db, "clerk_a", "clerk", PASSWORD, subjects.commune_a)
    add_user(pg_ctx.db, "reviewer", "reviewer", PASSWORD, "48")
    return create_app(pg_ctx.project, settings=pg_ctx.settings, context=pg_ctx)


def _client(app: FastAPI, name: str) -> TestClient:
    client = TestClient(app, headers={"Sec-Fetch-Site": "same-origin"})  # as a browser on the app's pages
    assert login(client, name).status_code == 303
    return client


def test_the_store_is_postgresql_and_read_only(pg_ctx: AppContext) -> None:
    assert isinstance(pg_ctx.reader, PostgresReader) and pg_ctx.reader.dialect.name == "postgresql"
    with pytest.raises(StoreError, match="read-only"):
        pg_ctx.reader.rows("CREATE TABLE evil (i integer)")
    with pytest.raises(StoreError):
        pg_ctx.reader.rows("DELETE FROM person")


def test_statement_timeout_is_enforced(pg_ctx: AppContext) -> None:
    from hopnhat.load.storedb import QueryTimeout, open_store

    reader = open_store(pg_ctx.reader._dsn, timeout_ms=50)  # type: ignore[attr-defined]
    with pytest.raises(QueryTimeout):
        reader.rows("SELECT pg_sleep(1)")
    reader.close()


def test_lookup_record_and_reveal(pg_app: FastAPI, subjects: Subjects) -> None:
    client = _client(pg_app, "admin")
    page = client.get("/lookup", params={"q": f"{misspell(subjects.a.name)} {subjects.a.birth_year}"})
    assert f"/record/person/{subjects.a.golden_id}" in page.text
    assert f"/record/person/{subjects.a.golden_id}" in client.get("/lookup", params={"q": subjects.a.id_number}).text
    record = client.get(f"/record/person/{subjects.a.golden_id}")
    assert record.status_code == 200 and 'id="sources"' in record.text and subjects.a.id_number not in record.text
    field = next(f for f in ("cccd", "id_number") if f'id="reveal-{f}"' in record.text)
    revealed = client.post("/reveal", data={"entity": "person", "key": subjects.a.golden_id, "field": field,
                                            "csrf_token": csrf_of(record.text)})
    assert subjects.a.id_number in revealed.text


def test_scope_by_url_and_api(pg_app: FastAPI, pg_ctx: AppContext, subjects: Subjects) -> None:
    client = _client(pg_app, "clerk_a")
    assert client.get(f"/record/person/{subjects.a.golden_id}").status_code == 200
    assert client.get(f"/record/person/{subjects.b.golden_id}").status_code == 404
    assert subjects.b.golden_id not in client.get("/lookup", params={"q": subjects.b.id_number}).text
    token = create_token(pg_ctx.db, "clerk_a", "pg")
    api = TestClient(pg_app)
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get(f"/api/record/person/{subjects.b.golden_id}", headers=headers).status_code == 404
    found = api.get("/api/lookup", params={"q": subjects.b.id_number}, headers=headers).json()["results"]
    assert all(r["golden_id"] != subjects.b.golden_id for r in found)


def test_injection_changes_nothing(pg_app: FastAPI, pg_ctx: AppContext, subjects: Subjects) -> None:
    before = fingerprint(pg_ctx.reader)
    client = _client(pg_app, "clerk_a")
    for payload in PAYLOADS:
        for path, param in (("/lookup", "q"), ("/dossiers", "x")):
            assert client.get(path, params={param: payload}).status_code == 200
        assert client.get(f"/record/person/{quote(payload, safe='')}").status_code in (400, 404, 422)
    assert fingerprint(pg_ctx.reader) == before


def test_dashboard_review_and_dossiers(pg_app: FastAPI, pg_ctx: AppContext) -> None:
    admin = _client(pg_app, "admin")
    dashboard = admin.get("/dashboard")
    assert dashboard.status_code == 200 and dashboard.text.count("<svg") >= 3
    assert admin.get("/dashboard/quarantine.xlsx").status_code == 200
    assert admin.get("/dossiers").status_code == 200
    reviewer = _client(pg_app, "reviewer")
    item = pg_ctx.review.items(Scope(("48",), "48"), "open", "pair")[0]
    page = reviewer.get("/review/item", params={"key": item.item_key})
    assert "<svg" in page.text
    decided = reviewer.post("/review/decide", data={"item_key": item.item_key, "decision": "same",
                                                    "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert decided.status_code == 303
    decided_item = pg_ctx.review.get(item.item_key, Scope(("48",), "48"))
    assert decided_item is not None, item.item_key
    assert decided_item.decision["decision"] == "same"
    assert admin.get("/catalog/monitor").status_code == 200


def test_the_index_follows_a_changed_store(pg_ctx: AppContext, pg_url: str) -> None:
    """The pipeline writes to PostgreSQL while the app serves: the index is rebuilt and swapped, new rows found."""
    assert pg_ctx.refresh_index() is False
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("INSERT INTO person (record_id, src_source, src_system, src_table, src_key, full_name, birth_date, "
                    "cccd, address_new_province_code, address_new_commune_code, golden_id) VALUES ('new/p/1', 'new', "
                    "'Hộ tịch - dân cư', 'p', '1', 'Tôn Nữ Thị Hoàng Yến', DATE '1999-09-09', '048199000111', '48', "
                    "'20194', NULL)")
    try:
        assert pg_ctx.refresh_index() is True
        _, groups = pg_ctx.lookup.search("ton nu thi hoang yen 1999", Scope(("48",), "48"))
        assert any(g.best.row.get("record_id") == "new/p/1" for g in groups)
    finally:
        with psycopg.connect(pg_url, autocommit=True) as con:
            con.execute("DELETE FROM person WHERE record_id = 'new/p/1'")
        pg_ctx.refresh_index()
