"""A synthetic estate generated once per session, and small one-table projects built in a test's folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hopnhat.project.config import MergerConfig, Project, SourceSpec, TableSpec, load_project
from hopnhat.synth import SynthSettings, generate

SCALE = 0.002
SEED = 1

OneTable = Callable[..., tuple[Project, SourceSpec, TableSpec]]


@pytest.fixture(scope="session")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``hopnhat synth danang --scale 0.002``: the two-province legacy estate with its truth."""
    out = tmp_path_factory.mktemp("ingest-estate") / "danang"
    generate(SynthSettings("danang", SCALE, SEED, out))
    return out


@pytest.fixture(scope="session")
def project(estate: Path) -> Project:
    return load_project(estate / "merger.yaml")


def project_of(base: Path, sources: list[dict[str, Any]]) -> Project:
    """A validated project whose paths resolve against ``base``."""
    raw = {"version": 1, "merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"}, "sources": sources}
    return Project(base / "merger.yaml", MergerConfig.model_validate(raw), raw)


@pytest.fixture
def one_table(tmp_path: Path) -> OneTable:
    """``one_table(kind, {table spec}, **source fields)`` → (project, source, table); mapping defaults to a person
    table keyed by ``id`` reading ``name``."""

    def make(kind: str, table: dict[str, Any], **source: Any) -> tuple[Project, SourceSpec, TableSpec]:
        spec = {"name": "t", "maps_to": "person", "columns": {"source_key": "id", "full_name": "name"}, **table}
        project = project_of(tmp_path, [{"name": "src", "system": "test", "kind": kind, "tables": [spec], **source}])
        src = project.config.sources[0]
        return project, src, src.tables[0]

    return make
