"""Blocking joins on keys, run in compiled code over the records' values instead of as DuckDB joins.

Most of the person model's blocking joins are equalities of keys (``l.k_fam = r.k_fam AND l.byear + 1 = r.byear``),
filters of one record (``l.vague``) and ORs of those (:class:`hopnhat.link.joins.Keys`). DuckDB runs each as a hash
join and hands every pair over as Arrow, a batch at a time, to the first pass (:mod:`hopnhat.link.firstpass`): at 1 M
people 29 joins gave 17.7 M rows for ~6.4 CPU-s. Here the values of every key and filter are read once (one scan of
the features), and each join's pairs are found by :mod:`hopnhat.link.keyjoin_kernel`: each side's records sorted on a
hash of their keys, the records of one hash paired and their keys compared exactly.

The same pairs as the join's SQL, exactly: a key is an integer where DuckDB's value is one (integers, dates as days,
booleans), or a text's index in a dictionary of its values (texts, or integers beyond 32 bits); NULL equals nothing;
a filter or an OR holds where SQL says TRUE (NULL is not TRUE). A join with any other part (``abs(l.byear - r.byear)
<= 1``, a text function of both records) or a key of another type (a float) runs as SQL (:meth:`Join.sql`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hopnhat.errors import ConfigError
from hopnhat.link.joins import Join, Keys
from hopnhat.link.limits import in_stored_order

NULL_INT = -(2**31)
MAX_FILTERS = 32  # one bit each
_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}
Equality = tuple[str, str]  # (expression of l, expression of r), aliases dropped


@dataclass(frozen=True)
class Plan:
    """One join run on keys: the rows of :attr:`Values.vals` of its keys on each side, the filter bits each side
    needs, and its ORs (rows of atom, kind, x, y, k: kind 0 filter bit x of ``l``, 1 of ``r``, 2 ``vals[x, l] =
    vals[y, r]``, 3 ``abs(vals[x, l] - vals[y, r]) <= k``)."""

    join: Join
    lcols: np.ndarray
    rcols: np.ndarray
    lneed: int
    rneed: int
    parts: np.ndarray


@dataclass
class Values:
    """The records' values (``vals[row, uid]``: int32, NULL_INT for NULL) and filters (``bits[uid]``)."""

    vals: np.ndarray
    bits: np.ndarray


def _types(work: duckdb.DuckDBPyConnection, table: str, expressions: list[str]) -> dict[str, str]:
    """The type DuckDB gives each expression over ``table``'s records."""
    if not expressions:
        return {}
    rows = work.execute(f"DESCRIBE SELECT {', '.join(f'({e}) AS e{i}' for i, e in enumerate(expressions))} "
                        f"FROM {table}").fetchall()
    return {e: str(row[1]) for e, row in zip(expressions, rows, strict=True)}


def _equalities(keys: Keys) -> list[Equality]:
    """The join's pairs of expressions compared: its equalities, and those of its ORs (distances included)."""
    return [*keys.equal, *((p[1], p[2]) for atom in keys.any_of for p in atom if p[0] in ("=", "~"))]


def _filters(keys: Keys) -> list[str]:
    return [*keys.left, *keys.right, *(p[1] for atom in keys.any_of for p in atom if p[0] in ("l", "r"))]


def _kind(dtype: str) -> str | None:
    """How a key of DuckDB type ``dtype`` is read: ``int`` (its integer: integers, dates, booleans), ``text`` (coded
    in a dictionary), or None (not read: the join runs as SQL)."""
    if dtype in _INTEGERS or dtype in ("DATE", "BOOLEAN"):
        return "int"
    return "text" if dtype == "VARCHAR" else None


def _family(dtype: str) -> str:
    """Types whose values compare as they are read only among themselves (a date's days are not a number's value, a
    boolean's 0 / 1 not an integer's: SQL would cast one to the other)."""
    return dtype if dtype in ("DATE", "BOOLEAN") else "number" if dtype in _INTEGERS else dtype


def _keyable(keys: Keys, types: dict[str, str]) -> bool:
    """Every key of the join read the same way on both sides, every distance of integers, every filter a boolean."""
    for left, right in _equalities(keys):
        kind = _kind(types[left])
        if kind is None or kind != _kind(types[right]) or _family(types[left]) != _family(types[right]):
            return False
    nears = [e for atom in keys.any_of for p in atom if p[0] == "~" for e in p[1:3]]
    return all(_kind(types[e]) == "int" for e in nears) and all(types[f] == "BOOLEAN" for f in _filters(keys))


def _select(expression: str, dtype: str) -> str:
    """SQL: a key's value as it is read — an integer of 32 bits where its type fits in one, a BIGINT (checked when
    read: :func:`_integers`) or a text."""
    if dtype == "DATE":  # (days since 1970: a DATE is 32 bits of days)
        return f"CAST(({expression}) - DATE '1970-01-01' AS INTEGER)"
    if dtype in ("BOOLEAN", "TINYINT", "SMALLINT", "UTINYINT", "USMALLINT"):
        return f"CAST(({expression}) AS INTEGER)"
    if dtype in ("INTEGER", "VARCHAR"):
        return f"({expression})"
    return f"CAST(({expression}) AS BIGINT)"


def _read(work: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> pa.Table | None:
    """``columns`` (SQL) of ``table``'s records, row i the record of uid i; None when the uids are not 0 … n-1."""
    for ordered in (False, True):
        found = in_stored_order(work, f"SELECT uid, {', '.join(columns)} FROM {table}"
                                + (" ORDER BY uid" if ordered else ""))
        uids = np.asarray(found.column(0))
        if np.array_equal(uids, np.arange(len(uids), dtype=uids.dtype)):
            return found.drop_columns(found.column_names[0])
    return None


def _integers(column: pa.ChunkedArray, out: np.ndarray) -> bool:
    """An integer column into ``out`` as int32 (NULL_INT for NULL); False (``out`` not written) when a value does not
    fit in 32 bits or is NULL_INT itself."""
    values = np.asarray(column.fill_null(NULL_INT) if column.null_count else column)
    if len(values):
        low, high = values.min(), values.max()
        if low < NULL_INT or high > 2**31 - 1:
            return False
        if low == NULL_INT and np.count_nonzero(values == NULL_INT) != column.null_count:
            return False
    out[:] = values
    return True


def _coded(left: pa.ChunkedArray, right: pa.ChunkedArray | None) -> tuple[np.ndarray, np.ndarray]:
    """Each value's index in one dictionary of the values of both sides (equal exactly where the values are; NULL:
    NULL_INT)."""
    both = left if right is None else pa.chunked_array([*left.chunks, *right.chunks], left.type)
    codes = pc.dictionary_encode(both).combine_chunks().indices
    codes = np.asarray(codes.fill_null(NULL_INT)).astype(np.int32)
    return (codes, codes) if right is None else (codes[:len(left)], codes[len(left):])


class _Rows:
    """The rows of the values matrix (``rows`` of them at most), each made once: an integer expression's own row, a
    text equality's pair of rows (coded in one dictionary)."""

    def __init__(self, read: pa.Table, names: dict[str, str], types: dict[str, str], rows: int) -> None:
        self.read, self.names, self.types = read, names, types
        self.vals = np.empty((rows, read.num_rows), np.int32)
        self.used = 0
        self.index: dict[object, int] = {}

    def _row(self, key: object) -> int:
        self.index[key] = self.used
        self.used += 1
        return self.index[key]

    def equality(self, left: str, right: str) -> tuple[int, int]:
        if _kind(self.types[left]) == "int":
            ints = [self._integer(e) for e in (left, right)]
            if ints[0] is not None and ints[1] is not None:
                return ints[0], ints[1]
        key = ("coded", left, right)
        if key not in self.index:
            codes = _coded(self.read.column(self.names[left]),
                           None if left == right else self.read.column(self.names[right]))
            self.vals[self._row(key)] = codes[0]
            if left == right:
                self.index[("coded-r", left, right)] = self.index[key]
            else:
                self.vals[self._row(("coded-r", left, right))] = codes[1]
        return self.index[key], self.index[("coded-r", left, right)]

    def distance(self, left: str, right: str) -> tuple[int, int] | None:
        """The rows of two integer expressions (None where one does not fit in 32 bits: no dictionary keeps a
        distance)."""
        rows = self._integer(left), self._integer(right)
        return None if rows[0] is None or rows[1] is None else (rows[0], rows[1])

    def _integer(self, expression: str) -> int | None:
        key = ("int", expression)
        if key not in self.index:
            if not _integers(self.read.column(self.names[expression]), self.vals[self.used]):
                return None
            self._row(key)
        return self.index[key]

    def matrix(self) -> np.ndarray:
        return self.vals[:self.used]  # (the first rows of a C-ordered array: contiguous)


def plan(work: duckdb.DuckDBPyConnection, table: str,
         joins: Sequence[Join]) -> tuple[Values | None, list[Plan], list[Join]]:
    """The records' values of the keys and filters of ``joins`` over ``table`` (None when no join runs on keys),
    the joins run on keys, and those that run as SQL."""
    keyed = [(join, join.keys()) for join in joins]
    expressions = sorted({e for _, keys in keyed if keys for pair in _equalities(keys) for e in pair}
                         | {f for _, keys in keyed if keys for f in _filters(keys)})
    types = _types(work, table, expressions)
    usable = [(join, keys) for join, keys in keyed if keys is not None and _keyable(keys, types)]
    filters = sorted({f for _, keys in usable for f in _filters(keys)})
    while len(filters) > MAX_FILTERS:  # (more filters than bits: the joins of the last ones run as SQL)
        usable = [(join, keys) for join, keys in usable if filters[-1] not in _filters(keys)]
        filters = sorted({f for _, keys in usable for f in _filters(keys)})
    rest = [join for join in joins if all(join is not u for u, _ in usable)]
    if not usable:
        return None, [], rest
    values = sorted({e for _, keys in usable for pair in _equalities(keys) for e in pair})
    names = {e: f"v{i}" for i, e in enumerate(values)}
    read = _read(work, table, [f"{_select(e, types[e])} AS {names[e]}" for e in values]
                 + [f"coalesce(({f}), false) AS f{i}" for i, f in enumerate(filters)])
    if read is None:
        return None, [], list(joins)
    rows = _Rows(read, names, types, 2 * sum(len(_equalities(keys)) for _, keys in usable))
    plans = []
    for join, keys in usable:
        made = _plan(join, keys, rows, filters)
        if made is None:  # (a distance of integers beyond 32 bits)
            rest.append(join)
        else:
            plans.append(made)
    bits = np.zeros(read.num_rows, np.uint32)
    for i in range(len(filters)):
        bits |= np.asarray(read.column(f"f{i}")).astype(np.uint32) << np.uint32(i)
    return Values(rows.matrix(), bits), plans, rest


def _need(filters: Iterable[str], bits: list[str]) -> int:
    return sum(1 << bits.index(f) for f in set(filters))


def _plan(join: Join, keys: Keys, rows: _Rows, filters: list[str]) -> Plan | None:
    """The join's plan, or None when a distance's values do not fit in 32 bits."""
    pairs = [rows.equality(left, right) for left, right in keys.equal]
    parts: list[tuple[int, ...]] = []
    for atom, options in enumerate(keys.any_of):
        for part in options:
            if part[0] == "=":
                parts.append((atom, 2, *rows.equality(part[1], part[2]), 0))
            elif part[0] == "~":
                near = rows.distance(part[1], part[2])
                if near is None:
                    return None
                parts.append((atom, 3, *near, int(part[3])))
            else:
                parts.append((atom, 0 if part[0] == "l" else 1, filters.index(part[1]), 0, 0))
    return Plan(join, np.array([p[0] for p in pairs], np.int32), np.array([p[1] for p in pairs], np.int32),
                _need(keys.left, filters), _need(keys.right, filters),
                np.array(parts, np.int32).reshape(len(parts), 5))


def pairs(values: Values, plan: Plan,
          buffer: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (a < b, uids) of ``plan``'s join, as its SQL gives them (a pair twice where the join gives it
    twice: :attr:`Join.both`); written into ``buffer`` (two int64 arrays: views of them returned) when it is long
    enough."""
    try:
        from hopnhat.link.keyjoin_kernel import pairs as kernel_pairs
    except ImportError as exc:  # (a build without Cython or a C compiler: setup.py)
        raise ConfigError("the blocking joins on keys are not compiled: build the package with Cython and a C "
                          "compiler (make setup)", value="hopnhat.link.keyjoin_kernel") from exc
    return kernel_pairs(values.vals, values.bits, plan.lcols, plan.rcols, plan.lneed, plan.rneed, plan.parts,
                        plan.join.both, buffer)
