"""A list without ID numbers (a birth register, an old clerk's list) is linked on its names, dates, phones and
addresses: the CCCD training session and prior rules find no pair, so their fallbacks train the model
(person_model.TRAINING_FALLBACK, PRIOR_FALLBACK). Before them such a list linked nothing (F1 0.00 on this set)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from hopnhat.link.evaluate import evaluate
from hopnhat.link.standalone import link_people


@pytest.mark.parametrize(("columns", "f1"), [(("full_name", "dob", "sex", "phone", "address"), 0.95),
                                             (("full_name", "dob", "sex", "address"), 0.91)])
def test_a_list_without_id_numbers_is_linked(blind_population: tuple[pa.Table, list[str]], columns: tuple[str, ...],
                                             f1: float) -> None:
    people, entity = blind_population
    result = link_people(people.select(list(columns)), threads=2)
    rows = [str(i) for i in range(people.num_rows)]
    found = evaluate(dict(zip(rows, map(str, result.table.column("cluster_id").to_pylist()), strict=True)),
                     dict(zip(rows, entity, strict=True)))
    assert found.pairs.precision >= 0.998 and found.pairs.f1 >= f1, found.pairs
    assert any(note.startswith("EM on l.cccd = r.cccd: no pairs; on ") for note in result.notes)
    assert any(note.startswith("prior: no pair by ") for note in result.notes)


def test_with_id_numbers_the_fallbacks_stay_unused(blind_population: tuple[pa.Table, list[str]]) -> None:
    result = link_people(blind_population[0].slice(0, 6000), threads=2)
    assert not any("instead" in note or note.startswith("prior: no pair") for note in result.notes)
