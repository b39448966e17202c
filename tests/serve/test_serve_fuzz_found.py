"""What the fuzz from the app's schema (test_serve_fuzz.py) found, each as a plain request: a key with a newline
matches no route (Starlette's ``{key:path}`` stops at line ends), and such a 404 of a token holder was not in the
audit log and told someone without a token "not found" instead of asking for one; a body that is not JSON was
answered 422 before the token was read."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.serve.conftest import Subjects

from hopnhat.serve.app.appdb import AppDB


def _last(db: AppDB, actor: str) -> tuple[str, str]:
    action, detail = db.con().execute("SELECT action, detail FROM audit WHERE actor = ? ORDER BY seq DESC LIMIT 1",
                                      [actor]).fetchone()
    return str(action), str(detail)


def test_a_key_with_a_newline_is_a_logged_not_found_for_a_token_holder(app: FastAPI, tokens: dict[str, str],
                                                                       db: AppDB, subjects: Subjects) -> None:
    api = TestClient(app, headers={"Authorization": f"Bearer {tokens['clerk_a']}"})
    for url in (f"/api/record/person/%0A{subjects.a.golden_id}", "/api/record/0/%0A0", "/api/nothing-here"):
        r = api.get(url)
        assert r.status_code == 404, url
        assert r.json() == {"error": {"code": "http", "message": "Not found."}}, url
        assert "no-store" in r.headers["cache-control"]
        action, detail = _last(db, "clerk_a")
        assert action == "not_found" and json.loads(detail)["status"] == 404, url


def test_without_a_token_or_a_session_every_unmatched_path_asks_for_one(app: FastAPI, anon: TestClient) -> None:
    for url in ("/api/record/0/%0A0", "/api/nothing-here"):
        r = anon.get(url)
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized", url
        assert r.headers["www-authenticate"] == "Bearer"
    for url in ("/record/person/%0A0", "/nothing-here"):
        r = anon.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), url
    assert anon.get("/static/nothing-here.css").status_code == 404  # the open paths keep their answers
    assert anon.get("/login", params={"next": "x" * 3000}).status_code == 422


def test_a_body_that_is_not_json_asks_for_the_token_first(app: FastAPI, anon: TestClient,
                                                         tokens: dict[str, str]) -> None:
    for body in ("not json", "[1, 2]", ""):
        r = anon.post("/api/reveal", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 401, body
    api = TestClient(app, headers={"Authorization": f"Bearer {tokens['clerk_a']}"})
    r = api.post("/api/reveal", content="not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_a_logged_in_page_user_still_gets_the_page_errors(client_as: Callable[[str], TestClient]) -> None:
    """A live session keeps its answers: the page's 404 and the error page naming the parameter that is wrong."""
    assert client_as("clerk_a").get("/record/person/%0A0").status_code == 404
    r = client_as("reviewer").get("/review", params={"offset": "x"})
    assert r.status_code == 422 and "offset" in r.text


def test_what_a_browser_asks_for_by_itself_never_voids_the_login_form(anon: TestClient) -> None:
    """Chromium asks for ``/favicon.ico`` as soon as the login page shows. Sent to the login page, that request got a
    new pre-login cookie, the form's token no longer matched it, and every login in the browser failed (found by the
    headless-Chromium tests after the rule above). Those requests stay plain 404s and set no cookie."""
    for url in ("/favicon.ico", "/robots.txt", "/apple-touch-icon.png"):
        r = anon.get(url, follow_redirects=False)
        assert r.status_code == 404, url
        assert "set-cookie" not in r.headers, url
