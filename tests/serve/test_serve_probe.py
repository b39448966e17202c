"""An outside probe of the web app: every route of the app (enumerated, with its methods) requested by every role
and scope — the whole province, commune A, commune B, anonymous, a disabled account, an expired session — with
realistic and hostile parameters: the other commune's record, archive row, document file and review item, ids walked
in sequence, path tricks, HEAD/OPTIONS, POSTs another site sends without the form token, a search by the full CCCD of
a citizen outside the scope.

Each answer is checked, independently of the code under test, for
- identifiers in full: every CCCD/CMND/phone of the store is collected from the store itself and looked for (digits
  with their separators taken out) in every body, HTML, JSON or workbook, except the one a reveal shows;
- the other commune: the marks of commune B's subjects (their ids, names, dossier codes, document numbers) never in
  an answer to a user of commune A; nor, on a golden record with linked records elsewhere, an identifier, address or
  record id that only those records hold;
- the audit log: a page that shows personal data writes an entry for the user, and so does every refusal;
- caching: no answer to a logged-in request may be kept by a browser or a proxy (``Cache-Control: no-store``).

A route is probed through :data:`TARGETS` (what to put in its path and query for a commune); a route added without an
entry there, or without an audit entry while not declared in :data:`NO_PERSONAL_DATA`, fails."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from tests.serve.conftest import PASSWORD, Subjects, csrf_of, login
from tests.serve.test_serve_policy import app_routes, document_file

from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.security.mask import mask
from hopnhat.serve.security.users import add_user, create_token, set_active

# routes that show no citizen's data (checked below: no identifier, masked or not, and no citizen's name in them)
NO_PERSONAL_DATA = {
    ("GET", "/health"): "liveness only", ("GET", "/login"): "the login form",
    ("GET", "/"): "a redirect to the role's home", ("GET", "/account/password"): "the user's own password form",
    ("GET", "/dashboard"): "counts per table and stage", ("GET", "/catalog/inventory"): "systems, not citizens",
    ("GET", "/catalog/decisions"): "systems", ("GET", "/catalog/roadmap"): "systems",
    ("GET", "/catalog/monitor"): "systems", ("GET", "/admin/users"): "staff accounts",
    ("GET", "/review"): "record ids and match probabilities, no name",
    ("GET", "/audit"): "the user's own trail (everyone's is audited as audit_view)",
}
# POSTs that change who is logged in or an account: probed for the form token and the origin only
SESSION_CHANGING = {("POST", "/login"), ("POST", "/logout"), ("POST", "/account/password")}
# routes that list what is in the user's scope (another commune's parameters give an empty list, not a 404)
LISTS = ("/lookup", "/api/lookup", "/documents", "/review", "/dossiers", "/dashboard/quarantine",
         "/dashboard/quarantine.xlsx")
SCOPED_USERS = {  # name → (role, commune "a"/"b" or the whole province "48")
    "admin": ("admin", "48"), "planner": ("planner", "48"), "engineer": ("data_engineer", "48"),
    "reviewer": ("reviewer", "48"), "leader": ("leader", "48"), "clerk": ("clerk", "48"),
    "clerk_a": ("clerk", "a"), "clerk_b": ("clerk", "b"), "engineer_a": ("data_engineer", "a"),
    "reviewer_a": ("reviewer", "a"), "leader_a": ("leader", "a"), "planner_a": ("planner", "a"),
}
DIGIT_RUNS = re.compile(r"\+?\d(?:[ .\-]?\d){8,14}")


# ------------------------------------------------------------------------------------------------ the store's facts

@dataclass
class Commune:
    """What a probe may ask for in one commune, and the marks by which its citizens are recognised."""

    code: str
    person: str  # golden id
    person_record: str
    archive: tuple[str, int]
    document: str
    symbol: str
    sha: str
    review_item: str
    dossier: str
    parcel: str
    name: str
    cccd: str
    marks: set[str]


def _one(ctx: Any, sql: str, params: list[Any]) -> dict[str, Any]:
    rows = ctx.reader.rows(sql, params, limit=1)
    assert rows, sql
    return rows[0]


def _commune(ctx: Any, code: str, citizen: Any, other: str) -> Commune:
    row = _one(ctx, "SELECT src_source, src_table, src_row FROM person WHERE record_id = ?", [citizen.record_id])
    document, sha = document_file(ctx, code)
    pair = _one(ctx, "SELECT item_key FROM review_items WHERE kind = 'pair' AND contains(';' || scope_codes || ';', ?)"
                     " AND NOT contains(';' || scope_codes || ';', ?) ORDER BY item_key", [f";{code};", f";{other};"])
    dossier = _one(ctx, "SELECT record_id, code, applicant_name FROM dossier WHERE receiving_unit_new_commune_code = ? "
                        "AND applicant_address_new_commune_code = ? ORDER BY record_id", [code, code])
    parcel = _one(ctx, "SELECT record_id FROM parcel WHERE commune_new_commune_code = ? ORDER BY record_id", [code])
    doc = _one(ctx, "SELECT number_symbol FROM document WHERE record_id = ?", [document])
    inflight = ctx.reader.rows("SELECT code FROM dossier WHERE receiving_unit_new_commune_code = ? AND "
                               "applicant_address_new_commune_code = ? AND finished_at IS NULL", [code, code])
    marks = {citizen.golden_id, citizen.record_id, citizen.name, dossier["record_id"], parcel["record_id"],
             doc["number_symbol"], *(r["code"] for r in inflight)}
    return Commune(code, citizen.golden_id, citizen.record_id, (f"{row['src_source']}__{row['src_table']}",
                   int(row["src_row"])), document, doc["number_symbol"], sha, pair["item_key"], dossier["record_id"],
                   parcel["record_id"], citizen.name, citizen.id_number, {m for m in marks if m})


@pytest.fixture(scope="module")
def communes(ctx: Any, subjects: Subjects) -> dict[str, Commune]:
    return {"a": _commune(ctx, subjects.commune_a, subjects.a, subjects.commune_b),
            "b": _commune(ctx, subjects.commune_b, subjects.b, subjects.commune_a)}


@pytest.fixture(scope="module")
def identifiers(ctx: Any) -> set[str]:
    """Every identifier and phone number in the store (digits only), read from the store, not from the app."""
    found: set[str] = set()
    for table, columns in (("person", ("id_number", "cccd", "cmnd", "phone")), ("dossier", ("applicant_id",)),
                           ("parcel", ("holder_id",)), ("organization", ("representative_id",)),
                           ("civil_servant", ("id_number",))):
        have = ctx.catalogue.columns(table)
        for column in (c for c in columns if c in have):
            rows = ctx.reader.rows(f'SELECT DISTINCT "{column}" AS v FROM "{table}" WHERE "{column}" IS NOT NULL',
                                   [], limit=1_000_000)
            found |= {re.sub(r"\D", "", str(r["v"])) for r in rows}
    return {v for v in found if len(v) >= 9}


@pytest.fixture(scope="module")
def citizen_names(ctx: Any) -> set[str]:
    rows = ctx.reader.rows("SELECT DISTINCT full_name FROM person WHERE length(full_name) > 12 ORDER BY 1", [],
                           limit=400)
    return {r["full_name"] for r in rows}


# ------------------------------------------------------------------------------------------------ users

@pytest.fixture(scope="module")
def probe_users(db: AppDB, users: dict[str, str], subjects: Subjects) -> dict[str, str]:
    """user name → scope code; the conftest's users plus a data engineer, reviewer, leader and planner of commune A."""
    scope = {"48": "48", "a": subjects.commune_a, "b": subjects.commune_b}
    for name, (role, where) in SCOPED_USERS.items():
        if name not in users:
            add_user(db, name, role, PASSWORD, scope[where])
    return {name: scope[where] for name, (_, where) in SCOPED_USERS.items()}


def _browser(app: FastAPI) -> TestClient:
    """A browser on an address of its own: the login throttle counts failures per address, and the suite's own
    throttle tests leave the default test client's address blocked."""
    return TestClient(app, headers={"Sec-Fetch-Site": "same-origin"}, client=("10.25.0.9", 50000))


@pytest.fixture(scope="module")
def clients(app: FastAPI, probe_users: dict[str, str]) -> dict[str, TestClient]:
    out = {}
    for name in probe_users:
        client = _browser(app)
        assert login(client, name).status_code == 303, name
        out[name] = client
    return out


def _audit_count(db: AppDB, actor: str) -> int:
    return int(db.con().execute("SELECT count(*) FROM audit WHERE actor = ?", [actor]).fetchone()[0])


def _last_action(db: AppDB, actor: str) -> str:
    return str(db.con().execute("SELECT action FROM audit WHERE actor = ? ORDER BY seq DESC LIMIT 1",
                                [actor]).fetchone()[0])


# ------------------------------------------------------------------------------------------------ targets

Request = tuple[str, dict[str, Any]]  # (url, query parameters or form/JSON body)
TARGETS: dict[tuple[str, str], Callable[[Commune], list[Request]]] = {
    ("GET", "/health"): lambda c: [("/health", {})],
    ("GET", "/login"): lambda c: [("/login", {"next": f"/record/person/{c.person}"})],
    ("GET", "/"): lambda c: [("/", {})],
    ("GET", "/audit"): lambda c: [("/audit", {}), ("/audit", {"action": "lookup"})],
    ("GET", "/account/password"): lambda c: [("/account/password", {})],
    ("GET", "/lookup"): lambda c: [("/lookup", {"q": c.name}), ("/lookup", {"q": c.cccd}),
                                   ("/lookup", {"q": c.cccd[:6] + " " + c.cccd[6:]})],
    ("GET", "/record/{entity}/{key:path}"): lambda c: [
        (f"/record/person/{c.person}", {}), (f"/record/person/{c.person_record}", {}),
        (f"/record/dossier/{c.dossier}", {}), (f"/record/parcel/{c.parcel}", {}),
        (f"/record/document/{c.document}", {})],
    ("GET", "/archive/{table}/{row}"): lambda c: [(f"/archive/{c.archive[0]}/{c.archive[1]}", {})],
    ("GET", "/documents"): lambda c: [("/documents", {"q": ""}), ("/documents", {"q": c.symbol})],
    ("GET", "/files/{entity}/{sha}/{key:path}"): lambda c: [(f"/files/document/{c.sha}/{c.document}", {}),
                                                            (f"/files/document/{c.sha}/{c.document}",
                                                             {"download": "true"})],
    ("GET", "/review"): lambda c: [("/review", {"status": "all"})],
    ("GET", "/review/item"): lambda c: [("/review/item", {"key": c.review_item})],
    ("GET", "/dashboard"): lambda c: [("/dashboard", {})],
    ("GET", "/dashboard/quarantine"): lambda c: [("/dashboard/quarantine", {})],
    ("GET", "/dashboard/quarantine.xlsx"): lambda c: [("/dashboard/quarantine.xlsx", {})],
    ("GET", "/dossiers"): lambda c: [("/dossiers", {})],
    ("GET", "/catalog/inventory"): lambda c: [("/catalog/inventory", {})],
    ("GET", "/catalog/decisions"): lambda c: [("/catalog/decisions", {})],
    ("GET", "/catalog/roadmap"): lambda c: [("/catalog/roadmap", {})],
    ("GET", "/catalog/monitor"): lambda c: [("/catalog/monitor", {})],
    ("GET", "/admin/users"): lambda c: [("/admin/users", {})],
    ("GET", "/api/lookup"): lambda c: [("/api/lookup", {"q": c.name}), ("/api/lookup", {"q": c.cccd})],
    ("GET", "/api/record/{entity}/{key:path}"): lambda c: [(f"/api/record/person/{c.person}", {}),
                                                           (f"/api/record/dossier/{c.dossier}", {})],
    ("POST", "/reveal"): lambda c: [("/reveal", {"entity": "person", "key": c.person, "field": "id_number"})],
    ("POST", "/api/reveal"): lambda c: [("/api/reveal", {"entity": "person", "key": c.person, "field": "id_number"})],
    ("POST", "/review/decide"): lambda c: [("/review/decide", {"item_key": c.review_item, "decision": "different",
                                                               "note": "probe"})],
    ("POST", "/catalog/override"): lambda c: [("/catalog/override", {"system_id": "x", "action": "x", "note": ""})],
    ("POST", "/admin/users/create"): lambda c: [("/admin/users/create", {})],
    ("POST", "/admin/users/active"): lambda c: [("/admin/users/active", {})],
    ("POST", "/admin/users/reset"): lambda c: [("/admin/users/reset", {})],
    ("POST", "/admin/users/scope"): lambda c: [("/admin/users/scope", {})],
    ("POST", "/login"): lambda c: [("/login", {})],
    ("POST", "/logout"): lambda c: [("/logout", {})],
    ("POST", "/account/password"): lambda c: [("/account/password", {})],
}
# POSTs whose valid request (with the form token) is probed per scope; the others change accounts or the catalog
SCOPED_POSTS = {("POST", "/reveal"), ("POST", "/api/reveal"), ("POST", "/review/decide")}


def endpoints(app: FastAPI) -> list[tuple[str, str]]:
    return sorted({(m, r.path) for r in app_routes(app) for m in r.methods or () if m != "HEAD"},
                  key=lambda t: (t[1], t[0]))


def test_every_route_has_a_probe(app: FastAPI) -> None:
    assert set(endpoints(app)) - set(TARGETS) == set(), "routes the probe does not know how to ask for"
    assert set(TARGETS) - set(endpoints(app)) == set(), "probe targets of routes that do not exist"


# ------------------------------------------------------------------------------------------------ checks

def body_text(response: Any) -> str:
    """The answer as text: a workbook's cells, else the body."""
    if response.content[:2] == b"PK" and "spreadsheet" in response.headers.get("content-type", ""):
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join("\t".join("" if v is None else str(v) for v in row)
                         for ws in book.worksheets for row in ws.iter_rows(values_only=True))
    if response.headers.get("content-type", "").startswith(("text/", "application/json")):
        return response.text
    return ""


def without(text: str, typed: tuple[str, ...]) -> str:
    """The answer's text without what the user typed themselves (echoed in the search box, the language links)."""
    for t in sorted(typed, key=len, reverse=True):
        text = text.replace(t, "")
    return text


def full_identifiers(text: str, identifiers: set[str]) -> set[str]:
    """Identifiers of the store written in full in ``text`` (with or without separators: ``0905 123 456``)."""
    found = set()
    for m in DIGIT_RUNS.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        found |= {digits[i:j] for i in range(len(digits)) for j in range(i + 9, len(digits) + 1)} & identifiers
    return found


@dataclass
class Asked:
    user: str
    method: str
    path: str
    url: str
    status: int
    where: str  # "own" (the user's commune or the whole province) / "other" (another commune's)
    typed: tuple[str, ...]  # what the user typed (the URL, the search): theirs to see again, echoed by the pages

    def seen(self, response: Any) -> str:
        return without(body_text(response), self.typed)


def _may(user: str, route: tuple[str, str]) -> bool:
    from tests.serve.test_serve_policy import OPEN, POLICY, SESSION

    from hopnhat.serve.security.roles import can

    want = POLICY[route]
    return want in (OPEN, SESSION) or can(SCOPED_USERS[user][0], want.removeprefix("api:"))


def _send(client: TestClient, method: str, url: str, params: dict[str, Any], api: bool) -> Any:
    if method == "GET":
        return client.get(url, params=params, follow_redirects=False)
    if api:
        return client.post(url, json=params, follow_redirects=False)
    token = csrf_of(client.get("/account/password").text)
    return client.post(url, data={**params, "csrf_token": token}, follow_redirects=False)


def _typed(url: str, params: dict[str, Any]) -> tuple[str, ...]:
    from urllib.parse import quote

    texts = [str(v) for v in params.values()] + [url]
    return tuple(t for text in texts for t in (text, quote(text), quote(text, safe="")) if t)


def _walk(app: FastAPI, clients: dict[str, TestClient], tokens: dict[str, str], db: AppDB,
          communes: dict[str, Commune], probe_users: dict[str, str]) -> Iterator[tuple[Asked, Any, int]]:
    """Every route × every user × (their own commune's targets, the other commune's): (what was asked, the answer,
    how many audit entries it added)."""
    api_clients = {u: TestClient(app, headers={"Authorization": f"Bearer {t}"}) for u, t in tokens.items()}
    for route in endpoints(app):
        method, path = route
        if route in SESSION_CHANGING or (method == "POST" and route not in SCOPED_POSTS):
            continue
        api = path.startswith("/api/")
        for user, scope in probe_users.items():
            client = api_clients.get(user) if api else clients[user]
            if client is None:
                continue
            for where, commune in (("own", "b" if scope == communes["b"].code else "a"),
                                   ("other", "a" if scope == communes["b"].code else "b")):
                if scope == "48" and where == "other":
                    continue  # the whole province has no other commune
                for url, params in TARGETS[route](communes[commune]):
                    if method == "POST" and route == ("POST", "/review/decide") and where == "own":
                        continue  # a decision in scope is tested in test_serve_review; here only the refusal
                    before = _audit_count(db, user)
                    response = _send(client, method, url, params, api)
                    yield Asked(user, method, path, url, response.status_code, where,
                                _typed(url, params)), response, \
                        _audit_count(db, user) - before


@pytest.fixture(scope="module")
def walked(app: FastAPI, clients, tokens, db: AppDB, communes, probe_users) -> list[tuple[Asked, Any, int]]:
    return list(_walk(app, clients, tokens, db, communes, probe_users))


def test_the_walk_covers_every_route_and_role(walked, app: FastAPI) -> None:
    asked = {(a.method, a.path) for a, _, _ in walked}
    probed = {r for r in endpoints(app) if r not in SESSION_CHANGING and (r[0] == "GET" or r in SCOPED_POSTS)}
    assert asked == probed
    assert {a.user for a, _, _ in walked} >= {"clerk_a", "clerk_b", "engineer_a", "leader_a", "admin"}
    assert len(walked) > 400


def test_no_identifier_in_full_on_any_route(walked, identifiers: set[str]) -> None:
    """Every CCCD/CMND/phone of the store, looked for in every answer (only a reveal in scope shows one)."""
    leaks = []
    for asked, response, _ in walked:
        text = asked.seen(response)
        if asked.path in ("/reveal", "/api/reveal") and response.status_code == 200:
            continue  # the one value asked for, logged (checked in test_serve_lookup)
        found = full_identifiers(text, identifiers)
        if found:
            leaks.append((asked.user, asked.method, asked.url, sorted(found)[:3]))
    assert leaks == [], "\n".join(map(str, leaks))


def test_nothing_of_another_commune_reaches_a_commune_user(walked, communes: dict[str, Commune],
                                                          probe_users: dict[str, str]) -> None:
    leaks = []
    for asked, response, _ in walked:
        scope = probe_users[asked.user]
        if scope == "48" or asked.path == "/audit":  # their own trail shows the URLs they typed
            continue
        other = communes["b" if scope == communes["a"].code else "a"]
        text = asked.seen(response)
        shown = {m for m in other.marks if m in text}
        if shown:
            leaks.append((asked.user, asked.url, sorted(shown)))
        if asked.where == "other" and asked.path not in LISTS and NO_PERSONAL_DATA.get(
                (asked.method, asked.path)) is None and _may(asked.user, (asked.method, asked.path)):
            assert asked.status == 404, (asked.user, asked.url, asked.status)
    assert leaks == [], "\n".join(map(str, leaks))


def test_every_answer_with_personal_data_is_audited(walked) -> None:
    """A page that shows citizens writes an entry for the user; a refusal (403/404) writes one too."""
    missing = []
    for asked, _, added in walked:
        route = (asked.method, asked.path)
        needs = asked.status in (403, 404) or (asked.status == 200 and route not in NO_PERSONAL_DATA)
        if needs and added < 1:
            missing.append((asked.user, asked.method, asked.url, asked.status))
    assert missing == [], "\n".join(map(str, missing))


def test_pages_declared_free_of_personal_data_are(walked, identifiers: set[str], citizen_names: set[str],
                                                 communes: dict[str, Commune]) -> None:
    masked = re.compile(r"\d\*{4,}\d{3}")
    for asked, response, _ in walked:
        if (asked.method, asked.path) not in NO_PERSONAL_DATA or asked.path == "/audit" or response.status_code != 200:
            continue
        text = body_text(response)
        assert not masked.search(text), (asked.user, asked.url, masked.search(text))
        named = {n for n in citizen_names | {c.name for c in communes.values()} if n in text}
        assert not named, (asked.user, asked.url, sorted(named)[:3])


def test_no_answer_to_a_logged_in_request_is_cached(walked) -> None:
    cached = [(a.user, a.method, a.url, a.status, r.headers.get("cache-control"))
              for a, r, _ in walked if "no-store" not in (r.headers.get("cache-control") or "")]
    assert cached == [], "\n".join(map(str, cached))


# ------------------------------------------------------------------------------------------------ no session

def _no_session_clients(app: FastAPI, db: AppDB, subjects: Subjects) -> dict[str, TestClient]:
    """An anonymous browser, a clerk whose account was disabled (their browser and their API token) and one whose
    session went idle, each after a login (or a token) that worked."""
    out = {"anonymous": _browser(app)}
    for name in ("probe_disabled", "probe_idle"):
        add_user(db, name, "clerk", PASSWORD, subjects.commune_a)
        client = _browser(app)
        assert login(client, name).status_code == 303
        assert client.get("/lookup").status_code == 200
        out[name] = client
    token = create_token(db, "probe_disabled", "probe")
    out["probe_disabled_token"] = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert out["probe_disabled_token"].get("/api/lookup", params={"q": "x"}).status_code == 200
    set_active(db, "probe_disabled", False)
    with db.write_lock:
        db.con().execute("UPDATE sessions SET last_seen = last_seen - 100000 WHERE user_name = 'probe_idle'")
    return out


def test_without_a_live_session_every_route_gives_nothing(app: FastAPI, db: AppDB, subjects: Subjects,
                                                          communes: dict[str, Commune], identifiers: set[str]) -> None:
    """Every route, every method (HEAD and OPTIONS too), for anonymous, disabled and expired: the login page, 401
    (API) or a refusal — never a page, and nothing of a citizen in what comes back."""
    from tests.serve.test_serve_policy import OPEN, POLICY

    clients = _no_session_clients(app, db, subjects)
    marks = communes["a"].marks | communes["b"].marks
    for method, path in endpoints(app):
        if POLICY[(method, path)] == OPEN:
            continue
        for who, client in clients.items():
            for url, params in TARGETS[(method, path)](communes["a"]):
                for verb in (method, "HEAD", "OPTIONS"):
                    r = client.request(verb, url, params=params if verb != "POST" else None,
                                       data=params if verb == "POST" and not path.startswith("/api/") else None,
                                       follow_redirects=False)
                    where = (who, verb, url, r.status_code)
                    if path.startswith("/api/"):
                        assert r.status_code in (401, 405), where
                    elif r.status_code == 303:
                        assert r.headers["location"].startswith("/login"), where
                    else:
                        assert r.status_code in (403, 405), where  # a POST without the form token; a bad verb
                    text = without(body_text(r), _typed(url, params))
                    assert not {m for m in marks if m in text}, where
                    assert not full_identifiers(text, identifiers), where


# ------------------------------------------------------------------------------------------------ hostile requests

def test_a_post_without_the_form_token_or_from_another_site_is_refused_and_logged(app: FastAPI, clients,
                                                                                  db: AppDB, communes) -> None:
    """Every form POST of the app, as a logged-in clerk of commune A: without the token, with the token but sent by
    another site (Origin, Fetch Metadata): 403, and an entry in the audit log each time."""
    client = clients["clerk_a"]
    token = csrf_of(client.get("/account/password").text)
    for method, path in endpoints(app):
        if method != "POST" or path.startswith("/api/"):
            continue
        for url, params in TARGETS[(method, path)](communes["a"]):
            for data, headers in (({**params}, {}),
                                  ({**params, "csrf_token": token}, {"Sec-Fetch-Site": "cross-site"}),
                                  ({**params, "csrf_token": token},
                                   {"Sec-Fetch-Site": "", "Origin": "https://evil.example"})):
                before = _audit_count(db, "clerk_a")
                r = client.post(url, data=data, headers=headers, follow_redirects=False)
                assert r.status_code == 403, (path, headers, r.status_code)
                assert _audit_count(db, "clerk_a") == before + 1, (path, headers)
                assert _last_action(db, "clerk_a") in ("access_denied", "cross_site_refused"), path


def test_walking_ids_in_sequence_finds_only_the_users_commune(clients, ctx: Any, db: AppDB,
                                                             communes: dict[str, Commune]) -> None:
    """A clerk of commune A walks the archive rows and the record ids of commune B's source table one after the
    other: what opens is of commune A (checked in the store), everything else is a 404 in the audit log."""
    client, a = clients["clerk_a"], communes["a"]
    table = communes["b"].archive[0]
    source, src_table = table.split("__", 1)
    rows = ctx.reader.rows("SELECT src_row, record_id, address_new_commune_code AS c, address_candidates AS k, "
                           "commune_new_commune_code AS c2 FROM person WHERE src_source = ? AND src_table = ? "
                           "ORDER BY src_row", [source, src_table], limit=60)
    assert len(rows) == 60
    opened = 0
    for row in rows:
        codes = {row["c"], row["c2"], *(row["k"] or "").split(";")}
        for url in (f"/archive/{table}/{row['src_row']}", f"/record/person/{row['record_id']}"):
            before = _audit_count(db, "clerk_a")
            r = client.get(url)
            assert r.status_code == (200 if a.code in codes else 404), (url, codes)
            assert _last_action(db, "clerk_a") == ("record_view" if r.status_code == 200 else "not_found")
            assert _audit_count(db, "clerk_a") == before + 1
            opened += r.status_code == 200
    assert opened < len(rows)  # the walk met other communes' rows


TRAVERSALS = ("/files/document/{sha}/../../../../etc/passwd", "/files/document/{sha}/..%2f..%2f..%2fmerger.yaml",
              "/files/document/{sha}/%2e%2e/%2e%2e/hopnhat.duckdb", "/files/document/{sha}/{doc}/../../../merger.yaml",
              "/files/..%2f..%2fmerger.yaml/{sha}/{doc}", "/static/../merger.yaml", "/static/%2e%2e/%2e%2e/merger.yaml",
              "/static/..%2f..%2fserve%2fapp%2fsettings.py", "/archive/..%2f..%2fetc%2fpasswd/1",
              "/record/person/..%2f..%2f..%2fetc%2fpasswd", "/record/person/{doc}%00")


def test_path_tricks_reach_no_file(clients, communes: dict[str, Commune]) -> None:
    client, a = clients["clerk_a"], communes["a"]
    for trick in TRAVERSALS:
        url = trick.replace("{sha}", a.sha).replace("{doc}", a.document)
        r = client.get(url, follow_redirects=False)
        assert r.status_code in (400, 404, 422), (url, r.status_code)
        assert "root:x:" not in r.text and "merged_unit" not in r.text and b"DUCK" not in r.content[:16], url


def test_a_search_by_the_full_cccd_of_another_commune_tells_nothing(app: FastAPI, clients, tokens,
                                                                   communes: dict[str, Commune], db: AppDB) -> None:
    """No result, no count, no suggestion: the answer is the one an unknown number gets (and the search is logged
    with its zero results)."""
    b = communes["b"]
    unknown = b.cccd[:-3] + ("000" if not b.cccd.endswith("000") else "111")
    page, nobody = (clients["clerk_a"].get("/lookup", params={"q": q}).text for q in (b.cccd, unknown))
    assert page.replace(b.cccd, unknown) == nobody
    assert db.con().execute("SELECT detail FROM audit WHERE actor = 'clerk_a' AND action = 'lookup' "
                            "ORDER BY seq DESC LIMIT 2").fetchall()[1][0].count('"results":0') == 1
    api = TestClient(app, headers={"Authorization": f"Bearer {tokens['clerk_a']}"})
    found = api.get("/api/lookup", params={"q": b.cccd}).json()
    assert found["results"] == [] and found["query"] == b.cccd
    assert api.get("/api/lookup", params={"q": unknown}).json()["readings"] == found["readings"]


def test_the_access_log_masks_what_the_walk_asked(walked, identifiers: set[str]) -> None:
    """Every request of the walk written to uvicorn's access log as uvicorn writes it (client, method, path with
    its query string, version, status): the CCCDs and phones searched for are masked there too (digits after
    ``q=``, grouped by ``+``, were kept in full before)."""
    import logging
    from urllib.parse import urlencode

    from hopnhat.serve.security.mask import install_log_masking

    install_log_masking()
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    logger = logging.getLogger("uvicorn.access")
    keep, level = Keep(), logger.level
    logger.addHandler(keep)
    logger.setLevel(logging.INFO)
    try:
        for asked, response, _ in walked:
            query = urlencode({"q": asked.typed[0]}) if asked.path.endswith("/lookup") else ""
            logger.info('%s - "%s %s HTTP/%s" %d', "10.0.0.7:51234", asked.method,
                        asked.url + (f"?{query}" if query else ""), "1.1", response.status_code)
    finally:
        logger.removeHandler(keep)
        logger.setLevel(level)
    searched = [line for line in lines if "/lookup?q=" in line]
    assert searched and all(full_identifiers(line, identifiers) == set() for line in lines)
    assert any(re.search(r"q=0\*{8}\d{3}", line) for line in searched)


OPEN_REDIRECTS = ("//evil.example/", "/\t/evil.example/", "/\n/evil.example", "/\r\n/evil.example", "/\\evil.example",
                  "/\\/evil.example", " //evil.example", "https://evil.example/", "/%09/evil.example")


def test_the_page_after_login_is_never_another_site(app: FastAPI, db: AppDB, subjects: Subjects) -> None:
    """A link to the login page with a crafted ``next``: the address the browser goes to after the login, read as
    a browser reads a ``Location`` (tabs and newlines dropped, ``\\`` taken for ``/``), is a path of the app. (Holds
    because the redirect percent-encodes the control characters and the backslash ``_safe_next`` lets through.)"""
    add_user(db, "probe_next", "clerk", PASSWORD, subjects.commune_a)
    for target in OPEN_REDIRECTS:
        client = _browser(app)
        page = client.get("/login", params={"next": target})
        response = client.post("/login", data={"username": "probe_next", "password": PASSWORD,
                                               "csrf_token": csrf_of(page.text), "next": target},
                               follow_redirects=False)
        assert response.status_code == 303, target
        seen = re.sub(r"[\t\n\r]", "", response.headers["location"]).replace("\\", "/")
        assert seen.startswith("/") and not seen.startswith("//"), (target, response.headers["location"])


def test_another_communes_record_answers_like_one_that_does_not_exist(app: FastAPI, clients, tokens,
                                                                      communes: dict[str, Commune]) -> None:
    """A user of commune A cannot tell a record of commune B from an id nobody holds: same status, same page (the
    URL they typed aside)."""
    b = communes["b"]
    api = TestClient(app, headers={"Authorization": f"Bearer {tokens['clerk_a']}"})
    pairs = [(clients["clerk_a"], f"/record/person/{b.person}", "/record/person/P-000000000000X"),
             (clients["clerk_a"], f"/archive/{b.archive[0]}/{b.archive[1]}", f"/archive/{b.archive[0]}/999999999"),
             (clients["clerk_a"], f"/files/document/{b.sha}/{b.document}", f"/files/document/{'0' * 64}/{b.document}"),
             (clients["reviewer_a"], f"/review/item?key={b.review_item}", "/review/item?key=pair:nobody"),
             (api, f"/api/record/person/{b.person}", "/api/record/person/P-000000000000X")]
    for client, real, made_up in pairs:
        answers = [client.get(url) for url in (real, made_up)]
        assert answers[0].status_code == answers[1].status_code == 404, real
        texts = [without(r.text, _typed(url, dict(parse_qsl(urlsplit(url).query))))
                 for r, url in zip(answers, (real, made_up), strict=True)]
        assert texts[0] == texts[1], real


def _placed_in(code: str, row: dict[str, Any]) -> bool:
    """Whether a person record is placed in the commune (its new commune or a candidate), read from the row."""
    for place in ("address", "commune"):
        if row.get(f"{place}_new_commune_code") == code or code in (row.get(f"{place}_candidates") or "").split(";"):
            return True
    return False


def _outside_only(inside: list[dict[str, Any]], outside: list[dict[str, Any]]) -> set[str]:
    """The forms (full, and masked for identifiers) of the values only the records outside hold, that no record
    inside could account for."""
    fields = ("id_number", "cccd", "cmnd", "phone")
    held = {str(r[f]) for r in inside for f in (*fields, "address") if r.get(f)}
    held_masked = {mask(v) for v in held}
    forms = {str(r["address"]) for r in outside if r.get("address")} - held
    for value in {str(r[f]) for r in outside for f in fields if r.get(f)} - held:
        forms |= {value} | ({mask(value)} - held_masked)
    forms |= {str(r["record_id"]) for r in outside}
    return {f for f in forms if not any(f in h for h in held)}


def test_a_golden_record_shows_a_commune_user_nothing_of_its_records_elsewhere(app: FastAPI, clients, tokens,
                                                                               ctx: Any,
                                                                               communes: dict[str, Commune]) -> None:
    """Every citizen of commune A or B with linked records elsewhere, opened by that commune's clerk (page and API):
    no identifier, address or record id that only the records outside the commune hold, in full or masked — the
    records are read from the store and placed here, not by the app's scope code."""
    checked = 0
    for user, commune in (("clerk_a", communes["a"].code), ("clerk_b", communes["b"].code)):
        api = TestClient(app, headers={"Authorization": f"Bearer {tokens[user]}"})
        golden_ids = [r["golden_id"] for r in ctx.reader.rows(
            "SELECT golden_id FROM person WHERE golden_id IS NOT NULL GROUP BY golden_id HAVING "
            "count(*) FILTER (WHERE address_new_commune_code = ?) > 0 AND "
            "count(*) FILTER (WHERE address_new_commune_code IS DISTINCT FROM ?) > 0 ORDER BY golden_id",
            [commune, commune], limit=25)]
        for gid in golden_ids:
            rows = ctx.reader.rows("SELECT * FROM person WHERE golden_id = ?", [gid], limit=100)
            inside = [r for r in rows if _placed_in(commune, r)]
            forms = _outside_only(inside, [r for r in rows if not _placed_in(commune, r)])
            for response in (clients[user].get(f"/record/person/{gid}"), api.get(f"/api/record/person/{gid}")):
                assert response.status_code == 200, (user, gid)
                text = html.unescape(response.text) if "html" in response.headers["content-type"] else \
                    json.dumps(response.json(), ensure_ascii=False)
                assert {f for f in forms if f in text} == set(), (user, gid)
            checked += 1
    assert checked > 0
