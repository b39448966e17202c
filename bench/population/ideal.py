"""The ceiling of person linkage on the independent population: which true pairs can be told apart at all.

A record, once its noises are undone (typos, keystrokes, word order, spreadsheet IDs, lunar years: all repairable),
still tells only what it carries (``generate.TRUTH_COLUMNS``): the name (family + given; the middle name unless
dropped), the birth year (unless the date is missing), the day and month (unless missing, year only or 01/01), the
person's ID numbers the cell still shows, the phone when written, the new commune and hamlet of the address (a stale
address names the previous one).

Two records ``a`` and ``b`` of one person are **distinguishable** when no record ``c`` of another person with the
same name is as good a match for one of them: ``c`` contradicts ``b`` nowhere (no other middle name, year, day and
month, ID number of the same kind or phone) and agrees with ``b`` on every field ``a`` agrees on (middle name, year,
day and month, ID, phone, commune, hamlet). Otherwise no linker can link ``a``–``b`` without linking ``c``–``b`` on
the same evidence (a namesake born the same day, a stale address and no number: a coin toss). The ideal pairs are
those joined within a person by a chain of distinguishable pairs (a record with nothing else can still reach its
person through a better-documented record). The ideal is an upper bound: it credits a linker with undoing every
noise, and with knowing that a record with more agreements wins.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pyarrow as pa

FIELDS = ("mid", "y", "md", "ids", "phone", "commune", "hamlet")

_RECORDS = """
CREATE TEMP TABLE r AS
SELECT rid, entity,
       replace(strip_accents(lower(split_part(t_name, '|', 1) || '|' || split_part(t_name, '|', 3))), 'đ', 'd') AS nk,
       CASE WHEN NOT contains(noises, 'middle_dropped') AND split_part(t_name, '|', 2) <> ''
            THEN split_part(t_name, '|', 2) END AS mid,
       CASE WHEN NOT contains(noises, 'dob_missing') THEN year(CAST(t_born AS DATE)) END AS y,
       CASE WHEN length(dob) > 4 AND NOT contains(noises, 'placeholder_0101')
            THEN strftime(CAST(t_born AS DATE), '%m%d') END AS md,
       list_filter(string_split(t_ids_shown, ';'), lambda x: x <> '') AS ids,
       nullif(t_phone_shown, '') AS phone, t_commune AS commune, t_commune || '|' || t_hamlet AS hamlet
FROM t
"""


def _agree(x: str, y: str) -> str:
    """SQL: bit mask of the fields on which records x and y agree."""
    return (f"(CASE WHEN {x}.mid = {y}.mid THEN 1 ELSE 0 END + CASE WHEN {x}.y = {y}.y THEN 2 ELSE 0 END"
            f" + CASE WHEN {x}.md = {y}.md THEN 4 ELSE 0 END"
            f" + CASE WHEN len(list_intersect({x}.ids, {y}.ids)) > 0 THEN 8 ELSE 0 END"
            f" + CASE WHEN {x}.phone = {y}.phone THEN 16 ELSE 0 END"
            f" + CASE WHEN {x}.commune = {y}.commune THEN 32 ELSE 0 END"
            f" + CASE WHEN {x}.hamlet = {y}.hamlet THEN 64 ELSE 0 END)")


def _conflict(x: str, y: str) -> str:
    """SQL: records x and y cannot be one person (a field both carry differs; IDs: one length, none shared)."""
    return (f"(coalesce({x}.mid <> {y}.mid, false) OR coalesce({x}.y <> {y}.y, false)"
            f" OR coalesce({x}.md <> {y}.md, false) OR coalesce({x}.phone <> {y}.phone, false)"
            f" OR (len(list_intersect({x}.ids, {y}.ids)) = 0 AND len(list_intersect("
            f"list_transform({x}.ids, lambda i: length(i)), list_transform({y}.ids, lambda i: length(i)))) > 0))")


# The fields a competitor must share with a side whenever the true pair agrees on them (bit of ``_agree`` → column;
# the hamlet's key holds the commune's): each distinct agreement mask is joined on them, so a competitor is looked for
# among the records of the same name AND the same year, commune, … — not among every record of a common name (at
# 1 M people ``Nguyễn Thị Lan`` alone has ~13,000 records).
_KEYS = ((1, "mid"), (2, "y"), (4, "md"), (16, "phone"), (32, "commune"), (64, "hamlet"))


def _mask_join(m: int) -> str:
    """SQL: the sides of mask ``m`` and every record of another person with the same name and, on each field the
    true pair agrees on, the same value (an ID in common through ``rid_ids``)."""
    keys = ["c.nk = s.nk", "c.entity <> s.entity"]
    keys += [f"c.{col} = s.{col}" for bit, col in _KEYS if m & bit and not (bit == 32 and m & 64)]
    if m & 8:  # an ID in common: through one of the side's numbers
        return (f"(SELECT DISTINCT s.*, i.rid AS crid FROM (SELECT * FROM sides WHERE m = {m}) s, "
                f"unnest(s.ids) AS u(id) JOIN rid_ids i ON i.id = u.id) s JOIN r c ON c.rid = s.crid "
                f"AND {' AND '.join(keys)}")
    return f"(SELECT * FROM sides WHERE m = {m}) s JOIN r c ON {' AND '.join(keys)}"


def _competed(con: duckdb.DuckDBPyConnection) -> set[tuple[int, int]]:
    """True pairs (a, b) for which a record of another person is as good a match for a or for b (table ``pairs``:
    every true pair and its agreement mask)."""
    con.execute(f"CREATE TEMP TABLE pairs AS SELECT a.rid AS a, b.rid AS b, {_agree('a', 'b')} AS m FROM r a "
                f"JOIN r b ON a.entity = b.entity AND a.rid < b.rid")
    con.execute("CREATE TEMP TABLE sides AS SELECT p.a, p.b, p.m, s.* FROM pairs p JOIN r s ON s.rid = p.a "
                "UNION ALL SELECT p.a, p.b, p.m, s.* FROM pairs p JOIN r s ON s.rid = p.b")
    con.execute("CREATE TEMP TABLE rid_ids AS SELECT DISTINCT rid, unnest(ids) AS id FROM r")
    found: set[tuple[int, int]] = set()
    for (m,) in con.execute("SELECT DISTINCT m FROM sides ORDER BY m").fetchall():
        rows = con.execute(f"SELECT DISTINCT s.a, s.b FROM {_mask_join(int(m))} "
                           f"WHERE NOT {_conflict('c', 's')} AND ({_agree('c', 's')} & s.m) = s.m").fetchall()
        found.update((int(a), int(b)) for a, b in rows)
    return found


# What ties two records beyond the name and the birth date: an ID, the phone, the commune (the hamlet's key holds it).
ANCHORS = 8 | 16 | 32
IdealSets = dict[str, set[tuple[int, int]]]


def chain_roots(n: int, links: list[tuple[int, int]]) -> list[int]:
    """For each of ``n`` records, the root of the chain of ``links`` it is in (two records share a root when links
    join them through other records): union-find with path halving."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        parent[find(a)] = find(b)
    return [find(i) for i in range(n)]


def _closure(n: int, links: list[tuple[int, int]], members: list[list[int]]) -> set[tuple[int, int]]:
    """The pairs within each person's records that ``links`` join by a chain."""
    root = chain_roots(n, links)
    return {(min(a, b), max(a, b)) for rows in members for k, a in enumerate(rows) for b in rows[k + 1:]
            if root[a] == root[b]}


def ideal_sets(truth: pa.Table, dob: pa.Array | pa.ChunkedArray) -> IdealSets:
    """``any``: the true pairs (row a < row b) an ideal linker can link (see the module doc); ``anchored``: those it
    links through pairs that agree on an ID, the phone or the commune too — what it links without linking a
    namesake born the same day in another commune, whose pair shows the same evidence as a stale address's (the
    precision ≥ 0.998 side). ``dob``: the input's column."""
    con = duckdb.connect()
    con.register("t", truth.append_column("dob", dob).append_column("rid", pa.array(range(truth.num_rows))))
    con.execute(_RECORDS)
    competed = _competed(con)
    told = [(int(a), int(b), int(m)) for a, b, m in con.execute("SELECT a, b, m FROM pairs ORDER BY a, b").fetchall()
            if (a, b) not in competed]
    con.close()
    rows_of: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(truth.column("entity").to_pylist()):
        rows_of[e].append(i)
    members = list(rows_of.values())
    return {"any": _closure(truth.num_rows, [(a, b) for a, b, _ in told], members),
            "anchored": _closure(truth.num_rows, [(a, b) for a, b, m in told if m & ANCHORS], members)}


def ideal_pairs(truth: pa.Table, dob: pa.Array | pa.ChunkedArray) -> set[tuple[int, int]]:
    """The true pairs (row a < row b) an ideal linker can link (see the module doc). ``dob``: the input's column."""
    return ideal_sets(truth, dob)["any"]


def namesake_ceiling(truth: pa.Table, dob: pa.Array | pa.ChunkedArray) -> dict[str, int]:
    """Record pairs whose only evidence is the name, the middle name and the exact birth date (no ID, phone or commune
    in common, nothing contradicting): ``true`` of one person, ``false`` of two (namesakes). A linker that links the
    first links the second on the same evidence; one that does not loses the first."""
    con = duckdb.connect()
    con.register("t", truth.append_column("dob", dob).append_column("rid", pa.array(range(truth.num_rows))))
    con.execute(_RECORDS)
    rows = con.execute(f"SELECT a.entity = b.entity, count(*) FROM r a JOIN r b ON a.nk = b.nk AND a.y = b.y "
                       f"AND a.md = b.md AND a.rid < b.rid WHERE NOT {_conflict('a', 'b')} "
                       f"AND {_agree('a', 'b')} = 7 GROUP BY ALL").fetchall()
    con.close()
    found = {bool(same): int(n) for same, n in rows}
    return {"true": found.get(True, 0), "false": found.get(False, 0)}
