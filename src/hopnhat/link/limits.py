"""The linkage's memory limit (``--memory-limit``, ``linkage.memory_limit``): what DuckDB is given, and the one error
when the work space cannot fit in it.

DuckDB's ``memory_limit`` caps its buffer pool (the tables, hash tables and sorts it can spill to disk). Its allocator
holds more than that pool: at 1.45 M records (1 M independent people) the pool sat at its limit through the features,
the training and the scoring, while the process held 330 to 800 MB more than the pool, Arrow and Python together —
0.3 to 0.55 times the pool (pools of 720 MiB to 1.4 GiB; the most during Splink's scoring). The work space therefore
gives DuckDB's pool :data:`POOL_SHARE` of the limit, so that what DuckDB really holds stays near the limit asked for
(0.65 × 1.45 ≈ 0.94). Spilling more costs little: the same run took 89 s on a 960 MB pool against 56–95 s on 1.4
GiB, the output the same. The rest of the process (Python, the Arrow copy of a standalone list) comes on top:
docs/linkage.md.

A limit too small for the work space is an error of the run's setting, said once in the project's format
(:class:`WorkSpaceFull`: the limit, DuckDB's words, what to raise), never DuckDB's traceback.
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa

from hopnhat.errors import HopnhatError
from hopnhat.i18n import tr

POOL_SHARE = 0.65
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT])(i?)B\s*$", re.IGNORECASE)
_FACTORS = {"K": 1, "M": 2, "G": 3, "T": 4}


class WorkSpaceFull(HopnhatError):
    """The linkage work space needed more memory than its limit allows (and could not spill the rest)."""


def pool_limit(memory_limit: str | None) -> str | None:
    """DuckDB's ``memory_limit`` for a work space limited to ``memory_limit`` (``1500MB``, ``2GiB``): its
    :data:`POOL_SHARE`, in whole KiB; None (DuckDB's default) when there is no limit."""
    if not memory_limit:
        return None
    found = _SIZE.match(memory_limit)
    if not found:
        raise WorkSpaceFull(tr("giới hạn bộ nhớ không hợp lệ", "the memory limit is not valid"),
                            key="memory_limit", value=memory_limit,
                            reason=tr("cần một số và đơn vị KB, MB, GB hoặc TB",
                                      "a number and a unit KB, MB, GB or TB is expected"))
    base = 1024 if found.group(3) else 1000
    size = float(found.group(1)) * base ** _FACTORS[found.group(2).upper()]
    return f"{int(size * POOL_SHARE) // 1024}KiB"


def _out_of_memory(exc: BaseException | None) -> duckdb.OutOfMemoryException | None:
    """DuckDB's out-of-memory error in ``exc`` or the errors it was raised from (Splink wraps what it runs)."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, duckdb.OutOfMemoryException):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


@contextmanager
def within(memory_limit: str | None, records: int | None = None) -> Iterator[None]:
    """Run the work space's steps; DuckDB running out of memory becomes one :class:`WorkSpaceFull`."""
    try:
        yield
    except HopnhatError:
        raise
    except Exception as exc:
        oom = _out_of_memory(exc)
        if oom is None:
            raise
        said = str(oom).strip().splitlines()[0] if str(oom).strip() else type(oom).__name__
        raise WorkSpaceFull(
            tr("vùng làm việc của liên kết không đủ bộ nhớ", "the linkage work space ran out of memory"),
            key="--memory-limit / linkage.memory_limit", value=memory_limit or tr("mặc định", "default"),
            reason=said + (f" ({records:,} " + tr("bản ghi", "records") + ")" if records else ""),
            hint=tr("tăng --memory-limit (hoặc linkage.memory_limit trong tệp dự án); 1500MB đủ cho 1,45 triệu bản ghi",
                    "raise --memory-limit (or linkage.memory_limit in the merger file); 1500MB is enough for "
                    "1.45 M records")) from exc


_SPACES = itertools.count()


def spill_directory() -> str:
    """A temp folder of this work space alone, not yet existing: DuckDB creates it when it first spills and removes it
    on close. DuckDB names its spill files by block size only (``duckdb_temp_storage_S96K-0.tmp``), so two processes
    spilling into one folder overwrite each other's blocks — seen as a crash ("could not read enough bytes", a
    segmentation fault) when two 1 M-record runs spilled into the system temp folder at once."""
    return os.path.join(tempfile.gettempdir(), f"hopnhat-link-{os.getpid()}-{next(_SPACES)}")


def work_space(threads: int, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    """The private in-memory DuckDB where features, Splink's tables and clusters live (spilling to a folder of its
    own: :func:`spill_directory`), its buffer pool limited to its share of ``memory_limit`` (:func:`pool_limit`).
    Here, not in run.py, so that ``hopnhat link persons`` does not import the store's linkage (run.py, pydantic, the
    organisation and parcel models)."""
    config: dict[str, Any] = {"threads": max(1, threads), "temp_directory": spill_directory(),
                              "preserve_insertion_order": False}
    pool = pool_limit(memory_limit)
    if pool:
        config["memory_limit"] = pool
    return duckdb.connect(":memory:", config=config)


ONE_BATCH = 1 << 30  # rows of one Arrow batch: every row (a column in one chunk: its buffers read in place; 1 << 40
# crashed DuckDB 1.4.5)


def in_stored_order(work: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """``sql``'s rows as Arrow in the order its scans read the table (a work space does not preserve insertion
    order: its parallel scans hand over row groups as they finish), each column in one chunk. A table written in
    uid order (person_features) is then read in uid order, for the cost of an unordered read (1 M people: ~0.5 s,
    against a second read sorted by uid, which every read of the kernel's records needed before)."""
    row = work.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    previous = bool(row[0]) if row else False
    work.execute("SET preserve_insertion_order = true")
    try:
        return work.execute(sql).fetch_arrow_table(ONE_BATCH)
    finally:
        work.execute(f"SET preserve_insertion_order = {str(previous).lower()}")
