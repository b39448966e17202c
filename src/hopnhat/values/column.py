"""Parsing a whole column: each distinct cell once, column rules, then the per-row context checks.

Why per distinct value: legacy columns repeat (a 1 M-row birth-date column has ~40 k distinct dates; a status column
ten values). The parse of a cell depends only on the cell and the column options, so the result is computed once and
fanned out with C-level ``map`` calls. Results are also kept between calls (bounded) for the same options, so a map
stage that feeds a table in batches pays for each distinct value once per run (up to ``MAX_CACHED_VALUES`` values per
column options, the first ones seen; the rest are parsed again in each call).

Column rules, the only place a cell's reading depends on its neighbours (documented in their modules):
``date`` — 01/01 used habitually means year only (:func:`hopnhat.values.dates.habitual_reading`; a caller feeding a
table in batches passes the first batch's reading on, so every batch is read alike);
``sex`` — ``0`` beside ``2`` is ISO 5218 "not known" (:func:`hopnhat.values.sex.iso_zero_rule`).
Row context (``id_number`` only): a CCCD contradicting the row's birth year or sex gets a warning ``id_inconsistent``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hopnhat.errors import ConfigError, InputError
from hopnhat.i18n import language
from hopnhat.values import dates, identity, numbers, phones, sex, status, taxcode, text
from hopnhat.values.core import EXTRA_SUFFIXES, KINDS, Options, Parsed, Problem

Builder = Callable[[Options], Callable[[str], Parsed]]
PARSERS: dict[str, Builder] = {
    "text": text.text_parser, "date": dates.date_parser, "datetime": dates.datetime_parser,
    "integer": numbers.integer_parser, "decimal": numbers.decimal_parser, "id_number": identity.id_parser,
    "tax_code": taxcode.tax_parser, "phone": phones.phone_parser, "sex": sex.sex_parser,
    "status": status.status_parser,
}
DATE_FORMATS = ("dd/mm/yyyy", "mm/dd/yyyy", "yyyy-mm-dd", "yyyy", "excel_serial", "iso8601", "dd/mm/yyyy HH:MM",
                "yyyymmdd", "dd-mm-yyyy", "dd.mm.yyyy")  # = hopnhat.project.config.DATE_FORMATS (checked by a test)
MAX_CACHED_COLUMNS = 32
MAX_CACHED_VALUES = 250_000
_TEXT_TYPES = {str, type(None)}  # cells of these types are their own cache keys
_CACHE: OrderedDict[tuple[Any, ...], tuple[Callable[[str], Parsed], dict[Hashable, Parsed]]] = OrderedDict()


@dataclass
class ColumnResult:
    """Parsed values aligned with the cells, extra columns by suffix, and (row index, problem) pairs in row order."""

    values: list[Any]
    extras: dict[str, list[Any]] = field(default_factory=dict)
    problems: list[tuple[int, Problem]] = field(default_factory=list)
    habitual: dates.Habitual | None = None  # the date column's 01/01 reading used (None: not decided)

    def error_rows(self) -> set[int]:
        """Rows whose value is unusable."""
        return {i for i, p in self.problems if p.severity == "error"}

    def counts(self) -> Counter[str]:
        """How many rows each problem code concerns."""
        return Counter(p.code for _, p in self.problems)


def make_options(kind: str, formats: Sequence[str] | None = None, values: Mapping[str, Any] | None = None,
                 decimal: str = ".", today: dt.date | None = None) -> Options:
    """Validated, hashable column options; a wrong option is a :class:`ConfigError` (the merger file is wrong)."""
    if kind not in KINDS:
        raise ConfigError(f"unknown value kind {kind!r}", reason=f"known: {', '.join(KINDS)}")
    bad = [f for f in formats or () if f not in DATE_FORMATS]
    if bad:
        raise ConfigError(f"unknown date format(s) {bad}", reason=f"known: {', '.join(DATE_FORMATS)}")
    if decimal not in (",", "."):
        raise ConfigError(f"decimal must be ',' or '.', not {decimal!r}")
    return Options(tuple(formats) if formats else None, tuple(values.items()) if values is not None else None,
                   decimal, today or dt.date.today())


def clear_cache() -> None:
    """Forget every cached parse (benchmarks measure cold runs with it)."""
    _CACHE.clear()


def _cached(kind: str, opts: Options) -> tuple[Callable[[str], Parsed], dict[Hashable, Parsed]]:
    key = (kind, opts, language())
    hit = _CACHE.get(key)
    if hit is None:
        hit = (PARSERS[kind](opts), {})
        _CACHE[key] = hit
        while len(_CACHE) > MAX_CACHED_COLUMNS:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return hit


def _empty(kind: str) -> Parsed:
    return Parsed(None, dict.fromkeys(EXTRA_SUFFIXES.get(kind, ())))


def _as_text(cell: object) -> str | None:
    """A non-text cell (SQL integer, Excel float, Decimal) as the text it stands for; NaN is empty."""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float):
        if math.isnan(cell):
            return None
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e16 else repr(cell)
    if isinstance(cell, Decimal):
        return format(cell, "f")
    return str(cell)


def _parse_cell(kind: str, opts: Options, parse: Callable[[str], Parsed], cell: object) -> Parsed:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return _empty(kind)
    if isinstance(cell, str):
        return parse(cell)
    if kind in ("integer", "decimal") and isinstance(cell, (int, float, Decimal)) and not isinstance(cell, bool):
        if isinstance(cell, float) and math.isnan(cell):
            return _empty(kind)
        return numbers.parse_native_number(cell, kind == "integer")
    if isinstance(cell, dt.date) and kind in ("date", "datetime"):
        spec = dates.DateSpec.of(opts.formats, kind == "datetime")
        return dates.parse_native(cell, spec, opts.today, kind == "datetime")
    as_text = _as_text(cell)
    return _empty(kind) if as_text is None or not as_text.strip() else parse(as_text)


def parse_value(kind: str, cell: object, *, formats: Sequence[str] | None = None,
                values: Mapping[str, Any] | None = None, decimal: str = ".", today: dt.date | None = None) -> Parsed:
    """One cell on its own (no column rules, no row context)."""
    opts = make_options(kind, formats, values, decimal, today)
    parse, memo = _cached(kind, opts)
    key = _key(cell)
    found = memo.get(key)
    if found is None:
        found = _parse_cell(kind, opts, parse, cell)
        if len(memo) < MAX_CACHED_VALUES:
            memo[key] = found
    return found


def _key(cell: object) -> Hashable:
    try:
        hash(cell)
    except TypeError:
        return str(cell)
    return (type(cell), cell) if not isinstance(cell, str) and cell is not None else cell


def _distinct(kind: str, opts: Options, keys: list[Hashable], cells: Sequence[object]) -> dict[Hashable, Parsed]:
    """Each distinct cell parsed once; the shared cache keeps at most MAX_CACHED_VALUES per column options."""
    parse, memo = _cached(kind, opts)
    room = MAX_CACHED_VALUES - len(memo)
    table: dict[Hashable, Parsed] = {}
    firsts = dict(zip(keys, cells, strict=True)) if keys is not cells else None
    for key in dict.fromkeys(keys):
        found = memo.get(key)
        if found is None:
            found = _parse_cell(kind, opts, parse, firsts[key] if firsts is not None else key)
            if room > 0:
                memo[key] = found
                room -= 1
        table[key] = found
    return table


def _display(key: Hashable) -> str:
    """The cell a cache key stands for, as text (native cells are keyed as ``(type, value)``)."""
    if isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], type):
        cell = key[1]
        return cell.isoformat() if isinstance(cell, dt.date) else (_as_text(cell) or "")
    return str(key)


def _column_rules(kind: str, opts: Options, table: dict[Hashable, Parsed], keys: list[Hashable],
                  habitual: dates.Habitual | None) -> tuple[dict[Hashable, Parsed], dates.Habitual | None]:
    if kind == "date":
        if habitual is None and len(keys) >= dates.HABITUAL_MIN_DATES:
            habitual = dates.habitual_reading(table, Counter(keys))
        return (table if habitual is None else dates.apply_habitual(table, habitual, _display)), habitual
    if kind == "sex":
        return sex.iso_zero_rule(table, opts, _display), None
    return table, None


def _assemble(kind: str, table: dict[Hashable, Parsed], keys: list[Hashable]) -> ColumnResult:
    values = list(map({k: p.value for k, p in table.items()}.__getitem__, keys))
    extras = {suffix: list(map({k: p.extras.get(suffix) for k, p in table.items()}.__getitem__, keys))
              for suffix in EXTRA_SUFFIXES.get(kind, ())}
    bad = {k: p.problems for k, p in table.items() if p.problems}
    problems = [(i, pr) for i, k in enumerate(keys) if k in bad for pr in bad[k]] if bad else []
    return ColumnResult(values, extras, problems)


def _context_checks(result: ColumnResult, context: Mapping[str, Sequence[Any]]) -> None:
    """Warn where a CCCD contradicts the row's birth date or sex (``context`` lists align with the cells)."""
    n = len(result.values)
    births = context.get("birth_date") or [None] * n
    sexes = context.get("sex") or [None] * n
    if len(births) != n or len(sexes) != n:
        raise InputError("context lists must have one entry per cell", reason=f"{n} cells, {len(births)} birth dates, "
                         f"{len(sexes)} sexes")
    seen: dict[tuple[Any, ...], Problem | None] = {}
    added = []
    for i, (number, kind, birth, sx) in enumerate(zip(result.values, result.extras["_kind"], births, sexes,
                                                     strict=True)):
        if kind != "cccd" or (birth is None and sx is None):
            continue
        year = birth.year if isinstance(birth, dt.date) else birth
        key = (number, year, sx)
        if key not in seen:
            seen[key] = identity.consistency(number, year, sx)
        problem = seen[key]
        if problem is not None:
            added.append((i, problem))
    if added:
        result.problems = sorted(result.problems + added, key=lambda t: t[0])


def parse_column(kind: str, cells: Sequence[object], *, formats: Sequence[str] | None = None,
                 values: Mapping[str, Any] | None = None, decimal: str = ".",
                 context: Mapping[str, Sequence[Any]] | None = None, today: dt.date | None = None,
                 habitual: dates.Habitual | None = None) -> ColumnResult:
    """Parse every cell of a column of ``kind``; see the package docstring for the contract. ``habitual``: a date
    column's 01/01 reading decided earlier (a table's first batch); without it the cells given decide, and the
    result says what was used."""
    opts = make_options(kind, formats, values, decimal, today)
    cells = cells if isinstance(cells, list) else list(cells)
    keys = cells if set(map(type, cells)) <= _TEXT_TYPES else [_key(c) for c in cells]
    table, used = _column_rules(kind, opts, _distinct(kind, opts, keys, cells), keys, habitual)
    result = _assemble(kind, table, keys)
    result.habitual = used
    if context and kind == "id_number":
        _context_checks(result, context)
    return result
