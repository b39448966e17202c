"""pytest plugin: a REAL MariaDB server from Debian's binaries for the test session.

``mariadb_dsn`` (session fixture) runs ``mariadb-install-db`` on a temporary folder, starts ``mariadbd`` on a free port
of 127.0.0.1 (as ``nobody`` when the tests run as root: ``--user``), creates the database ``hopnhat`` and a user with a
password, and yields a ``mysql://`` DSN; the server is stopped at the end. When the binaries are absent the fixture
skips — except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

DB, USER, PASSWORD = "hopnhat", "hopnhat", "mat-khau-thu"
START_TIMEOUT = 30.0


def _binary(name: str, *dirs: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in dirs:
        if (Path(folder) / name).is_file():
            return str(Path(folder) / name)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _missing(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"MariaDB is required in CI: {reason}")
    pytest.skip(reason)


def _wait_ready(sock: Path, proc: subprocess.Popen[bytes], log: Path) -> None:
    import pymysql

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mariadbd exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        if sock.exists():
            try:
                pymysql.connect(unix_socket=str(sock), user="root").close()
                return
            except pymysql.err.OperationalError:
                pass
        time.sleep(0.05)
    raise RuntimeError(f"mariadbd did not start in {START_TIMEOUT:.0f} s: {log.read_text(errors='replace')[-2000:]}")


def _create_user(sock: Path) -> None:
    import pymysql

    con = pymysql.connect(unix_socket=str(sock), user="root", autocommit=True)
    try:
        with con.cursor() as cur:
            cur.execute(f"CREATE DATABASE {DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            cur.execute(f"CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY %s", (PASSWORD,))
            cur.execute(f"GRANT ALL ON {DB}.* TO '{USER}'@'127.0.0.1'")
    finally:
        con.close()


@pytest.fixture(scope="session")
def mariadb_dsn() -> Iterator[str]:
    """DSN of a throw-away MariaDB server (database ``hopnhat``, user ``hopnhat`` with a password)."""
    install = _binary("mariadb-install-db", "/usr/bin", "/usr/sbin")
    server = _binary("mariadbd", "/usr/sbin", "/usr/bin")
    if install is None or server is None:
        _missing("MariaDB binaries not found (apt-get install mariadb-server)")
    user = ["--user=nobody"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="hopnhat-mariadb-"))
    data, sock, log = root / "data", root / "sock", root / "server.log"
    if user:
        shutil.chown(root, user="nobody")
    base = ["--no-defaults", f"--datadir={data}", *user]
    subprocess.run([install, *base, "--auth-root-authentication-method=normal", "--skip-test-db",
                    "--skip-name-resolve"], check=True, capture_output=True, timeout=120)
    port = _free_port()
    proc = subprocess.Popen([server, *base, f"--socket={sock}", f"--port={port}", "--bind-address=127.0.0.1",
                             "--skip-name-resolve", f"--log-error={log}", f"--pid-file={root / 'pid'}",
                             "--skip-log-bin", "--innodb-buffer-pool-size=32M",
                             "--innodb-flush-log-at-trx-commit=0", "--innodb-fast-shutdown=2",
                             "--character-set-server=utf8mb4"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(sock, proc, log)
        _create_user(sock)
        yield f"mysql://{USER}:{PASSWORD}@127.0.0.1:{port}/{DB}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)
