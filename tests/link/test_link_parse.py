"""hopnhat.link.parse: text cells cleaned directly give what the column parser gives."""

from __future__ import annotations

import unicodedata

import pyarrow as pa

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
