"""The file store on real files: content types, quarantine reasons, deduplication across sources, books, legacy
names repaired, resumable runs, atomic copies under kill -9, and ``hopnhat files verify``."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from tests.files import samples
from typer.testing import CliRunner

from hopnhat.cli.main import build
from hopnhat.files.intake import Item, from_blobs, from_manifest, from_paths, take_all
from hopnhat.files.kinds import judge
from hopnhat.files.ledger import Ledger, Ref
from hopnhat.files.store import FolderStore
from hopnhat.i18n import set_language

GOOD = {
    "qd.pdf": samples.pdf(), "anh.png": samples.png(), "scan.jpg": samples.image("JPEG"),
    "scan.tiff": samples.image("TIFF"), "totrinh.docx": samples.docx(),
}
KINDS = {"qd.pdf": "pdf", "anh.png": "png", "scan.jpg": "jpg", "scan.tiff": "tif", "totrinh.docx": "docx"}
BAD = {  # name → (bytes, words the reason must hold)
    "cut.pdf": (samples.pdf()[:-7], "truncated PDF"),
    "cut.jpg": (samples.image("JPEG")[:-40], "truncated JPEG"),
    "cut.png": (samples.png()[:-8], "truncated PNG"),
    "cut.docx": (samples.docx()[:-30], "truncated ZIP"),
    "anh.pdf": (samples.image("JPEG", 7), "named .pdf but the content is jpg"),
    "rong.pdf": (b"", "empty file"),
    "rac.pdf": (b"this is not a pdf at all\n" * 4, "content is not a .pdf"),
}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_files_are_detected_by_content(name: str) -> None:
    data = GOOD[name]
    verdict = judge(name, len(data), data[:8192], data[-65557:])
    assert (verdict.kind, verdict.problem) == (KINDS[name], None)


@pytest.mark.parametrize("name", sorted(BAD))
def test_broken_files_get_their_reason(name: str) -> None:
    data, reason = BAD[name]
    verdict = judge(name, len(data), data[:8192], data[-65557:])
    assert verdict.problem is not None and reason in verdict.problem


def test_kind_ignores_the_extension() -> None:
    data = samples.pdf()
    assert judge("QD_12.PDF", len(data), data, data).kind == "pdf"
    assert judge("no_extension", len(data), data, data).problem is None
    assert judge("qd.jpg", len(data), data, data).problem == "named .jpg but the content is pdf"


def _tree(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def _manifest(folder: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    path = folder / "manifest.csv"
    path.write_text("table,row,column,path\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_two_provinces_deduplicated_with_exact_books(tmp_path: Path) -> None:
    scan = samples.image("JPEG", 3)
    qn, dn = tmp_path / "qn", tmp_path / "dn"
    _tree(qn, {**GOOD, "ho_so/ks_001.jpg": scan, **{n: d for n, (d, _) in BAD.items()}})
    _tree(dn, {"giay_to/ks_A.jpg": scan, "giay_to/ks_B.jpg": scan, "qd.pdf": samples.pdf("khac")})
    qn_rows = [("hoso", str(i), "tep", n) for i, n in enumerate(sorted(GOOD) + ["ho_so/ks_001.jpg"] + sorted(BAD))]
    qn_rows.append(("hoso", "99", "tep", "khong_co.pdf"))  # missing
    (qn / "a_folder.pdf").mkdir()
    qn_rows.append(("hoso", "100", "tep", "a_folder.pdf"))  # unreadable
    dn_rows = [("khaisinh", "1", "scan", "giay_to/ks_A.jpg"), ("khaisinh", "2", "scan", "giay_to/ks_B.jpg"),
               ("vanban", "1", "tep", "qd.pdf")]
    store, ledger = FolderStore(tmp_path / "store"), Ledger(tmp_path / "store" / "files.sqlite")
    done_qn = take_all(store, ledger, from_manifest("qn", qn, _manifest(qn, qn_rows)))
    done_dn = take_all(store, ledger, from_manifest("dn", dn, _manifest(dn, dn_rows)))
    assert dict(done_qn) == {"stored": 6, "quarantined": 9}
    assert dict(done_dn) == {"duplicate": 2, "stored": 1}  # the scan both provinces hold is stored once
    books = {b.source: b for b in ledger.books()}
    assert all(b.balanced for b in books.values())
    assert (books["dn"].referenced, books["dn"].stored, books["dn"].duplicate) == (3, 1, 2)
    assert books["dn"].duplicate_bytes == 2 * len(scan)
    assert books["qn"].stored_bytes == sum(map(len, GOOD.values())) + len(scan)
    assert books["qn"].quarantined_bytes == sum(len(d) for d, _ in BAD.values())
    assert len(ledger.objects()) == 7
    assert sorted(store.addresses()) == sorted(sha for sha, _ in ledger.objects())  # only accepted contents served
    assert len(list(store.quarantine.iterdir())) == len(BAD)  # refused contents kept aside (the empty file too)
    reasons = {r[4]: r[5] for r in ledger.quarantine()}
    assert reasons["khong_co.pdf"] == "file missing"
    assert reasons["a_folder.pdf"].startswith("file unreadable")
    assert {p: reasons[p] for p in BAD} == {p: reasons[p] for p in BAD}
    assert all(BAD[p][1] in reasons[p] for p in BAD)
    assert ledger.links("dn", "khaisinh", "2") == [("scan", "ks_B.jpg", ledger.links("dn", "khaisinh", "1")[0][2],
                                                    "jpg")]
    again = take_all(store, ledger, from_manifest("dn", dn, _manifest(dn, dn_rows)))
    assert dict(again) == {"skipped": 3}  # idempotent: nothing read twice, books unchanged
    assert {b.source: b for b in ledger.books()} == books


def test_legacy_names_on_disk_are_repaired(tmp_path: Path) -> None:
    texts = ["Quyết định bổ nhiệm cán bộ.pdf", "Giấy khai sinh Nguyễn Văn An.jpg", "Tờ trình số 15.docx"]
    files = [samples.pdf(), samples.image("JPEG"), samples.docx()]
    folder = tmp_path / "cu"
    folder.mkdir()
    rows = []
    for i, (text, data) in enumerate(zip(texts * 2, files * 2, strict=True)):
        raw = samples.legacy_name(text, "tcvn3" if i < 3 else "vni")
        sub = os.fsencode(folder) + b"/" + (b"t" if i < 3 else b"v")
        os.makedirs(sub, exist_ok=True)
        with open(sub + b"/" + raw, "wb") as f:
            f.write(data)
        rows.append((str(i), (b"t/" if i < 3 else b"v/").decode() + raw.decode("cp1252")))
    store, ledger = FolderStore(tmp_path / "s"), Ledger(tmp_path / "s" / "files.sqlite")
    done = take_all(store, ledger, from_paths("cu", "vb", "tep", folder, rows))
    assert dict(done) == {"stored": 3, "duplicate": 3}
    names = [ledger.links("cu", "vb", str(i))[0][1] for i in range(6)]
    assert names == texts * 2


def test_blob_column(tmp_path: Path) -> None:
    store, ledger = FolderStore(tmp_path / "s"), Ledger(tmp_path / "s" / "files.sqlite")
    cells = [("1", "qd.pdf", samples.pdf()), ("2", "anh.png", None), ("3", "x.pdf", samples.png())]
    assert dict(take_all(store, ledger, from_blobs("tthc", "dinhkem", "noidung", cells))) == \
        {"stored": 1, "quarantined": 2}
    assert [r[5] for r in ledger.quarantine()] == ["file missing", "named .pdf but the content is png"]


SLOW_WRITER = """
import sys, time
from pathlib import Path
from hopnhat.files.store import FolderStore

class Slow:
    def __init__(self): self.sent = 0
    def readinto(self, buffer):
        self.sent += 1
        if self.sent == 3:
            print("copying", flush=True)
        time.sleep(0.05)
        buffer[:9] = b"%PDF-1.4\\n"
        return len(buffer)

FolderStore(Path(sys.argv[1])).put(Slow())
"""


def test_kill_mid_copy_leaves_no_half_file(tmp_path: Path) -> None:
    root = tmp_path / "store"
    child = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(root)], stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdout.readline() == b"copying\n"
    time.sleep(0.2)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    assert not [p for p in (root / "objects").rglob("*") if p.is_file()]  # nothing half-copied is visible
    store = FolderStore(root)
    assert store.clear_partial() == 1 and not list(store.tmp.iterdir())


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "tep_qn"
    _tree(folder, {"a.pdf": samples.pdf(), "b.png": samples.png(), "c.pdf": samples.pdf()[:-7]})
    _manifest(folder, [("hoso", "1", "tep", "a.pdf"), ("hoso", "2", "tep", "b.png"), ("hoso", "3", "tep", "c.pdf")])
    doc = {"merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "files": {"path": "kho_tep", "folders": {"qn": "tep_qn"}, "manifests": {"qn": "manifest.csv"}},
           "sources": [{"name": "qn", "system": "Hộ tịch", "kind": "csv", "tables": [
               {"name": "nk", "path": "nk.csv", "maps_to": "person", "columns": {"source_key": "Ma"}}]}]}
    merger = tmp_path / "merger.yaml"
    merger.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return merger


def test_cli_take_books_verify(tmp_path: Path) -> None:
    merger = _project(tmp_path)
    runner = CliRunner()
    taken = runner.invoke(build("files"), ["--lang", "en", "files", "take", str(merger)])
    assert taken.exit_code == 0, taken.output
    assert "qn: stored 2, duplicate 0, quarantined 1, already done 0" in taken.output
    assert "truncated PDF" in taken.output
    ok = runner.invoke(build("files"), ["--lang", "en", "files", "verify", str(merger)])
    assert ok.exit_code == 0 and "Checked 2 files" in ok.output, ok.output
    vi = runner.invoke(build("files"), ["--lang", "vi", "files", "verify", str(merger)])
    assert vi.exit_code == 0 and "Đã kiểm 2 tệp" in vi.output, vi.output
    store = FolderStore(tmp_path / "kho_tep")
    first, second = [sha for sha, _ in Ledger(tmp_path / "kho_tep" / "files.sqlite").objects()]
    store.path_of(first).write_bytes(store.path_of(first).read_bytes() + b" ")
    store.path_of(second).unlink()
    bad = runner.invoke(build("files"), ["--lang", "en", "files", "verify", str(merger)])
    assert bad.exit_code == 1, bad.output
    assert f"CHANGED: {first}" in bad.output and f"VANISHED: {second}" in bad.output
    assert "1 changed, 1 vanished" in bad.output


def test_a_reference_item_is_recorded_once(tmp_path: Path) -> None:
    store, ledger = FolderStore(tmp_path / "s"), Ledger(tmp_path / "s" / "files.sqlite")
    ref = Ref("qn", "hoso", "1", "tep", "a.pdf")
    item = Item(ref, "a.pdf", lambda: io.BytesIO(samples.pdf()))
    assert dict(take_all(store, ledger, [item, item])) == {"stored": 1, "skipped": 1}
    assert dict(take_all(store, ledger, [item])) == {"skipped": 1}


def test_an_object_left_short_by_a_power_cut_is_rewritten(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "s")
    data = samples.pdf()
    first = store.put(io.BytesIO(data))
    store.path_of(first.sha256).write_bytes(b"")  # what a power cut may leave of an unflushed rename
    again = store.put(io.BytesIO(data))
    assert again.new and store.hash_of(first.sha256) == first.sha256


@pytest.mark.parametrize("flush_bytes", [0, 1 << 30])  # a flush after every batch, or one for the whole intake
def test_bytes_refused_in_one_batch_and_accepted_in_a_later_one_stay_served(tmp_path: Path, flush_bytes: int) -> None:
    """Recording waits for a flush point, so several batches are recorded together: contents refused under one
    name are set aside only after all of them are recorded (a later reference may accept the same bytes)."""
    store, ledger = FolderStore(tmp_path / "s"), Ledger(tmp_path / "s" / "files.sqlite")
    scan = samples.image("JPEG", 5)
    items = [Item(Ref("qn", "hoso", str(i), "tep", name), name, lambda d=data: io.BytesIO(d))  # type: ignore[misc]
             for i, (name, data) in enumerate([("scan.png", scan), ("qd.pdf", samples.pdf()), ("scan.jpg", scan),
                                               ("khac.png", samples.image("JPEG", 6))])]
    done = take_all(store, ledger, items, batch=1, flush_bytes=flush_bytes)
    assert dict(done) == {"quarantined": 2, "stored": 2}
    served = sorted(sha for sha, _ in ledger.objects())
    assert sorted(store.addresses()) == served and store.put(io.BytesIO(scan), keep=False).sha256 in served
    other = store.put(io.BytesIO(samples.image("JPEG", 6)), keep=False).sha256
    assert other not in served and (store.quarantine / other).is_file()  # refused by every reference: set aside
    ledger.close()
