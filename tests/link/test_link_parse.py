"""hopnhat.link.parse: text cells cleaned directly, and dates read by Arrow, give what the column parser gives."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hopnhat.link.parse import DATE_FORMATS, parse_distinct
from hopnhat.values import dates, parse_column


def test_text_cleaned_directly_equals_the_column_parser() -> None:
    cells = ["Nguyễn Văn Hùng", "  Trần Thị Lan ", unicodedata.normalize("NFD", "Lê Hoà"), "Phạm\u200b Minh",
             "\u200b", "   ", "", None, "Nguyễn Văn Hùng", "\ufeffĐỗ An\u00a0", "Võ\tThị"]
    found = parse_distinct("text", pa.array(cells, pa.string()))[""].to_pylist()
    expected = parse_column("text", [c for c in cells if c is not None]).values
    assert [v for c, v in zip(cells, found, strict=True) if c is not None] == expected
    assert found[cells.index(None)] is None and found[2] == "Lê Hoà" and found[4] is None and found[5] is None


def test_the_invisible_characters_are_those_clean_removes() -> None:
    # parse_distinct calls clean() only on names holding one of INVISIBLE (NFC and strip do the rest): the two must
    # agree on which characters clean drops
    from hopnhat.link.parse import INVISIBLE
    from hopnhat.values.text import clean

    dropped = {chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF and clean(f"a{chr(c)}b") == "ab"}
    assert dropped == set(INVISIBLE)


def test_plain_text_is_what_cleaning_leaves_as_it_is() -> None:
    # every character of the PLAIN_TEXT class: cleaning (NFC, strip, invisible characters) leaves it, between letters
    # and at either end (but the two spaces, which the pattern allows inside only); and a character outside the class
    # is one of those (the pattern is not wider than it says)
    import re

    from hopnhat.link.parse import PLAIN_ENDS, PLAIN_TEXT
    from hopnhat.values.text import clean

    ends = re.compile(f"[{PLAIN_ENDS}]")
    for code in range(0x110000):
        ch = chr(code)
        if ends.fullmatch(ch):
            assert unicodedata.is_normalized("NFC", ch) and unicodedata.combining(ch) == 0 and not ch.isspace(), ch
            assert clean(ch) == ch and clean(f"a{ch}b") == f"a{ch}b" and clean(f"{ch}a{ch}") == f"{ch}a{ch}"
    assert {ch for ch in map(chr, range(0x100)) if re.fullmatch(PLAIN_TEXT, f"a{ch}a")} \
        == {ch for ch in map(chr, range(0x100)) if ends.fullmatch(ch)} | {" ", "\u00a0"}


_CELLS = st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from(
    ["a", "Đ", "ễ", "ư", " ", "\u00a0", "\t", "\n", "\u0301", "\u0300", "\u200b", "\ufeff", "\u2000", "\u3000",
     "\u1f71", "\u212b", "\u00c5", "\u030a", "\u0385", "\x1c", "\x85", "Ω", "ÿ", "ɏ", "ɐ", "ỹ", "Ỹ"]), max_size=6)),
    max_size=30)


@settings(max_examples=300, deadline=None)
@given(cells=_CELLS, cut=st.integers(0, 5))
def test_text_cells_cleaned_as_clean_does(cells: list[str | None], cut: int) -> None:
    # the plain cells are kept as they are, the others cleaned: each cell exactly clean(cell) or none when empty, also
    # for a slice of a column (Parquet hands over slices) and a column in chunks
    from hopnhat.values.text import clean

    column = pa.array(["x"] * cut + cells, pa.string()).slice(cut)
    expected = [None if c is None else clean(c) or None for c in cells]
    assert parse_distinct("text", column)[""].to_pylist() == expected
    chunked = pa.chunked_array([column[:len(cells) // 2], column[len(cells) // 2:]], pa.string())
    assert parse_distinct("text", chunked)[""].to_pylist() == expected


# --- dates: the plain days read by Arrow, the rest by the column parser; the same values and qualities -------------

_TODAY = dt.date(2025, 7, 1)
_FORMAT_SETS = [DATE_FORMATS, dates.DEFAULT_DATE_FORMATS, ("dd/mm/yyyy",), ("yyyy-mm-dd",), ("yyyymmdd",),
                ("excel_serial",), ("dd/mm/yyyy", "mm/dd/yyyy"), ("mm/dd/yyyy",), ("yyyy",)]


def _digits(low: int, high: int, width: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda v: f"{v:0{width}d}")


_YEAR = st.one_of(st.sampled_from(["0000", "0001", "1753", "1800", "1879", "1880", "1899", "1900", "1990", "2000",
                                   "2024", "2025", "2026", "9999"]), _digits(1870, 2030, 4))
_PART = st.one_of(_digits(0, 32, 2), _digits(0, 9, 1), st.just("01"), st.just("1"))
_DATE_CELL = st.one_of(
    st.builds(lambda d, m, y: f"{d}/{m}/{y}", _PART, _PART, _YEAR),
    st.builds(lambda y, m, d: f"{y}-{m}-{d}", _YEAR, _digits(0, 13, 2), _digits(0, 32, 2)),
    st.builds(lambda y, m, d: f"{y}{m}{d}", _YEAR, _digits(0, 13, 2), _digits(0, 32, 2)),
    st.sampled_from(["1990", "01/01/1990", "1/1/1985", "29/02/2000", "29/02/1900", "01/07/2025", "02/07/2025",
                     " 12/05/1990", "12/05/1990 ", "12-05-1990", "12.05.1990", "３/5/1990", "00/00/0000", "33000",
                     "1990-1-2", "abc", "", "  ", "01/01/1900"]),
    st.none())


def _column_parser(cells: Sequence[str | None], formats: tuple[str, ...]) -> tuple[list[object], list[object]]:
    """What parse_distinct gave before (each distinct cell through the column parser, its 01/01 rule included)."""
    distinct = list(dict.fromkeys(c for c in cells if c is not None))
    result = parse_column("date", distinct, formats=list(formats), today=_TODAY)
    value: dict[str | None, object] = dict(zip(distinct, result.values, strict=True))
    quality: dict[str | None, object] = dict(zip(distinct, result.extras["_quality"], strict=True))
    return [value.get(c) for c in cells], [quality.get(c) for c in cells]


@settings(max_examples=300, deadline=None)
@given(formats=st.sampled_from(_FORMAT_SETS), cells=st.lists(_DATE_CELL, max_size=80),
       january=st.integers(0, 12))
def test_dates_read_as_the_column_parser_reads_them(formats: tuple[str, ...], cells: list[str | None],
                                                    january: int) -> None:
    # plain days (read by Arrow) and the rest (the parser) alike, values and qualities, the 01/01 rule decided on the
    # distinct cells as the column parser decides it (``january`` first-of-January days to cross its bar)
    column = cells + [f"01/01/{1950 + i}" for i in range(january)] + [f"{1 + i % 28}/3/{1960 + i}" for i in range(60)]
    found = parse_distinct("date", pa.array(column, pa.string()), formats=list(formats), today=_TODAY)
    values, qualities = _column_parser(column, formats)
    assert found[""].to_pylist() == values
    assert found["_quality"].to_pylist() == qualities


def test_the_habitual_first_of_january_is_decided_over_both_readings() -> None:
    # five 01/01 days among 60 exact ones: the rule holds, for the plain days and for the parser's alike (a spaced
    # cell is not plain: the parser reads it exact); with four it does not
    for january, held in ((5, True), (4, False)):
        column = ([f" 01/01/{1950 + i}" for i in range(january - 1)] + ["1990-01-01"]
                  + [f"{1 + i % 28}/3/{1960 + i}" for i in range(60)])
        found = parse_distinct("date", pa.array(column, pa.string()), formats=list(DATE_FORMATS), today=_TODAY)
        assert found["_quality"].to_pylist()[:january] == ["year_only" if held else "exact"] * january
        assert found["_quality"].to_pylist() == _column_parser(column, DATE_FORMATS)[1]


def test_only_the_cells_the_fast_reader_leaves_reach_the_column_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1.45 M records hold ~90,000 distinct dates, all but ~100 plain: the parser sees only the others
    from hopnhat.link import parse

    seen: list[object] = []

    def spy(kind: str, cells: list[object], **options: object) -> object:
        seen.extend(cells)
        return parse_column(kind, cells, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(parse, "parse_column", spy)
    column = pa.array(["12/05/1990", "2/5/1990", "1990-05-12", "19900512", "1990", None, "31/02/1990", "12/05/1990"])
    found = parse_distinct("date", column, formats=list(DATE_FORMATS), today=_TODAY)
    assert sorted(map(str, seen)) == ["1990", "31/02/1990"]
    assert found[""].to_pylist() == [dt.date(1990, 5, 12), dt.date(1990, 5, 2), dt.date(1990, 5, 12),
                                     dt.date(1990, 5, 12), dt.date(1990, 1, 1), None, None, dt.date(1990, 5, 12)]
