"""Delta runs: after ~1 % of the rows of a few source tables changed (inserted, updated, deleted, moved), a run loads
only what changed, keeps books per table (read = unchanged + inserted + updated + merged + quarantined; deleted
apart), records the deleted rows with the run that saw them go, and ends with exactly the store a full reload of the
same final sources gives (every table's checksum)."""

from __future__ import annotations

import csv
import io
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from tests.pipeline.conftest import fresh_copy

from hopnhat.load.checksum import store_checksums
from hopnhat.load.storedb import open_store
from hopnhat.project.config import Project, load_project
from hopnhat.run.runner import migrate

CHANGED = (("quangnam_dancu", "nhan_khau_tcvn3"), ("quangnam_dat_dai", "thua_dat"),
           ("danang_doanh_nghiep", "doanh_nghiep"))


@dataclass
class Changes:
    inserted: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)


def checksums(project: Project) -> dict[str, tuple[int, str]]:
    reader = open_store(project.store_path, timeout_ms=None)
    try:
        return store_checksums(reader)
    finally:
        reader.close()


def _key_column(project: Project, source: str, table: str) -> tuple[Path, str, str]:
    spec = next(t for t in project.source(source).tables if t.name == table)
    assert spec.path and spec.source_key and spec.source_key.column
    return project.resolve(spec.path), spec.source_key.column, spec.delimiter or ","


def _cells(line: str, delim: str) -> list[str]:
    return next(csv.reader([line], delimiter=delim), [])


def _line(cells: list[str], delim: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delim, lineterminator="\n").writerow(cells)
    return out.getvalue()


def change_rows(project: Project, source: str, table: str, rng: random.Random, share: float = 0.01) -> Changes:
    """Change about ``share`` of a CSV table's records in place, as a live system would: some deleted, some edited
    (the last cell of another record copied in), some new ones inserted among the others (rows below them move).
    Bytes are kept as they are (read and written as Latin-1, so any legacy encoding round-trips)."""
    path, key_col, delim = _key_column(project, source, table)
    lines = path.read_bytes().decode("latin-1").splitlines(keepends=True)
    header = [c.removeprefix("\xef\xbb\xbf") for c in _cells(lines[0], delim)]  # a UTF-8 BOM, read as Latin-1
    k = header.index(key_col)
    whole = [i for i in range(1, len(lines)) if lines[i].count('"') % 2 == 0 and len(_cells(lines[i], delim)) ==
             len(header) and _cells(lines[i], delim)[k].strip()]
    n = max(1, round(len(lines) * share / 3))
    picked = rng.sample(whole, 4 * n)
    deleted, edited, donors, before = picked[:n], picked[n:2 * n], picked[2 * n:3 * n], set(picked[3 * n:])
    out = Changes()
    edits: dict[int, str] = {}
    for i in deleted:
        out.deleted.add(_cells(lines[i], delim)[k].strip())
        edits[i] = ""
    for i, j in zip(edited, donors):
        cells, other = _cells(lines[i], delim), _cells(lines[j], delim)
        cells[-1] = other[-1] + "9" if other[-1] == cells[-1] else other[-1]
        out.updated.add(cells[k].strip())
        edits[i] = _line(cells, delim)
    new_lines = []
    for i, line in enumerate(lines):
        if i in before:  # a new record before this one: a copy under a new key
            cells = _cells(line, delim)
            cells[k] = cells[k].strip() + "N"
            out.inserted.add(cells[k])
            new_lines.append(_line(cells, delim))
        new_lines.append(edits.get(i, line))
    path.write_bytes("".join(new_lines).encode("latin-1"))
    return out


def copy_with_store(project: Project, dest: Path) -> Project:
    """The merger folder with its store (versions, links) and run folders, as it is."""
    shutil.copytree(project.path.parent, dest, symlinks=True)
    return load_project(dest / project.path.name)


def table_delta(project: Project, run_id: str) -> dict[tuple[str, str], dict[str, object]]:
    con = duckdb.connect(str(project.store_path), read_only=True)
    try:
        cur = con.execute("SELECT * FROM table_delta WHERE run_id = ?", [run_id])
        names = [d[0] for d in cur.description]
        return {(r[1], r[2]): dict(zip(names, r)) for r in cur.fetchall()}
    finally:
        con.close()


def _golden(project: Project) -> dict[str, str]:
    con = duckdb.connect(str(project.store_path), read_only=True)
    try:
        return dict(con.execute("SELECT record_id, golden_id FROM golden_ids").fetchall())
    finally:
        con.close()


def _rows(project: Project, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(project.store_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_delta_run_loads_only_what_changed_and_ends_as_a_full_reload(estate: Path, tmp_path: Path) -> None:
    project = fresh_copy(estate, tmp_path / "delta")
    first = migrate(project)
    assert {c.note for c in first.loaded} == {"first_load"}
    golden_before, decisions = _golden(project), _rows(project, "SELECT * FROM review_decisions")
    rng = random.Random(7)
    changes = {(s, t): change_rows(project, s, t, rng) for s, t in CHANGED}

    run = migrate(project)

    assert run.balanced
    assert sorted((c.source, c.table) for c in run.loaded) == sorted(CHANGED)  # the others: unchanged, skipped
    books = table_delta(project, run.run_id)
    for c in run.loaded:
        ch = changes[(c.source, c.table)]
        assert c.mode == "delta" and not c.note
        assert (c.inserted, c.updated, c.deleted) == (len(ch.inserted), len(ch.updated), len(ch.deleted))
        assert c.read == c.unchanged + c.inserted + c.updated + c.merged + c.quarantined
        assert c.unchanged == c.read - len(ch.inserted) - len(ch.updated)  # only the changed rows were mapped
        row = books[(c.source, c.table)]
        assert (row["mode"], row["read"], row["unchanged"], row["deleted"]) == ("delta", c.read, c.unchanged,
                                                                                len(ch.deleted))
    gone = _rows(project, f"SELECT src_source, src_table, src_key, archived_row FROM deleted_rows "
                          f"WHERE run_id = '{run.run_id}'")
    assert {(s, t, k) for s, t, k, _ in gone} == {(s, t, k) for (s, t), ch in changes.items() for k in ch.deleted}
    assert all(str(k) in str(archived) for _, _, k, archived in gone)  # the archive keeps the row that went
    deleted_ids = {f"{s}/{t}/{k}" for s, t, k, _ in gone}
    golden_after = _golden(project)
    assert {r: g for r, g in golden_before.items() if r not in deleted_ids} == \
        {r: g for r, g in golden_after.items() if r in golden_before and r not in deleted_ids}
    assert _rows(project, "SELECT * FROM review_decisions") == decisions

    full = copy_with_store(project, tmp_path / "full")
    reload = migrate(full, fresh=True)
    assert {c.note for c in reload.loaded} == {"fresh"} and all(c.mode == "full" for c in reload.loaded)
    assert checksums(project) == checksums(full)

    # a whole reload records the rows that left the source too (never dropped silently)
    path, key_col, delim = _key_column(full, *CHANGED[1])
    lines = path.read_bytes().decode("latin-1").splitlines(keepends=True)
    key = _cells(lines[3], delim)[_cells(lines[0], delim).index(key_col)].strip()
    path.write_bytes("".join(lines[:3] + lines[4:]).encode("latin-1"))
    again = migrate(full, fresh=True, link=False)
    assert [(c.table, c.deleted) for c in again.loaded if c.deleted] == [(CHANGED[1][1], 1)]
    assert _rows(full, f"SELECT src_key, archived_row IS NOT NULL FROM deleted_rows WHERE run_id = '{again.run_id}'"
                 ) == [(key, True)]
