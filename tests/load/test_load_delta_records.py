"""Delta runs that read only what changed: a file's records are compared by their bytes with those the last load
read (``source_records``), only the changed records are parsed, and the store ends exactly as a full reload of the
same final files leaves it. A file rewritten with the same bytes is not read at all; a file whose records cannot be
told apart by their bytes (a quoted line break) is read whole, as before."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest
import yaml
from tests.pipeline.test_pipeline_delta import change_rows, checksums

from hopnhat.project.config import Project, load_project
from hopnhat.run.runner import RunResult, migrate
from hopnhat.synth.evolve import evolve, net_changes, read_changes
from hopnhat.synth.generate import SynthSettings, generate

KEPT = {("quangnam_dancu", "nhan_khau_tcvn3"), ("danang_tthc", "ho_so"), ("danang_tthc", "ho_so_qua_trinh"),
        ("danang_doanh_nghiep", "doanh_nghiep"), ("danang_dancu", "cong_dan")}


@pytest.fixture(scope="module")
def small_estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three files of the synth estate — a TCVN3 CSV, an NDJSON file read as dossiers and as exploded history steps,
    a UTF-8 CSV — and a table of a SQLite register."""
    out = tmp_path_factory.mktemp("estate")
    generate(SynthSettings(scenario="danang", scale=0.002, seed=3, out=out))
    doc = yaml.safe_load((out / "merger.yaml").read_text(encoding="utf-8"))
    doc.pop("files", None)
    doc["sources"] = [{**s, "tables": [t for t in s["tables"] if (s["name"], t["name"]) in KEPT]}
                      for s in doc["sources"] if any((s["name"], t["name"]) in KEPT for t in s["tables"])]
    (out / "merger.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return out


def _copy(src: Path, dest: Path) -> Project:
    shutil.copytree(src, dest, symlinks=True)
    return load_project(dest / "merger.yaml")


def _run(project: Project, fresh: bool = False) -> RunResult:
    result = migrate(project, link=False, fresh=fresh)
    assert result.balanced, result.balances
    return result


def change_ndjson(path: Path, key: str, rng: random.Random, n: int) -> dict[str, set[str]]:
    """``n`` records each deleted, edited (a top-level text field) and inserted (a copy under a new key)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    picked = rng.sample(range(1, len(lines)), 3 * n)
    drop, edit, before = set(picked[:n]), set(picked[n:2 * n]), set(picked[2 * n:])
    out: dict[str, set[str]] = {"deleted": set(), "updated": set(), "inserted": set()}
    new = []
    for i, line in enumerate(lines):
        doc = json.loads(line)
        if i in before:
            copy = {**doc, key: doc[key] + "N"}
            out["inserted"].add(copy[key])
            new.append(json.dumps(copy, ensure_ascii=False) + "\n")
        if i in drop:
            out["deleted"].add(doc[key])
            continue
        if i in edit:
            doc["status"] = doc["status"] + " (sửa)"
            out["updated"].add(doc[key])
            line = json.dumps(doc, ensure_ascii=False) + "\n"
        new.append(line)
    path.write_text("".join(new), encoding="utf-8")
    return out


def _fresh_checksums(project: Project, dest: Path) -> dict[str, tuple[int, str]]:
    copy = _copy(project.path.parent, dest)
    _run(copy, fresh=True)
    return checksums(copy)


def test_delta_parses_only_changed_records(small_estate: Path, tmp_path: Path) -> None:
    project = _copy(small_estate, tmp_path / "a")
    _run(project)
    rng = random.Random(5)
    csv_changes = change_rows(project, "quangnam_dancu", "nhan_khau_tcvn3", rng, 0.03)
    dossier = project.resolve(next(t for t in project.source("danang_tthc").tables if t.name == "ho_so").path or "")
    ndjson_changes = change_ndjson(dossier, "code", rng, 4)

    register = sqlite3.connect(project.resolve(project.source("danang_dancu").path or ""))
    ids = [r[0] for r in register.execute("SELECT id FROM cong_dan ORDER BY id")]
    register.execute("UPDATE cong_dan SET ho_ten = ho_ten || ' Anh' WHERE id = ?", [ids[10]])
    register.execute("DELETE FROM cong_dan WHERE id = ?", [ids[20]])
    register.execute("INSERT INTO cong_dan SELECT id + 1000000, ho_ten, ngay_sinh, gioi_tinh, so_cccd, so_cmnd, "
                     "so_dien_thoai, ma_xa_thuong_tru, dia_chi_thuong_tru, que_quan, dan_toc FROM cong_dan "
                     "WHERE id = ?", [ids[30]])
    register.commit()
    register.close()

    delta = _run(project)
    loaded = {c.table: c for c in delta.loaded}
    people = loaded["cong_dan"]
    assert (people.inserted, people.updated, people.deleted) == (1, 1, 1)
    assert {c.read_by for c in delta.loaded} == {"records"}  # every changed file compared by its records' bytes
    tcvn3 = loaded["nhan_khau_tcvn3"]
    assert (tcvn3.inserted, tcvn3.updated, tcvn3.deleted) == (len(csv_changes.inserted), len(csv_changes.updated),
                                                              len(csv_changes.deleted))
    ho_so = loaded["ho_so"]
    assert (ho_so.inserted, ho_so.updated, ho_so.deleted) == (4, 4, 4)
    assert ho_so.unchanged == ho_so.read - 8 - ho_so.merged - ho_so.quarantined
    assert "danang_doanh_nghiep/doanh_nghiep" in delta.skipped
    con = duckdb.connect(str(project.store_path), read_only=True)
    try:
        gone = {r[0] for r in con.execute("SELECT src_key FROM deleted_rows WHERE src_table = 'ho_so' AND run_id = ?",
                                          [delta.run_id]).fetchall()}
    finally:
        con.close()
    assert gone == ndjson_changes["deleted"]
    assert checksums(project) == _fresh_checksums(project, tmp_path / "fresh")


def test_same_bytes_are_not_read(small_estate: Path, tmp_path: Path) -> None:
    project = _copy(small_estate, tmp_path / "a")
    _run(project)
    before = checksums(project)
    spec = next(t for t in project.source("quangnam_dancu").tables if t.name == "nhan_khau_tcvn3")
    path = project.resolve(spec.path or "")
    path.write_bytes(path.read_bytes())  # a new time, the same bytes: the run must look, and find nothing
    again = _run(project)
    (only,) = again.loaded
    assert (only.read_by, only.mode, only.unchanged, only.inserted, only.updated, only.deleted) == \
        ("same_file", "delta", only.read, 0, 0, 0)
    assert checksums(project) == before


def test_multiline_records_are_read_whole(small_estate: Path, tmp_path: Path) -> None:
    """A quoted line break: records are no longer lines, so the delta reads every row (and is still exact)."""
    project = _copy(small_estate, tmp_path / "a")
    _run(project)
    spec = next(t for t in project.source("danang_doanh_nghiep").tables if t.name == "doanh_nghiep")
    path = project.resolve(spec.path or "")
    lines = path.read_bytes().split(b"\n")
    cells = lines[3].split(b",")
    cells[-1] = b'"hai\ndong"'
    lines[3] = b",".join(cells)
    path.write_bytes(b"\n".join(lines))
    delta = _run(project)
    (only,) = delta.loaded
    assert (only.read_by, only.updated) == ("rows", 1)
    assert checksums(project) == _fresh_checksums(project, tmp_path / "fresh")


def test_delta_books_are_the_live_estates_truth(small_estate: Path, tmp_path: Path) -> None:
    """Two live days (hopnhat synth --days): the delta's inserted, updated and deleted rows per table are the
    truth's — history steps of a dossier that moved on included (read again with its new status: parent_changed)."""
    project = _copy(small_estate, tmp_path / "a")
    _run(project)
    evolve(project.path.parent, 2)
    net = net_changes(read_changes(project.path.parent))
    delta = _run(project)
    for c in delta.loaded:
        truth = net.get(f"{c.source}/{c.table}", {"inserted": [], "updated": [], "deleted": []})
        assert (c.updated, c.deleted) == (len(truth["updated"]), len(truth["deleted"])), c
        # a new row the mapping cannot take (a birth without a name) is quarantined, not inserted
        assert c.inserted <= len(truth["inserted"]) <= c.inserted + c.quarantined, c
    assert {"ho_so", "ho_so_qua_trinh", "cong_dan"} <= {c.table for c in delta.loaded}
