"""A delta maps only the changed rows, so a column rule decided over a batch would see another batch than the full
load did. Found by bench/changes.py at scale 0.01: the habitual-01/01 date rule (01/01 in ≥ 2 % of the full dates →
read as year only) fired on a delta's batch of changed rows and not on the full load's 50,000-row batch, so the delta
store and a ``--fresh`` reload differed in ``birth_date_quality`` and cell issues. The rule is now a column reading:
decided by the table's first batch, kept with the encoding readings, restored by a delta."""

from __future__ import annotations

from pathlib import Path

from tests.pipeline.test_pipeline_delta import checksums

from hopnhat.project.config import load_project
from hopnhat.run.runner import migrate

MERGER = """version: 1
merged_unit: {province_code: '48', name: Thành phố Đà Nẵng, cutover: 2025-07-01, old_provinces: ['48', '49']}
store: {path: out/hopnhat.duckdb, app_db: out/app.sqlite, catalog: out/catalog.duckdb}
linkage: {enabled: false}
sources:
  - name: dancu
    system: Hộ tịch
    province: '49'
    kind: csv
    tables:
      - name: nhan_khau
        path: people.csv
        delimiter: ','
        encoding: utf-8
        maps_to: person
        columns:
          source_key: id
          full_name: full_name
          birth_date: {column: dob, type: date, formats: [dd/mm/yyyy]}
"""
ROWS = 3000


def _people(edited: set[int]) -> str:
    """3,000 people, 1 in 100 born on a 1st of January (1 %: below the rule's 2 % in the whole column); the edited
    rows' names changed."""
    lines = ["id,full_name,dob\n"]
    for i in range(ROWS):
        dob = f"01/01/{1950 + i % 50}" if i % 100 == 0 else f"{i % 27 + 2:02d}/{i % 12 + 1:02d}/{1950 + i % 50}"
        lines.append(f"P{i:05d},Nguyễn Văn {'Mới ' if i in edited else ''}An {i},{dob}\n")
    return "".join(lines)


def test_delta_equals_fresh_reload_when_changed_rows_cross_a_batch_rule(tmp_path: Path) -> None:
    for name in ("delta", "fresh"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "merger.yaml").write_text(MERGER, encoding="utf-8")
        (tmp_path / name / "people.csv").write_text(_people(set()), encoding="utf-8")
    delta = load_project(tmp_path / "delta" / "merger.yaml")
    migrate(delta, link=False)
    # 60 rows edited, 5 of them born on a 1st of January: 8 % of the delta's batch
    edited = {0, 100, 200, 300, 400} | set(range(1, 56))
    for name in ("delta", "fresh"):
        (tmp_path / name / "people.csv").write_text(_people(edited), encoding="utf-8")
    result = migrate(delta, link=False)
    assert [c.mode for c in result.loaded] == ["delta"] and result.balanced
    fresh = load_project(tmp_path / "fresh" / "merger.yaml")
    migrate(fresh, link=False, fresh=True)
    assert checksums(delta) == checksums(fresh)
