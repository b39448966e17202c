"""The demo's lookup step: on the migrated estate, the citizen comes first for each way of typing it tries."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopnhat.demo.lookups import try_lookups


@pytest.mark.slow  # builds a lookup index of the estate
def test_the_demo_lookups_find_the_citizen_first(estate: Path, tmp_path: Path) -> None:
    tried = try_lookups(estate, tmp_path / "lookup.sqlite")
    assert len(tried) == 4
    assert [t.reading for t in tried] == ["name-year", "name-year", "phone", "name-place"]
    assert all(t.rank == 1 for t in tried), tried
    assert not any(ch.isdigit() for ch in tried[2].query.replace("*", "")[1:-3])  # the phone is masked
