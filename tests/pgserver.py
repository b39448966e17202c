"""pytest plugin: a REAL PostgreSQL server from Debian's binaries for the test session.

``postgres_dsn`` (session fixture) runs ``initdb`` on a temporary folder, starts ``postgres`` with ``pg_ctl`` on a free
port of 127.0.0.1 and yields a DSN; the server is stopped at the end. As root, the binaries run as ``nobody`` (initdb
refuses root). When the binaries are absent the fixture skips — except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

PG_USER = "hopnhat"


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: list[str], as_user: str | None) -> None:
    if as_user:
        cmd = ["runuser", "-u", as_user, "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def _missing(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """DSN of a throw-away PostgreSQL server (database ``postgres``, user ``hopnhat``, trust auth)."""
    bindir = _bindir()
    if bindir is None:
        _missing("PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql)")
    as_user = "nobody" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="hopnhat-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if as_user:
        shutil.chown(root, user=as_user)
        shutil.chown(sock, user=as_user)
    port = _free_port()
    _run([str(bindir / "initdb"), "-D", str(data), "-U", PG_USER, "-A", "trust", "-E", "UTF8", "--no-locale"], as_user)
    options = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    _run([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"], as_user)
    try:
        yield f"postgresql://{PG_USER}@127.0.0.1:{port}/postgres"
    finally:
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], as_user)
        shutil.rmtree(root, ignore_errors=True)
