"""The person model's edit distances as DuckDB runs them fast: each ``damerau_levenshtein`` of a comparison level
guarded by an exact cheaper test (:func:`fast_sql`), and undone (:func:`plain_condition`).

Only the SQL text Splink runs changes; the levels are the same (tests/link/test_link_fast_sql.py). Its own module so
that the scoring engine (:mod:`hopnhat.link.engine`), the training (:mod:`hopnhat.link.training`) and the compiled
first pass (:mod:`hopnhat.link.firstpass`) read one text without importing each other.
"""

from __future__ import annotations

from typing import Any

# DuckDB evaluates both sides of an AND inside a CASE and computes ``damerau_levenshtein`` slowly (≈ 5 µs a pair): on
# the random pairs that estimate u it was most of training. Each call below is guarded by an exact cheaper test.
# - two numbers of one length more than two digits apart (``hamming``) are more than one slip apart: the ID levels only
#   ask "= 1", "<= 1" or "> 1", so 3 stands for any distance ≥ 2;
# - two names whose lengths differ by more than two are more than two slips apart, likewise 3;
# - otherwise ``levenshtein`` first (six times cheaper in DuckDB): a transposition is one Damerau-Levenshtein edit and
#   two Levenshtein edits, every other edit one of each, so DL ≤ Lev ≤ 2·DL — Lev 0 or 1 is the DL, Lev ≥ 5 means DL
#   ≥ 3, and only Lev 2 to 4 needs the DL itself. The name levels ask "<= 1" or "<= 2": 3 stands for any DL ≥ 3.
_ID_DL = ("(CASE WHEN length({c}_l) <> length({c}_r) THEN damerau_levenshtein({c}_l, {c}_r) "
          "WHEN hamming({c}_l, {c}_r) > 2 THEN 3 ELSE damerau_levenshtein({c}_l, {c}_r) END)")
_NAME_DL = ("(CASE WHEN abs(length({c}_l) - length({c}_r)) > 2 {bits}THEN 3 "
            "ELSE CASE least(levenshtein({c}_l, {c}_r), 5) WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 5 THEN 3 "
            "ELSE damerau_levenshtein({c}_l, {c}_r) END END)")
# - the words of two names: also when their letter sets differ in more than four letters (person_features.letter_bits)
_BITS = "OR bit_count(xor(ns_bits_l, ns_bits_r)) > 4 "
_FAST = {f"damerau_levenshtein({c}_l, {c}_r)": (_ID_DL if c in ("cccd", "cmnd") else _NAME_DL).format(
    c=c, bits=_BITS if c == "name_sorted" else "") for c in ("cccd", "cmnd", "name_sorted", "giv", "fam")}


def fast_sql(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` with each comparison level's ``damerau_levenshtein`` guarded (:data:`_FAST`): the same levels,
    computed faster on DuckDB. Only the SQL text Splink runs changes; the model keeps the plain conditions."""
    comparisons = []
    for comp in settings.get("comparisons", []):
        levels = []
        for lvl in comp["comparison_levels"]:
            sql = lvl.get("sql_condition", "")
            for plain, fast in _FAST.items():  # idempotent: a model saved from a linker carries the fast text
                sql = sql.replace(fast, plain).replace(plain, fast)
            levels.append({**lvl, "sql_condition": sql})
        comparisons.append({**comp, "comparison_levels": levels})
    return {**settings, "comparisons": comparisons}


def plain_condition(sql: str) -> str:
    """A level's SQL condition with :func:`fast_sql`'s guards undone: its plain edit distances."""
    for plain, fast in _FAST.items():
        sql = sql.replace(fast, plain)
    return sql
