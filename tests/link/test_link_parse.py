"""hopnhat.link.parse: text cells cleaned directly give what the column parser gives."""

from __future__ import annotations

import unicodedata

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from hopnhat.link.parse import parse_distinct
from hopnhat.values import parse_column


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
