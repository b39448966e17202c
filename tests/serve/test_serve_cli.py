"""CLI contract: ``hopnhat users add NAME --role ROLE [--scope …]`` (password from stdin), ``users list|disable``,
``hopnhat audit verify MERGER.yaml`` (non-zero on a broken chain), ``hopnhat serve MERGER.yaml`` (GET /health)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from hopnhat.cli import audit as audit_cli
from hopnhat.cli import users as users_cli
from hopnhat.cli.serve import serve
from hopnhat.serve.app.background import free_port

runner = CliRunner()


@pytest.fixture()
def merger(estate: Path, tmp_path: Path) -> Path:
    """A merger file of the test estate whose app database lives in tmp_path."""
    text = (estate / "merger.yaml").read_text(encoding="utf-8")
    text = text.replace("store:\n  path: hopnhat.duckdb", f"store:\n  path: {estate / 'hopnhat.duckdb'}\n"
                                                          f"  app_db: {tmp_path / 'app.sqlite'}")
    for rel in ("estate/", "truth/"):
        text = text.replace(f" {rel}", f" {estate}/{rel}")
    path = tmp_path / "merger.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_users_add_list_disable(merger: Path) -> None:
    result = runner.invoke(users_cli.app, ["add", "motcua", "--role", "clerk", "--scope", "20194,20197",
                                           "--merger", str(merger)], input="mat-khau-rat-dai\n")
    assert result.exit_code == 0, result.output
    assert "20194,20197" in result.output
    listing = runner.invoke(users_cli.app, ["list", "--merger", str(merger)])
    assert "motcua" in listing.output and "clerk" in listing.output
    assert runner.invoke(users_cli.app, ["disable", "motcua", "--merger", str(merger)]).exit_code == 0
    assert "✘" in runner.invoke(users_cli.app, ["list", "--merger", str(merger)]).output
    bad = runner.invoke(users_cli.app, ["add", "x", "--role", "boss", "--merger", str(merger)], input="p" * 12 + "\n")
    assert bad.exit_code == 2 and "unknown role" in bad.output
    short = runner.invoke(users_cli.app, ["add", "y", "--role", "clerk", "--merger", str(merger)], input="short\n")
    assert short.exit_code == 2 and "password policy" in short.output and "12" in short.output
    token = runner.invoke(users_cli.app, ["token", "motcua", "--merger", str(merger)])
    assert token.exit_code == 0 and token.output.startswith("hn_")


def test_audit_verify_exit_codes(merger: Path) -> None:
    runner.invoke(users_cli.app, ["add", "sep", "--role", "admin", "--merger", str(merger)],
                  input="mat-khau-rat-dai\n")
    from hopnhat.project.config import load_project
    from hopnhat.serve.app.appdb import AppDB
    from hopnhat.serve.app.settings import project_audit_key
    from hopnhat.serve.security import audit

    app = typer.Typer()
    app.add_typer(audit_cli.app, name="audit")
    missing = runner.invoke(app, ["audit", "verify", str(merger)])
    assert missing.exit_code == 2 and "audit key" in missing.output  # no key yet: an error, not a new key
    db = AppDB(merger.parent / "app.sqlite", project_audit_key(load_project(merger)))
    for i in range(3):
        audit.append(db, "sep", "lookup", "127.0.0.1", {"q": str(i)})
    ok = runner.invoke(app, ["audit", "verify", str(merger)])
    assert ok.exit_code == 0 and "3" in ok.output
    points = merger.parent / "checkpoints.jsonl"
    assert runner.invoke(app, ["audit", "checkpoint", str(merger), "--out", str(points)]).exit_code == 0
    assert runner.invoke(app, ["audit", "verify", str(merger), "--checkpoints", str(points)]).exit_code == 0
    con = sqlite3.connect(str(merger.parent / "app.sqlite"), isolation_level=None)
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("UPDATE audit SET actor = 'nobody' WHERE seq = 2")
    broken = runner.invoke(app, ["audit", "verify", str(merger)])
    assert broken.exit_code == 1 and "seq=2" in broken.output


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_command_answers_health(merger: Path, estate: Path, workers: int) -> None:
    """``hopnhat serve MERGER.yaml --port P`` in a real process (the Typer command, as main.py registers it), with
    one or several worker processes."""
    assert runner.invoke(users_cli.app, ["add", "sep", "--role", "clerk", "--merger", str(merger)],
                         input="mat-khau-rat-dai\n").exit_code == 0
    port = free_port()
    env = {**os.environ, "HOPNHAT_SERVE_INDEX_PATH": str(estate / "lookup.duckdb"),
           "HOPNHAT_SERVE_WORKERS": str(workers)}
    code = "import typer; from hopnhat.cli.serve import serve; typer.run(serve)"
    proc = subprocess.Popen([sys.executable, "-c", code, str(merger), "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.3)
        else:
            raise AssertionError("hopnhat serve did not answer")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/lookup", follow_redirects=False).status_code == 303
        token = runner.invoke(users_cli.app, ["token", "sep", "--merger", str(merger)]).output.strip()
        for _ in range(4):  # requests spread over the workers, all audited in one chain
            found = httpx.get(f"http://127.0.0.1:{port}/api/lookup", params={"q": "nguyen van an"},
                              headers={"Authorization": f"Bearer {token}"})
            assert found.status_code == 200
        app = typer.Typer()
        app.add_typer(audit_cli.app, name="audit")
        assert runner.invoke(app, ["audit", "verify", str(merger)]).exit_code == 0
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert serve.__doc__
