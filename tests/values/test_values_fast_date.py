"""The fast reader of plain dates (``12/05/1990``, ``1990-05-12``, ``19900512``) gives exactly what the full reader
gives, or steps aside."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from hopnhat.link.parse import DATE_FORMATS
from hopnhat.values import dates, parse_column
from hopnhat.values.core import Options, Parsed

TODAY = dt.date(2025, 7, 1)
FORMAT_SETS = [DATE_FORMATS, dates.DEFAULT_DATE_FORMATS, ("dd/mm/yyyy",), ("yyyy-mm-dd",), ("yyyymmdd",),
               ("excel_serial",), ("dd/mm/yyyy", "mm/dd/yyyy"), ("mm/dd/yyyy",), ("yyyy",)]


def _both(formats: tuple[str, ...], text: str) -> tuple[Parsed | None, Parsed]:
    spec = dates.DateSpec.of(formats, False)
    fast = dates._fast_date(spec, TODAY)
    quick = fast(text) if fast is not None else None
    return quick, dates.parse_date(text, spec, TODAY)


def _digits(low: int, high: int, width: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda v: f"{v:0{width}d}")


_year = st.one_of(st.sampled_from(["0000", "0001", "1753", "1800", "1879", "1880", "1899", "1900", "1990", "2024",
                                   "2025", "2026", "9999"]), _digits(1870, 2030, 4))
_day = st.one_of(_digits(0, 32, 2), _digits(0, 9, 1))


@st.composite
def day_first(draw: st.DrawFn) -> str:
    return f"{draw(_day)}/{draw(_day)}/{draw(_year)}"


@st.composite
def year_first(draw: st.DrawFn) -> str:
    return f"{draw(_year)}-{draw(_digits(0, 13, 2))}-{draw(_digits(0, 32, 2))}"


@st.composite
def compact(draw: st.DrawFn) -> str:
    return f"{draw(_year)}{draw(_digits(0, 13, 2))}{draw(_digits(0, 32, 2))}"


@settings(max_examples=600)
@given(st.sampled_from(FORMAT_SETS), st.one_of(day_first(), year_first(), compact()))
def test_fast_reader_agrees_with_the_full_reader(formats: tuple[str, ...], text: str) -> None:
    quick, full = _both(formats, text)
    if quick is not None:
        assert quick == full


def test_fast_reader_answers_the_common_shapes() -> None:
    for text, day in [("12/05/1990", dt.date(1990, 5, 12)), ("2/5/1990", dt.date(1990, 5, 2)),
                      ("1990-05-12", dt.date(1990, 5, 12)), ("19900512", dt.date(1990, 5, 12)),
                      ("01/01/1990", dt.date(1990, 1, 1))]:
        quick, full = _both(DATE_FORMATS, text)
        assert quick is not None and quick == full and full.value == day and full.extras == {"_quality": "exact"}


def test_fast_reader_steps_aside_for_what_needs_judging() -> None:
    for formats, text in [(DATE_FORMATS, "01/01/1900"), (DATE_FORMATS, "30/02/1990"), (DATE_FORMATS, "13/13/1990"),
                          (DATE_FORMATS, "05/13/1990"), (DATE_FORMATS, "00/00/1990"), (DATE_FORMATS, "0/3/1990"),
                          (DATE_FORMATS, "12/05/1850"), (DATE_FORMATS, "12/05/2031"), (DATE_FORMATS, "1990-00-12"),
                          (DATE_FORMATS, "19901312"), (("dd/mm/yyyy", "mm/dd/yyyy"), "05/06/1990"),
                          (("mm/dd/yyyy",), "05/06/1990")]:
        quick, full = _both(formats, text)
        assert quick is None, (formats, text)
    _, full = _both(DATE_FORMATS, "05/13/1990")
    assert full.extras == {"_quality": "day_month_swapped"}  # the full reader's judgement, with its warning


def test_the_column_parser_uses_it_and_keeps_the_column_rules() -> None:
    parse = dates.date_parser(Options(DATE_FORMATS, None, ".", TODAY))
    assert parse("12/05/1990").value == dt.date(1990, 5, 12)
    assert parse("01/01/1900").extras == {"_quality": "placeholder"}  # the full reader's answer
    # the habitual 01/01 rule still sees the fast reader's dates: 01/01 is 10 % of these 60 full dates
    cells = [f"{d}/{m}/1990" for d in range(2, 20) for m in (3, 4, 5)] + ["01/01/1985"] * 6
    result = parse_column("date", cells, formats=list(DATE_FORMATS), today=TODAY)
    assert result.extras["_quality"][-1] == "year_only"
    assert result.extras["_quality"][0] == "exact"
