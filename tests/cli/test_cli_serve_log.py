"""``hopnhat serve`` logs the app's own lines (which store version is served) beside uvicorn's."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import logging, logging.config
from hopnhat.cli.serve import log_config
logging.config.dictConfig(log_config())
logging.getLogger("hopnhat.serve").info("serving store version %s", "v-20261205-1")
logging.getLogger("hopnhat.serve").debug("not shown")
logging.getLogger("uvicorn.error").info("uvicorn still logs")
"""


def test_serve_log_config_shows_the_served_version_on_stderr() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    assert "serving store version v-20261205-1" in done.stderr
    assert "uvicorn still logs" in done.stderr
    assert "not shown" not in done.stderr


def test_serve_log_config_leaves_uvicorn_config_untouched() -> None:
    from uvicorn.config import LOGGING_CONFIG

    from hopnhat.cli.serve import log_config

    assert "hopnhat" in log_config()["loggers"]
    assert "hopnhat" not in LOGGING_CONFIG["loggers"]
