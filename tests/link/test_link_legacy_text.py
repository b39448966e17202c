"""``link persons`` on a list partly typed in legacy fonts links as the clean list does: on the blind population
(bench/blind, written apart from the linker), 20,000 people (bench/link_legacy.py measures the same at scale)."""

from __future__ import annotations

import pyarrow as pa
from tests.text.independent import font_typed

from hopnhat.link.evaluate import evaluate
from hopnhat.link.standalone import link_people


def _f1(table: pa.Table, entity: list[str], **options: object) -> tuple[float, dict[str, int]]:
    result = link_people(table, threads=1, **options)  # type: ignore[arg-type]
    rows = [str(i) for i in range(table.num_rows)]
    found = evaluate(dict(zip(rows, map(str, result.table.column("cluster_id").to_pylist()), strict=True)),
                     dict(zip(rows, entity, strict=True)))
    return found.pairs.f1, result.repaired


def test_a_list_partly_typed_in_legacy_fonts_links_as_the_clean_one(
        blind_population: tuple[pa.Table, list[str]]) -> None:
    people, entity = blind_population
    typed = font_typed(people, 0.25, 5)[0]
    assert sum(a != b for a, b in zip(typed.column("full_name").to_pylist(),
                                      people.column("full_name").to_pylist(), strict=True)) > 5000
    clean, _ = _f1(people, entity)
    read, repaired = _f1(typed, entity)
    as_typed, nothing = _f1(typed, entity, legacy_text=False)
    assert set(repaired) == {"full_name", "sex", "address"} and not nothing
    assert read >= clean - 0.002 and read > as_typed + 0.01, (clean, read, as_typed)
    # the output keeps the cells as they were typed
    assert link_people(typed.slice(0, 50), threads=1).table.column("full_name").equals(
        typed.slice(0, 50).column("full_name"))
