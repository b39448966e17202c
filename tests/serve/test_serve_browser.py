"""The real app in real headless Chromium: log in, look a citizen up with a misspelt unaccented name, open the
record, reveal a CCCD and find the reveal in the audit log, decide a review item, see the dashboard's charts.
Screenshots are kept in tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from hopnhat.serve.background import BackgroundServer, start_app
from hopnhat.serve.scope import Scope
from hopnhat.serve.users import add_user
from tests.browser import chromium, screenshot  # noqa: F401  (the fixture)
from tests.serve.conftest import PASSWORD, Subjects
from tests.serve.test_serve_lookup import misspell


@pytest.fixture(scope="module")
def live(app, db) -> Iterator[BackgroundServer]:  # type: ignore[no-untyped-def]
    add_user(db, "trinhduyet", "admin", PASSWORD, "48")
    server = start_app(app)
    yield server
    server.stop()


def _wait(driver, css: str):  # type: ignore[no-untyped-def]
    return WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def test_a_clerk_day_in_the_browser(chromium, live: BackgroundServer, ctx, subjects: Subjects) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
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
    screenshot(d, "07-dashboard")

    # catalog monitoring and the English switch
    d.get(live.url + "/catalog/monitor?lang=en")
    _wait(d, "#monitor-gantt svg")
    assert "Roadmap monitoring" in d.page_source
    screenshot(d, "08-catalog-monitor-en")
    d.get(live.url + "/dossiers?lang=vi")
    _wait(d, "#inflight")
    screenshot(d, "09-in-flight-dossiers")
