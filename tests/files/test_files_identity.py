"""Which files are identity scans (served only to roles with ``identity_scans``): declared in the merger file by
source, table, column or folder (``files.identity_scans``, checked against the sources when the file is loaded),
or — unless ``files.identity_by_name`` is off — by a CCCD/CMND/passport word in the column, table or name (warned).
A content is an identity scan when any reference to it is one."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.files import samples
from typer.testing import CliRunner

from hopnhat.cli.main import build
from hopnhat.errors import ConfigError
from hopnhat.files.ledger import Ledger, Ref
from hopnhat.files.shelf import FileShelf
from hopnhat.files.store import FolderStore
from hopnhat.i18n import set_language
from hopnhat.project.config import load_project

# (source, table, row, column, original path) of each reference; two hold the same scan
REFS = [("hotich", "giay_to", "GT1", "tep", "giay_to/ho_so/to_khai.pdf"),
        ("hotich", "giay_to", "GT1", "tep", "giay_to/CMT/mat_truoc.jpg"),      # a folder of identity papers
        ("hotich", "giay_to", "GT2", "anh", "anh/0002.jpg"),                   # a column of identity papers
        ("hotich", "khai_sinh", "KS1", "tep", "ks/ban_sao.pdf"),
        ("mot_cua", "ho_so", "HS1", "dinh_kem", "hs/0001.jpg"),                 # the same bytes as GT2's anh
        ("mot_cua", "ho_so", "HS2", "cccd", "hs/0002.pdf")]                    # named so, declared nowhere


def _project(tmp_path: Path, files: dict[str, Any]) -> Any:
    tables = {"hotich": ["giay_to", "khai_sinh"], "mot_cua": ["ho_so"]}
    doc = {"merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "files": {"path": "hopnhat-files", **files},
           "sources": [{"name": s, "system": "Hộ tịch", "kind": "csv", "tables": [
               {"name": t, "path": f"{t}.csv", "maps_to": "person", "columns": {"source_key": "ma"}} for t in ts]}
               for s, ts in tables.items()]}
    path = tmp_path / "merger.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_project(path)


def _ledger(tmp_path: Path) -> None:
    root = tmp_path / "hopnhat-files"
    store, ledger = FolderStore(root), Ledger(root / "files.sqlite")
    shared = samples.image("JPEG", 3)
    bodies = [samples.pdf("to khai"), samples.image("JPEG", 1), shared, samples.pdf("ban sao"), shared,
              samples.pdf("cccd")]
    for (source, table, row, column, path), data in zip(REFS, bodies, strict=True):
        copied = store.put(io.BytesIO(data))
        ledger.record(Ref(source, table, row, column, path), name=path.rpartition("/")[2],
                      repaired=path.rpartition("/")[2], sha256=copied.sha256, size=len(data), kind=None, mime=None,
                      outcome="stored")
    ledger.commit()
    ledger.close()


def _identity(project: Any) -> dict[tuple[str, str], bool]:
    shelf = FileShelf(project)
    records = [(s, t, [r]) for s, t, r, _, _ in REFS]
    return {(a.row, a.original_path): a.identity for a in shelf.attachments(records)}


DECLARED = [{"source": "hotich", "folder": "giay_to/cmt/"}, {"source": "hotich", "table": "giay_to", "column": "anh"}]


def test_identity_scans_are_what_the_merger_file_declares(tmp_path: Path) -> None:
    _ledger(tmp_path)
    got = _identity(_project(tmp_path, {"identity_scans": DECLARED, "identity_by_name": False}))
    assert got == {("GT1", "giay_to/ho_so/to_khai.pdf"): False,
                   ("GT1", "giay_to/CMT/mat_truoc.jpg"): True,   # under the declared folder (any case)
                   ("GT2", "anh/0002.jpg"): True,                # the declared column
                   ("KS1", "ks/ban_sao.pdf"): False,
                   ("HS1", "hs/0001.jpg"): True,                 # the same bytes as a declared scan
                   ("HS2", "hs/0002.pdf"): False}                # the word rule turned off


def test_a_whole_source_or_table_can_be_declared(tmp_path: Path) -> None:
    _ledger(tmp_path)
    table = _identity(_project(tmp_path, {"identity_scans": [{"source": "hotich", "table": "khai_sinh"}],
                                          "identity_by_name": False}))
    assert [k for k, v in table.items() if v] == [("KS1", "ks/ban_sao.pdf")]
    source = _identity(_project(tmp_path, {"identity_scans": [{"source": "mot_cua"}], "identity_by_name": False}))
    assert sorted(k for k, v in source.items() if v) == [("GT2", "anh/0002.jpg"), ("HS1", "hs/0001.jpg"),
                                                         ("HS2", "hs/0002.pdf")]


def test_the_word_rule_stays_on_by_default_and_is_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _ledger(tmp_path)
    with caplog.at_level(logging.WARNING, logger="hopnhat.files.shelf"):
        got = _identity(_project(tmp_path, {"identity_scans": DECLARED}))
    assert got[("HS2", "hs/0002.pdf")] is True and got[("KS1", "ks/ban_sao.pdf")] is False
    warned = [r.getMessage() for r in caplog.records]
    assert any("column=cccd" in m and "files.identity_scans" in m for m in warned)
    assert not any("column=anh" in m for m in warned)  # a declared scan is not warned


@pytest.mark.parametrize("entry", [{"source": "ho_tich"}, {"source": "hotich", "table": "ket_hon"},
                                   {"source": "hotich", "column": "anh"},
                                   {"source": "hotich", "table": "giay_to", "folder": "cmt"},
                                   {"source": "hotich", "folder": "./"}, {"source": "hotich", "colum": "anh"}])
def test_a_wrong_declaration_is_refused_when_the_merger_file_is_loaded(tmp_path: Path, entry: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        _project(tmp_path, {"identity_scans": [entry]})


def test_files_books_names_what_the_merger_file_should_declare(tmp_path: Path) -> None:
    _ledger(tmp_path)
    project = _project(tmp_path, {"identity_scans": DECLARED})
    try:
        result = CliRunner().invoke(build(), ["--lang", "en", "files", "books", str(project.path)])
    finally:
        set_language(None)  # --lang is the process's language: the next tests expect the default
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # the console wraps long lines
    assert text.count("by their names alone") == 1 and "1 files of mot_cua.ho_so column cccd are taken" in text
