"""A REAL S3-compatible server for the tests: Ceph's RADOS Gateway from Debian's packages (``ceph-mon``, ``ceph-osd``,
``radosgw``), a one-node cluster in a temporary folder.

``rgw_spec`` (session fixture) writes a ``ceph.conf`` (cephx keys made by ``ceph-authtool``, one monitor on a free
port of 127.0.0.1, one OSD on a 2 GiB BlueStore file, pools of size 1), starts the three daemons in the foreground as
children of the test process, creates an S3 user with ``radosgw-admin`` and yields an :class:`S3Spec` whose keys are
in two environment variables set for the session; the daemons are stopped at the end. When the binaries are absent
the fixture skips — except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from hopnhat.project.config import S3Spec

START_TIMEOUT = 120.0
KEY_ENV, SECRET_ENV = "HOPNHAT_TEST_S3_KEY", "HOPNHAT_TEST_S3_SECRET"
BINARIES = ("ceph-authtool", "monmaptool", "ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "ceph")

CONF = """[global]
fsid = {fsid}
mon host = v2:127.0.0.1:{mon_port}
ms bind ipv6 = false
public addr = 127.0.0.1
cluster addr = 127.0.0.1
keyring = {root}/keyring
admin socket = {root}/run/$name.asok
log file = {root}/log/$name.log
pid file = {root}/run/$name.pid
mon data = {root}/mon/$cluster-$id
osd data = {root}/osd/$cluster-$id
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 2147483648
bluestore fsck on mkfs = false
osd op num shards = 1
osd op num threads per shard = 2
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
mon osd full ratio = .99
mon osd nearfull ratio = .99
[client.rgw.hopnhat]
rgw frontends = beast endpoint=127.0.0.1:{rgw_port}
rgw data = {root}/rgw
rgw enable usage log = false
"""

KEYS = [("mon.", ["mon", "allow *"]),
        ("client.admin", ["mon", "allow *", "osd", "allow *", "mgr", "allow *"]),
        ("osd.0", ["mon", "allow profile osd", "osd", "allow *"]),
        ("client.rgw.hopnhat", ["mon", "allow rw", "osd", "allow rwx"])]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _missing(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"Ceph RGW is required in CI: {reason}")
    pytest.skip(reason)


def _run(root: Path, *args: str) -> str:
    done = subprocess.run(list(args), cwd=root, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def _prepare(root: Path, mon_port: int, rgw_port: int) -> Path:
    for sub in ("mon/ceph-a", "osd/ceph-0", "run", "log", "rgw"):
        (root / sub).mkdir(parents=True)
    fsid = str(uuid.uuid4())
    conf = root / "ceph.conf"
    conf.write_text(CONF.format(fsid=fsid, root=root, mon_port=mon_port, rgw_port=rgw_port), encoding="utf-8")
    keyring = str(root / "keyring")
    for i, (name, caps) in enumerate(KEYS):
        cap_args = [a for j in range(0, len(caps), 2) for a in ("--cap", caps[j], caps[j + 1])]
        _run(root, "ceph-authtool", *(["--create-keyring"] if i == 0 else []), keyring, "--gen-key", "-n", name,
             *cap_args)
    _run(root, "monmaptool", "--create", "--addv", "a", f"[v2:127.0.0.1:{mon_port}]", "--fsid", fsid,
         str(root / "monmap"))
    _run(root, "ceph-mon", "-c", str(conf), "--mkfs", "-i", "a", "--monmap", str(root / "monmap"), "--keyring", keyring)
    return conf


def _daemon(root: Path, name: str, *args: str) -> subprocess.Popen[bytes]:
    out = (root / "log" / f"{name}.out").open("wb")
    return subprocess.Popen(list(args), cwd=root, stdout=out, stderr=subprocess.STDOUT)


def _wait_http(port: int, procs: list[subprocess.Popen[bytes]], root: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            logs = "".join(p.read_text(errors="replace")[-1500:] for p in (root / "log").glob("*.out"))
            raise RuntimeError(f"a Ceph daemon exited: {logs}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"radosgw did not answer in {START_TIMEOUT:.0f} s")


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in reversed(procs):
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def rgw_spec() -> Iterator[S3Spec]:
    """An S3 spec for a throw-away Ceph RGW (bucket ``hopnhat-test``), its keys in the environment."""
    absent = [b for b in BINARIES if shutil.which(b) is None]
    if absent:
        _missing(f"Ceph binaries not found: {', '.join(absent)} (apt-get install ceph-mon ceph-osd radosgw)")
    root = Path(tempfile.mkdtemp(prefix="hopnhat-rgw-"))
    mon_port, rgw_port = _free_port(), _free_port()
    conf = str(_prepare(root, mon_port, rgw_port))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(_daemon(root, "mon", "ceph-mon", "-c", conf, "-i", "a", "-f"))
        osd_id = _run(root, "ceph", "-c", conf, "--connect-timeout", "60", "osd", "create").strip()
        _run(root, "ceph-osd", "-c", conf, "-i", osd_id, "--mkfs")
        procs.append(_daemon(root, "osd", "ceph-osd", "-c", conf, "-i", osd_id, "-f"))
        procs.append(_daemon(root, "rgw", "radosgw", "-c", conf, "-n", "client.rgw.hopnhat", "-f"))
        _wait_http(rgw_port, procs, root)
        key, secret = "HOPNHATTESTKEY", uuid.uuid4().hex
        _run(root, "radosgw-admin", "-c", conf, "user", "create", "--uid=hopnhat", "--display-name=hopnhat",
             f"--access-key={key}", f"--secret={secret}")
        saved = {n: os.environ.get(n) for n in (KEY_ENV, SECRET_ENV)}
        os.environ[KEY_ENV], os.environ[SECRET_ENV] = key, secret
        try:
            yield S3Spec(endpoint=f"http://127.0.0.1:{rgw_port}", bucket="hopnhat-test", access_key_env=KEY_ENV,
                         secret_key_env=SECRET_ENV)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    finally:
        _stop(procs)
        shutil.rmtree(root, ignore_errors=True)
