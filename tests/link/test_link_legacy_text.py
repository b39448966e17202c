"""``link persons`` on a list partly typed in legacy fonts links as the clean list does: on the blind population
(bench/blind, written apart from the linker), 20,000 people (bench/link_legacy.py measures the same at scale)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.text.independent import encode_many

from hopnhat.link.evaluate import evaluate
from hopnhat.link.standalone import link_people

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.blind.generate import generate

ENCODINGS = ("tcvn3", "vni", "cp1258-decomposed", "viscii", "mojibake")


def _typed(people: pa.Table, share: float) -> pa.Table:
    """A ``share`` of the records' name, sex and address typed in a legacy font (glibc iconv, Python's codecs, the
    independent VNI table), shown as the font shows them."""
    rng = random.Random(5)
    chosen = [rng.choice(ENCODINGS) if rng.random() < share else None for _ in range(people.num_rows)]
    out = people
    for name in ("full_name", "sex", "address"):
        cells = people.column(name).to_pylist()
        for encoding in ENCODINGS:
            rows = [i for i, e in enumerate(chosen) if e == encoding and cells[i]]
            for i, raw in zip(rows, encode_many([cells[i] for i in rows], encoding), strict=True):
                cells[i] = raw.decode("utf-8" if encoding == "mojibake" else "sloppy-windows-1252")
        out = out.set_column(out.column_names.index(name), name, pa.array(cells, pa.string()))
    return out


def _f1(table: pa.Table, entity: list[str], **options: object) -> tuple[float, dict[str, int]]:
    result = link_people(table, threads=1, **options)  # type: ignore[arg-type]
    rows = [str(i) for i in range(table.num_rows)]
    found = evaluate(dict(zip(rows, map(str, result.table.column("cluster_id").to_pylist()), strict=True)),
                     dict(zip(rows, entity, strict=True)))
    return found.pairs.f1, result.repaired


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> tuple[pa.Table, list[str]]:
    out = tmp_path_factory.mktemp("blind-legacy")
    generate(20000, 7, out)
    return pq.read_table(out / "input.parquet"), pq.read_table(out / "truth.parquet").column("entity").to_pylist()


def test_a_list_partly_typed_in_legacy_fonts_links_as_the_clean_one(population: tuple[pa.Table, list[str]]) -> None:
    people, entity = population
    typed = _typed(people, 0.25)
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
