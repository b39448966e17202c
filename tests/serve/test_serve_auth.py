"""Login, sessions, CSRF, throttling, roles: every route refuses an anonymous request."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount
from tests.serve.conftest import PASSWORD, csrf_of, login

from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.security import audit
from hopnhat.serve.security.users import add_user, set_active

OPEN = {"/health", "/login"}


def _concrete(path: str) -> str:
    """A request path for a route template ({entity}, {key:path}, {row} filled with plausible values)."""
    return re.sub(r"\{[^}]+\}", lambda m: "1" if m.group(0) == "{row}" else "person", path)


def all_routes(app: FastAPI) -> list[tuple[str, set[str]]]:
    """(path, methods) of every API route, through included routers too."""
    out: list[tuple[str, set[str]]] = []
    for rc in iter_route_contexts(app.routes):
        if isinstance(rc.original_route, APIRoute):
            assert rc.path is not None, f"API route without a path: {rc.original_route!r}"
            out.append((rc.path, set(rc.methods or ())))
    return out


def test_every_route_refuses_anonymous_requests(app: FastAPI, anon: TestClient) -> None:
    routes = all_routes(app)
    assert len(routes) >= 20
    checked = 0
    for path, methods in routes:
        if path in OPEN:
            continue
        for method in methods:
            response = anon.request(method, _concrete(path), follow_redirects=False)
            if path.startswith("/api/"):
                assert response.status_code == 401, (method, path, response.status_code)
                assert response.json()["error"]["code"] == "unauthorized"
            else:
                assert response.status_code == 303, (method, path, response.status_code)
                assert response.headers["location"].startswith("/login?next=")
            checked += 1
    assert checked >= 20
    mounts = [rc.path for rc in iter_route_contexts(app.routes) if isinstance(rc.original_route, Mount)]
    assert mounts == ["/static"]


def test_open_routes_and_static(anon: TestClient) -> None:
    assert anon.get("/health").json()["status"] == "ok"
    assert anon.get("/login").status_code == 200
    css = anon.get("/static/hopnhat.css")
    assert css.status_code == 200 and "font-family" in css.text


def test_login_sets_a_hardened_session_cookie(app: FastAPI, users: dict[str, str]) -> None:
    client = TestClient(app)
    response = login(client, "clerk")
    assert response.status_code == 303 and response.headers["location"] == "/lookup"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("hopnhat_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert client.get("/lookup").status_code == 200


def test_secure_cookie_when_served_over_https(project, estate, users) -> None:
    from tests.serve.conftest import make_settings

    from hopnhat.serve.app.factory import create_app

    settings = make_settings(project, estate, project.app_db_path.parent, https=True)
    client = TestClient(create_app(project, settings=settings, context=None), base_url="https://testserver")
    response = login(client, "clerk")
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("hopnhat_session="))
    assert "Secure" in cookie
    assert "max-age=31536000" in client.get("/login").headers["strict-transport-security"]


def test_wrong_password_is_refused_and_logged(app: FastAPI, db: AppDB, users: dict[str, str]) -> None:
    client = TestClient(app)
    response = login(client, "planner", "not-the-password")
    assert response.status_code == 401
    assert "không đúng" in response.text
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
    last = audit.entries(db, "planner", "login_failure", 1)
    assert last and last[0]["ip"] == "testclient"


def test_login_is_throttled_after_five_failures(app: FastAPI, db: AppDB) -> None:
    add_user(db, "throttled", "clerk", PASSWORD, "48")
    client = TestClient(app)
    for _ in range(5):
        assert login(client, "throttled", "wrong-password-1").status_code == 401
    blocked = login(client, "throttled", PASSWORD)
    assert blocked.status_code == 429, "the right password must not get through while throttled"
    assert audit.entries(db, "throttled", "login_blocked", 5)


def test_post_without_csrf_token_is_refused(client_as, users) -> None:
    client = client_as("clerk")
    response = client.post("/logout", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert client.post("/logout", data={"csrf_token": "0" * 64}, follow_redirects=False).status_code == 403
    assert client.get("/lookup").status_code == 200  # still logged in


def test_login_form_needs_its_csrf_token(app: FastAPI, users: dict[str, str]) -> None:
    client = TestClient(app)
    response = client.post("/login", data={"username": "clerk", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403


def test_tampered_or_foreign_session_cookie_is_rejected(app: FastAPI, users: dict[str, str]) -> None:
    client = TestClient(app)
    login(client, "leader")
    value = client.cookies["hopnhat_session"]
    forged = TestClient(app, cookies={"hopnhat_session": value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]})
    assert forged.get("/dashboard", follow_redirects=False).status_code == 303


def test_disabling_an_account_ends_its_sessions(app: FastAPI, db: AppDB) -> None:
    add_user(db, "leaving", "leader", PASSWORD, "48")
    client = TestClient(app)
    login(client, "leaving")
    assert client.get("/dashboard").status_code == 200
    set_active(db, "leaving", False)
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
    assert login(TestClient(app), "leaving").status_code == 401


def test_logout(app: FastAPI, users: dict[str, str]) -> None:
    client = TestClient(app)
    login(client, "leader")
    token = csrf_of(client.get("/dashboard").text)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_next_is_kept_but_never_leaves_the_site(app: FastAPI, users: dict[str, str]) -> None:
    for target, expected in (("/dossiers", "/dossiers"), ("//evil.example", "/lookup"), ("https://evil", "/lookup")):
        client = TestClient(app)
        page = client.get("/login")
        response = client.post("/login", data={"username": "clerk", "password": PASSWORD,
                                               "csrf_token": csrf_of(page.text), "next": target},
                               follow_redirects=False)
        assert response.headers["location"] == expected


@pytest.mark.parametrize(("user", "allowed", "refused"), [
    ("leader", ["/dashboard", "/dossiers", "/catalog/monitor"], ["/lookup", "/review", "/dashboard/quarantine"]),
    ("clerk", ["/lookup", "/dossiers"], ["/dashboard", "/review", "/catalog/inventory"]),
    ("reviewer", ["/review", "/lookup"], ["/dashboard", "/catalog/roadmap"]),
    ("planner", ["/catalog/decisions", "/dashboard"], ["/lookup", "/review"]),
    ("engineer", ["/dashboard/quarantine", "/review", "/lookup"], []),
])
def test_roles(client_as, user: str, allowed: list[str], refused: list[str]) -> None:
    client = client_as(user)
    for path in allowed:
        assert client.get(path).status_code == 200, path
    for path in refused:
        assert client.get(path).status_code == 403, path


def test_security_headers_and_language_switch(client_as) -> None:
    client = client_as("clerk")
    page = client.get("/lookup")
    assert "script-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    assert "Tra cứu" in page.text and "<script" not in page.text
    english = client.get("/lookup?lang=en")
    assert "Look up citizens" in english.text and "hopnhat_lang=en" in english.headers["set-cookie"]
    assert "Look up citizens" in client.get("/lookup").text  # the cookie keeps English
    assert "Tra cứu công dân" in client.get("/lookup?lang=vi").text
