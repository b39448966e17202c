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
