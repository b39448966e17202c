"""A list too small to train its own m (a clerk's few dozen rows) takes the shipped m (hopnhat/link/data,
bench/ship_person_m.py: trained on the blind population at 1 M people, seed 11); its u and prior stay its own, but
below 100 records the shipped u is taken too, without term-frequency adjustments.

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
    assert any(note.startswith(("a small list:", "a list of ")) for note in result.notes)


def test_the_shipped_m_are_the_model_s_levels() -> None:
    model = person_model.settings(None)
    shipped = _shipped()
    assert {name: [lvl["label"] for lvl in levels] for name, levels in shipped.items()} == {
        name: [lvl["label"] for lvl in levels] for name, levels in levels_of(
            {"comparisons": [{**c, "comparison_levels": [{**lvl, "m_probability": 0.5, "u_probability": 0.5}
                                                         for lvl in c["comparison_levels"]]}
                             for c in model["comparisons"]]}).items()}
    assert all(0 < lvl["m"] <= 1 and 0 < lvl["u"] <= 1 for levels in shipped.values() for lvl in levels)
    renamed = {**model, "comparisons": [{**model["comparisons"][0], "comparison_levels": [
        {**lvl, "label_for_charts": "something else"} for lvl in model["comparisons"][0]["comparison_levels"]]}]}
    with pytest.raises(ConfigError, match="ship_person_m"):
        with_shipped_m(renamed)


def test_a_list_of_four_rows_links_its_two_people() -> None:
    # two exact pairs, no ID in one row of each: in 6 pairs the list's own u and name frequencies say nothing
    table = pa.table({"Họ và tên": ["Nguyễn Văn Hùng", "Nguyễn Văn Hùng", "Trần Thị Bích Ngọc", "Trần Thị Bích Ngọc"],
                      "Ngày sinh": ["12/05/1990", "12/05/1990", "03/04/1985", "03/04/1985"],
                      "Số CCCD": ["034090012345", None, None, None],
                      "Địa chỉ": ["Xã Tân Phú, Tỉnh Hưng Yên", "Xã Tân Phú, Tỉnh Hưng Yên", "Phường Hải Châu, Đà Nẵng",
                                  "Phường Hải Châu, Thành phố Đà Nẵng"]})
    result = link_people(table, threads=1)
    assert result.table.column("cluster_id").to_pylist() == [1, 1, 3, 3]
    assert any(note.startswith("a list of 4 records") for note in result.notes)


def test_a_small_list_of_namesakes_stays_apart(blind_population: tuple[pa.Table, list[str]]) -> None:
    # six people of one name and their records: the shipped u (the population's) must not merge namesakes
    people, entity = blind_population
    names = people.column("full_name").to_pylist()
    people_of: dict[str, set[str]] = {}
    for name, person in zip(names, entity, strict=True):
        people_of.setdefault(name, set()).add(person)
    name = max((n for n in people_of if n), key=lambda n: (len(people_of[n]), n))
    chosen = sorted(people_of[name])[:6]
    rows = [i for i, person in enumerate(entity) if person in chosen]
    table = people.take(pa.array(rows)).select(["full_name", "dob", "sex", "phone", "address"])
    clusters = link_people(table, threads=1).table.column("cluster_id").to_pylist()
    for a in range(len(rows)):
        for b in range(a + 1, len(rows)):
            if clusters[a] == clusters[b]:
                assert entity[rows[a]] == entity[rows[b]], (name, rows[a], rows[b])
