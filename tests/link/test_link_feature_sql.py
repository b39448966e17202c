"""The features' shortcuts in SQL give what the general expressions give: an ID cell of digits alone read without
splitting it, the placeholder test as a list of constants, the CCCD's year, sex and slice codes by arithmetic on its
number (link/person_features.py)."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hopnhat.link import person_features as pf

_PREFIXES = ", ".join(f"'{p}'" for p in sorted(pf._old_province_prefixes()))
_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=14)
# cells as registers write them: digits alone, grouped, several numbers, a float's ending, words, other scripts' digits
_CELLS = st.one_of(_DIGITS, st.text(alphabet="0123456789 .-/:CMNDcd٠١٢", max_size=30),
                   st.sampled_from(["049090001234", "49090001234.0", "4.90850E+11", "201234567 - 049085001234",
                                    "CMND 201234567 / CCCD 049085001234", "049-085-001-234", "", "٠١٢٣٤٥٦٧٨٩"]))


@pytest.fixture(scope="module")
def work() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _column(work: duckdb.DuckDBPyConnection, sql: str, cells: Sequence[str | None]) -> list[object]:
    work.register("cells", pa.table({"c": pa.array(list(cells), pa.string()), "i": pa.array(range(len(cells)))}))
    try:
        return [row[0] for row in work.execute(f"SELECT {sql} FROM cells ORDER BY i").fetchall()]
    finally:
        work.unregister("cells")


def _numbers(sql_of_one: str) -> str:
    """The general reading: the cell split into its numbers (``_id_parts``), the first that ``sql_of_one`` keeps."""
    return f"list_filter(list_transform({pf._id_parts('c')}, lambda x: {sql_of_one}), lambda x: x IS NOT NULL)[1]"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), _CELLS), max_size=40))
def test_a_cell_of_digits_alone_is_read_as_the_split_reads_it(work: duckdb.DuckDBPyConnection,
                                                               cells: list[str | None]) -> None:
    only = _column(work, pf._only_digits("c"), cells)
    assert only == [c if c is not None and c.isascii() and c.isdigit() else None for c in cells]
    fast = _column(work, f"[{pf._cccd_of('c', _PREFIXES)}, {pf._cmnd_of('c')}]", cells)
    split = _column(work, f"[{_numbers(pf._cccd_of('x', _PREFIXES))}, {_numbers(pf._cmnd_of('x'))}]", cells)
    for cell, one, general in zip(cells, fast, split, strict=True):
        if cell is not None and cell.isascii() and cell.isdigit():
            assert one == general, cell


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), _CELLS), max_size=40))
def test_the_digits_of_a_cell_are_those_the_rewrite_leaves(work: duckdb.DuckDBPyConnection,
                                                           cells: list[str | None]) -> None:
    general = "nullif(regexp_replace(coalesce(c, ''), '[^0-9]', '', 'g'), '')"
    assert _column(work, pf._digits("c"), cells) == _column(work, general, cells)


def test_the_placeholder_lists_hold_exactly_the_placeholders(work: duckdb.DuckDBPyConnection) -> None:
    for width in (9, 12):
        listed = list(pf.placeholders(width))
        assert len(listed) == len(set(listed)) and all(len(p) == width for p in listed)
        near = [p[:-1] + str((int(p[-1]) + 1) % 10) for p in listed]  # one digit off: most are not placeholders
        cells = [*listed, *near, "1" * (width + 1), "12345", "049090001234", "0905123456"[:width], None]
        general = _column(work, pf._placeholder("c"), cells)
        assert _column(work, pf._placeholder_sized("c", width), cells) == general
        exact = [c for c in cells if c is not None and len(c) == width]
        assert _column(work, pf._placeholder_of("c", width), exact) == _column(work, pf._placeholder("c"), exact)
        assert all(_column(work, pf._placeholder("c"), listed))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), _DIGITS, st.text(alphabet="0123456789", min_size=12, max_size=12)),
                max_size=40))
def test_the_cccd_slices_codes_are_the_texts(work: duckdb.DuckDBPyConnection, cells: list[str | None]) -> None:
    numbered = "(SELECT c AS cccd, CASE WHEN length(c) = 12 THEN CAST(c AS BIGINT) END AS cc_num, i FROM cells)"
    for key in pf._CCCD_SLICES:
        sql = f"(SELECT {pf._slice_code(key)} = CAST('1' || {key} AS BIGINT) FROM {numbered} n WHERE n.i = cells.i)"
        assert all(same is not False for same in _column(work, sql, cells)), key


def test_a_cccd_without_its_leading_zeros_is_read_back_where_the_province_is_one(
        work: duckdb.DuckDBPyConnection) -> None:
    provinces = sorted(pf._old_province_prefixes())
    eleven = [p[1:] + "090001234" for p in provinces if p.startswith("0")]
    ten = [p[2:] + "090001234" for p in provinces if p.startswith("00")]
    others = ["990090001234"[1:], "0990001234"[:10], "99090001234", "9090001234", "049090001234", "12345"]
    cells = [*eleven, *ten, *others]
    expected = ["0" + c if len(c) == 11 and "0" + c[:2] in provinces
                else "00" + c if len(c) == 10 and "00" + c[:1] in provinces
                else c if len(c) == 12 else None for c in cells]
    assert _column(work, pf._cccd_of("c", _PREFIXES), cells) == expected
    assert all(expected[:len(eleven) + len(ten)]) and expected[-2] == "049090001234"
