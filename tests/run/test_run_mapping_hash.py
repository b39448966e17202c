"""The mapping hash decides whether a stored table's unchanged rows may be kept (a delta) or the table is reloaded
whole: it changes with what the mapping says, not with settings written out at their defaults (so a field added to
the merger file's model later, at its default, does not reload every table)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hopnhat.project.config import Project, TableSpec, load_project
from hopnhat.run.runner import mapping_hash


def _project(folder: Path, **extra: Any) -> Project:
    table: dict[str, Any] = {"name": "nguoi", "table": "nguoi", "maps_to": "person",
                             "columns": {"source_key": "id", "full_name": "ho_ten"}, **extra}
    doc = {"version": 1, "merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "sources": [{"name": "ho_tich", "system": "Hộ tịch", "province": "48", "kind": "sqlite",
                        "path": "ho_tich.sqlite", "tables": [table]}]}
    folder.mkdir()
    (folder / "merger.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_project(folder / "merger.yaml")


def _hash(project: Project) -> str:
    source = project.config.sources[0]
    return mapping_hash(project, source, source.tables[0])


def test_a_setting_written_at_its_default_leaves_the_mapping_hash(tmp_path: Path) -> None:
    plain = _project(tmp_path / "a")
    assert _hash(_project(tmp_path / "b", cursor=None)) == _hash(plain)


def test_a_field_added_to_the_model_at_its_default_leaves_the_mapping_hash(tmp_path: Path) -> None:
    """A later hopnhat whose table model has one more optional field: the stored tables keep their delta."""

    class Later(TableSpec):
        keep_history_days: int | None = None

    project = _project(tmp_path / "a")
    source = project.config.sources[0]
    later = Later.model_validate(source.tables[0].model_dump())
    assert mapping_hash(project, source, later) == mapping_hash(project, source, source.tables[0])


def test_a_changed_mapping_changes_the_mapping_hash(tmp_path: Path) -> None:
    plain = _project(tmp_path / "a")
    other = _project(tmp_path / "b", columns={"source_key": "id", "full_name": "ten"})
    assert _hash(other) != _hash(plain)
    assert _hash(_project(tmp_path / "c", cursor="updated_at")) != _hash(plain)
