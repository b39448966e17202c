"""kill -9 in the middle of a multipart upload to a REAL S3-compatible server (Ceph RGW, tests/files/rgwserver.py),
then the run again: no half object is ever visible under ``objects/``, the open upload is aborted, every reference is
recorded once and the books are exact.

The run is a child process (``hopnhat.files.project.take_manifests``) whose S3 client stops after the first part of
a large scan is acknowledged (a botocore hook writes a marker and waits), so the kill lands while the multipart
upload is open on the server — the parent checks that it is, then sends SIGKILL."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml
from tests.files import samples

from hopnhat.files.project import open_files, take_manifests
from hopnhat.files.s3store import S3Store
from hopnhat.files.verify import verify
from hopnhat.project.config import S3Spec, load_project

CHILD = """
import pathlib, sys, time
import hopnhat.files.s3store as s3store
from hopnhat.files.project import take_manifests
from hopnhat.project.config import load_project

real = s3store.client

def stalled(spec):
    s3 = real(spec)
    def after_part(**_):
        pathlib.Path(sys.argv[2]).write_text("one part acknowledged")
        time.sleep(600)
    s3.meta.events.register("after-call.s3.UploadPart", after_part)
    return s3

s3store.client = stalled
take_manifests(load_project(sys.argv[1]))
"""


def _estate(tmp_path: Path, spec: S3Spec) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path / "tep"
    folder.mkdir()
    big = b"%PDF-1.4\n" + random.Random(5).randbytes(20 << 20) + b"\n%%EOF\n"  # three 8 MiB parts
    files = {"qd.pdf": samples.pdf("12/QD"), "qd-ban-sao.pdf": samples.pdf("12/QD"), "anh.jpg": samples.image("JPEG"),
             "so-dang-ky.pdf": big, "hong.pdf": samples.image("JPEG", 4)}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    rows = "".join(f"ho_so,{i},tep,{name}\n" for i, name in enumerate(files))
    (folder / "m.csv").write_text("table,row,column,path\n" + rows, encoding="utf-8")
    s3 = {**spec.model_dump(), "prefix": f"k-{uuid.uuid4().hex[:8]}/"}
    doc = {"merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "files": {"folders": {"tthc": "tep"}, "manifests": {"tthc": "m.csv"}, "s3": s3},
           "sources": [{"name": "tthc", "system": "TTHC", "kind": "csv", "tables": [
               {"name": "ho_so", "path": "hs.csv", "maps_to": "dossier", "columns": {"source_key": "ma"}}]}]}
    merger = tmp_path / "merger.yaml"
    merger.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return merger, files


def _visible(store: S3Store) -> dict[str, str]:
    """Every object under ``objects/``: its address → the SHA-256 of its bytes as they are on the server."""
    return {sha: store.hash_of(sha) or "" for sha in store.addresses()}


def _kill_mid_upload(merger: Path, marker: Path, store: S3Store) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(merger), str(marker)], cwd=merger.parent)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, "the run ended before its multipart upload"
            assert time.monotonic() < deadline, "no part was uploaded in 120 s"
            time.sleep(0.05)
        open_uploads = store.s3.list_multipart_uploads(Bucket=store.bucket, Prefix=store.prefix).get("Uploads", [])
        assert len(open_uploads) == 1  # the kill lands while the upload is open on the server
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(30)
    assert child.returncode == -signal.SIGKILL


@pytest.mark.slow
@pytest.mark.server
def test_kill_9_mid_multipart_upload_then_resume(rgw_spec: S3Spec, tmp_path: Path) -> None:
    merger, files = _estate(tmp_path, rgw_spec)
    store, ledger = open_files(load_project(merger))
    ledger.close()
    assert isinstance(store, S3Store)
    big_sha = hashlib.sha256(files["so-dang-ky.pdf"]).hexdigest()
    try:
        _kill_mid_upload(merger, tmp_path / "part.marker", store)
        seen = _visible(store)
        assert big_sha not in seen  # the half-uploaded scan is not an object
        assert all(address == actual for address, actual in seen.items())  # whatever is visible is whole

        outcome = take_manifests(load_project(merger))  # the run again, without the stall
        assert store.s3.list_multipart_uploads(Bucket=store.bucket, Prefix=store.prefix).get("Uploads", []) == []
        (books,) = outcome.books
        assert outcome.balanced and books.referenced == len(files)
        assert (books.stored, books.duplicate, books.quarantined) == (3, 1, 1)  # a JPEG named .pdf refused
        assert books.referenced_bytes == sum(map(len, files.values()))
        seen = _visible(store)
        assert big_sha in seen and all(address == actual for address, actual in seen.items())
        _, ledger = open_files(load_project(merger))
        try:
            rows = ledger.db.execute("SELECT row, COUNT(*) FROM file_ref GROUP BY row").fetchall()
            assert sorted(rows) == [(str(i), 1) for i in range(len(files))]  # each reference recorded once
            assert sorted(seen) == sorted(sha for sha, _ in ledger.objects()) and verify(store, ledger).ok
        finally:
            ledger.close()
        again = take_manifests(load_project(merger))
        assert dict(again.done["tthc"]) == {"skipped": len(files)} and again.books == outcome.books
    finally:
        store.remove_all()
