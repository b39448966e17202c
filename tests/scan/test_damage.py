"""Whatever damage the files of a folder carry (the boundary harness's damages: truncated, random bytes, NULs, other
encodings, huge fields, deep nesting, ragged lines, duplicate headers, empty …), ``hopnhat init --scan`` never raises:
every file is drafted or listed as skipped with its reason, and a draft it writes loads."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.boundary.harness import DAMAGES, seeds

from hopnhat.project.config import load_project
from hopnhat.scan.api import scan


@pytest.fixture(scope="module")
def seed_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return seeds(tmp_path_factory.mktemp("seeds"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_damaged_files_are_drafted_or_skipped_never_raised(seed_files: dict[str, bytes], seed: int,
                                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("damaged")
    for suffix, data in seed_files.items():
        damage = rng.choice(sorted(DAMAGES))
        (folder / f"{damage}{suffix}").write_bytes(DAMAGES[damage](data, rng))
    output = folder.parent / f"{folder.name}.yaml"
    draft = scan(folder, output, limit=200)
    assert len(draft.files) == len(seed_files)
    assert all(f.tables or f.reason or f.found.reason for f in draft.files)
    if draft.sources:
        output.write_text(draft.text, encoding="utf-8")
        load_project(output)
