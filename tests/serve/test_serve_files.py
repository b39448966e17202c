"""Documents and attachments in the web app, on the migrated synth estate (its document exports and their files):
the document list of a user's scope, searchable by số/ký hiệu and trích yếu; a document's record page listing its
files (quarantined ones with their reason); a file opened inline (PDF, image) or downloaded, scoped like the record,
audited, and refused — and audited — for a role that may not see identity scans; and the same in headless Chromium,
offline (the page loads nothing from outside)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from tests.browser import chromium, screenshot  # noqa: F401  (the fixture)
from tests.files import samples
from tests.serve.conftest import PASSWORD, Subjects, login, make_settings
from tests.serve.test_serve_policy import document_file

from hopnhat.files.ledger import Ledger, Ref
from hopnhat.files.store import FolderStore
from hopnhat.project.config import IdentityScans, Project
from hopnhat.serve.app.background import BackgroundServer, start_app
from hopnhat.serve.app.context import build_context
from hopnhat.serve.app.factory import create_app
from hopnhat.serve.security import audit
from hopnhat.serve.security.users import add_user


@pytest.fixture(scope="module")
def doc(ctx: Any, subjects: Subjects) -> tuple[str, str]:
    return document_file(ctx, subjects.commune_a)


def _last(db: Any, actor: str, action: str) -> dict[str, Any]:
    return audit.entries(db, actor, action, 1)[0]


def test_the_document_list_is_scoped_and_searchable(client_as, ctx, subjects: Subjects, doc) -> None:
    admin = client_as("admin").get("/documents")
    assert admin.status_code == 200 and admin.text.count('class="doc-open"') == 24  # both provinces' exports
    found = client_as("admin").get("/documents", params={"q": "cv-ubnd"})  # số/ký hiệu, any case
    assert 0 < found.text.count('class="doc-open"') < 24 and "CV-UBND" in found.text
    by_summary = client_as("admin").get("/documents", params={"q": "sắp xếp đơn vị"})  # trích yếu
    assert by_summary.text.count('class="doc-open"') >= 1
    mine = client_as("clerk_a").get("/documents").text
    assert f"/record/document/{doc[0]}" in mine and mine.count('class="doc-open"') < 24
    theirs = client_as("clerk_b").get("/documents").text
    assert f"/record/document/{doc[0]}" not in theirs


def test_a_document_page_lists_its_files_and_opens_them(client_as, db, doc) -> None:
    record, sha = doc
    page = client_as("clerk_a").get(f"/record/document/{record}")
    assert page.status_code == 200 and 'id="attachments"' in page.text
    assert f"/files/document/{sha}/{record}" in page.text
    pdf = client_as("clerk_a").get(f"/files/document/{sha}/{record}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.headers["content-disposition"].startswith("inline")
    assert pdf.headers["x-content-type-options"] == "nosniff"
    assert _last(db, "clerk_a", "file_view")["detail"]["sha256"] == sha
    down = client_as("clerk_a").get(f"/files/document/{sha}/{record}", params={"download": "true"})
    assert down.headers["content-disposition"].startswith("attachment") and down.content == pdf.content
    assert _last(db, "clerk_a", "file_download")["detail"]["key"] == record


def test_files_are_scoped_like_their_record(client_as, ctx, doc) -> None:
    record, sha = doc
    assert client_as("clerk_b").get(f"/record/document/{record}").status_code == 404
    assert client_as("clerk_b").get(f"/files/document/{sha}/{record}").status_code == 404
    other = ctx.reader.rows("SELECT record_id FROM document WHERE record_id <> ? ORDER BY record_id", [record])[0]
    assert client_as("admin").get(f"/files/document/{sha}/{other['record_id']}").status_code == 404  # not its file
    assert client_as("leader").get(f"/files/document/{sha}/{record}").status_code == 403  # no lookup at all


def test_quarantined_files_are_listed_never_served(client_as, ctx) -> None:
    rows = ctx.reader.rows("SELECT record_id FROM document WHERE src_key = 'VB0004' ORDER BY record_id")
    page = client_as("admin").get(f"/record/document/{rows[0]['record_id']}").text
    assert "quarantined" in page or "cách ly" in page
    assert "/files/document/" not in page


# ------------------------------------------------------------------------------------------------ identity scans

@pytest.fixture(scope="module")
def with_scan(project: Project, estate: Path, ctx: Any, tmp_path_factory: pytest.TempPathFactory,
              doc) -> Iterator[Any]:
    """The app over a copy of the estate's file store where the document also has a citizen's CCCD scan (named so)
    and a passport scan whose column and name say nothing, declared in ``files.identity_scans``."""
    work = tmp_path_factory.mktemp("files-scan")
    files = work / "hopnhat-files"
    shutil.copytree(project.resolve(project.config.files.path), files)
    row = ctx.reader.rows("SELECT src_source, src_table, src_key FROM document WHERE record_id = ?", [doc[0]])[0]
    declared = IdentityScans(source=row["src_source"], table=row["src_table"], column="tep_quet")
    spec = project.config.files.model_copy(update={"path": str(files), "identity_scans": [declared]})
    copy = Project(project.path, project.config.model_copy(update={"files": spec}), project.raw)
    store, ledger = FolderStore(files), Ledger(files / "files.sqlite")
    shas = []
    for column, name, seed in (("anh_cccd", "cccd_mat_truoc.jpg", 11), ("tep_quet", "scan_0007.jpg", 12)):
        data = samples.image("JPEG", seed)
        copied = store.put(io.BytesIO(data))
        ledger.record(Ref(row["src_source"], row["src_table"], row["src_key"], column, name), name=name,
                      repaired=name, sha256=copied.sha256, size=len(data), kind="jpg", mime="image/jpeg",
                      outcome="stored")
        shas.append(copied.sha256)
    ledger.commit()
    ledger.close()
    settings = make_settings(copy, estate, work)
    context = build_context(copy, settings)
    app = create_app(copy, settings=settings, context=context)
    for name, role in (("kysu", "data_engineer"), ("motcua", "clerk")):
        add_user(context.db, name, role, PASSWORD, "48")
    yield app, context, *shas
    context.close()


def test_identity_scans_only_for_the_roles_allowed(with_scan, doc) -> None:
    app, context, scan, _ = with_scan
    record = doc[0]
    engineer, clerk = (TestClient(app, headers={"Sec-Fetch-Site": "same-origin"}) for _ in range(2))
    assert login(engineer, "kysu").status_code == 303 and login(clerk, "motcua").status_code == 303
    page = engineer.get(f"/record/document/{record}").text
    assert "cccd_mat_truoc.jpg" in page and "identity-refused" in page and f"/files/document/{scan}/" not in page
    assert engineer.get(f"/files/document/{scan}/{record}").status_code == 403
    assert _last(context.db, "kysu", "file_refused")["detail"]["sha256"] == scan
    assert engineer.get(f"/files/document/{doc[1]}/{record}").status_code == 200  # the signed PDF is no ID paper
    shown = clerk.get(f"/files/document/{scan}/{record}")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert 'class="file-preview"' in clerk.get(f"/record/document/{record}").text


def test_a_declared_identity_scan_is_refused_and_logged_once(with_scan, doc) -> None:
    app, context, _, passport = with_scan
    record = doc[0]
    engineer, clerk = (TestClient(app, headers={"Sec-Fetch-Site": "same-origin"}) for _ in range(2))
    assert login(engineer, "kysu").status_code == 303 and login(clerk, "motcua").status_code == 303
    page = engineer.get(f"/record/document/{record}").text
    assert "scan_0007.jpg" in page and f"/files/document/{passport}/" not in page  # declared, though named plainly
    before = audit.entries(context.db, "kysu", None, 1)[0]["seq"]
    assert engineer.get(f"/files/document/{passport}/{record}", params={"download": "true"}).status_code == 403
    after = [e for e in audit.entries(context.db, "kysu", None, 10) if e["seq"] > before]
    assert [e["action"] for e in after] == ["file_refused"]  # one entry, not file_refused plus access_denied
    assert after[0]["detail"]["sha256"] == passport and after[0]["detail"]["column"] == "tep_quet"
    assert after[0]["detail"]["status"] == 403 and after[0]["detail"]["path"].startswith("/files/document/")
    assert audit.verify(context.db).ok
    assert clerk.get(f"/files/document/{passport}/{record}").status_code == 200


def test_a_file_changed_in_the_store_is_not_served(with_scan, doc) -> None:
    app, context, _, _ = with_scan
    record, sha = doc
    clerk = TestClient(app, headers={"Sec-Fetch-Site": "same-origin"})
    assert login(clerk, "motcua").status_code == 303
    path = FolderStore(context.project.resolve(context.project.config.files.path)).path_of(sha)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"%PDF-", b"%PDF_", 1))  # damaged behind the store's back, same size
    views = len(audit.entries(context.db, "motcua", "file_view", 100))
    got = clerk.get(f"/files/document/{sha}/{record}")
    assert got.status_code == 500 and not got.content.startswith(b"%PDF")
    assert _last(context.db, "motcua", "file_changed")["detail"]["sha256"] == sha
    assert len(audit.entries(context.db, "motcua", "file_view", 100)) == views  # not logged as viewed
    path.write_bytes(data)
    assert clerk.get(f"/files/document/{sha}/{record}").content == data


# ------------------------------------------------------------------------------------------------ the browser

@pytest.fixture(scope="module")
def live(app, db) -> Iterator[BackgroundServer]:
    add_user(db, "vanthu", "clerk", PASSWORD, "48")
    server = start_app(app)
    yield server
    server.stop()


def _wait(driver: Any, css: str) -> Any:
    return WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def _left(element: Any) -> bool:
    """True once `element`'s page is gone. Chromium reports a node of a page being left either as stale or as "does not
    belong to the document" (an unknown error), depending on how far the navigation went: both mean gone."""
    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


def test_documents_and_files_in_the_browser(chromium, live: BackgroundServer, ctx, doc) -> None:  # noqa: F811
    d = chromium
    d.delete_all_cookies()
    d.get(live.url + "/documents")
    _wait(d, "#username")
    d.find_element(By.ID, "username").send_keys("vanthu")
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.ID, "login").click()
    # the login's answer must arrive (its cookie set) before the next navigation, else that navigation cancels it
    WebDriverWait(d, 20).until(lambda drv: "/login" not in drv.current_url)
    d.get(live.url + "/documents")
    _wait(d, "#doc-q").send_keys("CV-UBND")
    before = _wait(d, "#doc-count")
    d.find_element(By.ID, "doc-search").click()
    # the unfiltered list already holds a #documents table: wait for the search's own page, not the old one (a script
    # started on the page being left never answers, and WebDriver waits its whole script timeout)
    WebDriverWait(d, 20).until(lambda drv: _left(before))
    WebDriverWait(d, 20).until(lambda drv: "q=CV-UBND" in drv.current_url)
    _wait(d, "#documents")
    screenshot(d, "files-01-documents")
    d.get(live.url + f"/record/document/{doc[0]}")
    _wait(d, "#attachments")
    screenshot(d, "files-02-document-record")
    link = d.find_element(By.CSS_SELECTOR, "a.file-open").get_attribute("href")
    got = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'),"
        " r.headers.get('content-disposition'), new TextDecoder().decode(b.slice(0, 5))])));", link)
    assert got[0] == 200 and got[1] == "application/pdf" and got[2].startswith("inline") and got[3] == "%PDF-"
    d.get(link)  # the browser's own PDF viewer, nothing fetched from outside
    WebDriverWait(d, 20).until(lambda drv: drv.execute_script("return document.readyState") == "complete")
    assert d.current_url == link
    png = ctx.reader.rows("SELECT record_id FROM document WHERE src_key = 'VB0002' ORDER BY record_id")[0]
    d.get(live.url + f"/record/document/{png['record_id']}")
    img = _wait(d, "img.file-preview")
    WebDriverWait(d, 20).until(lambda drv: drv.execute_script("return arguments[0].complete", img))
    assert d.execute_script("return arguments[0].naturalWidth", img) > 0  # the scan previews offline
    screenshot(d, "files-03-image-preview")
    entries = [e for e in d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")]
    assert all(e.startswith(live.url) for e in entries), entries
