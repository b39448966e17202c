"""A cheap upper bound of a pair's match weight, to skip the pairs that cannot reach the scoring floor.

Most candidate pairs the blocking rules give score far below the floor (at a million people, 8.3 M candidates for
about a million pairs kept): a name and a birth year in common, and the middle name, the ID or the phone apart.
Splink's comparison SQL computes every level of every comparison for each of them, edit distances included. The bound
is computed from the same level conditions, with every edit distance replaced by cheap limits of it, before the
comparison SQL; a pair whose bound is below the floor is not compared at all. Being an upper bound, it drops no pair
the floor keeps: the scored pairs (their levels, weights and probabilities) are the same.

How a comparison's bound is built (:func:`comparison_bound`), level by level as Splink's ``CASE`` reads them, the first
level whose condition holds giving the weight:

- a condition without an edit distance is evaluated exactly;
- a condition with one is read twice, as a condition that holds whenever it holds (:func:`relaxed`, "possible") and as
  one that holds only when it holds ("certain"): ``AND``, ``OR``, ``coalesce`` and the results of a ``CASE`` keep the
  order false < null < true of SQL's three-valued logic, ``NOT`` reverses it, and an edit distance ``d`` of two texts
  is compared through ``lo ≤ d`` (:func:`_low`) and ``d = 0`` exactly where the texts are equal;
- the bound of levels ``i…n`` is the weight of level ``i`` where it is certain, else the larger of its weight (where
  possible) and the bound of levels ``i+1…n``; the last level (``ELSE``) bounds itself;
- a level's weight is Splink's (m/u; 0 for the null level) plus, for a level with a term-frequency adjustment, the
  adjustment computed as Splink computes it, from the pair's own term frequencies.

The pair's bound is the prior's weight plus each comparison's bound. The edit distance's lower limit ``lo`` is 0 for
two equal texts, else the largest of 1, the difference of their lengths, half the letters a–z in one text and not the
other (rounded up; for the columns in :data:`LETTER_BITS`) and 2 for texts of one length more than two positions apart
(``hamming``): one edit of Levenshtein or Damerau-Levenshtein — DuckDB's count bytes, and so does ``lo`` — changes the
length by at most one, one or two positions of a text of the same length (a transposition two), and the set of letters
by at most two of them.

A condition with anything else costly (another similarity function, an edit distance inside arithmetic) is read as
possible and never certain: the bound is then looser, never wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import sqlglot
from sqlglot import exp

DIALECT = "duckdb"
LETTER_BITS = {"name_sorted": "ns_bits"}  # a text column → its letters a–z as bits (person_features.letter_bits)
MARGIN = 1e-6  # bits: the bound and Splink sum the same weights in another order (rounding ≈ 1e-14)
_NONE = "-1e9"  # a level that cannot be the pair's: no weight
_DISTANCES = {"damerau_levenshtein", "levenshtein"}
_COSTLY = _DISTANCES | {"jaro_similarity", "jaro_winkler_similarity", "jaccard", "jarowinklersimilarity"}
_FLIP: dict[type[exp.Expr], type[exp.Expr]] = {exp.LT: exp.GT, exp.LTE: exp.GTE, exp.GT: exp.LT, exp.GTE: exp.LTE,
                                               exp.EQ: exp.EQ, exp.NEQ: exp.NEQ}


def _name(node: exp.Expr) -> str:
    return (node.name if isinstance(node, exp.Anonymous) else type(node).__name__).lower()


def _costly(node: exp.Expr) -> bool:
    return any(isinstance(n, exp.Func) and _name(n) in _COSTLY for n in node.walk())


def _sql(node: exp.Expr) -> str:
    return node.sql(dialect=DIALECT)


def _low(a: exp.Expr, b: exp.Expr) -> str:
    """SQL of ``lo`` (module doc), a lower limit of the edit distance of ``a`` and ``b``: null when either is null, as
    the distance is."""
    x, y = _sql(a), _sql(b)
    # (in bytes, as DuckDB's distances count; hamming only on texts of one length, in a CASE: DuckDB evaluates both
    # sides of an AND, and hamming refuses texts of two lengths)
    lows = [f"abs(strlen({x}) - strlen({y}))",
            f"CASE WHEN strlen({x}) <> strlen({y}) THEN 1 WHEN hamming({x}, {y}) > 2 THEN 2 ELSE 1 END"]
    if isinstance(a, exp.Column) and isinstance(b, exp.Column):
        bits = [_bits_column(c) for c in (a, b)]
        if bits[0] and bits[1]:
            lows.append(f"coalesce((bit_count(xor({bits[0]}, {bits[1]})) + 1) // 2, 0)")
    return (f"(CASE WHEN {x} IS NULL OR {y} IS NULL THEN NULL WHEN {x} = {y} THEN 0 "
            f"ELSE greatest(1, {', '.join(lows)}) END)")


def _bits_column(column: exp.Column) -> str | None:
    """The letter-bits column beside text column ``column`` (``name_sorted_l`` → ``ns_bits_l``, ``l.name_sorted`` →
    ``l.ns_bits``), if any."""
    name, table = column.name, column.table
    for text, bits in LETTER_BITS.items():
        for suffix in ("_l", "_r"):
            if not table and name == text + suffix:
                return bits + suffix
        if table and name == text:
            return f"{table}.{bits}"
    return None


def _distance_test(node: exp.Expr) -> tuple[str, str] | None:
    """(possible, certain) of ``distance(a, b) <op> k`` (either way round), else None."""
    if type(node) not in _FLIP:
        return None
    left, right, op = node.this, node.expression, type(node)
    if isinstance(left, exp.Literal):
        left, right, op = right, left, _FLIP[op]
    if not (isinstance(left, exp.Func) and _name(left) in _DISTANCES and isinstance(right, exp.Literal)
            and not right.is_string):
        return None
    args = [left.this, left.expression] if isinstance(left, exp.Levenshtein) else list(left.expressions)
    if len(args) != 2 or any(a is None or _costly(a) for a in args):
        return None
    value = right.to_py()
    if not isinstance(value, (int, float)) or value < 0:
        return None
    k, zero = _sql(right), value == 0
    x, y = _sql(args[0]), _sql(args[1])
    lo, same, apart = _low(args[0], args[1]), f"({x} = {y})", f"({x} <> {y})"
    # the distance d is 0 exactly where the texts are equal (and null where either is): "certain" from that, "possible"
    # from lo ≤ d; a test no pair can be certain of (d = 2: "false") or that any pair may pass (d <> 2: "true")
    tests: dict[type[exp.Expr], tuple[str, str]] = {
        exp.LTE: (f"{lo} <= {k}", same), exp.LT: (f"{lo} < {k}", "false" if zero else same),
        exp.GTE: ("true" if zero else apart, f"{lo} >= {k}"), exp.GT: (apart, f"{lo} > {k}"),
        exp.EQ: (same, same) if zero else (f"{lo} <= {k}", "false"),
        exp.NEQ: (apart, apart) if zero else ("true", f"{lo} > {k}")}
    return tests[op]


def _case(node: exp.Case) -> tuple[str, str]:
    """(possible, certain) of a searched ``CASE`` with boolean results, one ``WHEN`` at a time from the last."""
    default = node.args.get("default")
    possible, certain = relaxed(default) if default is not None else ("NULL", "NULL")
    for branch in reversed(node.args.get("ifs") or []):
        cond, result = branch.this, branch.args["true"]
        up, down = relaxed(result)
        if not _costly(cond):
            c = _sql(cond)
            possible = f"(CASE WHEN {c} THEN {up} ELSE {possible} END)"
            certain = f"(CASE WHEN {c} THEN {down} ELSE {certain} END)"
        else:
            c_up, c_down = relaxed(cond)
            possible = (f"((coalesce({c_up}, false) AND {up}) OR (NOT coalesce({c_down}, false) AND {possible}))")
            certain = (f"((coalesce({c_down}, false) AND {down}) OR (NOT coalesce({c_up}, false) AND {certain}))")
    return possible, certain


def relaxed(node: exp.Expr) -> tuple[str, str]:
    """SQL (possible, certain) of boolean condition ``node``: ``possible`` is true wherever ``node`` is (and null
    where it is null, or true), ``certain`` true only where ``node`` is; both are ``node`` itself when nothing in it
    is costly. See the module doc."""
    if not _costly(node):
        return _sql(node), _sql(node)
    if isinstance(node, exp.Paren):
        up, down = relaxed(node.this)
        return f"({up})", f"({down})"
    if isinstance(node, (exp.And, exp.Or)):
        word = "AND" if isinstance(node, exp.And) else "OR"
        (a_up, a_down), (b_up, b_down) = relaxed(node.this), relaxed(node.expression)
        return f"({a_up} {word} {b_up})", f"({a_down} {word} {b_down})"
    if isinstance(node, exp.Not):
        up, down = relaxed(node.this)
        return f"(NOT {down})", f"(NOT {up})"
    if isinstance(node, exp.Coalesce):
        parts = [relaxed(a) for a in [node.this, *node.expressions]]
        return (f"coalesce({', '.join(p[0] for p in parts)})", f"coalesce({', '.join(p[1] for p in parts)})")
    if isinstance(node, exp.Case) and node.this is None:
        return _case(node)
    test = _distance_test(node)
    if test is not None:
        return test
    return "true", "false"


def _float(value: float) -> str:
    return f"CAST({value!r} AS DOUBLE)"


def _level_weight(level: Any, levels: list[Any], column: Callable[[str], str]) -> str:
    """SQL of the weight of ``level`` (a Splink ComparisonLevel) with its term-frequency adjustment, as Splink computes
    it (``ComparisonLevel._tf_adjustment_sql``)."""
    weight = _float(float(level._match_weight))
    if (level.is_null_level or level._is_else_level or not level._has_tf_adjustments
            or not level._tf_adjustment_weight):
        return weight
    tf = level._tf_adjustment_input_column
    left, right = column(tf.tf_name_l.strip('"')), column(tf.tf_name_r.strip('"'))
    u = math.log2(level._u_probability_corresponding_to_exact_match(levels))
    value = (f"greatest(coalesce({left}, {right}), coalesce({right}, {left}), "
             f"{_float(float(level._tf_minimum_u_value))})")
    return (f"({weight} + CASE WHEN coalesce({left}, {right}) IS NOT NULL THEN "
            f"{_float(float(level._tf_adjustment_weight))} * ({_float(u)} - log2({value})) ELSE 0 END)")


def comparison_bound(comparison: Any, column: Callable[[str], str],
                     condition: Callable[[str], str] = str) -> str | None:
    """SQL: an upper bound of the weight ``comparison`` (a Splink Comparison) gives a pair; None when a level has no
    weight (an untrained model). ``column`` maps a column of the comparison SQL (``fam_l``) to the SQL that reads it
    where the bound is evaluated; ``condition`` maps a level's SQL condition to the one to read (the plain edit
    distances of a condition written faster: sqlguards.fast_sql)."""
    levels = list(comparison.comparison_levels)
    if any(lvl._match_weight is None for lvl in levels):
        return None
    bound = _NONE  # no ELSE level: a pair no level takes has no weight (Splink's weight is null: never kept)
    for level in reversed(levels):
        weight = _level_weight(level, levels, column)
        if level._is_else_level:
            bound = weight
            continue
        tree = _renamed(sqlglot.parse_one(condition(level.sql_condition), read=DIALECT), column)
        if not _costly(tree):
            bound = f"CASE WHEN {_sql(tree)} THEN {weight} ELSE {bound} END"
        else:
            possible, certain = relaxed(tree)
            bound = (f"CASE WHEN {certain} THEN {weight} "
                     f"ELSE greatest(CASE WHEN {possible} THEN {weight} ELSE {_NONE} END, {bound}) END")
    return f"({bound})"


def _renamed(tree: exp.Expr, column: Callable[[str], str]) -> exp.Expr:
    def rename(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table:
            return sqlglot.parse_one(column(node.name), read=DIALECT)
        return node

    return tree.transform(rename)


def weight_bound(comparisons: list[Any], prior: float | None, column: Callable[[str], str] = str,
                 condition: Callable[[str], str] = str) -> str | None:
    """SQL: an upper bound of the match weight of a pair under ``comparisons`` (Splink Comparisons) and the prior
    ``prior`` (share of matching pairs); None when a comparison has none (:func:`comparison_bound`) or the prior is
    not a probability strictly between 0 and 1."""
    if prior is None or not 0.0 < prior < 1.0:
        return None
    parts = [comparison_bound(c, column, condition) for c in comparisons]
    if any(p is None for p in parts):
        return None
    return " + ".join([_float(math.log2(prior / (1 - prior))), *(p for p in parts if p is not None)])


def on_sides(name: str) -> str:
    """``fam_l`` → ``l.fam`` (a pair's column as read from the two records ``l`` and ``r`` of a join)."""
    for side in ("l", "r"):
        if name.endswith("_" + side):
            return f'{side}."{name[:-2]}"'
    return name
