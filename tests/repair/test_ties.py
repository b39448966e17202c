"""Two well-formed readings of one cell that score the same (session 25): the least marked wins.

A legacy table keeps its toneless letters (ă â ê ô ơ ư đ) on a few bytes that the other tables give toned letters,
and the minority alphabets' own forms (clusters, r/l/h finals, âo, an open ă) are what a misreading of a Kinh name
most often turns well formed. So between readings with as many foreign words, syllables and everyday words the one
with fewer such forms — counted only in a cell that does not show a minority name — and then fewer tone marks wins.
Legacy bytes come from encoders this project did not write (``tests/text/independent.py``: glibc iconv, Python's
cp1258 codec, the VNI table written from its public description).
"""

from __future__ import annotations

import pytest
from tests.text import independent as ind

from hopnhat.repair.stage import ColumnRepairer, _small_among_capitals
from hopnhat.text.cells import as_text
from hopnhat.text.legacy import common_apart, marked

KINH = ["Nguyễn Văn Hùng", "Trần Thị Thuỷ", "Lê Đức Thọ", "Phạm Thị Hương", "Đỗ Văn Lượng", "Bùi Thị Ngọc Ánh",
        "Võ Văn Tần", "Huỳnh Thị Mỹ Lệ", "Đặng Quốc Bảo", "Hoàng Văn Thụ", "Lương Thị Hằng", "Ngô Văn Sở"]


def _cells(texts: list[str], encoding: str) -> list[str]:
    return [as_text(raw) for raw in ind.encode_many(texts, encoding)]


def _register(minor: str, names: list[str]) -> list[str | None]:
    """A register typed mostly in TCVN3 (the column's table), some names typed in another table, the names last."""
    cells = _cells(KINH, "tcvn3") + _cells(KINH[:6], minor) + _cells(names, minor)
    engine = ColumnRepairer("name")
    out = engine.repair(cells)[0]
    assert engine.encoding == "tcvn3" and out[:-len(names)] == KINH + KINH[:6]
    return out[-len(names):]


def test_the_minority_form_of_a_misreading_is_marked() -> None:
    """VISCII ``PÁO`` read as TCVN3 is ``PẦO``: âo is a rhyme of the Central Highlands alphabets only."""
    assert marked("VẮNG A PẦO")[0] == 1 and marked("VÀNG A PÁO")[0] == 0


def test_a_stop_final_without_a_tone_is_no_kinh_syllable() -> None:
    """Vietnamese gives a syllable on c, ch, p or t only sắc or nặng: TCVN3 ``Sãc`` read as Windows-1258 ``Săc``."""
    assert marked("Danh Săc")[0] == 1 and marked("Danh Sóc") == (0, 1)


def test_minority_forms_are_not_marked_in_a_minority_name() -> None:
    """An apostrophe prefix, a cluster word or ``Y`` first shows the cell is a minority name: its forms are expected
    there (``Kơ Să K'Bron`` stays beside the Windows-1252 reading ``Kõ Sã K'Bron``)."""
    assert marked("Kơ Să K'Bron") == (0, 0) and marked("Y Blơl") == (0, 0)


def test_a_letter_no_vietnamese_alphabet_has_is_marked_everywhere() -> None:
    """VISCII ``ự`` shows as Latin-1 ``ñ``: a letter of no Vietnamese alphabet, marked in a minority name too."""
    assert marked("Y Moan Ênuôl ñ") == (1, 0) and marked("Y Moan Ênuôl ự") == (0, 1)


@pytest.mark.parametrize("minor", ["viscii", "cp1258"])
def test_a_hmong_name_is_not_read_with_a_minority_rhyme(minor: str) -> None:
    """The VISCII and Windows-1258 bytes of ``VÀNG A PÁO`` read as the flawless TCVN3 ``VẮNG A PẦO`` (since âo
    became a rhyme); the column's table won the tie."""
    assert _register(minor, ["VÀNG A PÁO"]) == ["VÀNG A PÁO"]


@pytest.mark.parametrize("minor", ["viscii", "cp1258"])
def test_fewer_tone_marks_win_a_tie(minor: str) -> None:
    """VISCII and Windows-1258 keep ó and ê on their Latin-1 bytes, which TCVN3 reads as ú and ờ: ``Kim Sóc Hên``
    was read as ``Kim Súc Hờn``."""
    assert _register(minor, ["Kim Sóc Hên", "Danh Hên"]) == ["Kim Sóc Hên", "Danh Hên"]


@pytest.mark.parametrize("minor", ["viscii", "cp1258"])
def test_a_minority_name_keeps_its_own_rhyme(minor: str) -> None:
    """``Y Blơl`` (ơl, a minority final) beside the TCVN3 misreading ``Y Blẵl`` / ``Y Blừl``: both minority forms,
    the one without a tone mark wins."""
    assert _register(minor, ["Y Blơl"]) == ["Y Blơl"]


def test_vni_o_horn_beside_windows_1252_o_circumflex() -> None:
    """VNI writes ơ on the byte Windows-1252 shows as ô and TCVN3 reads as ụ: ``Siu Thơm`` reads as ``Siu Thôm``
    (the cell as it is), ``Siu Thụm`` and ``Siu Thơm``, all well formed. ``Thụm`` has a tone mark more; in a column
    whose non-ASCII cells all have Windows-1252 bytes (no Unicode text shown) the VNI reading wins over the cell as
    it is."""
    assert _register("vni", ["Siu Thơm", "Nay Sơn"]) == ["Siu Thơm", "Nay Sơn"]


def test_the_cell_as_it_is_keeps_a_tie_where_the_column_shows_unicode() -> None:
    """The same bytes in a column that holds Unicode text (``ơ``, ``ư``, ``đ`` have no Windows-1252 byte) are kept as
    they are: a clean ``Siu Thôm`` there never changes."""
    cells = KINH + _cells(KINH[:6], "vni") + ["Siu Thôm"]
    assert ColumnRepairer("name").repair(cells)[0][-1] == "Siu Thôm"


def test_tcvn3_stop_final_is_not_read_toneless() -> None:
    """A TCVN3 ``Danh Sóc`` among UTF-8 cells reads back, not as the Windows-1258 ``Danh Săc``."""
    cells = KINH + _cells(KINH[:6] + ["Danh Sóc", "Thạch Thị Sóc"], "tcvn3")
    assert ColumnRepairer("name").repair(cells)[0][-2:] == ["Danh Sóc", "Thạch Thị Sóc"]


def test_clean_cells_that_read_as_well_formed_tcvn3_stay() -> None:
    """Clean Unicode cells whose bytes read as flawless TCVN3 (``Kim Sóc Hên`` → ``Kim Súc Hờn``) never change."""
    clean = ["Kim Sóc Hên", "VÀNG A PÁO", "Danh Hên"]
    cells = _cells(KINH, "tcvn3") + clean
    assert ColumnRepairer("name").repair(cells)[0][-3:] == clean


# ------------------------------------------------------------------ everyday words both readings share

def test_a_word_both_readings_share_is_no_evidence() -> None:
    """TCVN3 ``Lý A Mí Chớ`` shows as ``Lý A MÝ Chí`` (``MÝ``: mis-cased, foreign): that view has two everyday words,
    ``Lý`` and ``Chí``, against one foreign, and stayed as the column's (UTF-8) reading. ``Lý`` is in both readings;
    counted where they differ, one everyday word against one foreign: the flawless TCVN3 reading wins."""
    assert common_apart("Lý A MÝ Chí", "Lý A Mí Chớ") == 1
    assert common_apart("Lý A MÝ Chí", "Lý A MÝ") == 2  # another number of words: all of them count
    names = ["Lý A Mí Chớ", "Lý Sí Chớ"]
    cells = KINH + _cells(KINH[:6] + names, "tcvn3")
    assert ColumnRepairer("name").repair(cells)[0][-2:] == names


def test_vni_vu_thi_yn_keeps_the_columns_reading() -> None:
    """VNI ``VŨ THỊ ỸN`` (``ỹn`` is no syllable) beside the flawless TCVN3 ``VUẾ THỀ YẾN``: every word differs, and its
    two everyday words against one foreign keep the column's VNI reading (the rule this refines)."""
    cells = _cells(KINH + ["VŨ THỊ ỸN"], "vni")
    assert ColumnRepairer("name").repair(cells)[0][-1] == "VŨ THỊ ỸN"


def test_a_declared_legacy_column_takes_its_tables_flawless_reading() -> None:
    """TCVN3 writes ``Ẩ`` on ``0xC2``, which Windows-1252 shows as ``Â``: the given name ``Ẩn`` alone looks like the
    flawless ``Ân``. Detected, the column leaves that tie to what the cell shows (a clean cell is never made worse:
    above); declared ``tcvn3`` in the merger file, the user's word decides and the cell is TCVN3. ``Ân`` itself
    (``0xA2`` in TCVN3) stays ``Ân``; a cell no TCVN3 reading makes flawless is judged as before. The declaration
    is taken at its word for every cell: ``Siu Thôm`` there (VNI ``Siu Thơm``, or clean text) is the TCVN3 ``Siu Thụm``
    — a column typed in several tables is left undeclared, and detected cell by cell. Bytes from glibc iconv."""
    given = ["Hùng", "Thuỷ", "Thọ", "Hương", "Ẩn", "Ân", "Ấn", "Ỷ"]
    cells = _cells(given, "tcvn3")
    assert ColumnRepairer("ten", encoding="tcvn3").repair(cells)[0] == given
    detected = ColumnRepairer("ten")
    assert detected.repair(cells)[0][4] == "Ân" and detected.encoding == "tcvn3"
    assert ColumnRepairer("ten", encoding="tcvn3").repair(["Nguyễn Thị Ửng"])[0] == ["Nguyễn Thị Ửng"]
    mixed = _cells(KINH, "tcvn3") + _cells(KINH[:6], "vni") + ["Siu Thôm"]
    assert ColumnRepairer("name", "tcvn3").repair(mixed)[0][-1] == "Siu Thụm"


# ------------------------------------------------------------- tables the column's census found no cells of

def _utf8_register(names: list[str], minor: str = "tcvn3") -> list[str | None]:
    """A register typed mostly in Unicode, some names in a legacy table (the census finds it), the names last."""
    cells = KINH + _cells(KINH[:8], minor) + _cells(names, minor)
    engine = ColumnRepairer("name")
    out = engine.repair(cells)[0]
    assert engine.encoding == "utf-8" and out[:-len(names)] == KINH + KINH[:8]
    return out[-len(names):]


def test_a_table_the_column_does_not_use_loses_a_tie() -> None:
    """TCVN3 ``Pờ Gò Xá`` (bytes ê ß ¸ to Windows-1252) reads as the flawless VISCII ``Pê Gư Xị`` with one tone mark
    instead of three. In a column of Unicode and TCVN3 cells no cell reads in VISCII alone: the tie goes to TCVN3."""
    assert _utf8_register(["Pờ Gò Xá", "PỜ LÝ XÉ"]) == ["Pờ Gò Xá", "PỜ LÝ XÉ"]


def test_everyday_words_do_not_bring_in_a_table_the_column_does_not_use() -> None:
    """TCVN3 ``Ẳng Cang`` reads as VISCII ``Ứng Cang`` (``Ứng``, a given name, breaks ties): equally well formed, and
    VISCII is no table of this column. (Two such cells of a small sample would be the census's two VISCII cells.)"""
    assert _utf8_register(["Ẳng Cang"]) == ["Ẳng Cang"]
    assert _utf8_register(["Ẳng Tở"]) == ["Ẳng Tở"]


def test_a_table_the_column_uses_keeps_the_tone_rule() -> None:
    """Where the census finds VISCII cells too, VISCII ``VÀNG A PÁO`` is still not TCVN3 ``VẮNG A PẦO``, and TCVN3
    ``Pờ Gò Xá`` beside VISCII cells is left to the marks as before (no table is favoured)."""
    cells = KINH + _cells(KINH[:8], "tcvn3") + _cells(KINH[:8], "viscii") + _cells(["VÀNG A PÁO"], "viscii")
    assert ColumnRepairer("name").repair(cells)[0][-1] == "VÀNG A PÁO"


def test_clean_cells_stay_beside_the_census() -> None:
    """Clean Unicode cells that read as flawless TCVN3 or VISCII (``Kim Sóc Hên``, ``Pê Gư Xị``) never change."""
    clean = ["Kim Sóc Hên", "Pê Gư Xị", "Ứng Cang", "VÀNG A PÁO", "Ân"]
    cells = KINH + _cells(KINH[:8], "tcvn3") + clean
    assert ColumnRepairer("name").repair(cells)[0][-len(clean):] == clean


# ---------------------------------------------------------------- a small word among capitalised ones

def test_a_small_word_among_capitals_is_marked() -> None:
    """One word on a small non-ASCII letter, alone or after capitalised words, is marked; a phrase in small letters
    and a small type word before names are not."""
    assert _small_among_capitals("ẳng") == 1 and _small_among_capitals("Ng. V. ẳng") == 1
    assert _small_among_capitals("Ửng") == 0 and _small_among_capitals("ẩn danh") == 0
    assert _small_among_capitals("ấp Tân Hoà") == 0 and _small_among_capitals("Lê ẳng ẳng") == 0


def test_viscii_capitals_are_not_tcvn3_small_letters() -> None:
    """VISCII keeps its toned capitals on bytes TCVN3 gives small letters: ``Ửng`` read as TCVN3 is ``ẳng``, as well
    formed, with as many tone marks. In a column of both tables the capitalised reading wins; TCVN3 phrases in
    small letters and addresses on a small type word stay TCVN3. Bytes from glibc iconv."""
    names = ["Ửng", "Ng. V. Ửng", "Ừng"]
    phrases = ["ẩn danh", "ấp Tân Hoà", "ầm ầm", "ở nhà", "ề à"]
    cells = _cells(KINH, "tcvn3") + _cells(KINH[:8], "viscii") + _cells(names, "viscii") + _cells(phrases, "tcvn3")
    assert ColumnRepairer("name").repair(cells)[0][-8:] == names + phrases


def test_an_everyday_word_does_not_keep_the_cell_in_a_legacy_column_without_unicode() -> None:
    """VNI writes ``Ơ`` on the byte Windows-1252 shows as ``Ô``: the given name ``Ơn`` alone shows as ``Ôn``, a family
    name of the tie-break list. In a VNI register that shows no Unicode text the cell as it is no longer wins on
    that word over the column's flawless reading (a tie there already went to the table); where the column shows
    Unicode text a clean ``Ôn`` stays. VNI bytes from the independent table."""
    given = ["Ơn", "Hùng", "Thuỷ", "Ơn Thị Lan"]
    assert ColumnRepairer("ten").repair(_cells(KINH + given, "vni"))[0][-4:] == given
    unicode_column = KINH + _cells(KINH[:8], "vni") + ["Ôn"]
    assert ColumnRepairer("ten").repair(unicode_column)[0][-1] == "Ôn"
