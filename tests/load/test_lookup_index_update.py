"""The lookup index a run publishes is the previous version's index updated in place (hopnhat.load.lookup_update):
after a delta run (rows inserted, edited, deleted; linkage run again) it holds exactly the rows of a full build of
the new version, table by table, and its meta says the new fingerprint; an index that cannot be updated (another
mapping) is built in full."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from bench.delta import change_estate  # the delta bench's change: ~1 % of every table's rows

from hopnhat.load.lookup_index import SQLITE_TABLES, build_index, default_index_path, index_file, index_meta
from hopnhat.load.lookup_update import ensure_version_index, store_fingerprint
from hopnhat.load.storedb import open_store
from hopnhat.load.versions import current_path
from hopnhat.project.config import Project, load_project
from hopnhat.run.runner import migrate
from hopnhat.synth.generate import SynthSettings, generate


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in SQLITE_TABLES}
    finally:
        con.close()


def _full_build(project: Project, store: Path, target: Path) -> Path:
    reader = open_store(store, timeout_ms=None)
    try:
        return build_index(reader, project, target)
    finally:
        reader.close()


def _published_index(project: Project) -> tuple[Path, Path]:
    store = current_path(project.store_path)
    assert store is not None
    return store, index_file(default_index_path(project, str(project.store_path)), store_fingerprint(store))


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("index-update")
    generate(SynthSettings(scenario="danang", scale=0.001, seed=11, out=out))
    return out


def test_delta_run_updates_the_index_equal_to_a_full_build(estate: Path, tmp_path: Path) -> None:
    project = load_project(estate / "merger.yaml")
    first = migrate(project, lookup_index=True)
    assert json.loads((first.folder / "state.json").read_text())["index"]["how"] == "built"
    _store, before = _published_index(project)
    changed = change_estate(project, 0.02, 3)
    assert sum(changed.values()) > 20
    second = migrate(project, lookup_index=True)
    assert json.loads((second.folder / "state.json").read_text())["index"]["how"] == "updated"
    # every table a delta but the marriage register's report, loaded whole (its footer and signatures: report_end)
    assert {c.mode for c in second.loaded if c.note != "report_end"} == {"delta"}
    assert {(c.source, c.table) for c in second.loaded if c.note == "report_end"} <= {("quangnam_dancu", "ket_hon")}
    store, updated = _published_index(project)
    meta = index_meta(updated)
    assert meta is not None and meta["built"].startswith("update of ")
    full = _full_build(project, store, tmp_path / "full.sqlite")
    got, want = _rows(updated), _rows(full)
    for table in SQLITE_TABLES:
        assert got[table] == want[table], table
    assert got != _rows(before)  # the change reached the index
    full_meta = index_meta(full)
    assert full_meta is not None
    for name in ("fingerprint", "entries", "version", "mapping", "encodings"):
        assert meta[name] == full_meta[name], name


def test_an_index_of_another_mapping_is_built_in_full(estate: Path, tmp_path: Path) -> None:
    copy = tmp_path / "estate"
    shutil.copytree(estate, copy, ignore=shutil.ignore_patterns("*-versions", "*.duckdb", "*-runs", "*.sqlite*"))
    project = load_project(copy / "merger.yaml")
    migrate(project, lookup_index=True, link=False)
    previous, _index = _published_index(project)
    raw = yaml.safe_load((copy / "merger.yaml").read_text())
    table = next(t for s in raw["sources"] for t in s["tables"] if "full_name" in t.get("columns", {}))
    table["columns"].pop("full_name")  # the legacy archive's names are read another way now
    (copy / "merger.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    project = load_project(copy / "merger.yaml")
    base = tmp_path / "other" / "lookup.sqlite"
    base.parent.mkdir()
    shutil.copyfile(_index, index_file(base, store_fingerprint(previous)))
    third = migrate(project, link=False)  # the changed mapping reloads that table whole
    store = current_path(project.store_path)
    assert store is not None and third.version == store.stem
    path, how = ensure_version_index(project, store, base, previous)
    assert how == "built"
    assert _rows(path) == _rows(_full_build(project, store, tmp_path / "full.sqlite"))


def test_indexes_of_versions_no_longer_kept_are_deleted(estate: Path, tmp_path: Path) -> None:
    copy = tmp_path / "estate"
    shutil.copytree(estate, copy, ignore=shutil.ignore_patterns("*-versions", "*.duckdb", "*-runs", "*.sqlite*"))
    raw = yaml.safe_load((copy / "merger.yaml").read_text())
    raw.setdefault("store", {})["keep_versions"] = 1
    (copy / "merger.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    project = load_project(copy / "merger.yaml")
    migrate(project, lookup_index=True, link=False)
    first = _published_index(project)[1]
    second = migrate(project, lookup_index=True, link=False)  # nothing changed, but a new version (its run)
    store, index = _published_index(project)
    assert second.version == store.stem and index != first and index.is_file()
    base = default_index_path(project, str(project.store_path))
    assert sorted(base.parent.glob(f"{base.stem}-*.sqlite")) == [index]
    state = json.loads((second.folder / "state.json").read_text())
    assert state["index"]["pruned"] == [first.name]
