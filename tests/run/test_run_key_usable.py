"""A changed table is loaded as a delta only when its key tells rows apart: at most half its rows without a key or
sharing theirs with another row; else it is reloaded whole (``key_not_usable``). The plan decides it from the store's
merged and quarantined rows when they are few (at most twice their number can lack a key or share it), and counts
the snapshot's keys otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

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
"""


def _people(keys: list[str], names: list[str]) -> str:
    return "id,full_name\n" + "".join(f"{k},{n}\n" for k, n in zip(keys, names))


@pytest.mark.parametrize(("keys", "names", "mode"), [
    # 100 rows, 15 keys used twice (other content: quarantined): 30 share a key, at most 60 by the store's counts
    ([f"P{i // 2 if i < 30 else i}" for i in range(100)], [f"An {i}" for i in range(100)], "delta"),
    # 30 rows quarantined for an empty name (their keys their own): the counts allow 60 (> 50), the keys none
    ([f"P{i}" for i in range(100)], ["" if i % 10 < 3 else f"An {i}" for i in range(100)], "delta"),
    # 60 rows share 20 keys: not usable
    ([f"P{i // 3 if i < 60 else i}" for i in range(100)], [f"An {i}" for i in range(100)], "full"),
    # 60 rows without a key
    (["" if i < 60 else f"P{i}" for i in range(100)], [f"An {i}" for i in range(100)], "full"),
])
def test_a_delta_only_with_a_key_that_tells_rows_apart(tmp_path: Path, keys: list[str], names: list[str],
                                                        mode: str) -> None:
    (tmp_path / "merger.yaml").write_text(MERGER, encoding="utf-8")
    (tmp_path / "people.csv").write_text(_people(keys, names), encoding="utf-8")
    project = load_project(tmp_path / "merger.yaml")
    assert migrate(project, link=False).balanced
    (tmp_path / "people.csv").write_text(_people(keys, [*names[:-1], "Bình"]), encoding="utf-8")
    result = migrate(project, link=False)
    (counts,) = result.loaded
    assert result.balanced and counts.mode == mode
    assert counts.note == ("" if mode == "delta" else "key_not_usable")
