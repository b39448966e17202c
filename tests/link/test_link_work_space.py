"""The work space's spill folder (run.work_space): one per work space, never the shared system temp folder."""

from __future__ import annotations

import os
import tempfile

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
