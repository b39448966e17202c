"""The linkage's memory limit (hopnhat.link.limits): DuckDB's pool gets its share of it, and a limit too small for the
work space is one error in the project's format, not DuckDB's."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from hopnhat.errors import HopnhatError
from hopnhat.link.limits import POOL_SHARE, WorkSpaceFull, pool_limit
from hopnhat.link.run import work_space
from hopnhat.link.standalone import link_people


def _pool_bytes(limit: str | None) -> int:
    work = work_space(1, limit)
    try:
        return _setting(work)
    finally:
        work.close()


def _setting(work: object) -> int:
    text = work.execute("SELECT current_setting('memory_limit')").fetchone()[0]  # type: ignore[attr-defined]
    number, unit = text.split()
    return int(float(number) * 1024 ** {"KiB": 1, "MiB": 2, "GiB": 3}[unit])


@pytest.mark.parametrize(("limit", "expected"), [("1500MB", 1_500_000_000), ("2GiB", 2 * 1024 ** 3),
                                                 ("800 MB", 800_000_000), ("1.5GB", 1_500_000_000)])
def test_duckdb_gets_its_share_of_the_limit(limit: str, expected: int) -> None:
    # DuckDB's allocator holds more than its pool (300-800 MB more at 1.45 M records on 1500MB): the pool gets
    # POOL_SHARE of the limit so that the work space itself stays near the limit asked for
    assert pool_limit(limit) == f"{int(expected * POOL_SHARE) // 1024}KiB"
    assert abs(_pool_bytes(limit) - expected * POOL_SHARE) <= 0.06 * expected  # DuckDB shows it to 0.1 GiB


def test_no_limit_leaves_duckdb_its_default() -> None:
    assert pool_limit(None) is None and pool_limit("") is None


def test_a_limit_duckdb_cannot_read_is_refused_in_our_words() -> None:
    with pytest.raises(WorkSpaceFull, match="memory_limit|bộ nhớ"):
        pool_limit("a lot")


def test_a_limit_too_small_is_one_clear_error() -> None:
    rows = pa.table({"full_name": ["Nguyễn Văn An", "Nguyen Van An", "Trần Thị Bình"] * 200,
                     "dob": ["1990-01-02", "02/01/1990", "1985-05-05"] * 200})
    with pytest.raises(WorkSpaceFull) as caught:
        link_people(rows, threads=1, memory_limit="5MB")
    error = caught.value
    assert isinstance(error, HopnhatError)
    assert error.value == "5MB" and "memory-limit" in (error.key or "")
    assert "Out of Memory" in (error.reason or "") and "600" in (error.reason or "")
    assert error.hint and "memory-limit" in error.hint


def test_a_limit_that_fits_links_as_without_one() -> None:
    rows = pa.table({"full_name": ["Nguyễn Văn An", "Nguyen Van An", "Trần Thị Bình"] * 20,
                     "dob": ["1990-01-02", "02/01/1990", "1985-05-05"] * 20})
    limited = link_people(rows, threads=1, memory_limit="200MB").table
    free = link_people(rows, threads=1).table
    assert limited.equals(free)


def test_the_clusters_read_the_records_numbers_as_one_arrow_table() -> None:
    # a list of 1.45 M (CCCD, CMND) tuples held 5.5 M Python objects beside the clusters (the run's peak after DuckDB):
    # the numbers come as two Arrow columns, read as Python strings only where a rule may need them
    from hopnhat.link.cluster import cluster
    from hopnhat.link.persons import identity_table

    work = duckdb.connect()
    work.execute("CREATE TABLE person_features AS SELECT * FROM (VALUES (2, '048190444444', 1990, NULL), "
                 "(0, '048190555555', 1990, '201234567'), (1, NULL, NULL, '201234568'), (3, 'x', NULL, '12')) "
                 "t(uid, cccd, cc_year, cmnd)")
    numbers = identity_table(work)
    assert isinstance(numbers, pa.Table)
    assert [tuple(r.values()) for r in numbers.to_pylist()] == [
        ("048190555555", "201234567"), (None, "201234568"), ("048190444444", None), (None, None)]
    # two valid CCCDs keep 0 and 2 apart; 1's CMND a slip of 0's joins them
    result = cluster(4, [(0, 1, 0.99), (0, 2, 0.99)], ids=numbers)
    assert result.root == [0, 0, 2, 3] and result.reasons == {(0, 2): "conflicting_cccd"}


def test_the_store_run_says_the_same_when_its_limit_is_too_small(store: duckdb.DuckDBPyConnection) -> None:
    # linkage.memory_limit in merger.yaml: the migration's linkage stage stops with the same one error
    from hopnhat.link import link_store
    from hopnhat.project.config import LinkageSpec

    with pytest.raises(WorkSpaceFull) as caught:
        link_store(store, LinkageSpec(entities=["person"], memory_limit="5MB"), "run-1", threads=1)
    assert caught.value.value == "5MB" and "Out of Memory" in (caught.value.reason or "")
