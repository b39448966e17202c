"""A delta by records whose unchanged records pair one to one, in order, with the old ones compares only the candidate
keys (those of parsed records and of old records left unpaired), moves the other rows by their records' pairs and
renumbers the record prints through them (hopnhat.load.delta_pairs); a file whose lines were reordered or duplicated
takes the general way. Either way the store ends as a full reload of the same final files leaves it."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
import yaml
from tests.pipeline.test_pipeline_delta import _cells, _key_column, _line, change_rows, checksums

import hopnhat.load.delta as delta_module
from hopnhat.load.delta_pairs import candidates, moves_sql, one_to_one, pair_records
from hopnhat.project.config import Project, load_project
from hopnhat.run.runner import RunResult, migrate
from hopnhat.synth.generate import SynthSettings, generate

TABLE = ("quangnam_dancu", "nhan_khau_tcvn3")  # a TCVN3 CSV (bytes kept as they are: read and written as Latin-1)


def _pairs(new: list[int], old: list[int]) -> bool:
    con = duckdb.connect()
    _same = pa.table({"new_row": pa.array(new, pa.int64()), "old_row": pa.array(old, pa.int64())})
    con.execute("CREATE TABLE _d_same AS SELECT * FROM _same")
    return one_to_one(con)


def test_one_to_one_in_order() -> None:
    assert _pairs([], [])
    assert _pairs([2, 3, 5, 6], [2, 4, 5, 9])  # rows inserted and deleted between them
    assert _pairs([6, 2, 5, 3], [9, 2, 5, 4])  # in any order in the table


def test_not_one_to_one_or_not_in_order() -> None:
    assert not _pairs([2, 3, 4], [2, 3, 3])  # an old record paired twice (a line duplicated)
    assert not _pairs([2, 3, 4], [2, 4, 3])  # two lines swapped
    assert not _pairs([2, 2, 4], [2, 3, 4])  # a new record twice (not made by the delta, refused all the same)


def test_sparse_row_numbers_are_checked_by_sorting() -> None:
    far = 10 ** 12
    assert _pairs([far, 2, far + 5], [7, 1, 8])
    assert not _pairs([far, 2, far + 5], [8, 1, 7])


def test_the_records_left_unpaired_are_parsed() -> None:
    con = duckdb.connect()
    for far in (0, 10 ** 12):  # dense record numbers (a bitmap) and sparse ones (sorting)
        _same = pa.table({"new_row": pa.array([far + 2, far + 4], pa.int64()), "old_row": pa.array([3, 5], pa.int64())})
        con.execute("CREATE OR REPLACE TABLE _d_same AS SELECT * FROM _same")
        records = np.array([far + 2, far + 3, far + 4, far + 9], np.int64)
        assert pair_records(con, records) == (True, {far + 3, far + 9})


@pytest.fixture(scope="module")
def one_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("estate")
    generate(SynthSettings(scenario="danang", scale=0.002, seed=3, out=out))
    doc = yaml.safe_load((out / "merger.yaml").read_text(encoding="utf-8"))
    doc.pop("files", None)
    doc["sources"] = [{**s, "tables": [t for t in s["tables"] if (s["name"], t["name"]) == TABLE]}
                      for s in doc["sources"] if s["name"] == TABLE[0]]
    (out / "merger.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return out


def _run(project: Project, fresh: bool = False) -> RunResult:
    result = migrate(project, link=False, fresh=fresh)
    assert result.balanced, result.balances
    return result


def _lines(project: Project) -> tuple[Path, list[str], int, str]:
    path, key, delim = _key_column(project, *TABLE)
    lines = path.read_bytes().decode("latin-1").splitlines(keepends=True)
    return path, lines, [c.removeprefix("\xef\xbb\xbf") for c in _cells(lines[0], delim)].index(key), delim


def _clean(lines: list[str], delim: str, k: int) -> list[int]:
    return [i for i in range(1, len(lines)) if lines[i].count('"') % 2 == 0 and _cells(lines[i], delim)[k].strip()]


def _requote_and_duplicate_keys(project: Project) -> None:
    """In place, in order: a line written again with its cells quoted (other bytes, the same cells: its key is a
    candidate that turns out unchanged, several rows below it having moved), and a line of another content under
    an existing key (a duplicate key: quarantined)."""
    path, lines, k, delim = _lines(project)
    clean = _clean(lines, delim, k)
    quoted, donor, under = clean[5], clean[9], clean[40]
    cells = _cells(lines[quoted], delim)
    end = lines[quoted][len(lines[quoted].rstrip("\r\n")):]
    lines[quoted] = delim.join('"' + c.replace('"', '""') + '"' for c in cells) + end
    dup = _cells(lines[donor], delim)
    dup[-1] = dup[-1] + "7"
    lines[under] = lines[under] + _line(dup, delim)
    path.write_bytes("".join(lines).encode("latin-1"))


def _swap_and_copy_lines(project: Project) -> None:
    """Two lines swapped and a line copied below another: the records no longer pair one to one in order."""
    path, lines, k, delim = _lines(project)
    clean = _clean(lines, delim, k)
    a, b, copied, under = clean[3], clean[4], clean[20], clean[30]
    lines[a], lines[b] = lines[b], lines[a]
    lines[under] = lines[under] + lines[copied]
    path.write_bytes("".join(lines).encode("latin-1"))


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    seen: list[bool] = []
    real = delta_module.pair_records

    def spy(con: duckdb.DuckDBPyConnection, records: np.ndarray | None) -> tuple[bool, set[int]]:
        out = real(con, records)
        assert records is None or out[1] == set(np.asarray(records).tolist()) - {
            r for (r,) in con.execute("SELECT new_row FROM _d_same").fetchall()}  # the records to parse
        seen.append(out[0])
        return out

    monkeypatch.setattr(delta_module, "pair_records", spy)
    return seen


@pytest.mark.parametrize(("change", "paired"), [(_requote_and_duplicate_keys, True), (_swap_and_copy_lines, False)])
def test_a_delta_by_pairs_ends_as_a_full_reload(one_table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 change: Callable[[Project], None], paired: bool) -> None:
    shutil.copytree(one_table, tmp_path / "a")
    project = load_project(tmp_path / "a" / "merger.yaml")
    _run(project)
    changes = change_rows(project, *TABLE, random.Random(11), 0.03)  # deletes, edits, inserts among the others
    change(project)
    seen = _spy(monkeypatch)
    delta = _run(project)
    assert seen == [paired]
    (counts,) = delta.loaded
    assert counts.read_by == "records" and counts.mode == "delta"
    assert counts.deleted == len(changes.deleted)
    assert counts.read == counts.unchanged + counts.inserted + counts.updated + counts.merged + counts.quarantined
    shutil.copytree(tmp_path / "a", tmp_path / "fresh", symlinks=True)
    fresh = load_project(tmp_path / "fresh" / "merger.yaml")
    _run(fresh, fresh=True)
    assert checksums(project) == checksums(fresh)
    # and the next delta starts from the right prints and snapshot: one more change, still a full reload's store
    change_rows(project, *TABLE, random.Random(12), 0.03)
    shutil.rmtree(tmp_path / "fresh")
    _run(project)
    shutil.copytree(tmp_path / "a", tmp_path / "fresh", symlinks=True)
    _run(fresh, fresh=True)
    assert checksums(project) == checksums(fresh)


def test_a_candidate_found_unchanged_moves_by_rank_the_others_by_their_records() -> None:
    """Key ``k`` has two rows: one in a record kept byte for byte (paired 3 → 4), one in a parsed record of the same
    content (7 → 8); ``u``'s record moved (5 → 6); ``c`` changed (not moved: it is loaded again)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE _d_new AS SELECT * FROM (VALUES (4, 'k', 1, 3), (6, 'u', 2, 5), (8, 'k', 1, NULL), "
                "(9, 'c', 5, NULL)) t(src_row, src_key, h, old_row)")
    con.execute("CREATE TABLE _d_old AS SELECT * FROM (VALUES (3, 'k', 1), (5, 'u', 2), (7, 'k', 1), (9, 'c', 4)) "
                "t(src_row, src_key, content_hash)")
    con.execute("CREATE TABLE _d_same AS SELECT * FROM (VALUES (4, 3), (6, 5)) t(new_row, old_row)")
    con.execute("CREATE TABLE source_records AS SELECT 's' AS src_source, 't' AS src_table, r AS src_row, "
                "r * 11 AS raw_hash FROM (VALUES (3), (5), (7), (9)) v(r)")
    assert one_to_one(con)
    candidates(con, ["s", "t"])
    assert sorted(r[0] for r in con.execute("SELECT src_row FROM _d_gone_rec").fetchall()) == [7, 9]
    assert sorted(r[0] for r in con.execute("SELECT src_key FROM _d_cand").fetchall()) == ["c", "k"]
    con.execute("CREATE TABLE _d_keys AS SELECT 'c' AS src_key, 'changed' AS kind")
    con.execute(moves_sql())
    assert sorted(con.execute("SELECT src_key, old_row, new_row FROM _d_moves").fetchall()) == [
        ("k", 3, 4), ("k", 7, 8), ("u", 5, 6)]
