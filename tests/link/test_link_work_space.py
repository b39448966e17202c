"""The work space (limits.work_space, also run.work_space): its spill folder, one per work space, never the shared
system temp folder; and the standalone linker without the store's linkage."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import numpy as np

from hopnhat.link.limits import in_stored_order
from hopnhat.link.run import work_space


def _spill(threads: int = 1) -> tuple[str, bool, bool]:
    """A work space that spills (a sort larger than its memory limit): its temp folder, whether it existed while
    spilling and after close."""
    work = work_space(threads, "320MB")  # its DuckDB pool: 65 % (limits.POOL_SHARE)
    folder = str(work.execute("SELECT current_setting('temp_directory')").fetchone()[0])
    work.execute("CREATE TABLE t AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(3000000)")
    work.execute("SELECT s, count(*) FROM t GROUP BY s ORDER BY 2 DESC LIMIT 1").fetchall()
    during = os.path.isdir(folder) and any(name.startswith("duckdb_temp") for name in os.listdir(folder))
    work.close()
    return folder, during, os.path.exists(folder)


def test_two_work_spaces_spill_into_folders_of_their_own() -> None:
    # DuckDB names its spill files by block size alone: two processes sharing one folder overwrite each other's blocks
    first, second = work_space(1, None), work_space(1, None)
    folders = [str(w.execute("SELECT current_setting('temp_directory')").fetchone()[0]) for w in (first, second)]
    first.close()
    second.close()
    assert folders[0] != folders[1]
    assert all(os.path.realpath(f) != os.path.realpath(tempfile.gettempdir()) for f in folders)


def test_the_spill_folder_is_made_when_needed_and_removed_on_close() -> None:
    folder, during, after = _spill()
    assert during and not after


def test_the_standalone_linker_does_not_import_the_stores_linkage() -> None:
    # `hopnhat link persons` needs the work space and the person model, not run.py (pydantic, the organisation and
    # parcel models, the review queue): imported, they cost every run of the command a few tenths of a CPU-second
    code = ("import sys, hopnhat.cli.link, hopnhat.link.standalone; "
            "print(sorted(m for m in ('hopnhat.link.run', 'hopnhat.link.organizations', 'hopnhat.link.parcels') "
            "if m in sys.modules))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"
    from hopnhat.link import LinkOutcome, link_store, run

    assert (link_store, LinkOutcome) == (run.link_store, run.LinkOutcome)


def test_a_table_is_read_in_the_order_it_was_written() -> None:
    """A work space's parallel scans hand over row groups as they finish (insertion order not preserved);
    in_stored_order reads a table written in uid order in uid order, and leaves the setting as it was."""
    work = work_space(2, None)
    work.execute("CREATE TABLE t AS SELECT range AS uid, md5(range::VARCHAR) AS s FROM range(2000000) ORDER BY uid")
    uids = in_stored_order(work, "SELECT uid, s FROM t").column("uid").to_numpy()
    assert (uids == np.arange(2_000_000)).all()
    assert work.execute("SELECT current_setting('preserve_insertion_order')").fetchone() == (False,)
    work.close()


def test_the_duckdb_command_does_not_import_spark() -> None:
    # `hopnhat link persons --engine duckdb` checks its Spark options without importing Spark's module, and through
    # it the project settings and pydantic (~0.12 CPU-s of every run)
    code = ("import sys, hopnhat.cli.link as c, hopnhat.link.standalone; "
            "assert c._spark_options('duckdb', [], '') is None; "
            "print(sorted(m for m in ('hopnhat.link.spark_session', 'hopnhat.project.config', 'pydantic') "
            "if m in sys.modules))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"
    from hopnhat.cli.link import _spark_options
    from hopnhat.link.spark_session import SparkOptions

    assert _spark_options("spark", ["spark.driver.memory=2g"], "") == SparkOptions(None, {"spark.driver.memory": "2g"})
