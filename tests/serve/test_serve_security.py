"""The web app's defences, each tried the way an attacker or a careless insider would: a cookie copied before
logout, an idle or too-old session, a rotating X-Forwarded-For against the login throttle, a page of another site
running a lookup under a clerk's name, walking through record ids, identifiers inside quarantine messages and the
workbook, linked data and review pairs of another commune, and account administration (who may do what)."""

from __future__ import annotations

import io
import re
import secrets

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from tests.serve.conftest import PASSWORD, Subjects, csrf_of, login

from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.security import audit
from hopnhat.serve.security.mask import mask_text
from hopnhat.serve.security.scope import Scope
from hopnhat.serve.security.sessions import ProxyPolicy
from hopnhat.serve.security.users import add_user, get_user

SAME = {"Sec-Fetch-Site": "same-origin"}
CCCD = re.compile(r"(?<![\w\-/.#&@=])0\d{11}(?!\w)")


def _user(db: AppDB, role: str = "clerk", scope: str = "48", must_change: bool = False) -> str:
    name = f"t{secrets.token_hex(4)}"
    add_user(db, name, role, PASSWORD, scope, must_change=must_change)
    return name


def _client(app: FastAPI, name: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app, headers=SAME)
    assert login(client, name, password).status_code == 303
    return client


def _last(db: AppDB, actor: str) -> list[dict]:  # type: ignore[type-arg]
    return audit.entries(db, actor, None, 50)


# ------------------------------------------------------------------------------------------------ sessions

def test_a_cookie_copied_before_logout_stops_working(app: FastAPI, db: AppDB) -> None:
    name = _user(db)
    client = _client(app, name)
    copied = dict(client.cookies)
    assert client.get("/lookup").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_of(client.get("/lookup").text)},
                       follow_redirects=False).status_code == 303
    thief = TestClient(app, headers=SAME, cookies=copied)
    response = thief.get("/lookup", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_idle_and_old_sessions_end(app: FastAPI, db: AppDB, ctx) -> None:
    for column, shift, why in (("last_seen", ctx.settings.session_idle_s + 5, "idle"),
                               ("expires_at", ctx.settings.session_max_age_s + 5, "age")):
        name = _user(db)
        client = _client(app, name)
        assert client.get("/lookup").status_code == 200
        with db.write_lock:
            db.con().execute(f"UPDATE sessions SET {column} = {column} - ? WHERE user_name = ?", [shift, name])
        assert client.get("/lookup", follow_redirects=False).status_code == 303, why
        assert any(e["action"] == "session_expired" and e["detail"]["why"] == why for e in _last(db, name))
        assert client.get("/lookup", follow_redirects=False).status_code == 303  # ended for good


def test_a_password_change_ends_the_other_sessions(app: FastAPI, db: AppDB) -> None:
    name = _user(db)
    laptop, phone = _client(app, name), _client(app, name)
    new = "mot-cau-mat-khau-moi-rat-dai"
    changed = laptop.post("/account/password", data={"current": PASSWORD, "new": new, "again": new,
                                                     "csrf_token": csrf_of(laptop.get("/account/password").text)},
                          follow_redirects=False)
    assert changed.status_code == 303
    assert laptop.get("/lookup").status_code == 200  # the session that changed it goes on (a new session)
    assert phone.get("/lookup", follow_redirects=False).status_code == 303
    assert login(TestClient(app), name, PASSWORD).status_code == 401
    assert _client(app, name, new).get("/lookup").status_code == 200


def test_the_password_policy(app: FastAPI, db: AppDB) -> None:
    name = _user(db)
    client = _client(app, name)
    for bad in ("ngan-qua", "123456789012", "aaaaaaaaaaaaaaaa", f"{name}-mat-khau-dai"):
        page = client.post("/account/password", data={"current": PASSWORD, "new": bad, "again": bad,
                                                       "csrf_token": csrf_of(client.get("/account/password").text)})
        assert page.status_code == 400 and 'role="alert"' in page.text, bad
    wrong = client.post("/account/password", data={"current": "not-it-at-all", "new": "cau-dai-hop-le-2025",
                                                   "again": "cau-dai-hop-le-2025",
                                                   "csrf_token": csrf_of(client.get("/account/password").text)})
    assert wrong.status_code == 400 and "không đúng" in wrong.text


# ------------------------------------------------------------------------------------------------ client address

def test_a_rotating_forwarded_for_does_not_dodge_the_throttle(app: FastAPI, db: AppDB) -> None:
    name = _user(db)
    client = TestClient(app)
    codes = []
    for i in range(8):
        page = client.get("/login")
        codes.append(client.post("/login", data={"username": name, "password": f"wrong-{i}",
                                                 "csrf_token": csrf_of(page.text)},
                                 headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code)
    assert codes[:5] == [401] * 5 and codes[5:] == [429] * 3
    assert {e["ip"] for e in _last(db, name)} == {"testclient"}  # the peer, not what the client claimed


def test_forwarded_for_is_believed_only_from_a_configured_proxy() -> None:
    headers = {"x-forwarded-for": "198.51.100.7, 10.0.0.5"}
    assert ProxyPolicy("").client("127.0.0.1", headers) == "127.0.0.1"  # no proxy configured: not even localhost
    proxies = ProxyPolicy("10.0.0.0/24")
    assert proxies.client("10.0.0.9", headers) == "198.51.100.7"  # right-most hop that is not a proxy
    assert proxies.client("192.0.2.1", headers) == "192.0.2.1"  # a client talking directly is not believed
    assert proxies.client("10.0.0.9", {"x-forwarded-for": "1.2.3.4, 5.6.7.8"}) == "5.6.7.8"  # left part: forged


def test_a_real_server_does_not_believe_forwarded_for_from_localhost(app: FastAPI, db: AppDB) -> None:
    """Under uvicorn (whose own proxy-header handling trusts 127.0.0.1 by default) a local client rotating
    X-Forwarded-For is still one address to the throttle."""
    import httpx

    from hopnhat.serve.app.background import start_app

    name = _user(db)
    with start_app(app) as server, httpx.Client(base_url=server.url) as client:
        codes = []
        for i in range(7):
            token = csrf_of(client.get("/login").text)
            codes.append(client.post("/login", data={"username": name, "password": f"wrong-{i}", "csrf_token": token},
                                     headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code)
    assert codes == [401] * 5 + [429] * 2
    assert {e["ip"] for e in _last(db, name)} == {"127.0.0.1"}


# ------------------------------------------------------------------------------------------------ cross-site

def test_another_site_cannot_run_a_lookup_under_the_clerk_name(app: FastAPI, db: AppDB, subjects: Subjects) -> None:
    name = _user(db)
    browser = TestClient(app, cookies=dict(_client(app, name).cookies))  # the clerk's browser, cookie and all
    q = {"q": subjects.a.name}
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                    {"Referer": "https://evil.example/page"}, {"Origin": "https://evil.example"}):
        response = browser.get("/lookup", params=q, headers=headers)
        assert response.status_code == 403, headers
        assert subjects.a.golden_id not in response.text and 'id="confirm"' in response.text
    trail = _last(db, name)
    assert not [e for e in trail if e["action"] == "lookup"]
    assert len([e for e in trail if e["action"] == "cross_site_refused"]) == 4


def test_a_lookup_without_fetch_metadata_needs_the_form_token(app: FastAPI, db: AppDB, subjects: Subjects) -> None:
    """A browser that sends no Fetch Metadata (plain http on a LAN) and no Referer: the search form's token."""
    name = _user(db)
    client = _client(app, name)
    bare = TestClient(app, cookies=dict(client.cookies))
    assert bare.get("/lookup", params={"q": subjects.a.name}).status_code == 403
    token = re.search(r'name="t" value="([^"]+)"', client.get("/lookup").text).group(1)  # type: ignore[union-attr]
    found = bare.get("/lookup", params={"q": subjects.a.name, "t": token})
    assert found.status_code == 200 and subjects.a.golden_id in found.text
    assert bare.get("/lookup").status_code == 200  # the empty search page needs nothing


def test_origin_is_compared_with_the_host_a_trusted_proxy_forwarded() -> None:
    """Behind a proxy that rewrites Host (``proxy_pass http://127.0.0.1:8000``) the browser's Origin names the public
    host: believed from X-Forwarded-Host only when the proxy is a configured one."""
    from starlette.requests import Request

    from hopnhat.serve.app.deps import cross_site

    class App:
        class state:  # stands for app.state
            ctx: object = None

    def request(peer: str, trusted: str) -> Request:
        App.state.ctx = type("Ctx", (), {"proxies": ProxyPolicy(trusted)})()
        headers = [(b"host", b"127.0.0.1:8000"), (b"origin", b"https://hopnhat.example.gov.vn"),
                   (b"x-forwarded-host", b"hopnhat.example.gov.vn")]
        return Request({"type": "http", "method": "POST", "path": "/reveal", "headers": headers,
                        "client": (peer, 5000), "app": App, "query_string": b""})

    assert not cross_site(request("10.0.0.2", "10.0.0.0/24"))
    assert cross_site(request("10.0.0.2", ""))  # nobody trusted: the forwarded host is not believed
    assert cross_site(request("192.0.2.9", "10.0.0.0/24"))


def test_a_post_from_another_origin_is_refused(app: FastAPI, db: AppDB, subjects: Subjects) -> None:
    name = _user(db, "reviewer")
    client = _client(app, name)
    token = csrf_of(client.get("/lookup").text)
    response = client.post("/reveal", data={"entity": "person", "key": subjects.a.golden_id, "field": "cccd",
                                            "csrf_token": token},
                           headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403 and subjects.a.id_number not in response.text
    assert not [e for e in _last(db, name) if e["action"] == "reveal"]


# ------------------------------------------------------------------------------------------------ refusals audited

def test_walking_through_ids_leaves_a_trace(client_as, db: AppDB, subjects: Subjects) -> None:
    client = client_as("clerk_a")
    assert client.get(f"/record/person/{subjects.b.golden_id}").status_code == 404
    assert client.get("/record/person/P-DOES-NOT-EXIST").status_code == 404
    assert client.get("/review").status_code == 403
    trail = _last(db, "clerk_a")
    paths = {(e["action"], e["detail"].get("path")) for e in trail}
    assert ("not_found", f"/record/person/{subjects.b.golden_id}") in paths
    assert ("not_found", "/record/person/P-DOES-NOT-EXIST") in paths
    assert ("access_denied", "/review") in paths
    assert audit.verify(db).ok


# ------------------------------------------------------------------------------------------------ masking

def test_identifiers_in_quarantine_messages_are_masked_on_the_page_and_in_the_workbook(
        client_as, ctx) -> None:
    with_cccd = ctx.reader.rows("SELECT raw_value, message FROM quarantine WHERE regexp_matches(coalesce(raw_value, "
                                "'') || coalesce(message, ''), '(^|[^0-9])0[0-9]{11}([^0-9]|$)')")
    assert with_cccd, "the test store must hold quarantined text with a CCCD in it"
    full = {m for r in with_cccd for m in re.findall(r"0\d{11}", (r["raw_value"] or "") + (r["message"] or ""))}
    page = client_as("admin").get("/dashboard/quarantine")
    assert page.status_code == 200 and not any(c in page.text for c in full)
    book = client_as("admin").get("/dashboard/quarantine.xlsx")
    cells = " ".join(str(c) for row in load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True)
                     for c in row if c is not None)
    assert not any(c in cells for c in full) and "*" in cells


def test_mask_text_finds_identifiers_in_free_text_and_leaves_codes_alone() -> None:
    """Hand-written cases (not from the generator): what must be masked and what must stay usable."""
    masked = {"CCCD 049094367229 đã có": "CCCD 0********229 đã có", "khóa '201234567'": "khóa '2*****567'",
              '{"SoGiayTo":"049094367229"}': '{"SoGiayTo":"0********229"}', "ĐT 0905 123 456.": "ĐT 0******456.",
              "gọi 0905.123.456": "gọi 0******456", "MST 8012345678-001": "MST 8******678-001",
              "SĐT 0905-123-456, +84 905 123 456": "SĐT 0******456, 8*******456"}
    for text, want in masked.items():
        assert mask_text(text) == want, text
    for code in ("ORG-0401234567", "/record/person/P-62D8EDD2AD4A3C", "000.14.12.H49-241001-0001",
                 "4800000-241227-0002", "quangnam_dancu/nhan_khau/049094367229", "20261205T164001-f83c",
                 "1.500.000.000 đồng", "2024-10-02T09:42:54", "20779-19-1", "a" * 20 + "123456789012",
                 "ngày 02-10-2024", "000.00.11.H49-240601-0001", "run 20261205T164001-f83c"):
        assert mask_text(code) == code, code


def test_log_lines_and_their_tracebacks_are_masked(app: FastAPI, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    log = logging.getLogger("hopnhat.serve")
    with caplog.at_level(logging.INFO, logger="hopnhat.serve"):
        log.info("lookup of %s by phone %s", "049094367229", "0905 123 456")
        try:
            raise ValueError("bad CCCD 049094367229")
        except ValueError:
            log.exception("refused")
    text = caplog.text
    assert "049094367229" not in text and "0905 123 456" not in text
    assert "0********229" in text and "ValueError" in text


# ------------------------------------------------------------------------------------------------ scope

def test_linked_dossiers_and_parcels_of_another_commune_stay_hidden(ctx) -> None:
    rows = ctx.reader.rows(
        "SELECT p.golden_id, p.address_new_commune_code AS home, x.commune_new_commune_code AS there "
        "FROM person p JOIN parcel x ON x.holder_id = coalesce(p.id_number, p.cccd) WHERE p.golden_id IS NOT NULL "
        "AND p.address_new_commune_code IS NOT NULL AND x.commune_new_commune_code <> p.address_new_commune_code "
        "ORDER BY 1 LIMIT 1")
    assert rows, "the test store must hold a citizen with a parcel in another commune"
    gid, home, there = rows[0]["golden_id"], rows[0]["home"], rows[0]["there"]
    everyone = ctx.records.page("person", gid, Scope(("48",), "48"))
    assert any(p.get("commune_new_commune_code") == there for p in everyone.parcels)
    local = ctx.records.page("person", gid, Scope((home,), "48"))
    assert local is not None
    assert all(p.get("commune_new_commune_code") == home or home in (p.get("commune_candidates") or "")
               for p in local.parcels)
    for d in local.dossiers:
        assert home in {d.get("applicant_address_new_commune_code"), d.get("receiving_unit_new_commune_code")} | \
            set((d.get("applicant_address_candidates") or "").split(";")) | \
            set((d.get("receiving_unit_candidates") or "").split(";"))


def test_a_review_pair_straddling_two_communes_shows_only_the_own_record(ctx) -> None:
    item = next(i for i in ctx.review.items(Scope(("48",), "48"), "all", "pair") if len(i.scope_codes) >= 2
                and "48" not in i.scope_codes)
    commune = item.scope_codes[0]
    full = ctx.review.get(item.item_key, Scope(("48",), "48"))
    seen = ctx.review.get(item.item_key, Scope((commune,), "48"))
    assert seen is not None and len(seen.records) == len(full.records) == 2
    hidden = [r for r in seen.records if r.get("out_of_scope")]
    assert len(hidden) == 1 and set(hidden[0]) == {"record_id", "out_of_scope"}


def test_the_pending_count_counts_only_items_in_scope(ctx, db: AppDB, subjects: Subjects) -> None:
    scope_b = Scope((subjects.commune_b,), "48")
    outside = next(i for i in ctx.review.items(Scope(("48",), "48"), "open")
                   if subjects.commune_b not in i.scope_codes and "48" not in i.scope_codes)
    before = ctx.review.counts(scope_b)["pending"]
    decision = "same" if outside.kind == "pair" else f"commune:{outside.candidates[0]}"
    ctx.review.decide(outside, decision, "tester", "ngoài phạm vi B")
    assert ctx.review.counts(scope_b)["pending"] == before
    assert ctx.review.counts(Scope(("48",), "48"))["pending"] >= 1


def test_quarantine_rows_of_a_commune_user_are_only_of_records_in_scope(
        app, db: AppDB, ctx, subjects: Subjects) -> None:
    everyone = ctx.quarantine.rows(Scope(("48",), "48"), None, None, None, limit=100_000)
    local = ctx.quarantine.rows(Scope((subjects.commune_a,), "48"), None, None, None, limit=100_000)
    assert len(local) < len(everyone)
    name = _user(db, "data_engineer", subjects.commune_a)
    page = _client(app, name).get("/dashboard/quarantine")
    shown = page.text.count("/archive/")
    assert page.status_code == 200 and shown == len(local)


# ------------------------------------------------------------------------------------------------ accounts

def _admin_post(client: TestClient, path: str, **data: str):
    return client.post(path, data={**data, "csrf_token": csrf_of(client.get("/admin/users").text)})


def test_an_administrator_creates_an_account_whose_first_password_must_be_changed(app: FastAPI, db: AppDB) -> None:
    admin = _client(app, _user(db, "admin"))
    name = f"new{secrets.token_hex(3)}"
    page = _admin_post(admin, "/admin/users/create", name=name, role="clerk", scope="20194")
    first = re.search(r'id="shown-password">([^<]+)<', page.text).group(1)  # type: ignore[union-attr]
    assert page.status_code == 200 and get_user(db, name).must_change  # type: ignore[union-attr]
    assert first not in admin.get("/admin/users").text  # shown once
    user = TestClient(app, headers=SAME)
    assert login(user, name, first).headers["location"] == "/account/password"
    assert user.get("/lookup", follow_redirects=False).headers["location"] == "/account/password"
    new = "cau-mat-khau-cua-rieng-toi"
    user.post("/account/password", data={"current": first, "new": new, "again": new,
                                         "csrf_token": csrf_of(user.get("/account/password").text)})
    assert user.get("/lookup").status_code == 200 and not get_user(db, name).must_change  # type: ignore[union-attr]
    actions = [e["action"] for e in audit.entries(db, None, None, 200)]
    assert "user_create" in actions and "password_change" in actions


def test_disable_reset_and_scope_from_the_web(app: FastAPI, db: AppDB) -> None:
    admin = _client(app, _user(db, "admin"))
    name = _user(db)
    victim = _client(app, name)
    assert _admin_post(admin, "/admin/users/active", name=name, enable="false").status_code == 200
    assert victim.get("/lookup", follow_redirects=False).status_code == 303
    assert login(TestClient(app), name).status_code == 401
    _admin_post(admin, "/admin/users/active", name=name, enable="true")
    again = _client(app, name)
    page = _admin_post(admin, "/admin/users/reset", name=name)
    assert page.status_code == 200 and 'id="shown-password"' in page.text
    assert again.get("/lookup", follow_redirects=False).status_code == 303  # the reset ended the session
    assert _admin_post(admin, "/admin/users/scope", name=name, scope="20194,20197").status_code == 200
    assert get_user(db, name).scope == ("20194", "20197")  # type: ignore[union-attr]
    taken = _admin_post(admin, "/admin/users/create", name=name, role="clerk", scope="48")
    assert taken.status_code == 400 and "tên đăng nhập đã có" in taken.text  # refusals in Vietnamese by default
    bad = _admin_post(admin, "/admin/users/scope", name=name, scope="48; DROP TABLE users")
    assert bad.status_code == 400 and "phạm vi" in bad.text and get_user(db, name).scope == ("20194", "20197")  # type: ignore[union-attr]


def test_an_administrator_cannot_raise_their_own_scope_or_reach_beyond_it(app: FastAPI, db: AppDB) -> None:
    local_name = _user(db, "admin", "20194")
    local = _client(app, local_name)
    province_admin = _user(db, "admin", "48")
    assert _admin_post(local, "/admin/users/scope", name=local_name, scope="48").status_code == 403
    assert _admin_post(local, "/admin/users/create", name="wider", role="clerk", scope="48").status_code == 403
    assert _admin_post(local, "/admin/users/create", name="other", role="clerk", scope="20197").status_code == 403
    assert _admin_post(local, "/admin/users/reset", name=province_admin).status_code == 403
    assert _admin_post(local, "/admin/users/active", name=province_admin, enable="false").status_code == 403
    assert get_user(db, local_name).scope == ("20194",)  # type: ignore[union-attr]
    assert get_user(db, province_admin).active  # type: ignore[union-attr]
    ok = _admin_post(local, "/admin/users/create", name=f"x{secrets.token_hex(3)}", role="clerk", scope="20194")
    assert ok.status_code == 200
    listing = local.get("/admin/users").text
    assert province_admin not in listing  # accounts outside the scope are not even listed
    denied = [e for e in _last(db, local_name) if e["action"] == "access_denied"]
    assert len(denied) >= 5


def test_account_changes_need_the_admin_role_and_the_form_token(app: FastAPI, client_as, db: AppDB) -> None:
    assert client_as("reviewer").get("/admin/users").status_code == 403
    admin = _client(app, _user(db, "admin"))
    assert admin.post("/admin/users/create", data={"name": "nocsrf", "role": "admin", "scope": "48"}).status_code == 403
    assert get_user(db, "nocsrf") is None


def test_the_demo_accounts_must_change_their_printed_password(tmp_path, estate) -> None:
    import shutil

    from hopnhat.demo.web import demo_accounts
    from hopnhat.project.config import load_project

    shutil.copytree(estate, tmp_path / "estate", ignore=shutil.ignore_patterns("lookup*", "*.sqlite*"))
    accounts = demo_accounts(tmp_path / "estate")
    db = AppDB(load_project(tmp_path / "estate" / "merger.yaml").app_db_path)
    assert all(get_user(db, name).must_change for name, *_ in accounts)  # type: ignore[union-attr]
