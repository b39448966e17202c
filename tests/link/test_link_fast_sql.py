"""The DuckDB-only guarded edit distances (engine.fast_sql) give every comparison level exactly as the plain SQL."""

from __future__ import annotations

import random
import re
from typing import Any

import duckdb
import pyarrow as pa

from hopnhat.link import person_model
from hopnhat.link.engine import fast_sql
from hopnhat.link.person_features import letter_bits

NAMES = ["hung nguyen van", "hung nguyen vna", "hnug nguyen van", "hung nguyen", "lan thi tran", "lan thi trn",
         "an le", "na le", "le van an", "nguyen van hung", None]
NUMBERS = ["049085001234", "049085001284", "049085002134", "049085991234", "49085001234", "201365309", None]


def _gammas(settings: dict[str, Any], con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    cols = []
    for comp in settings["comparisons"]:
        cases = " ".join(f"WHEN {lvl['sql_condition']} THEN {k}" for k, lvl in enumerate(comp["comparison_levels"])
                         if lvl["sql_condition"] != "ELSE")
        cols.append(f"CASE {cases} ELSE -1 END")
    sql = ", ".join(cols)
    sql = re.sub(r"\b(\w+)_([lr])\b", lambda m: f"{m.group(2)}.{m.group(1)}", sql)
    return con.execute(f"SELECT {sql} FROM f l JOIN f r ON l.uid < r.uid ORDER BY l.uid, r.uid").fetchall()


def test_fast_sql_gives_the_same_levels() -> None:
    rows = [(i, n, c) for i, (n, c) in enumerate((n, c) for n in NAMES for c in NUMBERS)]
    features = pa.table({
        "uid": [r[0] for r in rows], "name_sorted": [r[1] for r in rows],
        "ns_bits": pa.array([letter_bits(r[1]) for r in rows], pa.int32()),
        "giv": [r[1].split()[0] if r[1] else None for r in rows],
        "fam": [r[1].split()[-1] if r[1] else None for r in rows],
        "mid": [" ".join(r[1].split()[1:-1]) or None if r[1] else None for r in rows],
        "cccd": [r[2] if r[2] and len(r[2]) >= 11 else None for r in rows],
        "cmnd": [r[2] if r[2] and len(r[2]) == 9 else None for r in rows],
        # (read by the ID's levels on CCCDs one slip apart: person_model.OTHER_PERSON)
        "fg": [f"{r[1].split()[-1]} {r[1].split()[0]}" if r[1] else None for r in rows],
        "dm": pa.array([None] * len(rows), pa.int64()), "bday": pa.array([None] * len(rows), pa.int64()),
        "bmonth": pa.array([None] * len(rows), pa.int64()), "giv_acc_real": pa.array([None] * len(rows), pa.bool_()),
        "cc_year": pa.array([1985 if r[2] and len(r[2]) == 12 else None for r in rows], pa.int64()),
    })
    con = duckdb.connect()
    con.register("f", features)
    # the name levels on the columns this table has, and the ID levels that measure an edit distance
    names = {"comparisons": [{"comparison_levels": [lvl for lvl in person_model.NAME["comparison_levels"]
                                                     if "fg_" not in lvl["sql_condition"]
                                                     and "giv_acc" not in lvl["sql_condition"]]}]}
    ids = {"comparisons": [{"comparison_levels": [
        {"sql_condition": "damerau_levenshtein(cccd_l, cccd_r) = 1 OR damerau_levenshtein(cmnd_l, cmnd_r) = 1"},
        {"sql_condition": person_model.CONFLICTING_CCCD.replace("AND cc_year_l IS NOT NULL AND cc_year_r IS NOT NULL ",
                                                                "")}]}]}
    for settings in (names, ids):
        assert _gammas(fast_sql(settings), con) == _gammas(settings, con)
    assert fast_sql(fast_sql(ids)) == fast_sql(ids)  # idempotent: a saved model carries the fast text


def test_letter_bits() -> None:
    assert letter_bits("ab a") == 0b11 and letter_bits(None) is None


def test_a_cmnd_against_a_child_born_after_2007_contradicts() -> None:
    con = duckdb.connect()
    con.register("f", pa.table({"uid": [0, 1, 2], "cccd": [None, None, None], "cmnd": ["201137532", None, None],
                                "cc_year": pa.array([None, None, None], pa.int64()), "byear": [1980, 2012, 1990],
                                **{c: pa.array([None] * 3, pa.string()) for c in ("fg", "name_sorted")},
                                **{c: pa.array([None] * 3, pa.int64()) for c in ("dm", "bday", "bmonth")},
                                "giv_acc_real": pa.array([None] * 3, pa.bool_())}))
    levels = [lvl["label_for_charts"] for lvl in person_model.ID["comparison_levels"]]
    gammas = [row[0] for row in _gammas({"comparisons": [person_model.ID]}, con)]
    # pairs (0, 1), (0, 2), (1, 2): the CMND against the 2012 child contradicts; against 1990 it proves nothing
    assert [levels[g] for g in gammas] == ["CCCD digits contradict the other record", "no comparable number",
                                           "no comparable number"]


def _slips(word: str, rng: random.Random) -> str:
    """``word`` with one to three random slips: a letter changed, dropped, doubled, or two neighbours swapped."""
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(max(1, len(word) - 1))
        kind = rng.choice("cdis")
        if kind == "c":
            word = word[:i] + rng.choice("aeghnotu") + word[i + 1:]
        elif kind == "d" and len(word) > 1:
            word = word[:i] + word[i + 1:]
        elif kind == "i":
            word = word[:i] + word[i] + word[i:]
        elif len(word) > 1:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word


def test_guarded_edit_distances_agree_with_damerau_levenshtein_up_to_two() -> None:
    """The guarded name distance (length, letter sets, then ``levenshtein`` before ``damerau_levenshtein``) is the
    Damerau-Levenshtein distance wherever that is 0, 1 or 2, and at least 3 elsewhere — on names one to three slips
    apart (transpositions are where the two distances differ)."""
    rng = random.Random(7)
    base = ["hung nguyen van", "lan thi tran", "an le", "thanh tung pham", "diep hiep nu thanh ton", "ngoc anh"]
    words = sorted({w for b in base for w in [b] + [_slips(b, rng) for _ in range(60)]})
    con = duckdb.connect()
    con.register("w", pa.table({"s": words, "bits": pa.array([letter_bits(w) for w in words], pa.int32())}))
    for col, bits in (("name_sorted", True), ("giv", False)):
        fast = fast_sql({"comparisons": [{"comparison_levels": [
            {"sql_condition": f"damerau_levenshtein({col}_l, {col}_r)"}]}]})["comparisons"][0]
        guarded = fast["comparison_levels"][0]["sql_condition"]
        assert "levenshtein(" in guarded.replace("damerau_levenshtein(", "")
        sql = guarded.replace(f"{col}_l", "a.s").replace(f"{col}_r", "b.s")
        sql = sql.replace("ns_bits_l", "a.bits").replace("ns_bits_r", "b.bits") if bits else sql
        rows = con.execute(f"SELECT damerau_levenshtein(a.s, b.s) AS d, {sql} AS g FROM w a, w b").fetchall()
        assert len(rows) > 100_000 and {d for d, _ in rows} >= {0, 1, 2, 3}
        assert all((g == d) if d <= 2 else (g >= 3) for d, g in rows)
