"""Fixtures of the web-app tests: a migrated synth estate (cached across sessions), the app over it, users of every
role with their own logged-in clients, and the citizens / dossiers / parcels the tests look up.

The store and the lookup index are shared read-only by all tests; what tests write (users, audit, review outbox,
catalog overrides) lives in per-session copies under ``tmp_path_factory``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.serve.storebuild import cached_estate

from hopnhat.project.config import Project, StoreSpec, load_project
from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.app.context import AppContext, build_context
from hopnhat.serve.app.factory import create_app
from hopnhat.serve.app.settings import ServeSettings, load_settings
from hopnhat.serve.security.users import add_user, create_token
from hopnhat.text.normalize import fold

PASSWORD = "mat-khau-du-dai-2025"
TODAY = "2025-07-10"


@pytest.fixture(scope="session")
def serve_cache(request: pytest.FixtureRequest) -> Path:
    return Path(request.config.cache.mkdir("hopnhat-serve"))


@pytest.fixture(scope="session")
def estate(serve_cache: Path) -> Path:
    """A synth Quảng Nam + Đà Nẵng estate migrated by the real pipeline (read-only for the tests)."""
    return cached_estate(serve_cache)


def project_copy(estate: Path, work: Path, store: str | None = None) -> Project:
    """The estate's merger project with the app database in ``work`` (the store stays the cached one)."""
    base = load_project(estate / "merger.yaml")
    spec = StoreSpec(path=str(base.store_path), url=store, app_db=str(work / "hopnhat-app.sqlite"))
    return Project(base.path, base.config.model_copy(update={"store": spec}), base.raw)


@pytest.fixture(scope="session")
def project(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    return project_copy(estate, tmp_path_factory.mktemp("serve-app"))


def make_settings(project: Project, estate: Path, work: Path, **extra: Any) -> ServeSettings:
    catalog = work / "catalog.duckdb"
    if not catalog.exists():
        shutil.copy(estate / "catalog.duckdb", catalog)
    values = {"today": TODAY, "catalog_db": catalog, "index_path": estate / "lookup.duckdb", **extra}
    return load_settings(project, **values)


@pytest.fixture(scope="session")
def settings(project: Project, estate: Path) -> ServeSettings:
    return make_settings(project, estate, project.app_db_path.parent)


@pytest.fixture(scope="session")
def ctx(project: Project, settings: ServeSettings) -> Iterator[AppContext]:
    context = build_context(project, settings)
    yield context
    context.close()


@pytest.fixture(scope="session")
def app(project: Project, settings: ServeSettings, ctx: AppContext) -> FastAPI:
    return create_app(project, settings=settings, context=ctx)


@pytest.fixture(scope="session")
def db(ctx: AppContext) -> AppDB:
    return ctx.db


# ------------------------------------------------------------------------------------------------ subjects

@dataclass(frozen=True)
class Citizen:
    golden_id: str
    record_id: str
    name: str
    birth_year: int
    id_number: str
    commune: str


@dataclass(frozen=True)
class Subjects:
    commune_a: str
    commune_b: str
    a: Citizen
    b: Citizen
    dossier_code: str
    tax_code: str
    parcel: dict[str, str]
    quarantined: dict[str, Any]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _citizen(con: duckdb.DuckDBPyConnection, commune: str, avoid_names: set[str]) -> Citizen:
    """A citizen whose every record is placed in ``commune``, with a CCCD, a birth date and a unique name."""
    rows = _rows(con, """
        SELECT p.golden_id, min(p.record_id) AS record_id, any_value(p.full_name) AS name,
               any_value(year(p.birth_date)) AS y, any_value(coalesce(p.id_number, p.cccd)) AS id_number
        FROM person p WHERE p.golden_id IS NOT NULL GROUP BY p.golden_id
        HAVING bool_and(p.address_new_commune_code = ?) AND count(*) = 1
           AND any_value(coalesce(p.id_number, p.cccd)) IS NOT NULL AND any_value(p.birth_date) IS NOT NULL
        ORDER BY golden_id""", [commune])
    for r in rows:
        folded = fold(r["name"]).lower()
        same = _rows(con, "SELECT count(*) AS n FROM person WHERE lower(strip_accents(replace(replace(full_name, 'Đ', "
                          "'D'), 'đ', 'd'))) = ?", [folded])[0]["n"]
        if len(folded.split()) >= 3 and same == 1 and folded not in avoid_names:
            return Citizen(r["golden_id"], r["record_id"], r["name"], int(r["y"]), r["id_number"], commune)
    raise AssertionError(f"no suitable citizen in {commune}")


@pytest.fixture(scope="session")
def subjects(project: Project) -> Subjects:
    con = duckdb.connect(str(project.store_path), read_only=True)
    try:
        top = _rows(con, "SELECT address_new_commune_code AS c, count(*) AS n FROM person WHERE "
                         "address_new_commune_code IS NOT NULL GROUP BY 1 ORDER BY n DESC, c LIMIT 2")
        a = _citizen(con, top[0]["c"], set())
        b = _citizen(con, top[1]["c"], {fold(a.name).lower()})
        dossier = _rows(con, "SELECT code FROM dossier WHERE code IS NOT NULL ORDER BY record_id LIMIT 1")[0]["code"]
        tax = _rows(con, "SELECT tax_code FROM organization WHERE length(tax_code) = 10 ORDER BY 1 LIMIT 1")[0]
        parcel = _rows(con, "SELECT commune_old_commune_code AS old, commune_new_commune_code AS new, map_sheet, "
                            "parcel_number, record_id, holder_name FROM parcel WHERE commune_new_commune_code IS NOT "
                            "NULL AND commune_old_commune_code <> commune_new_commune_code "
                            "ORDER BY record_id LIMIT 1")[0]
        q = _rows(con, "SELECT src_source, src_table, src_row, src_key FROM quarantine WHERE src_table LIKE "
                       "'nhan_khau%' OR src_table = 'cong_dan' ORDER BY 1, 2, 3 LIMIT 1")[0]
    finally:
        con.close()
    return Subjects(a.commune, b.commune, a, b, dossier, tax["tax_code"], parcel, q)


# ------------------------------------------------------------------------------------------------ users and clients

ROLES = {"admin": "admin", "planner": "planner", "engineer": "data_engineer", "reviewer": "reviewer",
         "leader": "leader", "clerk": "clerk"}


@pytest.fixture(scope="session")
def users(db: AppDB, subjects: Subjects) -> dict[str, str]:
    """user name → scope; plus two commune clerks (commune A and commune B)."""
    made = {}
    for name, role in ROLES.items():
        add_user(db, name, role, PASSWORD, "48")
        made[name] = "48"
    for name, commune in (("clerk_a", subjects.commune_a), ("clerk_b", subjects.commune_b)):
        add_user(db, name, "clerk", PASSWORD, commune)
        made[name] = commune
    return made


@pytest.fixture(scope="session")
def tokens(db: AppDB, users: dict[str, str]) -> dict[str, str]:
    return {name: create_token(db, name, "tests") for name in ("admin", "clerk_a", "clerk_b", "leader")}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    return client.post("/login", data={"username": name, "password": password, "csrf_token": csrf_of(page.text),
                                       "next": "/"}, follow_redirects=False)


@pytest.fixture(scope="session")
def client_as(app: FastAPI, users: dict[str, str]) -> Callable[[str], TestClient]:
    """A logged-in client per user name (made once per session)."""
    clients: dict[str, TestClient] = {}

    def get(name: str) -> TestClient:
        if name not in clients:
            # a browser's same-origin navigation says so (Fetch Metadata); cross-site requests are tested apart
            client = TestClient(app, base_url="http://testserver", headers={"Sec-Fetch-Site": "same-origin"})
            assert login(client, name).status_code == 303
            clients[name] = client
        return clients[name]

    return get


@pytest.fixture()
def anon(app: FastAPI) -> TestClient:
    return TestClient(app)


def form_csrf(client: TestClient, path: str = "/audit") -> str:
    return csrf_of(client.get(path).text)
