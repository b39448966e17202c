"""The access policy of every route, checked by enumerating the app's routes (a route added without an entry here
fails the test): for each role and scope, who may reach it; every answer free of identifiers in full and, for a
commune user, of another commune's citizen; every parameter of every route fuzzed with hostile values (no 500/503);
errors in one shape (the API's JSON error, the pages' error page). Modelled on Datasette's test that asks one error
shape of every route."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from tests.serve.conftest import Subjects, csrf_of

from hopnhat.serve.app.deps import need, need_api

OPEN, SESSION = "open", "session"
# (method, path) → who may: "open" (anyone), "session" (any logged-in user), a permission (pages), "api:<perm>"
POLICY: dict[tuple[str, str], str] = {
    ("GET", "/health"): OPEN, ("GET", "/login"): OPEN, ("POST", "/login"): OPEN,
    ("GET", "/"): SESSION, ("POST", "/logout"): SESSION, ("GET", "/audit"): SESSION,
    ("GET", "/account/password"): SESSION, ("POST", "/account/password"): SESSION,
    ("GET", "/lookup"): "lookup", ("GET", "/record/{entity}/{key:path}"): "lookup", ("POST", "/reveal"): "reveal",
    ("GET", "/archive/{table}/{row}"): "lookup",
    ("GET", "/documents"): "lookup", ("GET", "/files/{entity}/{sha}/{key:path}"): "lookup",
    ("GET", "/review"): "review", ("GET", "/review/item"): "review", ("POST", "/review/decide"): "review",
    ("GET", "/dashboard"): "migration", ("GET", "/dashboard/quarantine"): "quarantine",
    ("GET", "/dashboard/quarantine.xlsx"): "quarantine", ("GET", "/dossiers"): "dossiers",
    ("GET", "/catalog/inventory"): "catalog", ("GET", "/catalog/decisions"): "catalog",
    ("GET", "/catalog/roadmap"): "catalog", ("GET", "/catalog/monitor"): "catalog",
    ("POST", "/catalog/override"): "catalog_override",
    ("GET", "/admin/users"): "accounts", ("POST", "/admin/users/create"): "accounts",
    ("POST", "/admin/users/active"): "accounts", ("POST", "/admin/users/reset"): "accounts",
    ("POST", "/admin/users/scope"): "accounts",
    ("GET", "/api/lookup"): "api:lookup", ("GET", "/api/record/{entity}/{key:path}"): "api:lookup",
    ("POST", "/api/reveal"): "api:reveal",
}
USERS = ("admin", "planner", "engineer", "reviewer", "leader", "clerk", "clerk_a")
ROLE_OF = {"admin": "admin", "planner": "planner", "engineer": "data_engineer", "reviewer": "reviewer",
           "leader": "leader", "clerk": "clerk", "clerk_a": "clerk", "clerk_b": "clerk"}
CCCD = re.compile(r"(?<![\w\-/.#&@=])0\d{11}(?!\w)")
HOSTILE = ["9" * 30, "-1", "-" + "9" * 25, "1e308", "NaN", "\x00", "' OR 1=1 --", "../../etc/passwd",
           "a" * 20_000, "<script>alert(1)</script>", "𝔘\u202e", "", "0x7fffffffffffffff", "１２３"]


def app_routes(app: FastAPI) -> list[APIRoute]:
    """Every API route of the app, whether FastAPI keeps included routers flat or nested."""
    out: list[APIRoute] = []

    def walk(routes: list[Any], prefix: str = "") -> None:
        for r in routes:
            if isinstance(r, APIRoute):
                out.append(r)
            elif hasattr(r, "original_router"):
                walk(r.original_router.routes, prefix)

    walk(list(app.routes))
    return out


def _endpoints(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    return sorted([(m, r.path, r) for r in app_routes(app) for m in r.methods or () if m != "HEAD"],
                  key=lambda t: (t[1], t[0]))


def test_every_route_has_a_policy_and_every_policy_a_route(app: FastAPI) -> None:
    found = {(m, p) for m, p, _ in _endpoints(app)}
    assert found - set(POLICY) == set(), "routes without a declared policy"
    assert set(POLICY) - found == set(), "policies of routes that do not exist"


def test_the_declared_policy_is_the_route_dependency(app: FastAPI) -> None:
    """The permission each route checks (its need/need_api dependency) is the one declared above."""
    from hopnhat.serve.security.roles import GRANTS

    for method, path, route in _endpoints(app):
        want = POLICY[(method, path)]
        if want in (OPEN, SESSION):
            continue
        names = {d.call.__qualname__ for d in route.dependant.dependencies if d.call}
        assert any("need" in n for n in names), (method, path)
        perm = want.removeprefix("api:")
        assert any(perm in g for g in GRANTS.values()), perm
    assert callable(need) and callable(need_api)


# ------------------------------------------------------------------------------------------------ sample requests

@pytest.fixture(scope="module")
def samples(ctx, subjects: Subjects) -> dict[str, Any]:
    row = ctx.reader.rows("SELECT src_source, src_table, src_row FROM person WHERE record_id = ?",
                          [subjects.a.record_id])[0]
    item = next(i for i in ctx.review.items(ctx.scope(_Scoped(subjects.commune_a)), "all"))
    document, sha = document_file(ctx, subjects.commune_a)
    return {"entity": "person", "key": subjects.a.golden_id, "table": f"{row['src_source']}__{row['src_table']}",
            "row": row["src_row"], "q": subjects.a.name, "review_key": item.item_key, "sha": sha,
            "document": document}


class _Scoped:
    def __init__(self, commune: str) -> None:
        self.scope = (commune,)


def document_file(ctx: Any, commune: str) -> tuple[str, str]:
    """A document of ``commune`` with a stored file that is no identity scan: (its record id, the file's hash)."""
    from hopnhat.files.shelf import FileShelf
    from hopnhat.serve.pagedata.documents import record_keys

    docs = ctx.reader.rows("SELECT * FROM document WHERE issuing_commune_new_commune_code = ? ORDER BY record_id",
                           [commune])
    for doc in docs:
        files = [a for a in FileShelf(ctx.project).attachments(record_keys([doc])) if a.served and not a.identity]
        if files:
            return doc["record_id"], str(files[0].sha256)
    raise AssertionError(f"no document of {commune} with a stored file in the test estate")


def _url(path: str, s: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if "{sha}" in path:
        return path.replace("{entity}", "document").replace("{sha}", s["sha"]).replace("{key:path}", s["document"]), {}
    url = (path.replace("{entity}", s["entity"]).replace("{key:path}", s["key"]).replace("{table}", s["table"])
           .replace("{row}", str(s["row"])))
    params = {"/lookup": {"q": s["q"]}, "/api/lookup": {"q": s["q"]}, "/review/item": {"key": s["review_key"]}}
    return url, params.get(path, {})


def _allowed(user: str, want: str) -> bool:
    from hopnhat.serve.security.roles import can

    return want in (OPEN, SESSION) or can(ROLE_OF[user], want.removeprefix("api:"))


TEMPLATE_EXAMPLES = ("<code>049193639832</code>",)  # the search box's example, written in the template


def _no_leak(body: str, user: str, subjects: Subjects, where: str) -> None:
    for example in TEMPLATE_EXAMPLES:
        body = body.replace(example, "")
    assert subjects.a.id_number not in body and subjects.b.id_number not in body, where
    assert not CCCD.search(body), f"{where}: an identifier in full: {CCCD.search(body)}"
    if user == "clerk_a" and not where.endswith(" /audit"):  # their own trail echoes what they typed themselves
        assert subjects.b.golden_id not in body and subjects.b.name not in body, where


def _one_error_shape(response: Any, path: str) -> None:
    if response.status_code < 400:
        return
    if path.startswith("/api/"):
        error = response.json()["error"]
        assert set(error) == {"code", "message"}, path
    elif response.status_code != 429:
        assert 'id="error-message"' in response.text or 'role="alert"' in response.text, path  # error page or form


@pytest.fixture(scope="module")
def browsers(app: FastAPI, client_as) -> dict[str, TestClient]:
    return {u: client_as(u) for u in USERS}


def test_who_reaches_every_route_and_what_they_see(app: FastAPI, browsers, tokens, samples,
                                                   subjects: Subjects) -> None:
    anon = TestClient(app)
    checked = 0
    for method, path, _ in _endpoints(app):
        want = POLICY[(method, path)]
        if (method, path) in {("POST", "/logout"), ("POST", "/login")}:
            continue  # they change who is logged in; tested in test_serve_auth / test_serve_security
        url, params = _url(path, samples)
        if want.startswith("api:"):
            for user, token in tokens.items():
                r = anon.request(method, url, params=params, headers={"Authorization": f"Bearer {token}"},
                                 json={} if method == "POST" else None)
                allowed = _allowed(user, want)
                assert (r.status_code == 403) != allowed or r.status_code == 404 and allowed, (user, method, path)
                assert r.status_code < 500, (user, method, path)
                _one_error_shape(r, path)
                _no_leak(r.text, user, subjects, f"{user} {method} {path}")
            assert anon.request(method, url, params=params).status_code == 401
            continue
        for user, client in browsers.items():
            data = {"csrf_token": csrf_of(client.get("/account/password").text)} if method == "POST" else None
            r = client.request(method, url, params=params, data=data, follow_redirects=False)
            allowed = _allowed(user, want)
            if allowed:
                assert r.status_code not in (401, 403) and r.status_code < 500, (user, method, path, r.status_code)
                if method == "GET" and path != "/":
                    assert r.status_code == 200, (user, method, path, r.status_code)
            else:
                assert r.status_code == 403, (user, method, path, r.status_code)
            _one_error_shape(r, path)
            if not path.endswith(".xlsx"):
                _no_leak(r.text, user, subjects, f"{user} {method} {path}")
            checked += 1
        if want != OPEN:
            r = anon.request(method, url, params=params, follow_redirects=False)
            assert r.status_code in (303, 403), (method, path)  # to the login page (POST: no CSRF token)
    assert checked > 150


def test_every_parameter_of_every_route_survives_hostile_values(app: FastAPI, client_as, tokens,
                                                                samples) -> None:
    """Integers past 64 bits, NUL, SQL, path tricks, 20,000 characters, bidi controls … in every path, query and
    form parameter of every route, as the administrator (who reaches them all): a clear 4xx, never a 500/503."""
    admin = client_as("admin")
    api = TestClient(app, headers={"Authorization": f"Bearer {tokens['admin']}"})
    token = csrf_of(admin.get("/account/password").text)
    tried = 0
    for method, path, route in _endpoints(app):
        if (method, path) in {("POST", "/logout"), ("POST", "/login")}:
            continue
        client = api if path.startswith("/api/") else admin
        dep = route.dependant
        for param in [*dep.path_params, *dep.query_params, *dep.body_params]:
            for value in HOSTILE:
                url, params = _url(path, samples)
                data: dict[str, Any] | None = {"csrf_token": token} if method == "POST" else None
                body: Any = None
                if param in dep.path_params:
                    if not value or "/" in value:
                        continue  # an empty or slashed path segment is another URL
                    url = path
                    for other in dep.path_params:
                        url = url.replace("{" + other.name + "}" if other.name != "key" else "{key:path}",
                                          quote(value, safe="") if other is param
                                          else str(samples.get(other.name, "x")))
                elif param in dep.query_params:
                    params = {**params, param.alias: value}
                elif path.startswith("/api/"):
                    body = {"entity": "person", "key": samples["key"], "field": "cccd", param.alias: value}
                else:
                    data = {**(data or {}), param.alias: value}
                r = client.request(method, url, params=params, data=data, json=body, follow_redirects=False)
                assert r.status_code < 500, (method, path, param.alias, value[:40], r.status_code, r.text[:300])
                _one_error_shape(r, path)
                tried += 1
    assert tried > 300
