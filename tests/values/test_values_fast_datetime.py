"""The fast reader of machine-written date-times gives exactly what the full reader gives, or steps aside."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from hopnhat.values import dates
from hopnhat.values.core import Options, Parsed

TODAY = dt.date(2025, 7, 1)
FORMAT_SETS = [("iso8601",), ("dd/mm/yyyy HH:MM",), dates.DEFAULT_DATETIME_FORMATS, ("yyyy-mm-dd", "excel_serial"),
               ("dd/mm/yyyy HH:MM", "mm/dd/yyyy"), ("yyyy",)]


def _both(formats: tuple[str, ...], text: str) -> tuple[Parsed | None, Parsed]:
    spec = dates.DateSpec.of(formats, True)
    fast = dates._fast_datetime(spec, TODAY)
    quick = fast(text) if fast is not None else None
    return quick, dates.parse_datetime(text, spec, TODAY)


def _two(n: int) -> st.SearchStrategy[str]:
    return st.integers(0, n).map(lambda v: f"{v:02d}")


_year = st.sampled_from(["0000", "0001", "1753", "1800", "1879", "1880", "1899", "1900", "1990", "2024", "2025",
                         "2026", "2027", "9999"])
_offset = st.sampled_from(["", "Z", "z", "+07:00", "-05:00", "+14:00", "+15:00", "+07:60", "+0700", " +07:00"])
_frac = st.sampled_from(["", ".5", ".123456", ".1234567", ",5"])


@st.composite
def iso_texts(draw: st.DrawFn) -> str:
    sep = draw(st.sampled_from(["T", "t", " "]))
    secs = draw(st.one_of(st.just(""), _two(61).map(lambda s: ":" + s)))
    frac = draw(_frac) if secs else ""
    return (f"{draw(_year)}-{draw(_two(13))}-{draw(_two(32))}{sep}{draw(_two(25))}:{draw(_two(61))}{secs}{frac}"
            f"{draw(_offset)}")


@st.composite
def dmy_texts(draw: st.DrawFn) -> str:
    secs = draw(st.one_of(st.just(""), _two(61).map(lambda s: ":" + s)))
    sep = draw(st.sampled_from([" ", "  ", "T"]))
    return f"{draw(_two(32))}/{draw(_two(13))}/{draw(_year)}{sep}{draw(_two(25))}:{draw(_two(61))}{secs}"


@settings(max_examples=600)
@given(st.sampled_from(FORMAT_SETS), st.one_of(iso_texts(), dmy_texts()))
def test_fast_reader_agrees_with_the_full_reader(formats: tuple[str, ...], text: str) -> None:
    quick, full = _both(formats, text)
    if quick is not None:
        assert quick == full


def test_fast_reader_answers_the_common_shapes() -> None:
    quick, full = _both(("iso8601",), "2024-06-01T07:35:28+07:00")
    assert quick is not None and quick == full and full.value == dt.datetime(2024, 6, 1, 7, 35, 28)
    quick, full = _both(("iso8601",), "2024-06-01T00:35:28Z")
    assert quick == full and full.value == dt.datetime(2024, 6, 1, 7, 35, 28)
    quick, full = _both(("dd/mm/yyyy HH:MM",), "05/07/2024 12:21")
    assert quick == full and full.value == dt.datetime(2024, 7, 5, 12, 21)


def test_fast_reader_steps_aside_for_what_needs_judging() -> None:
    for formats, text in [(("iso8601",), "1900-01-01T00:00:00"), (("iso8601",), "2024-02-30T10:00:00"),
                          (("iso8601",), "2031-01-01T10:00:00"), (("dd/mm/yyyy HH:MM",), "31/02/2024 10:00"),
                          (("dd/mm/yyyy HH:MM",), "00/00/2024 10:00"), (("iso8601",), "2024-06-01T25:00:00")]:
        quick, full = _both(formats, text)
        assert quick is None and full.problems, text


def test_the_column_parser_uses_it() -> None:
    parse = dates.datetime_parser(Options(("iso8601",), None, ".", TODAY))
    assert parse("2024-06-01T07:35:28+07:00").value == dt.datetime(2024, 6, 1, 7, 35, 28)
    assert parse("1900-01-01T00:00:00").extras == {}  # placeholder: the full reader's answer
