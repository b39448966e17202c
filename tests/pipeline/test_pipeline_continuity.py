"""Serve while writing (issue 19): the web app keeps answering lookups while ``hopnhat migrate`` — another process —
writes the same merger's store; the run writes the next version beside the served one and publishes it atomically;
the app switches to it between queries; ``hopnhat store rollback`` switches back; a killed run is never published."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.pipeline.conftest import fresh_copy

from hopnhat.i18n import language
from hopnhat.load.checksum import store_checksums
from hopnhat.load.storedb import open_store
from hopnhat.load.versions import current_name, next_path, prepare_next, publish_next, rollback, versions
from hopnhat.project.config import Project
from hopnhat.run.runner import migrate
from hopnhat.serve.app.context import AppContext, build_context
from hopnhat.serve.app.factory import create_app
from hopnhat.serve.app.settings import load_settings
from hopnhat.serve.security.users import add_user, create_token

PASSWORD = "mat-khau-du-dai-2025"


def _hopnhat(*args: str) -> list[str]:
    """The command line in this process's language (the store's review evidence is written in the user's language,
    so a run in another language would not give the same checksums)."""
    return [sys.executable, "-m", "hopnhat", "--lang", language(), *args]


def _checksums(path: Path) -> dict[str, tuple[int, str]]:
    reader = open_store(path, timeout_ms=None)
    try:
        return store_checksums(reader)
    finally:
        reader.close()


def _wait(cond: Callable[[], bool], seconds: float, tick: Callable[[], None] = lambda: None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        tick()
        time.sleep(0.05)
    return cond()


@pytest.fixture()
def served(estate: Path, tmp_path: Path) -> Iterator[tuple[Project, AppContext, TestClient, str]]:
    """A migrated merger (version 1, with its lookup index) and the web app over it, version checked every 0.1 s."""
    project = fresh_copy(estate, tmp_path / "estate")
    migrate(project, lookup_index=True)
    settings = load_settings(project, today="2025-07-10", version_check_s=0.1)
    ctx = build_context(project, settings)
    add_user(ctx.db, "clerk", "clerk", PASSWORD, project.config.merged_unit.province_code)
    token = create_token(ctx.db, "clerk", "tests")
    client = TestClient(create_app(project, settings=settings, context=ctx), base_url="http://testserver")
    try:
        yield project, ctx, client, token
    finally:
        ctx.close()


def _names(project: Project) -> list[str]:
    reader = open_store(project.store_path, timeout_ms=None)
    try:
        rows = reader.rows("SELECT full_name FROM person WHERE full_name IS NOT NULL AND address_new_commune_code "
                           "IS NOT NULL ORDER BY record_id", limit=20)
    finally:
        reader.close()
    return [r["full_name"] for r in rows]


class Lookups:
    """Lookups issued one after another through the app; every answer's status and whether it found anyone."""

    def __init__(self, client: TestClient, token: str, names: list[str]) -> None:
        self.client, self.headers, self.names = client, {"Authorization": f"Bearer {token}"}, names
        self.status: Counter[int] = Counter()
        self.empty = 0
        self.n = 0

    def one(self) -> None:
        name = self.names[self.n % len(self.names)]
        self.n += 1
        response = self.client.get("/api/lookup", params={"q": name}, headers=self.headers)
        self.status[response.status_code] += 1
        if response.status_code == 200 and not response.json().get("results"):
            self.empty += 1


def test_lookups_never_fail_while_a_run_writes_the_next_version_then_rollback(served: tuple[
        Project, AppContext, TestClient, str]) -> None:
    project, ctx, client, token = served
    assert ctx.version == "v000001" and current_name(project.store_path) == "v000001"
    lookups = Lookups(client, token, _names(project))
    lookups.one()
    assert lookups.status == {200: 1} and lookups.empty == 0
    first = _checksums(project.store_path)

    run = subprocess.Popen(_hopnhat("migrate", str(project.path), "--fresh", "--workers", "1"),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    while run.poll() is None:  # the whole run, full reload of every table: the app keeps answering
        lookups.one()
    out = run.stdout.read() if run.stdout else ""
    assert run.returncode == 0, out[-3000:]
    assert "v000002" in out
    during = lookups.n
    assert _wait(lambda: ctx.version == "v000002", 15, lookups.one), "the app did not switch to the new version"
    assert lookups.status == {200: lookups.n} and lookups.empty == 0, (lookups.status, lookups.empty)
    assert during > 5  # lookups really were issued while the run wrote
    # the run's books and checksums: every table exactly the same sources loaded again
    assert _checksums(project.store_path) == first
    assert [v.name for v in versions(project.store_path)] == ["v000001", "v000002"]
    assert not next_path(project.store_path).exists()

    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    add_user(ctx.db, "boss", "admin", PASSWORD, project.config.merged_unit.province_code)
    client.post("/login", data={"username": "boss", "password": PASSWORD, "csrf_token": csrf.group(1), "next": "/"},
                headers={"Sec-Fetch-Site": "same-origin"})
    dashboard = client.get("/dashboard", headers={"Sec-Fetch-Site": "same-origin"})
    assert dashboard.status_code == 200
    assert re.search(r'id="served-version"[^\n]*v000002', dashboard.text), "the dashboard does not say the version"

    back = subprocess.run(_hopnhat("store", "rollback", str(project.path)), capture_output=True, text=True)
    assert back.returncode == 0, back.stdout + back.stderr
    assert "v000001" in back.stdout
    assert _wait(lambda: ctx.version == "v000001", 15, lookups.one)
    listed = subprocess.run(_hopnhat("store", "versions", str(project.path)), capture_output=True, text=True)
    assert listed.returncode == 0 and "v000002" in listed.stdout
    assert lookups.status == {200: lookups.n} and lookups.empty == 0


def test_a_killed_run_is_never_published_and_its_rerun_resumes(served: tuple[
        Project, AppContext, TestClient, str]) -> None:
    project, ctx, client, token = served
    lookups = Lookups(client, token, _names(project))
    run = subprocess.Popen(_hopnhat("migrate", str(project.path), "--fresh", "--workers", "1"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert _wait(lambda: next_path(project.store_path).exists(), 60, lookups.one)
    for _ in range(20):
        lookups.one()
    run.send_signal(signal.SIGKILL)
    run.wait()
    for _ in range(20):
        lookups.one()
    assert current_name(project.store_path) == "v000001" and ctx.version == "v000001"
    assert next_path(project.store_path).exists()  # half-built, kept for the rerun
    done = subprocess.run(_hopnhat("migrate", str(project.path), "--workers", "1"), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert current_name(project.store_path) == "v000002"
    assert _wait(lambda: ctx.version == "v000002", 15, lookups.one)
    assert lookups.status == {200: lookups.n} and lookups.empty == 0


def test_versions_keep_the_newest_and_never_remove_the_served_one(tmp_path: Path) -> None:
    import duckdb

    store = tmp_path / "hopnhat.duckdb"
    duckdb.connect(str(store)).close()  # a store from before versions: a plain file
    for i in range(5):
        path, resumed = prepare_next(store)
        assert not resumed
        con = duckdb.connect(str(path))
        con.execute(f"CREATE TABLE t{i} (x INTEGER)")
        con.close()
        publish_next(store, keep=3)
    assert store.is_symlink() and os.readlink(store).endswith("v000006.duckdb")
    assert [v.name for v in versions(store)] == ["v000004", "v000005", "v000006"]
    assert rollback(store, "4") == "v000004"
    path, _ = prepare_next(store)  # the next version starts from the served (rolled-back) one
    con = duckdb.connect(str(path))
    assert {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()} == {
        "t0", "t1", "t2"}
    con.close()
    assert publish_next(store, keep=2) == "v000007"
    assert [v.name for v in versions(store)] == ["v000006", "v000007"]


def test_postgresql_readers_keep_reading_while_a_publish_replaces_the_tables(
        migrated: tuple[Project, object], postgres_dsn: str) -> None:
    """The publish fills staging schemas and swaps at the end of its one transaction: a reader running queries all
    along (statement timeout 2 s) never fails, never waits long, and sees the old rows or the new ones, never none."""
    import threading

    import psycopg

    from hopnhat.load.publish import publish

    with psycopg.connect(postgres_dsn, autocommit=True) as con:
        con.execute("DROP DATABASE IF EXISTS hopnhat_publish_live")
        con.execute("CREATE DATABASE hopnhat_publish_live")
    dsn = postgres_dsn.rsplit("/", 1)[0] + "/hopnhat_publish_live"
    project, _ = migrated
    publish(project.store_path, dsn)
    reader = open_store(dsn, timeout_ms=2_000)
    expected = reader.rows("SELECT count(*) AS n FROM person")[0]["n"]
    stop, waits, seen, errors = threading.Event(), [], Counter[int](), []

    def read() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                seen[reader.rows("SELECT count(*) AS n FROM person")[0]["n"]] += 1
                reader.rows("SELECT * FROM person WHERE record_id = ?", ["x"])
            except Exception as exc:  # noqa: BLE001 - any failure is what the test counts
                errors.append(exc)
            waits.append(time.monotonic() - started)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        started = time.monotonic()
        publish(project.store_path, dsn)
        took = time.monotonic() - started
        time.sleep(0.3)
    finally:
        stop.set()
        thread.join()
        reader.close()
    assert not errors, errors[:3]
    assert seen == {expected: sum(seen.values())} and sum(seen.values()) > 10
    assert max(waits) < max(0.5, took / 4), (max(waits), took)  # locked for the swap only, not the whole copy
    with psycopg.connect(dsn) as con:
        schemas = {r[0] for r in con.execute("SELECT nspname FROM pg_namespace").fetchall()}
    assert not {s for s in schemas if s.startswith("hopnhat_")}
