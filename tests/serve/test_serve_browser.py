"""The real app in real headless Chromium: log in, look a citizen up with a misspelt unaccented name, open the
record, reveal a CCCD and find the reveal in the audit log, decide a review item, see the dashboard's charts.
Screenshots are kept in tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait
from tests.browser import chromium, screenshot  # noqa: F401  (the fixture)
from tests.serve.conftest import PASSWORD, Subjects
from tests.serve.test_serve_lookup import misspell

from hopnhat.serve.app.background import BackgroundServer, start_app
from hopnhat.serve.security.scope import Scope
from hopnhat.serve.security.users import add_user, get_user


@pytest.fixture(scope="module")
def live(app, db) -> Iterator[BackgroundServer]:
    add_user(db, "trinhduyet", "admin", PASSWORD, "48")
    server = start_app(app)
    yield server
    server.stop()


def _wait(driver, css: str):
    return WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def test_a_clerk_day_in_the_browser(chromium, live: BackgroundServer, ctx, subjects: Subjects) -> None:  # noqa: F811
    d = chromium
    d.get(live.url + "/lookup")
    _wait(d, "#username")
    assert "/login" in d.current_url
    screenshot(d, "01-login")
    d.find_element(By.ID, "username").send_keys("trinhduyet")
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.ID, "login").click()
    _wait(d, "#q")

    # look up with a misspelt name without diacritics, plus the birth year
    query = f"{misspell(subjects.a.name)} {subjects.a.birth_year}"
    d.find_element(By.ID, "q").send_keys(query)
    d.find_element(By.ID, "search").click()
    first = _wait(d, "#results a.open")
    assert subjects.a.name in d.find_element(By.ID, "results").text
    screenshot(d, "02-lookup-misspelt-name")
    first.click()

    # the record, then reveal its CCCD (logged)
    _wait(d, "#record-title")
    assert d.find_element(By.ID, "record-title").text == subjects.a.name
    assert subjects.a.id_number not in d.page_source
    screenshot(d, "03-record")
    button = next(b for b in d.find_elements(By.CSS_SELECTOR, "button.reveal")
                  if b.get_attribute("id") in ("reveal-cccd", "reveal-id_number"))
    button.click()
    _wait(d, "code.revealed")
    assert subjects.a.id_number in d.find_element(By.CSS_SELECTOR, "code.revealed").text
    screenshot(d, "04-record-revealed")

    # the reveal is in the audit log
    d.get(live.url + "/audit?action=reveal")
    _wait(d, "#audit")
    reveal_rows = d.find_elements(By.CSS_SELECTOR, "tr.audit-reveal")
    assert reveal_rows and subjects.a.golden_id in reveal_rows[0].text and "trinhduyet" in reveal_rows[0].text
    screenshot(d, "05-audit-reveal")

    # decide a review pair, with its match-weight chart
    d.get(live.url + "/review?kind=pair")
    _wait(d, "#review-items a.item").click()
    _wait(d, "#evidence svg")
    key = d.find_element(By.NAME, "item_key").get_attribute("value")
    screenshot(d, "06-review-pair")
    d.find_element(By.ID, "note").send_keys("Cùng năm sinh, khác số CCCD")
    before = d.current_url
    d.find_element(By.ID, "reject").click()
    WebDriverWait(d, 20).until(lambda drv: drv.current_url != before)
    decided = ctx.review.get(key, Scope(("48",), "48"))
    assert decided.decision["decision"] == "different" and decided.decision["decided_by"] == "trinhduyet"
    assert key not in {i.item_key for i in ctx.review.items(Scope(("48",), "48"), "open", "pair")}

    # the dashboard's charts are drawn
    d.get(live.url + "/dashboard")
    _wait(d, "#balance-chart svg")
    assert len(d.find_elements(By.CSS_SELECTOR, "section.chart svg")) >= 3
    assert d.find_elements(By.CSS_SELECTOR, "#balance-chart svg rect")
    declared = d.find_elements(By.CSS_SELECTOR, "#declared-findings li[data-status='short']")
    assert declared and "TongSo" in declared[0].text  # the exchange file declaring one document more, acknowledged
    screenshot(d, "07-dashboard")

    # catalog monitoring and the English switch
    d.get(live.url + "/catalog/monitor?lang=en")
    _wait(d, "#monitor-gantt svg")
    assert "Roadmap monitoring" in d.page_source
    screenshot(d, "08-catalog-monitor-en")
    d.get(live.url + "/dossiers?lang=vi")
    _wait(d, "#inflight")
    screenshot(d, "09-in-flight-dossiers")


def _login(d, url: str, name: str, password: str) -> None:
    d.delete_all_cookies()
    d.get(url + "/login")
    _wait(d, "#username").send_keys(name)
    d.find_element(By.ID, "password").send_keys(password)
    d.find_element(By.ID, "login").click()


def test_an_administrator_gives_a_clerk_an_account_in_the_browser(chromium, live: BackgroundServer,  # noqa: F811
                                                                  db) -> None:
    """Create an account on the accounts page (the first password shown once), then the clerk logs in with it, is
    made to set their own password, and only then reaches the lookup."""
    d = chromium
    _login(d, live.url, "trinhduyet", PASSWORD)
    _wait(d, "#q")
    d.get(live.url + "/admin/users")
    _wait(d, "#create-user")
    d.find_element(By.ID, "new-name").send_keys("canbo.moi")
    Select(d.find_element(By.ID, "new-role")).select_by_value("clerk")
    scope = d.find_element(By.ID, "new-scope")
    scope.clear()
    scope.send_keys("48")
    d.find_element(By.ID, "create").click()
    first = _wait(d, "#shown-password").text
    assert len(first) >= 12 and "canbo.moi" in d.find_element(By.ID, "accounts").text
    made = get_user(db, "canbo.moi")
    assert made is not None and made.role == "clerk" and made.must_change and made.created_by == "trinhduyet"
    screenshot(d, "10-accounts-created")

    _login(d, live.url, "canbo.moi", first)
    _wait(d, "#forced")
    assert d.current_url.endswith("/account/password")
    d.get(live.url + "/lookup")
    _wait(d, "#forced")  # every page leads back here until the password is changed
    screenshot(d, "11-forced-password-change")
    d.find_element(By.ID, "current").send_keys(first)
    d.find_element(By.ID, "new").send_keys("mot-cau-cua-rieng-canbo")
    d.find_element(By.ID, "again").send_keys("mot-cau-cua-rieng-canbo")
    d.find_element(By.ID, "change").click()
    _wait(d, "#q")
    assert "/lookup" in d.current_url
