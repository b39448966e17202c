"""VIQR registers of minority names (session 25): the rhyme uên, a word that is no syllable beside a sure VIQR mark,
and a middle name marked by one tone at its end. VIQR is written here from RFC 1456 (``tests/text/independent.py``'s
encoder, which this project's decoder did not share)."""

from __future__ import annotations

import pytest
from tests.text import independent as ind

from hopnhat.repair.stage import ColumnRepairer
from hopnhat.text.legacy import is_syllable, viqr_reading

KINH = ["Nguyễn Văn Hùng", "Trần Thị Thuỷ", "Lê Đức Thọ", "Phạm Thị Hương", "Đỗ Văn Lượng", "Bùi Thị Ngọc Ánh"]


def _viqr(texts: list[str]) -> list[str]:
    return [ind.viqr_encode(t).decode("ascii") for t in texts]


def _read(names: list[str]) -> list[str | None]:
    return ColumnRepairer("name").repair(_viqr(KINH + names))[0][len(KINH):]


def test_uen_is_a_minority_rhyme() -> None:
    """Ê Đê and Jrai write uên (``Buên``); the national orthography has uân and uyên only."""
    assert is_syllable("Buên") and is_syllable("Kuên") and not is_syllable("Buoền")


def test_a_name_on_uen_reads_back() -> None:
    assert _read(["H'Buên Niê", "Y Kuên Mlô"]) == ["H'Buên Niê", "Y Kuên Mlô"]


def test_a_word_of_three_syllables_beside_a_sure_mark() -> None:
    """``Malanhé`` is no syllable and no two-syllable compound; beside ``DDie^?u`` (dd and a circumflex: VIQR for
    sure) it no longer stops the reading."""
    assert _read(["Malanhé Điểu"]) == ["Malanhé Điểu"]


def test_one_tone_at_a_word_end_that_makes_thi() -> None:
    """``Thi.`` is the middle name ``Thị`` in a VIQR column: one tone at a word's end was not enough."""
    assert _read(["Rahlan Thị Mai", "Ksor Thị Nga"]) == ["Rahlan Thị Mai", "Ksor Thị Nga"]


@pytest.mark.parametrize("cell", ["Done.", "Lam Thi.", "Thi. Ok", "Hello^ world", "x^2 + y^2",
                                  "O'Brien Thi"])
def test_plain_ascii_stays_on_its_own(cell: str) -> None:
    """On its own (no VIQR column) none of these is read; ``Hello^ world`` not even in a VIQR
    column (no syllable beside the word that is none)."""
    assert viqr_reading(cell) is None
    if "^" in cell:
        assert viqr_reading(cell, column=True) is None


def test_an_escaped_mark_is_undone_in_a_viqr_column() -> None:
    """RFC 1456 escapes a mark character meant as itself after a vowel (``A\\.`` is ``A.``, ``Hue\\?`` is ``Hue?``):
    only VIQR writes one, so in a VIQR column such a cell is read (it was left with its backslash); on its own, and a
    backslash elsewhere (``C:\\Users``), it stays."""
    assert _read(["A.", "Hue?", "Lê A."]) == ["A.", "Hue?", "Lê A."]
    assert viqr_reading("A\\.") is None and viqr_reading("C:\\Users", column=True) is None
    cells = [*_viqr(KINH), "C:\\Users", "x\\^2"]
    assert ColumnRepairer("name").repair(cells)[0][-2:] == ["C:\\Users", "x\\^2"]
