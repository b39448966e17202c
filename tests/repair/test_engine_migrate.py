"""``hopnhat migrate`` and ``hopnhat repair`` give the same cells: a synth estate's legacy registers through both."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from hopnhat.project.config import load_project
from hopnhat.repair.files import repair_file
from hopnhat.run.runner import migrate
from hopnhat.synth.generate import SynthSettings, generate
from hopnhat.text.cells import as_text

REGISTERS = ("nhan_khau_tcvn3", "nhan_khau_vni", "nhan_khau_cp1258", "nhan_khau_utf8")


def _column(path: Path, name: str, raw: bool) -> list[str]:
    data = path.read_bytes()
    text = data.decode("latin-1") if raw else data.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    index = rows[0].index(name)
    cells = [r[index] for r in rows[1:] if len(r) > index]
    return [as_text(c.encode("latin-1")) for c in cells] if raw else cells


@pytest.mark.slow
def test_every_repair_of_migrate_is_the_one_of_hopnhat_repair(tmp_path: Path) -> None:
    generate(SynthSettings(scenario="danang", scale=0.002, seed=3, out=tmp_path))
    project = load_project(tmp_path / "merger.yaml")
    migrate(project)
    tables = {t.name: project.resolve(t.path) for s in project.config.sources for t in s.tables
              if t.name in REGISTERS and t.path}
    assert set(tables) == set(REGISTERS)
    with duckdb.connect(str(project.store_path), read_only=True) as con:
        for table, path in tables.items():
            made = dict(con.execute(
                "SELECT r.original, r.repaired FROM repairs r JOIN person p ON p.record_id = r.record_id "
                "WHERE r.field = 'full_name' AND p.src_table = ?", [table]).fetchall())
            out = tmp_path / f"{table}.repaired.csv"
            repair_file(path, out)
            by_file = dict(zip(_column(path, "HoTen", raw=True), _column(out, "HoTen", raw=False), strict=True))
            assert table == "nhan_khau_utf8" or made, table
            differ = [(o, r, by_file.get(o)) for o, r in made.items() if by_file.get(o) != r]
            assert not differ, (table, differ[:5])
