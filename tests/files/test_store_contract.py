"""One contract for every file store backend, run on the folder tree and on a REAL S3-compatible server (Ceph RGW,
tests/files/rgwserver.py): contents stored once under their hash, read back byte for byte, refused contents set
aside, half-finished uploads cleared, books exact through a whole intake, and verification that finds a changed or
vanished content."""

from __future__ import annotations

import io
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from tests.files import samples
from typer.testing import CliRunner

from hopnhat.cli.main import build
from hopnhat.files.intake import from_manifest, take_all
from hopnhat.files.ledger import Ledger
from hopnhat.files.project import open_files, take_manifests
from hopnhat.files.s3store import S3Store
from hopnhat.files.store import FileStore, FolderStore
from hopnhat.files.verify import verify
from hopnhat.i18n import set_language
from hopnhat.project.config import S3Spec, load_project


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture(params=["folder", pytest.param("s3", marks=pytest.mark.server)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FileStore]:
    if request.param == "folder":
        yield FolderStore(tmp_path / "store")
        return
    spec: S3Spec = request.getfixturevalue("rgw_spec")
    bucket = S3Store(spec.model_copy(update={"prefix": f"t-{uuid.uuid4().hex[:8]}/"}))
    yield bucket
    bucket.remove_all()


def _tamper(store: FileStore, sha: str, data: bytes | None) -> None:
    """Change (or, with None, delete) a stored content behind the store's back."""
    if isinstance(store, FolderStore):
        if data is None:
            store.path_of(sha).unlink()
        else:
            store.path_of(sha).write_bytes(data)
    elif isinstance(store, S3Store):
        if data is None:
            store.s3.delete_object(Bucket=store.bucket, Key=store.key(sha))
        else:
            store.s3.put_object(Bucket=store.bucket, Key=store.key(sha), Body=data)


def test_contents_stored_once_and_read_back(store: FileStore) -> None:
    big = b"%PDF-1.4\n" + random.Random(7).randbytes(12 << 20) + b"\n%%EOF\n"  # past the spool and multipart sizes
    first, again, other = (store.put(io.BytesIO(d)) for d in (samples.pdf(), samples.pdf(), big))
    assert first.new and not again.new and first.sha256 == again.sha256
    assert other.size == len(big) and other.head == big[:8192] and other.tail == big[-65557:]
    assert sorted(store.addresses()) == sorted({first.sha256, other.sha256})
    with store.open(other.sha256) as f:
        assert f.read() == big
    assert store.hash_of(other.sha256) == other.sha256 and store.has(first.sha256)
    assert store.where(first.sha256).replace("/", "").endswith(first.sha256)
    assert not store.put(io.BytesIO(samples.png()), keep=False).new and len(list(store.addresses())) == 2


def test_refused_contents_are_set_aside(store: FileStore) -> None:
    kept = store.put(io.BytesIO(samples.png()))
    store.set_aside(kept.sha256)
    assert not store.has(kept.sha256) and list(store.addresses()) == []
    assert store.hash_of(kept.sha256) is None
    with pytest.raises(FileNotFoundError):
        store.open(kept.sha256)


def test_half_finished_copies_are_cleared(store: FileStore) -> None:
    if isinstance(store, FolderStore):
        (store.tmp / "left-by-kill").write_bytes(b"half")
    elif isinstance(store, S3Store):
        store.s3.create_multipart_upload(Bucket=store.bucket, Key=store.key("ab" * 32))
    assert store.clear_partial() == 1 and store.clear_partial() == 0
    assert list(store.addresses()) == []


def test_an_intake_with_exact_books_then_verification(store: FileStore, tmp_path: Path) -> None:
    folder = tmp_path / "tep"
    files = {"a.pdf": samples.pdf("A"), "b.pdf": samples.pdf("A"), "c.jpg": samples.image("JPEG"),
             "d.pdf": samples.image("JPEG", 9), "e.png": samples.png()}
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    rows = "".join(f"hs,{i},tep,{name}\n" for i, name in enumerate([*files, "none.pdf"]))
    (folder / "m.csv").write_text("table,row,column,path\n" + rows, encoding="utf-8")
    ledger = Ledger(tmp_path / "files.sqlite")
    try:
        done = take_all(store, ledger, from_manifest("qn", folder, folder / "m.csv"), batch=2)
        assert dict(done) == {"stored": 3, "duplicate": 1, "quarantined": 2}
        (books,) = ledger.books()
        assert books.balanced and books.referenced_bytes == sum(map(len, files.values()))
        assert sorted(store.addresses()) == sorted(sha for sha, _ in ledger.objects())  # d.pdf set aside
        assert verify(store, ledger).ok
        shas = [sha for sha, _ in ledger.objects()]
        _tamper(store, shas[0], b"changed")
        _tamper(store, shas[1], None)
        result = verify(store, ledger)
        assert (result.changed, result.vanished, result.checked) == ([shas[0]], [shas[1]], 3)
    finally:
        ledger.close()


@pytest.mark.server
def test_a_project_with_its_files_in_a_bucket(rgw_spec: S3Spec, tmp_path: Path) -> None:
    """``files.s3`` in the merger file: the run's files go to the bucket, ``hopnhat files verify`` reads them there."""
    folder = tmp_path / "tep"
    folder.mkdir()
    (folder / "qd.pdf").write_bytes(samples.pdf("12/QD"))
    (folder / "m.csv").write_text("table,row,column,path\nvb,1,tep,qd.pdf\n", encoding="utf-8")
    s3 = {**rgw_spec.model_dump(), "prefix": f"p-{uuid.uuid4().hex[:8]}/"}
    doc = {"merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "files": {"folders": {"qlvb": "tep"}, "manifests": {"qlvb": "m.csv"}, "s3": s3},
           "sources": [{"name": "qlvb", "system": "QLVB", "kind": "csv", "tables": [
               {"name": "vb", "path": "vb.csv", "maps_to": "document", "columns": {"source_key": "ma"}}]}]}
    merger = tmp_path / "merger.yaml"
    merger.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    outcome = take_manifests(load_project(merger))
    assert outcome.balanced and dict(outcome.done["qlvb"]) == {"stored": 1}
    store, ledger = open_files(load_project(merger))
    ledger.close()
    assert isinstance(store, S3Store) and len(list(store.addresses())) == 1
    result = CliRunner().invoke(build(), ["--lang", "en", "files", "verify", str(merger)])
    assert result.exit_code == 0 and "Checked 1 files" in result.output, result.output
    store.remove_all()
