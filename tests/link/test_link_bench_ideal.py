"""The bench's ceiling (bench/population/ideal.py): which true pairs no namesake record competes for."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[2]


def _ideal() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_population_ideal", ROOT / "bench/population/ideal.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _record(entity: str, dob: str, noises: str = "", ids: str = "", commune: str = "A", phone: str = "",
            name: str = "Nguyễn|Văn|Hùng", born: str = "1975-03-12") -> dict[str, str]:
    return {"entity": entity, "noises": noises, "t_name": name, "t_born": born, "t_sex": "M", "t_ids_shown": ids,
            "t_phone_shown": phone, "t_commune": commune, "t_hamlet": "3", "dob": dob}


def _pairs(rows: list[dict[str, str]]) -> set[tuple[int, int]]:
    table = pa.Table.from_pylist(rows)
    return _ideal().ideal_pairs(table.drop_columns(["dob"]), table.column("dob"))


def test_a_stale_record_beside_a_namesake_cannot_be_told() -> None:
    rows = [_record("X", "12/03/1975", ids="049075000001"),
            _record("X", "12/03/1975", noises="address_other;id_missing", commune="B"),
            _record("Y", "12/03/1975", ids="049075000002", commune="C")]  # Y: same name and date, own CCCD
    assert _pairs(rows) == set()
    assert _pairs(rows[:2]) == {(0, 1)}  # without the namesake, nothing competes


def test_a_shared_number_or_a_chain_tells_them_apart() -> None:
    rows = [_record("X", "12/03/1975", ids="049075000001"),
            _record("X", "1975", noises="year_only", ids="049075000001", commune="B"),
            _record("X", "12/03/1975", noises="id_missing"),  # same commune as record 0: beats Y there
            _record("Y", "12/03/1975", ids="049075000002", commune="C")]
    assert _pairs(rows) == {(0, 1), (0, 2), (1, 2)}


def test_the_namesake_ceiling_counts_pairs_with_only_name_middle_and_date() -> None:
    rows = [_record("X", "12/03/1975", commune="A"), _record("X", "12/03/1975", commune="B"),
            _record("Y", "12/03/1975", commune="C")]
    table = pa.Table.from_pylist(rows)
    assert _ideal().namesake_ceiling(table.drop_columns(["dob"]), table.column("dob")) == {"true": 1, "false": 2}


def test_the_anchored_ideal_leaves_pairs_tied_by_name_and_date_alone() -> None:
    # record 1 (stale address, no number) has nothing but the name and the date in common with record 0; record 2
    # shares the CCCD with record 0
    rows = [_record("X", "12/03/1975", ids="049075000001"),
            _record("X", "12/03/1975", noises="address_other;id_missing", commune="B"),
            _record("X", "12/03/1975", ids="049075000001", commune="C")]
    table = pa.Table.from_pylist(rows)
    sets = _ideal().ideal_sets(table.drop_columns(["dob"]), table.column("dob"))
    assert sets["any"] == {(0, 1), (0, 2), (1, 2)}
    assert sets["anchored"] == {(0, 2)}


def test_competitors_are_looked_for_on_the_fields_the_pair_agrees_on() -> None:
    # X's two records share a CCCD: a namesake without it (Y, in X's commune) does not compete; Z's two records share
    # only the year and the commune D: a namesake born that year in D (W) competes, one in A (Y) does not
    rows = [_record("X", "12/03/1975", ids="049075000001", commune="A"),
            _record("X", "12/03/1975", ids="049075000001", commune="B"),
            _record("Y", "12/03/1975", commune="A"),
            _record("Z", "1975", noises="year_only", commune="D"),
            _record("Z", "12/03/1975", noises="id_missing", commune="D")]
    assert _pairs(rows) == {(0, 1), (3, 4)}
    assert _pairs([*rows, _record("W", "1975", noises="year_only", commune="D")]) == {(0, 1)}
