"""Served files are re-hashed on the way out (``FileShelf.read_verified``): a content whose bytes changed in the store
is never delivered whole — one of a single chunk not at all, a larger one cut before its last chunk."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
import yaml

from hopnhat.files.shelf import ContentChanged, FileShelf
from hopnhat.files.store import CHUNK, FolderStore
from hopnhat.project.config import load_project


def _shelf(tmp_path: Path) -> tuple[FileShelf, FolderStore]:
    doc = {"merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"}, "files": {"path": "kho"},
           "sources": [{"name": "qlvb", "system": "QLVB", "kind": "csv", "tables": [
               {"name": "vb", "path": "vb.csv", "maps_to": "document", "columns": {"source_key": "ma"}}]}]}
    (tmp_path / "merger.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return FileShelf(load_project(tmp_path / "merger.yaml")), FolderStore(tmp_path / "kho")


def _drain(chunks: object) -> tuple[bytes, Exception | None]:
    got = b""
    try:
        for chunk in chunks:  # type: ignore[attr-defined]
            got += chunk
    except ContentChanged as exc:
        return got, exc
    return got, None


@pytest.mark.parametrize("size", [200_000, 3 * CHUNK + 17])
def test_a_stored_file_is_served_whole_when_unchanged_and_never_whole_when_changed(tmp_path: Path, size: int) -> None:
    shelf, store = _shelf(tmp_path)
    data = b"%PDF-1.4\n" + random.Random(size).randbytes(size) + b"\n%%EOF\n"
    sha = store.put(io.BytesIO(data)).sha256
    assert _drain(shelf.read_verified(sha)) == (data, None)
    store.path_of(sha).write_bytes(data[:-7] + b"\n%%EOX\n")  # the same size, one byte changed at the end
    got, error = _drain(shelf.read_verified(sha))
    assert isinstance(error, ContentChanged) and error.value == sha
    assert len(got) == (0 if size < CHUNK else 3 * CHUNK)  # nothing, or all but the last chunk
    store.path_of(sha).unlink()
    with pytest.raises(FileNotFoundError):
        next(shelf.read_verified(sha))
