"""The screenshot helper never hangs a test: a capture Chromium does not answer in time warns, writes nothing,
and leaves the browser usable (CI once saw ``Page.captureScreenshot`` stall past Selenium's 120 s)."""

from __future__ import annotations

from typing import Any

import pytest
from tests import browser
from tests.browser import chromium, screenshot  # noqa: F401  (the fixture)

PAGE = "data:text/html;charset=utf-8," + "<h1>Tra cứu</h1>" + "<p>Nguyễn Văn An</p>" * 150


def test_a_stalled_capture_warns_and_the_browser_stays_usable(chromium: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    chromium.get(PAGE)
    monkeypatch.setattr(browser, "SHOT_TIMEOUT", 0.001)  # no capture answers in a millisecond: a stall, every time
    with pytest.warns(UserWarning, match="did not capture"):
        assert screenshot(chromium, "zz-stalled") is None
    assert not (browser.ARTIFACTS / "zz-stalled.png").exists()
    monkeypatch.setattr(browser, "SHOT_TIMEOUT", 30)
    shot = screenshot(chromium, "zz-after-stall")  # the same session still answers
    assert shot is not None and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shot.unlink()
    assert chromium.execute_script("return document.querySelectorAll('p').length") == 150



def test_the_frame_wait_gives_up_on_a_page_that_never_answers(chromium: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """A page whose timers and animation frames never call back (as on a page being left while a navigation is under
    way): WebDriver's script timeout is what ends the wait — bounded to FRAME_WAIT and answered as "no fresh frame",
    never as a failed test (CI of session 14 failed on a 30 s script timeout there)."""
    import time

    chromium.get(PAGE)
    monkeypatch.setattr(browser, "FRAME_WAIT", 1)
    usual = chromium.timeouts.script
    chromium.execute_script("window.setTimeout = () => 0; window.requestAnimationFrame = () => 0;")
    started = time.monotonic()
    assert browser._next_frames(chromium) is False
    assert time.monotonic() - started < 10
    assert chromium.timeouts.script == usual  # the usual bound is back
    chromium.get(PAGE)
    assert browser._next_frames(chromium) is True  # a live page answers again
