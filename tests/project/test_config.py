"""The merger file is validated once at the edge: every error names the file, the key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hopnhat.errors import ConfigError
from hopnhat.project.config import load_project
from hopnhat.project.template import TEMPLATE

BASE = {
    "merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
    "sources": [{"name": "qn", "system": "Hộ tịch", "kind": "csv", "tables": [
        {"name": "nhan_khau", "path": "nk.csv", "maps_to": "person",
         "columns": {"source_key": "Ma", "full_name": "HoTen",
                     "birth_date": {"column": "NgaySinh", "type": "date", "formats": ["dd/mm/yyyy"]}}}]}],
}


def _write(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "merger.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _error(tmp_path: Path, doc: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_project(_write(tmp_path, doc))
    return info.value


def test_valid_file_resolves_paths_beside_it(tmp_path: Path) -> None:
    project = load_project(_write(tmp_path, BASE))
    table = project.config.sources[0].tables[0]
    assert table.source_key is not None and table.source_key.column == "Ma"
    assert table.columns["full_name"].column == "HoTen"
    assert project.store_path == tmp_path / "hopnhat.duckdb"
    assert project.resolve(table.path or "") == tmp_path / "nk.csv"


def test_unknown_field_names_the_key_and_the_allowed_fields(tmp_path: Path) -> None:
    doc = yaml.safe_load(yaml.safe_dump(BASE))
    doc["sources"][0]["tables"][0]["columns"]["ho_ten"] = "HoTen"
    err = _error(tmp_path, doc)
    assert "merger.yaml" in str(err)
    assert "sources[0].tables[0]" in str(err)
    assert "'ho_ten' is not in person" in str(err) and "full_name" in str(err)


def test_bad_date_format_and_bad_kind_are_named(tmp_path: Path) -> None:
    doc = yaml.safe_load(yaml.safe_dump(BASE))
    doc["sources"][0]["tables"][0]["columns"]["birth_date"]["formats"] = ["dd/mm/yy yy"]
    doc["sources"][0]["kind"] = "oracle"
    err = str(_error(tmp_path, doc))
    assert "sources[0].kind" in err and "sources[0].tables[0].columns.birth_date" in err
    assert "unknown date format" in err


def test_two_origins_for_one_field_are_refused(tmp_path: Path) -> None:
    doc = yaml.safe_load(yaml.safe_dump(BASE))
    doc["sources"][0]["tables"][0]["columns"]["full_name"] = {"column": "A", "const": "x"}
    assert "exactly one of" in str(_error(tmp_path, doc))


def test_missing_key_and_database_without_dsn(tmp_path: Path) -> None:
    doc = yaml.safe_load(yaml.safe_dump(BASE))
    del doc["sources"][0]["tables"][0]["columns"]["source_key"]
    assert "source_key" in str(_error(tmp_path, doc))
    doc = yaml.safe_load(yaml.safe_dump(BASE))
    doc["sources"][0]["kind"] = "postgresql"
    doc["sources"][0]["tables"][0]["table"] = "t"
    assert "needs 'dsn'" in str(_error(tmp_path, doc))


def test_not_yaml_and_missing_file(tmp_path: Path) -> None:
    from hopnhat.i18n import set_language

    set_language("en")
    bad = tmp_path / "merger.yaml"
    bad.write_text("sources: [unclosed", encoding="utf-8")
    assert "not valid YAML" in str(pytest.raises(ConfigError, load_project, bad).value)
    assert "not found" in str(pytest.raises(ConfigError, load_project, tmp_path / "nope.yaml").value)
    set_language("vi")


def test_init_template_is_a_valid_merger_file(tmp_path: Path) -> None:
    path = tmp_path / "merger.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    project = load_project(path)
    assert project.config.sources[0].tables[0].maps_to == "person"
    assert project.config.linkage.review_threshold < project.config.linkage.match_threshold
