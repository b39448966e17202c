"""The web app and its JSON API fuzzed from their own OpenAPI schema with Schemathesis, per role and scope.

The schema is the app object's (``app.openapi()``; the app serves no ``/openapi.json`` or ``/docs``). Every operation
in it — the JSON API, the HTML pages and their forms — is asked by a user of every role of commune A, the whole
province's admin and clerk, and an anonymous browser, with requests Schemathesis generates (valid and invalid
against the schema), sent in-process to the app through the test client. Half the requests carry, in place of
generated values, the parameters of a real record of the user's own commune or of commune B (read from the store by
the probe's fixtures), so the fuzzer meets ids in and out of scope; the logged-in user's form token is added to every
form but the logout (the login form gets the login page's). Each answer is checked:

- no 5xx, no Python traceback;
- status, content type and body as the schema declares them (Schemathesis' conformance checks);
- no CCCD/CMND/phone of the store in full, except the one value a reveal shows;
- ``Cache-Control: no-store``;
- an entry in the audit log for every page of personal data shown and every refusal (403/404) of a logged-in user;
- nothing of commune B (ids, names, dossier codes) in an answer to a user of commune A, and for an id of commune B
  on a route that is not a list, no page (403/404/422), never data.

Deterministic and bounded: ``derandomize`` and a fixed ``max_examples`` per operation and user (:data:`EXAMPLES`);
the ``slow`` run asks every user of the probe with :data:`SLOW_EXAMPLES` each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.serve.conftest import PASSWORD, csrf_of, login
from tests.serve.test_serve_policy import OPEN, POLICY
from tests.serve.test_serve_probe import (
    LISTS,
    NO_PERSONAL_DATA,
    SCOPED_POSTS,
    SCOPED_USERS,
    TARGETS,
    Commune,
    _audit_count,
    _may,
    body_text,
    communes,  # noqa: F401 - fixture
    full_identifiers,
    identifiers,  # noqa: F401 - fixture
    without,
)

from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.search.lookup import MAX_QUERY
from hopnhat.serve.security.users import add_user, create_token

EXAMPLES, SLOW_EXAMPLES = 6, 40
# the default run: every role of commune A, the province's admin and clerk, and nobody logged in
DEFAULT_USERS = ("admin", "clerk", "clerk_a", "engineer_a", "reviewer_a", "leader_a", "planner_a", "anonymous")
ALL_USERS = (*SCOPED_USERS, "anonymous")
ADDRESS = "10.26.0.7"  # the fuzz's own address: its failed logins must not throttle another module's browser
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_URL_QUERY = 60_000  # httpx refuses a longer query string (a 10,000-character query percent-encoded is longer)
PREFIX = "fz_"  # the fuzz's own accounts (its logouts and password forms touch no other module's session)


def operations() -> list[tuple[str, str]]:
    return sorted(TARGETS, key=lambda t: (t[1], t[0]))


def schema_path(path: str) -> str:
    return path.replace(":path}", "}")


# ------------------------------------------------------------------------------------------------ users

@dataclass
class Fuzzer:
    """A user as the fuzz sees them: their scope and their clients (a logged-in browser, the API with a token)."""

    name: str
    scope: str | None  # a commune code, "48" for the whole province, None when nobody is logged in
    browser: TestClient
    api: TestClient

    @property
    def account(self) -> str:
        return PREFIX + self.name


def _client(app: FastAPI, headers: dict[str, str] | None = None) -> TestClient:
    return TestClient(app, headers={"Sec-Fetch-Site": "same-origin", **(headers or {})}, client=(ADDRESS, 50000))


@pytest.fixture(scope="module")
def fuzzers(app: FastAPI, db: AppDB, communes: dict[str, Commune]) -> dict[str, Fuzzer]:  # noqa: F811
    where = {"48": "48", "a": communes["a"].code, "b": communes["b"].code}
    out = {"anonymous": Fuzzer("anonymous", None, _client(app), _client(app))}
    for name, (role, scope) in SCOPED_USERS.items():
        add_user(db, PREFIX + name, role, PASSWORD, where[scope])
        browser = _client(app)
        assert login(browser, PREFIX + name).status_code == 303, name
        token = create_token(db, PREFIX + name, "fuzz")
        out[name] = Fuzzer(name, where[scope], browser, _client(app, {"Authorization": f"Bearer {token}"}))
    return out


@pytest.fixture(scope="module")
def schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_dict(app.openapi())


# ------------------------------------------------------------------------------------------------ planted values

def _pattern(path: str) -> re.Pattern[str]:
    regex = re.sub(r"\{(\w+):path\}", r"(?P<\1>.+)", path)
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex) + "$")


def planted(route: tuple[str, str], commune: Commune) -> list[dict[str, dict[str, Any]]]:
    """The probe's realistic requests of a commune for the route, as Schemathesis parameters (path, query, body)."""
    method, path = route
    out = []
    for url, params in TARGETS[route](commune):
        parts = urlsplit(url)
        found = _pattern(path).match(parts.path)
        assert found, (route, url)
        values: dict[str, dict[str, Any]] = {"path": found.groupdict(), "query": dict(parse_qsl(parts.query)),
                                             "body": {}}
        values["body" if method == "POST" else "query"].update(params)
        out.append(values)
    return out


def plant(case: Any, values: dict[str, dict[str, Any]]) -> None:
    """The real values in place of the generated ones (the other parameters keep what the fuzzer made)."""
    if values["path"]:
        case.path_parameters = {**(case.path_parameters or {}), **values["path"]}
    if values["query"]:
        case.query = {**(case.query or {}), **values["query"]}
    if values.get("body"):
        case.body = {**(case.body if isinstance(case.body, dict) else {}), **values["body"]}


# ------------------------------------------------------------------------------------------------ sending

def send(fuzzer: Fuzzer, case: Any) -> httpx.Response:
    """The case as Schemathesis serialises it, sent in-process through the user's test client."""
    api = case.operation.path.startswith("/api/")
    form = case.media_type == "application/x-www-form-urlencoded"
    token = _form_token(fuzzer, case.operation.path) if form else None
    if token is not None:
        case.body = {**(case.body if isinstance(case.body, dict) else {}), "csrf_token": token}
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    method, url = kwargs.pop("method"), kwargs.pop("url")
    kwargs.pop("cookies", None)
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs.pop("json")
    if "data" in kwargs:
        data = kwargs.pop("data")
        body["data" if isinstance(data, dict) else "content"] = data
    assert set(kwargs) <= {"headers", "params"}, kwargs
    client = fuzzer.api if api else fuzzer.browser
    if len(str(httpx.QueryParams(kwargs.get("params") or {}))) > MAX_URL_QUERY:
        reject()  # longer than the client writes (and than a server reads): the request is never sent
    return client.request(method, url, params=kwargs.get("params"), headers=kwargs.get("headers"),
                          follow_redirects=False, **body)


def _form_token(fuzzer: Fuzzer, path: str) -> str | None:
    """The token a form of the user's page carries: the login page's for the login, the session's for the others
    (none for the logout, which would end the session the next requests use; none for nobody logged in)."""
    if path == "/login":
        return csrf_of(fuzzer.browser.get("/login").text)
    if fuzzer.scope is None or path == "/logout":
        return None
    return csrf_of(fuzzer.browser.get("/account/password").text)


def typed(case: Any, response: httpx.Response) -> tuple[str, ...]:
    """What the user sent (path, query, form, JSON): theirs to see again (echoed in the search box, the error)."""
    texts = [response.request.url.path, response.request.url.query.decode("ascii")]
    for container in (case.path_parameters, case.query, case.body if isinstance(case.body, dict) else None):
        texts += [str(v) for v in (container or {}).values()]
    return tuple(t for text in texts for t in (text, quote(text), quote(text, safe="")) if t)


# ------------------------------------------------------------------------------------------------ checks

@dataclass
class Asked:
    fuzzer: Fuzzer
    route: tuple[str, str]
    where: str  # "own", "other" (commune B's values planted) or "made" (nothing planted)
    case: Any
    response: httpx.Response
    audited: int


def check(asked: Asked, identifiers: set[str], communes: dict[str, Commune]) -> None:  # noqa: F811
    r, route, fuzzer = asked.response, asked.route, asked.fuzzer
    where = (fuzzer.name, *route, r.status_code, str(r.request.url)[:300])
    asked.case.validate_response(r, checks=CHECKS)
    assert "Traceback (most recent call last)" not in r.text, where
    assert "no-store" in (r.headers.get("cache-control") or ""), where
    text = without(body_text(r), typed(asked.case, r))
    if not (route[1].endswith("/reveal") and r.status_code == 200):
        assert full_identifiers(text, identifiers) == set(), where
    _check_scope(asked, text, communes, where)
    _check_audit(asked, where)
    if fuzzer.scope is None and POLICY[route] != OPEN:
        assert r.status_code in (303, 401, 403), where
        assert r.status_code != 303 or r.headers["location"].startswith("/login"), where


def _check_scope(asked: Asked, text: str, communes: dict[str, Commune],  # noqa: F811
                 where: tuple[Any, ...]) -> None:
    fuzzer, route = asked.fuzzer, asked.route
    if fuzzer.scope in (None, "48") or route[1] == "/audit":  # their own trail shows the URLs they typed
        return
    other = communes["b" if fuzzer.scope == communes["a"].code else "a"]
    assert {m for m in other.marks if m in text} == set(), where
    private = route[1] not in LISTS and route not in NO_PERSONAL_DATA
    if asked.where == "other" and private and route[0] == "GET" and _may(fuzzer.name, route):
        assert asked.response.status_code in (403, 404, 422), where


def _check_audit(asked: Asked, where: tuple[Any, ...]) -> None:
    route, status = asked.route, asked.response.status_code
    if asked.fuzzer.scope is None or (route[0] == "POST" and route not in SCOPED_POSTS):
        return
    if status in (403, 404) or (status == 200 and route not in NO_PERSONAL_DATA and not _empty_search(asked)):
        assert asked.audited >= 1, where


def _empty_search(asked: Asked) -> bool:
    """The search page without a query (blank once cut to the longest query read): the empty search box."""
    query = asked.case.query or {}
    return asked.route == ("GET", "/lookup") and not str(query.get("q", ""))[:MAX_QUERY].strip()


# ------------------------------------------------------------------------------------------------ the fuzz

def strategy(schema: Any, route: tuple[str, str], fuzzer: Fuzzer, communes: dict[str, Commune]) -> Any:  # noqa: F811
    """A case of the operation (valid or not against the schema), with a real commune's values planted in some."""
    operation = schema[schema_path(route[1])][route[0]]
    modes = [GenerationMode.POSITIVE]
    if operation.path_parameters or operation.query or operation.body:
        modes.append(GenerationMode.NEGATIVE)
    cases = st.one_of(*(operation.as_strategy(generation_mode=m) for m in modes))
    own = "b" if fuzzer.scope == communes["b"].code else "a"
    other = "b" if own == "a" else "a"
    real = [(w, v) for w, c in (("own", own), ("other", other)) for v in planted(route, communes[c])]
    return st.tuples(cases, st.one_of(st.just(("made", None)), st.sampled_from(real)))  # half of them made up


def fuzz(db: AppDB, schema: Any, fuzzer: Fuzzer, route: tuple[str, str],
         communes: dict[str, Commune], identifiers: set[str], examples: int) -> int:  # noqa: F811
    """Runs ``examples`` generated requests of the route as the user; returns how many were sent."""
    sent = []

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    @given(drawn=strategy(schema, route, fuzzer, communes))
    def run(drawn: tuple[Any, tuple[str, dict[str, dict[str, Any]] | None]]) -> None:
        case, (where, values) = drawn
        if values is not None:
            plant(case, values)
        before = _audit_count(db, fuzzer.account)
        response = send(fuzzer, case)
        sent.append(1)
        check(Asked(fuzzer, route, where, case, response, _audit_count(db, fuzzer.account) - before),
              identifiers, communes)

    run()
    return len(sent)


def _params(users: tuple[str, ...]) -> list[Any]:
    return [pytest.param(user, route, id=f"{user}-{route[0]}-{route[1]}") for user in users
            for route in operations()]


@pytest.mark.parametrize(("user", "route"), _params(DEFAULT_USERS))
def test_fuzz(app: FastAPI, db: AppDB, schema: Any, fuzzers: dict[str, Fuzzer], user: str, route: tuple[str, str],
              communes: dict[str, Commune], identifiers: set[str]) -> None:  # noqa: F811
    assert fuzz(db, schema, fuzzers[user], route, communes, identifiers, EXAMPLES) >= 1


@pytest.mark.slow
@pytest.mark.parametrize(("user", "route"), _params(ALL_USERS))
def test_fuzz_more(app: FastAPI, db: AppDB, schema: Any, fuzzers: dict[str, Fuzzer], user: str,
                   route: tuple[str, str], communes: dict[str, Commune], identifiers: set[str]) -> None:  # noqa: F811
    assert fuzz(db, schema, fuzzers[user], route, communes, identifiers, SLOW_EXAMPLES) >= 1


def test_the_schema_describes_every_route_the_probe_knows(schema: Any, app: FastAPI) -> None:
    """The fuzz reaches what the probe reaches: each (method, path) of the probe is an operation of the schema, which
    declares what the answers are (the API's models and error shape, the pages' HTML); the app still serves no schema
    or docs of its own."""
    for method, path in operations():
        assert schema[schema_path(path)][method] is not None
    paths = app.openapi()["paths"]
    for path, method, model in (("/api/lookup", "get", "LookupAnswer"), ("/api/record/{entity}/{key}", "get",
                                "RecordAnswer"), ("/api/reveal", "post", "RevealAnswer")):
        answers = paths[path][method]["responses"]
        assert answers["200"]["content"]["application/json"]["schema"]["$ref"].endswith(model), path
        assert answers["404"]["content"]["application/json"]["schema"]["$ref"].endswith("ApiError"), path
    page = paths["/record/{entity}/{key}"]["get"]["responses"]
    assert set(page["200"]["content"]) == set(page["404"]["content"]) == {"text/html"}
    anon = TestClient(app)
    for url in ("/openapi.json", "/docs", "/redoc"):
        assert anon.get(url, follow_redirects=False).status_code in (303, 404), url



def test_the_checks_catch_a_leak_a_cached_answer_and_a_read_left_untraced(schema: Any, fuzzers: dict[str, Fuzzer],
                                                                          identifiers: set[str],  # noqa: F811
                                                                          communes: dict[str, Commune]) -> None:  # noqa: F811
    """The fuzz's checks fail on what they are for: an API answer of commune A's clerk with a store CCCD in full,
    one with commune B's citizen, one without ``no-store``, one read with no audit entry, one not of the declared
    shape; the same answer masked, kept from caches, audited and whole passes."""
    route = ("GET", "/api/lookup")
    case = schema["/api/lookup"]["GET"].Case(query={"q": "nguyen"})
    request = httpx.Request("GET", "http://testserver/api/lookup?q=nguyen")
    cccd, a = sorted(identifiers)[0], communes["a"]
    found = {"entity": "person", "title": a.name, "birth": "1980", "ids": [cccd[:1] + "*" * 8 + cccd[-3:]],
             "code": "", "address": "", "score": 97, "link": f"/record/person/{a.person}", "sources": [],
             "archive_only": False, "golden_id": a.person, "record_id": a.person_record}

    def asked(result: dict[str, Any], headers: dict[str, str], audited: int = 1) -> Asked:
        answer = {"query": "nguyen", "kind": "name", "reading": "", "readings": [], "results": [result]}
        response = httpx.Response(200, json=answer, headers=headers, request=request)
        response.elapsed = timedelta(milliseconds=1)  # as the client sets it once the answer is read
        return Asked(fuzzers["clerk_a"], route, "made", case, response, audited)

    no_store = {"cache-control": "no-store"}
    check(asked(found, no_store), identifiers, communes)
    for bad in (asked({**found, "ids": [cccd]}, no_store), asked({**found, "golden_id": communes["b"].person},
                                                                   no_store), asked(found, {}),
                asked(found, no_store, audited=0),
                asked({k: v for k, v in found.items() if k != "score"}, no_store)):
        with pytest.raises((AssertionError, BaseExceptionGroup)):  # Schemathesis' failures come grouped
            check(bad, identifiers, communes)
