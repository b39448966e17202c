"""Shared pytest configuration: plugins every test folder may use."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # make ``tests.*`` importable however pytest is run

pytest_plugins = ["tests.pgserver", "tests.mariadbserver"]

# Hypothesis: explore freely on a developer's machine; in CI (CI=true) run the same examples every time, so that a
# submission is judged on its code, not on the draw.
import os  # noqa: E402

from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
