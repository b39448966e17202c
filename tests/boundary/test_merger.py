"""A merger file that is valid but surely wrong is refused before any work, with the key and the reason."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from harness import make_migrate_case, seeds_in  # type: ignore[import-not-found]

from hopnhat.errors import HopnhatError
from hopnhat.i18n import set_language
from hopnhat.ingest.preflight import preflight
from hopnhat.project.config import load_project

EXPECTED = {
    "impossible_date": ("impossible value", None),
    "no_sources": ("invalid", "sources"),
    "two_char_delimiter": ("invalid", "sources[0].tables[0].delimiter"),
    "unknown_encoding": ("invalid", "sources[0].tables[0].encoding"),
    "missing_key_column": ("source_key column is not in the file", "sources[a_dancu].tables[nhan_khau].source_key"),
    "json_kind_on_csv": ("content does not match", "sources[a_dancu].kind = json"),
    "store_is_a_source": ("store is (or is below) a source file", "store.path"),
    "store_below_a_source": ("store is (or is below) a source file", "store.path"),
    "top_level_list": ("mapping", None),
    "missing_source_file": ("not found", None),
    "source_is_a_folder": ("folder", None),
}


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language("vi")


@pytest.mark.parametrize("damage", sorted(EXPECTED))
def test_suspicious_merger_files_are_refused_with_the_key(tmp_path: Path, damage: str, english) -> None:
    seeds = seeds_in(tmp_path / "seeds")
    case = make_migrate_case(tmp_path / "case", seeds, random.Random(1), damage, "intact")
    with pytest.raises(HopnhatError) as err:
        preflight(load_project(case.inputs[0]))
    words, key = EXPECTED[damage]
    assert words in err.value.message, err.value.render()
    assert key is None or err.value.key == key, err.value.render()
    assert err.value.hint, err.value.render()
    assert not (tmp_path / "case" / "out" / "hopnhat.duckdb").exists()  # nothing was opened or written


def test_deep_nesting_is_refused_without_recursion(tmp_path: Path, english) -> None:
    path = tmp_path / "merger.yaml"
    for depth in (41, 5_000, 100_000):
        path.write_text("sources: []\nextra: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
        with pytest.raises(HopnhatError) as err:
            load_project(path)
        assert "nested too deeply" in err.value.message or "not valid YAML" in err.value.message


def test_the_intact_merger_file_passes(tmp_path: Path) -> None:
    case = make_migrate_case(tmp_path / "case", seeds_in(tmp_path / "seeds"), random.Random(1), "intact", "intact")
    preflight(load_project(case.inputs[0]))


def test_a_json_key_with_nul_bytes_becomes_a_usable_column(tmp_path: Path) -> None:
    """A key ``"address\\0\\0"`` made the store's CREATE TABLE fail (the whole table lost); its cells are kept under
    ``address__`` and the run balances."""
    from hopnhat.ingest import read_table

    case = make_migrate_case(tmp_path / "case", seeds_in(tmp_path / "seeds"), random.Random(1), "intact", "intact")
    (tmp_path / "case" / "data" / "people.ndjson").write_text(
        '{"id": "1", "full_name": "An", "address\\u0000\\u0000": "x", "' + "k" * 5000 + '": "y"}\n', encoding="utf-8")
    project = load_project(case.inputs[0])
    source = project.config.sources[1]
    batch = next(iter(read_table(project, source, source.tables[0])))
    assert "address__" in batch.column_names and batch.column("address__").to_pylist() == ["x"]
    assert max(len(n) for n in batch.column_names) <= 1000
