"""pytest plugin: a REAL headless Chromium (Debian ``chromium`` + ``chromium-driver``) driven by Selenium, and a
helper that keeps screenshots as test artifacts under ``tests/artifacts/``.

``chromium`` (session fixture) starts the browser with exactly the options the project allows (no sandbox in
containers, nothing fetched from the network: no component updates, no sync, no background networking). When the
binaries are absent the fixture skips — except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
OPTIONS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
T = TypeVar("T")


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"Chromium is required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A Selenium WebDriver on headless Chromium, 1366×900."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        _missing("chromium / chromedriver not found (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for option in OPTIONS:
        options.add_argument(option)
    options.add_argument("--window-size=1366,900")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: object, name: str) -> Path | None:
    """Save the whole page (its full height, through the DevTools protocol) as ``tests/artifacts/<name>.png``.

    A screenshot is an artifact for people, not an assertion, and headless Chromium's ``Page.captureScreenshot`` is
    known to stall when the compositor has gone idle (seen once in CI after the PDF viewer: the request hung past
    Selenium's 120 s). So the helper first waits for two animation frames (a fresh frame exists), asks for
    ``captureBeyondViewport`` only when the page is taller than the window, bounds each capture to
    ``SHOT_TIMEOUT`` seconds, wakes the compositor with a short screencast and retries once; if that stalls too, it
    warns (the run shows it) and returns ``None`` instead of failing the behaviour under test.
    """
    import base64
    import warnings

    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    cdp = driver.execute_cdp_cmd  # type: ignore[attr-defined]
    _next_frames(driver)
    metrics = cdp("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    view = metrics.get("cssLayoutViewport") or metrics["layoutViewport"]
    height = min(size["height"], 6000)
    params = {"format": "png", "captureBeyondViewport": height > view["clientHeight"],
              "clip": {"x": 0, "y": 0, "width": size["width"], "height": height, "scale": 1}}
    for attempt in (1, 2):
        try:
            shot = _bounded(driver, lambda: cdp("Page.captureScreenshot", params))
        except Exception as stalled:  # noqa: BLE001 - urllib3's ReadTimeoutError or WebDriver's timeout
            if attempt == 2:
                warnings.warn(f"screenshot {name!r}: Chromium did not capture in {SHOT_TIMEOUT} s twice "
                              f"({type(stalled).__name__}); artifact not written", stacklevel=2)
                return None
            try:
                _bounded(driver, lambda: _wake(driver))
            except Exception:  # noqa: BLE001 - the retry below says whether the wake helped
                pass
            continue
        path.write_bytes(base64.b64decode(shot["data"]))
        return path
    return None


SHOT_TIMEOUT = 30


FRAME_WAIT = 5


def _next_frames(driver: object) -> bool:
    """Wait until the page has painted two animation frames, at most 2 s (a page that paints none is left to the
    bounded capture); whether it did.

    The script's own 2 s timer needs a live page: on a page being left (a navigation under way) the callback never
    comes and WebDriver would wait its whole script timeout and fail the test (CI of session 14). So the wait runs
    under a short script timeout and a timeout or a script error only means "no fresh frame seen".
    """
    from selenium.common.exceptions import JavascriptException, TimeoutException

    usual = driver.timeouts.script  # type: ignore[attr-defined]
    driver.set_script_timeout(FRAME_WAIT)  # type: ignore[attr-defined]
    try:
        return bool(driver.execute_async_script(  # type: ignore[attr-defined]
            "const done = arguments[arguments.length - 1];"
            "setTimeout(() => done(false), 2000);"
            "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));"))
    except (TimeoutException, JavascriptException):
        return False
    finally:
        driver.set_script_timeout(usual)  # type: ignore[attr-defined]


def _wake(driver: object) -> None:
    """Make the compositor produce frames again (a short low-quality screencast), as a stalled capture needs."""
    import time

    driver.execute_cdp_cmd("Page.startScreencast", {"format": "jpeg", "quality": 10})  # type: ignore[attr-defined]
    time.sleep(0.3)
    driver.execute_cdp_cmd("Page.stopScreencast", {})  # type: ignore[attr-defined]


def _bounded(driver: object, call: Callable[[], T]) -> T:
    """Run one WebDriver call with the HTTP read bounded to ``SHOT_TIMEOUT`` s, then restore the usual bound."""
    config = driver.command_executor.client_config  # type: ignore[attr-defined]
    usual = config.timeout
    config.timeout = SHOT_TIMEOUT
    try:
        return call()
    finally:
        config.timeout = usual
