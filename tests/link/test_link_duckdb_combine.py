"""The DuckDB under the linkage survives a parallel DISTINCT that goes out of core on two threads.

``hopnhat link persons`` dedupes its candidate pairs with one DISTINCT hash aggregate (:func:`hopnhat.link.joins
.candidate_joins`) on ``--threads`` threads under ``--memory-limit``. DuckDB 1.4.1's
``RadixPartitionedHashTable::Combine`` skipped repartitioning with 1 or 2 threads, so when one thread had gone out of
core (its partitions raised to the external radix bits) and the other had not, the two threads' partitions were
combined at different radix bits: "INTERNAL Error: Attempted to dereference unique_ptr that is NULL" or a
segmentation fault. The bench's old count died so in 4 of 5 runs at 1 M (docs/linkage.md). Fixed in DuckDB 1.4.4
(duckdb/duckdb#20342, #20357).

The candidate SQL itself does not reach that state at a test's size (tried up to 245,000 records, with DuckDB's
``debug_force_external`` and with 60-100 MB limits), so the test drives the same aggregate directly: the linkage's own
work space on two threads, ``debug_force_external``, a DISTINCT over pairs whose input is skewed between the threads
(one row group yields four pairs a row, the other one), 24 times, in a child process (a segmentation fault must
fail the test, not kill the test worker). On DuckDB 1.4.1 the child died in 10 of 10 runs (6 segmentation faults,
4 INTERNAL Errors "Attempted to dereference unique_ptr that is NULL"; with 12 passes instead of 24: 17 of 18); on
1.4.5 it finished 20 of 20 with the right count (10 with 24 passes, in 1.3-2.5 s; session 12, lane 2).
"""

from __future__ import annotations

import subprocess
import sys

ROW_GROUP = 122_880  # DuckDB's rows per row group: one per thread

CHILD = f"""
import faulthandler
faulthandler.enable()
from hopnhat.link.run import work_space
work = work_space(2, None)
work.execute("CREATE TABLE t AS SELECT i FROM range({2 * ROW_GROUP}) r(i)")
work.execute("SET debug_force_external = true")
for _ in range(24):
    (n,) = work.execute("SELECT count(*) FROM (SELECT DISTINCT i AS a, "
                        "unnest(range(CASE WHEN i < {ROW_GROUP} THEN 4 ELSE 1 END)) AS b FROM t)").fetchone()
    assert n == {5 * ROW_GROUP}, n
work.close()
print("finished")
"""


def test_a_distinct_going_out_of_core_on_two_threads_finishes() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=600, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "finished"), \
        f"exit status {done.returncode}: {done.stderr[-2000:]}"
