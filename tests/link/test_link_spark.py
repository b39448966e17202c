"""The same person model on Splink's Spark backend (local mode) gives the same clusters as on DuckDB."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from hopnhat.link.standalone import link_people
from hopnhat.link.truth import person_rows

pytest.importorskip("pyspark")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java (Debian openjdk-17)")]


@pytest.fixture(scope="module")
def people(estate: Path) -> pa.Table:
    """~650 rows: every person with duplicates plus singletons (small enough for u from every pair)."""
    raw = person_rows(estate)
    entities = raw.column("entity").to_pylist()
    keep = {e for e, n in Counter(entities).items() if n > 1}
    for e in entities:
        if len(keep) >= 500:
            break
        keep.add(e)
    rows = raw.filter(pa.array([e in keep for e in entities]))
    return rows.select(["full_name", "dob", "sex", "id_number", "phone", "address"])


def test_spark_gives_the_same_clusters_as_duckdb(people: pa.Table) -> None:
    duck = link_people(people, engine="duckdb")
    spark = link_people(people, engine="spark")
    assert duck.clusters < duck.records  # there is something to link
    assert spark.table.column("cluster_id").equals(duck.table.column("cluster_id"))
    for a, b in zip(duck.table.column("match_probability").to_pylist(),
                    spark.table.column("match_probability").to_pylist()):
        assert (a is None and b is None) or abs(a - b) < 1e-9
