"""Typed value parsers for the map stage: every cell of a typed field becomes a value, extra columns and problems.

Call :func:`parse_column` once per source column::

    from hopnhat.values import parse_column
    result = parse_column("date", ["12/05/1990", "1975", "31/02/1990"], formats=["dd/mm/yyyy", "yyyy"])
    result.values                 # [date(1990, 5, 12), date(1975, 1, 1), None]
    result.extras["_quality"]     # ["exact", "year_only", None]
    result.problems               # [(2, Problem("impossible_date", "Ngày '31/02/1990' không có trên lịch", "error"))]

Kinds: text, date, datetime, integer, decimal, id_number, tax_code, phone, sex, status (the merger file's field
types except admin_*). Options are the column's merger-file options: ``formats`` (date kinds), ``values`` (status:
local → national code; text: code → text; sex: local → Nam/Nữ), ``decimal`` (numbers); ``context`` gives row-aligned
``birth_date``/``sex`` lists for CCCD consistency; ``today`` bounds future dates (default: the day of the run).

Contract: an empty/whitespace/None cell gives ``None`` and no problem. A problem with severity ``error`` means the
value is ``None`` (unusable); ``warning`` means the value is kept but flagged. Every message (Vietnamese by default,
via :func:`hopnhat.i18n.tr`) quotes the offending value. Each distinct cell is parsed once.
The rules of each kind are documented in its module: :mod:`.dates`, :mod:`.identity`, :mod:`.taxcode`,
:mod:`.phones`, :mod:`.sex`, :mod:`.numbers`, :mod:`.status`, :mod:`.text`; problem codes in :data:`PROBLEM_CODES`.
"""

from __future__ import annotations

from hopnhat.values.codes import PROBLEM_CODES
from hopnhat.values.column import ColumnResult, clear_cache, make_options, parse_column, parse_value
from hopnhat.values.core import EXTRA_SUFFIXES, KINDS, Options, Parsed, Problem
from hopnhat.values.identity import CccdInfo, decode_cccd

__all__ = ["EXTRA_SUFFIXES", "KINDS", "PROBLEM_CODES", "CccdInfo", "ColumnResult", "Options", "Parsed", "Problem",
           "clear_cache", "decode_cccd", "make_options", "parse_column", "parse_value"]
