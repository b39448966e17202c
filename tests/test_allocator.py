"""The package sets Arrow's allocator (mimalloc) to keep freed memory for a second (hopnhat/__init__.py), before
pyarrow loads, and keeps a value the environment gives."""

from __future__ import annotations

import os
import subprocess
import sys


def _purge_delay(env: dict[str, str]) -> str:
    """The purge delay mimalloc reports (``MIMALLOC_VERBOSE``) in a fresh process that imports the package, then
    allocates through Arrow."""
    code = "import hopnhat.link.limits, pyarrow as pa; pa.array(range(10_000))"
    done = subprocess.run([sys.executable, "-c", code], env={**env, "MIMALLOC_VERBOSE": "1"}, capture_output=True,
                          text=True, check=True)
    lines = [line for line in done.stderr.splitlines() if "option 'purge_delay'" in line]
    assert lines, done.stderr[-2000:]
    return lines[0].split(":")[-1].strip()


def test_arrow_keeps_freed_memory_for_a_second() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MIMALLOC_PURGE_DELAY"}
    assert _purge_delay(env) == "1000"


def test_a_delay_the_environment_gives_is_kept() -> None:
    assert _purge_delay({**os.environ, "MIMALLOC_PURGE_DELAY": "25"}) == "25"
