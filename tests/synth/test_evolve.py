"""A live legacy estate: days of change written into the same sources, deterministic, with a truth that matches the
files (every changed key is found changed in the source, every other row is byte-identical)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from hopnhat.synth import SynthSettings, generate
from hopnhat.synth.estate_files import CsvRows, NdjsonRows
from hopnhat.synth.evolve import current_day, evolve, net_changes, read_changes, read_layout

SCALE = 0.002


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("live") / "base"
    generate(SynthSettings("danang", SCALE, 5, out))
    return out


def _copy(base: Path, to: Path) -> Path:
    shutil.copytree(base, to)
    return to


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.suffix != ".sqlite" and not p.name.startswith("changes-days-")}


def _sqlite_rows(out: Path) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(out / "estate" / "danang" / "dancu.sqlite")
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in ("cong_dan", "su_kien_ho_tich")}
    finally:
        con.close()


def test_three_days_twice_equal_six_days(base: Path, tmp_path: Path) -> None:
    a, b = _copy(base, tmp_path / "a"), _copy(base, tmp_path / "b")
    evolve(a, 3)
    evolve(a, 3)
    evolve(b, 6)
    assert current_day(a) == current_day(b) == 6
    assert _files(a) == _files(b)
    assert _sqlite_rows(a) == _sqlite_rows(b)


def test_every_kind_of_change_happens(base: Path, tmp_path: Path) -> None:
    out = _copy(base, tmp_path / "e")
    result = evolve(out, 3)
    kinds = {c.what for c in result.changes}
    assert {"new_dossier", "status_change", "name_correction", "id_correction", "new_birth", "late_scan"} <= kinds
    assert {"dossier_deleted", "duplicate_deleted"} & kinds
    sources = {c.source for c in result.changes}
    assert {"quangnam_tthc", "danang_tthc", "quangnam_dancu", "danang_dancu"} <= sources
    doc = json.loads((out / "truth" / "changes-days-001-003.json").read_text(encoding="utf-8"))
    assert doc["tables"] == net_changes(read_changes(out))
    late = [c for c in result.changes if c.what == "late_scan"]
    assert late and all(c.day == 2 and c.op == "insert" for c in late)


def _dossier_keys(out: Path) -> dict[str, dict[str, str]]:
    """source → dossier key → its line, for the clean dossiers."""
    out_keys: dict[str, dict[str, str]] = {}
    for ho_so, _ in read_layout(out).dossiers:
        rows = NdjsonRows(ho_so.path, ho_so.key)
        out_keys[ho_so.source] = {str((rows.records[i] or {})[ho_so.key]): str(rows.lines[i]) for i in rows.clean()}
    return out_keys


def _person_rows(out: Path) -> dict[str, dict[str, dict[str, str]]]:
    tables = {}
    for ref in read_layout(out).person_csv:
        rows = CsvRows(ref.path, ref.encoding, ref.key)
        tables[ref.table] = {rows.row(i)[ref.key]: rows.row(i) for i in rows.clean()}
    return tables


def test_the_truth_matches_the_files(base: Path, tmp_path: Path) -> None:
    out = _copy(base, tmp_path / "t")
    before_dossiers, before_people = _dossier_keys(out), _person_rows(out)
    evolve(out, 4)
    net = net_changes(read_changes(out))
    after_dossiers, after_people = _dossier_keys(out), _person_rows(out)
    for source, before in before_dossiers.items():
        after, truth = after_dossiers[source], net[f"{source}/ho_so"]
        assert set(after) - set(before) == set(truth["inserted"])
        assert set(before) - set(after) == set(truth["deleted"])
        assert {k for k in set(before) & set(after) if before[k] != after[k]} == set(truth["updated"])
    for table, before_rows in before_people.items():
        truth = net.get(f"quangnam_dancu/{table}", {"inserted": [], "updated": [], "deleted": []})
        after_rows = after_people[table]
        assert set(before_rows) - set(after_rows) == set(truth["deleted"])
        changed = {k for k in set(before_rows) & set(after_rows) if before_rows[k] != after_rows[k]}
        assert changed == set(truth["updated"])
        assert all(after_rows[k]["MaCongDan"] == k for k in changed)


def test_the_database_register_changes_as_the_truth_says(base: Path, tmp_path: Path) -> None:
    out = _copy(base, tmp_path / "d")
    before = {t: {r[0]: r for r in rows} for t, rows in _sqlite_rows(out).items()}
    evolve(out, 2)
    after = {t: {r[0]: r for r in rows} for t, rows in _sqlite_rows(out).items()}
    net = net_changes(read_changes(out))
    for table in ("cong_dan", "su_kien_ho_tich"):
        truth = net[f"danang_dancu/{table}"]
        assert {str(k) for k in set(after[table]) - set(before[table])} == set(truth["inserted"])
        assert {str(k) for k in set(before[table]) - set(after[table])} == set(truth["deleted"])
        changed = {str(k) for k in set(before[table]) & set(after[table]) if before[table][k] != after[table][k]}
        assert changed == set(truth["updated"])


def test_no_estate_is_refused(tmp_path: Path) -> None:
    from hopnhat.errors import HopnhatError

    with pytest.raises(HopnhatError, match="no estate"):
        evolve(tmp_path, 1)
