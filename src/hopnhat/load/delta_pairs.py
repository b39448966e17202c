"""A delta by records when the file's unchanged records pair one to one, in order, with the old ones.

A delta that went by records (:mod:`hopnhat.load.delta`) pairs each record of the file whose bytes the last load read
with the old record of the same bytes (``_d_same``: new_row → old_row) and takes its rows (key, hash) from the
snapshot; only the other records are parsed. When that pairing is **one to one and keeps the records' order** — no
old record paired twice, no record moved among the others: rows inserted, deleted or edited in place, the usual
case — a key none of whose rows is in a parsed record or in an old record left unpaired has exactly the rows it had,
record for record, in the same order: it is unchanged, and its rows moved as their records did. So:

- the key comparison looks only at the *candidate* keys (``_d_cand``: those of the parsed rows and of the old
  records left unpaired) instead of grouping every row of the table by key, twice;
- the moves are the records' pairs for the rows of the other keys, and the candidates found unchanged are paired by
  their rank within the key, as before;
- the record prints are renumbered through the same pairs (no window over every record of the file, twice).

A pairing that is not one to one or not in order (a file whose lines were duplicated or reordered) takes the
general way, every key compared (``one_to_one`` is False).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

# the compared rows: every row, or only the candidate keys' (``_d_cn``/``_d_co``, made by :func:`candidates`)
ALL = ("_d_new", "_d_old")
CANDIDATES = ("_d_cn", "_d_co")


def one_to_one(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``_d_same`` pairs each new record with a different old record, in the same order (old rows strictly
    increasing with the new rows)."""
    return pair_records(con, None)[0]


def pair_records(con: duckdb.DuckDBPyConnection, records: np.ndarray | None) -> tuple[bool, set[int]]:
    """:func:`one_to_one`, and which of the file's ``records`` (their row numbers) ``_d_same`` did not pair — the
    records to parse. With NumPy in linear time: record numbers are dense (lines of a file)."""
    pairs = con.execute("SELECT new_row, old_row FROM _d_same").fetchnumpy()
    new, old = np.asarray(pairs["new_row"], np.int64), np.asarray(pairs["old_row"], np.int64)
    every = np.asarray(records if records is not None else new, np.int64)
    if not len(every):
        return True, set()
    top = int(max(every.max(), new.max() if len(new) else 0))
    if min(int(every.min()), int(new.min()) if len(new) else 0) < 0 or top > 4 * len(every) + 1_000_000:
        order = np.argsort(new, kind="stable")
        new_sorted, seq = new[order], old[order]
        distinct = bool(np.all(new_sorted[1:] > new_sorted[:-1]))
        unpaired = not_among(every, new)
    else:
        filled = np.zeros(top + 1, np.bool_)
        filled[new] = True
        at = np.zeros(top + 1, np.int64)
        at[new] = old
        seq = at[filled]
        distinct = len(seq) == len(new)
        unpaired = every[~filled[every]]
    return distinct and bool(np.all(seq[1:] > seq[:-1])), set(unpaired.tolist())


def not_among(numbers: np.ndarray, among: np.ndarray) -> np.ndarray:
    """The ``numbers`` not in ``among``: through a bitmap when both are dense non-negative row numbers, else by
    sorting."""
    numbers, among = np.asarray(numbers, np.int64), np.asarray(among, np.int64)
    if not len(numbers):
        return numbers
    top = int(max(numbers.max(), among.max() if len(among) else 0))
    if min(int(numbers.min()), int(among.min()) if len(among) else 0) < 0 or top > 4 * len(numbers) + 1_000_000:
        return numbers[~np.isin(numbers, among)]
    seen = np.zeros(top + 1, np.bool_)
    seen[among] = True
    return numbers[~seen[numbers]]


def candidates(con: duckdb.DuckDBPyConnection, where: list[str]) -> None:
    """``_d_cand``: the keys of the parsed rows and of the old records left unpaired; ``_d_cn`` and ``_d_co``: their
    rows now and in the snapshot. Any other key kept every row, record for record (:func:`one_to_one` holds). The
    old records left unpaired are found with NumPy (``_d_gone_rows`` of the snapshot, ``_d_gone_rec`` of the record
    prints), not by anti-joining every row with every pair."""
    paired = con.execute("SELECT old_row FROM _d_same").fetchnumpy()["old_row"]
    _hopnhat_rows = pa.table({"src_row": not_among(con.execute("SELECT src_row FROM _d_old").fetchnumpy()["src_row"],
                                                   paired)})
    _hopnhat_recs = pa.table({"src_row": not_among(con.execute(
        "SELECT src_row FROM source_records WHERE src_source = ? AND src_table = ?", where).fetchnumpy()["src_row"],
        paired)})
    con.execute("CREATE OR REPLACE TEMP TABLE _d_gone_rows AS SELECT DISTINCT src_row FROM _hopnhat_rows")
    con.execute("CREATE OR REPLACE TEMP TABLE _d_gone_rec AS SELECT src_row FROM _hopnhat_recs")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _d_cand AS
        SELECT DISTINCT src_key FROM (
          SELECT src_key FROM _d_new WHERE old_row IS NULL
          UNION ALL
          SELECT src_key FROM _d_old SEMI JOIN _d_gone_rows USING (src_row))
        WHERE src_key IS NOT NULL""")
    con.execute("CREATE OR REPLACE TEMP TABLE _d_cn AS SELECT src_row, src_key, h FROM _d_new "
                "SEMI JOIN _d_cand USING (src_key)")
    con.execute("CREATE OR REPLACE TEMP TABLE _d_co AS SELECT src_row, src_key, content_hash FROM _d_old "
                "SEMI JOIN _d_cand USING (src_key)")


def moves_sql() -> str:
    """``_d_moves`` (key, old row, new row) of the unchanged rows whose number changed: the other keys' rows by their
    record's pair, the candidates found unchanged by their rank within the key."""
    return """
        CREATE OR REPLACE TEMP TABLE _d_moves AS
        WITH kept AS (SELECT src_key FROM _d_cand ANTI JOIN _d_keys USING (src_key)),
             n AS (SELECT src_key, src_row, row_number() OVER (PARTITION BY src_key ORDER BY src_row) AS r
                   FROM _d_cn SEMI JOIN kept USING (src_key)),
             o AS (SELECT src_key, src_row, row_number() OVER (PARTITION BY src_key ORDER BY src_row) AS r
                   FROM _d_co SEMI JOIN kept USING (src_key))
        SELECT n.src_key, n.old_row, n.src_row AS new_row FROM _d_new n ANTI JOIN _d_cand USING (src_key)
        WHERE n.old_row IS NOT NULL AND n.old_row <> n.src_row
        UNION ALL
        SELECT n.src_key, o.src_row, n.src_row FROM n JOIN o USING (src_key, r) WHERE n.src_row <> o.src_row"""


def update_prints(con: duckdb.DuckDBPyConnection, where: list[str]) -> None:
    """The record prints written in place through the pairs: paired records renumbered, the old ones left unpaired
    (``_d_gone_rec``) deleted, the new ones left unpaired (``_d_parsed``, of ``_d_fp``) inserted — what pairing by
    hash and rank gives, without its windows over every record."""
    con.execute("DELETE FROM source_records WHERE src_source = ? AND src_table = ? AND src_row IN "
                "(SELECT src_row FROM _d_gone_rec)", where)
    con.execute("UPDATE source_records SET src_row = p.new_row FROM _d_same p WHERE source_records.src_source = ? "
                "AND source_records.src_table = ? AND source_records.src_row = p.old_row AND p.old_row <> p.new_row",
                where)
    con.execute("INSERT INTO source_records (src_source, src_table, src_row, raw_hash) SELECT ?, ?, src_row, raw_hash "
                "FROM _d_fp SEMI JOIN _d_parsed USING (src_row)", where)
