"""VISCII and Windows-1258 keep Đ/đ on the bytes Windows-1252 and Latin-1 give the Icelandic eth Ð/ð (0xD0, 0xF0)
(session 27): a VISCII or Windows-1258 cell whose other bytes are Latin-1 letters too (``Tàu cá NĐ-90345-TS``) showed
as ``Tàu cá NÐ-90345-TS``, as well formed as its reading, and stayed so. Cells are built by glibc iconv (VISCII) and
Python's cp1258 codec (``tests/text/independent.py``), not by this project's tables.
"""

from __future__ import annotations

import pytest
from tests.text import independent as ind

from hopnhat.repair.stage import ColumnRepairer
from hopnhat.text.cells import as_text

REGISTER = ["Nguyễn Văn Hùng", "Trần Thị Thuỷ", "Lê Đức Thọ", "Phạm Thị Hương", "Đỗ Văn Lượng", "Bùi Thị Ngọc Ánh",
            "Võ Văn Tần", "Huỳnh Thị Mỹ Lệ", "Tàu cá QB-90211-TS", "Đội 5, Nam Định"]
ETH = ["Tàu cá NĐ-90345-TS", "Đá Bàn", "Tàu NĐ 05"]
ICELANDIC = ["Guðrún Sigurðardóttir", "SIGURÐSSON", "Hörður", "Eðvarð Ólafsson"]


def _cells(texts: list[str], encoding: str) -> list[str]:
    return [as_text(raw) for raw in ind.encode_many(texts, encoding)]


def _read(cells: list[str]) -> list[str | None]:
    return ColumnRepairer("ghi_chu").repair(cells)[0]


@pytest.mark.parametrize("encoding", ["viscii", "cp1258"])
def test_the_bytes_of_dyet_read_as_dyet_not_eth(encoding: str) -> None:
    cells = _cells(REGISTER + ETH, encoding)
    assert "Tàu cá NÐ-90345-TS" in cells and "Ðá Bàn" in cells  # what the bytes show: the eth, other letters alike
    assert _read(cells) == REGISTER + ETH


@pytest.mark.parametrize("encoding", ["viscii", "cp1258"])
def test_an_eth_after_a_vowel_or_r_stays(encoding: str) -> None:
    """Icelandic writes ð after a vowel or r, never at a word's start: such clean cells are never changed."""
    assert _read(_cells(REGISTER, encoding) + ICELANDIC)[len(REGISTER):] == ICELANDIC


def test_a_column_of_another_table_gives_no_dyet() -> None:
    """In a TCVN3 or VNI register 0xD0 is no Đ: the rule leaves such a cell to the tables' own readings."""
    for encoding in ("tcvn3", "vni"):
        cells = _cells(REGISTER, encoding) + ["Tàu cá NÐ-90345-TS"]
        assert "Đ" not in (_read(cells)[-1] or "")


def test_a_unicode_column_keeps_the_eth() -> None:
    cells = REGISTER + ICELANDIC + ["Tàu cá NÐ-90345-TS"]
    assert _read(cells) == cells
