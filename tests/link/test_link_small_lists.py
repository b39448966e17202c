"""A list too small to train its own m (a clerk's few dozen rows) takes the shipped m (hopnhat/link/data,
bench/ship_person_m.py: trained on the blind population at 1 M people, seed 11); its u and prior stay its own.

Measured on lists drawn from another population (blind, seed 7), without the ID column, before the shipped m:
60 people's records linked at pair recall 0.30-0.58; here at least 0.85, precision 1."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from hopnhat.errors import ConfigError
from hopnhat.link import person_model
from hopnhat.link.evaluate import evaluate
from hopnhat.link.shipped import _shipped, levels_of, with_shipped_m
from hopnhat.link.standalone import link_people


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_small_list_without_ids_links_its_people(blind_population: tuple[pa.Table, list[str]], seed: int) -> None:
    people, entity = blind_population
    rows_of: dict[str, list[int]] = {}
    for i, e in enumerate(entity):
        rows_of.setdefault(e, []).append(i)
    chosen = random.Random(seed).sample(sorted(rows_of), 60)
    rows = sorted(i for person in chosen for i in rows_of[person])
    table = people.take(pa.array(rows)).select(["full_name", "dob", "sex", "phone", "address"])
    result = link_people(table, threads=1)
    ids = [str(i) for i in range(table.num_rows)]
    found = evaluate(dict(zip(ids, map(str, result.table.column("cluster_id").to_pylist()), strict=True)),
                     dict(zip(ids, [entity[i] for i in rows], strict=True)))
    assert found.pairs.precision >= 0.998 and found.pairs.recall >= 0.85, found.pairs
    assert any(note.startswith("a small list:") for note in result.notes)


def test_the_shipped_m_are_the_model_s_levels() -> None:
    model = person_model.settings(None)
    shipped = _shipped()
    assert {name: [lvl["label"] for lvl in levels] for name, levels in shipped.items()} == {
        name: [lvl["label"] for lvl in levels] for name, levels in levels_of(
            {"comparisons": [{**c, "comparison_levels": [{**lvl, "m_probability": 0.5}
                                                         for lvl in c["comparison_levels"]]}
                             for c in model["comparisons"]]}).items()}
    assert all(0 < lvl["m"] <= 1 for levels in shipped.values() for lvl in levels)
    renamed = {**model, "comparisons": [{**model["comparisons"][0], "comparison_levels": [
        {**lvl, "label_for_charts": "something else"} for lvl in model["comparisons"][0]["comparison_levels"]]}]}
    with pytest.raises(ConfigError, match="ship_person_m"):
        with_shipped_m(renamed)
