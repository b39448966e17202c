"""Shared pytest configuration: plugins every test folder may use."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # make ``tests.*`` importable however pytest is run

pytest_plugins = ["tests.pgserver", "tests.mariadbserver"]

# Hypothesis: explore freely on a developer's machine; in CI (CI=true) run the same examples every time, so that a
# submission is judged on its code, not on the draw.
import os  # noqa: E402

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def _stale_compiled_modules() -> list[str]:
    """Compiled modules (setup.py, built in place) older than their Python source, its ``.pxd`` declarations or
    their Cython source (``.pyx``): they would be imported instead of the source just edited."""
    import hopnhat

    stale = []
    for compiled in Path(hopnhat.__file__).parent.rglob("*.so"):
        stem = compiled.name.split(".", 1)[0]
        for source in (compiled.with_name(stem + ".py"), compiled.with_name(stem + ".pxd"),
                       compiled.with_name(stem + ".pyx")):
            if source.is_file() and source.stat().st_mtime > compiled.stat().st_mtime:
                stale.append(str(source))
    return stale


# the fixtures of tests/pgserver.py, tests/mariadbserver.py, tests/browser.py and tests/files/rgwserver.py
SERVER_FIXTURES = {"postgres_dsn", "mariadb_dsn", "chromium", "rgw_spec"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that starts a database server or a browser is marked ``server`` (``make test-fast`` leaves it out)."""
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.server)


def pytest_configure(config: pytest.Config) -> None:
    stale = _stale_compiled_modules()
    if stale:
        raise pytest.UsageError("compiled modules are older than their source (run `make setup` to rebuild them): "
                                + ", ".join(stale))
