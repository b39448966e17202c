"""Foreign names in official Vietnamese transcription, written as one word (session 27): saint names of Catholic
registers (``Têrêsa``, ``Matthêô``, ``Phanxicô Xaviê``) that the syllable check did not know, so that no reading of
such a cell was well formed and it was kept as its legacy bytes (TCVN3 ``T£R£SA``, VNI ``TEÂREÂSA``).

The rule is the transcription's, not a list: each syllable of the name is one of the national orthography or a closed
one on a toneless stop final (``Mat``), a vowel alone may follow an open syllable (``Mi-ca-e``), one tone mark at
most. Legacy bytes come from encoders this project did not write (``tests/text/independent.py``: glibc iconv for
TCVN3 and VISCII, Python's cp1258 codec, the VNI and VIQR tables written from their public descriptions).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.text import independent as ind

from hopnhat.repair.stage import ColumnRepairer
from hopnhat.text import legacy
from hopnhat.text.cells import as_text

TABLES = ("tcvn3", "vni", "cp1258", "cp1258-decomposed", "viscii", "mojibake", "viqr")
KINH = ["Nguyễn Văn Hùng", "Trần Thị Thuỷ", "Lê Đức Thọ", "Phạm Thị Hương", "Đỗ Văn Lượng", "Bùi Thị Ngọc Ánh",
        "Võ Văn Tần", "Huỳnh Thị Mỹ Lệ"]
SAINTS = ["Têrêsa Nguyễn Thị Lài", "Matthêô Trần Văn Hiển", "TÊRÊSA", "MATTHÊÔ", "Phanxicô Xaviê Lê Văn Đông",
          "Đaminh Phạm Văn Thọ", "Mátthêu Đỗ Văn Lợi", "Máccô Vũ Đình Tuệ", "Antôn Hoàng Văn Khải",
          "Giáo xứ Phát Diệm, Têrêsa Lài"]


def _cells(texts: list[str], encoding: str) -> list[str]:
    if encoding == "viqr":
        return [ind.viqr_encode(t).decode("ascii") for t in texts]
    return [as_text(raw) for raw in ind.encode_many(texts, encoding)]


def _read(cells: list[str]) -> list[str | None]:
    return ColumnRepairer("name").repair(cells)[0]


@pytest.mark.parametrize("word", ["Têrêsa", "TÊRÊSA", "Matthêô", "Phanxicô", "Xaviê", "Mátthêu", "Máccô", "Antôn",
                                  "Đaminh", "Phêrô", "Phaolô"])
def test_transcribed_names_are_well_formed(word: str) -> None:
    assert legacy.transcription(word) or legacy.is_syllable(word)


@pytest.mark.parametrize("word", ["Tếrếsa", "TEÂREÂSA", "MATTHEÂOÂ", "T£R£SA", "TÃŠRÃŠSA", "Thuí", "Martí", "José",
                                  "Hellô", "Wêrê", "Coáng", "MatthÊô", "Põloong", "Hòalan"])
def test_misreadings_and_foreign_spellings_are_not(word: str) -> None:
    """Two tone marks (a misreading changes vowels all over a word), VNI's â after a vowel, a letter no syllable
    has, a tone on a vowel alone, f/j/w/z, a capital inside a word."""
    assert not legacy.transcription(word)


def test_a_transcription_counts_against_a_reading_in_a_tie() -> None:
    """Accepted as well formed, but marked as a word that is no syllable of the national orthography."""
    assert legacy.marked("Têrêsa Lài")[0] == 1 and legacy.marked("Tê Lài")[0] == 0


@pytest.mark.parametrize("encoding", TABLES)
def test_saint_names_read_back_from_every_table(encoding: str) -> None:
    """A parish register typed in one table reads back whole, saint names included (they were left as bytes)."""
    assert _read(_cells([*KINH, *SAINTS], encoding)) == [*KINH, *SAINTS]


@pytest.mark.parametrize("minor", ["vni", "viscii", "cp1258"])
def test_saint_names_typed_in_another_table_in_a_tcvn3_register(minor: str) -> None:
    cells = _cells(KINH, "tcvn3") + _cells(KINH[:6], minor) + _cells(SAINTS, minor)
    assert _read(cells) == KINH + KINH[:6] + SAINTS


@pytest.mark.parametrize("encoding", TABLES)
def test_clean_cells_stay(encoding: str) -> None:
    """Clean Unicode and plain-ASCII cells in a legacy register are never changed."""
    plain = ["Teresa Lai", "Matthew 5", "Hello Studio", "Francisco Xavier"]
    cells = _cells(KINH, encoding) + SAINTS + plain
    assert _read(cells)[len(KINH):] == SAINTS + plain


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(("Tê", "rê", "sa", "Mat", "thê", "Phan", "xi", "cô", "Ma", "ri", "a", "Lu", "ca")),
                min_size=3, max_size=4), st.sampled_from(TABLES[:-1]))
def test_any_transcribed_name_reads_back(parts: list[str], encoding: str) -> None:
    """Property: a name of three or four transcription syllables, typed in any table among Kinh names, reads back
    and the Kinh names stay."""
    word = "".join(parts).capitalize()
    if not word[1:].islower() or not legacy.transcription(word) or word.isascii():
        return
    assert _read(_cells([*KINH, f"{word} Nguyễn Thị Lài"], encoding)) == [*KINH, f"{word} Nguyễn Thị Lài"]


# ------------------------------------------------------------------- VIQR hỏi before another word of the cell

VIQR_NAMES = ["Ỷ Lan", "Phủ Cam", "Nguyễn Thị Ỷ Lan", "Giáo xứ Phủ Cam", "Lê Thị Hải Yến"]


def test_the_hoi_mark_before_another_word_in_a_viqr_column() -> None:
    """RFC 1456 escapes a literal ``?`` after a vowel, so in a VIQR column ``Y? Lan`` is ``Ỷ Lan``."""
    cells = _cells(KINH + VIQR_NAMES, "viqr")
    assert "Y? Lan" in cells and "Phu? Cam" in cells
    assert _read(cells) == KINH + VIQR_NAMES


def test_a_question_before_a_word_that_gives_no_syllable_stays() -> None:
    """Even in a VIQR column: ``Why?`` and ``it?`` read with hỏi are no syllables (a stop final takes no hỏi)."""
    plain = ["Why? Lan said.", "Is it? Yes", "Who? Me"]
    cells = _cells(KINH, "viqr") + plain
    assert _read(cells)[len(KINH):] == plain


def test_plain_ascii_columns_keep_their_question_marks() -> None:
    """A column of plain ASCII text (no VIQR found in it) never changes: ``Y? Lan`` there stays as it is."""
    plain = ["Nguyen Van Hung", "Tran Thi Thuy", "Y? Lan", "Phu? Cam", "Why? Lan said.", "Who? Me", "Le Duc Tho"]
    assert _read(plain) == plain
