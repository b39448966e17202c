"""Legacy cells whose bytes are also flawless clean text (session 27): the column decides, never the cell alone.

TCVN3 keeps its toneless letters ă â ê ô ơ ư đ on symbol bytes (``0xA1``–``0xAE``: ``¨ © ª « ¬``) and its toned
letters on bytes Windows-1252 shows as Latin-1 letters, so a TCVN3 cell with none of the seven toneless letters can
show as flawless clean text: ``Ẩn`` (``0xC2`` n) as ``Ân``, ``Quang Dũng`` as ``Quang Dòng``, ``Ya Gụ`` as ``Ya Gô``.
The same text typed in Unicode into the column would be those bytes too. A column that shows no Unicode text (every
non-ASCII sample cell has a Windows-1252 byte for each character) whose census finds legacy tables, and in which such
twins are at most one in ten of the non-ASCII sample cells — what a register typed in one table shows: its other
cells carry the toneless letters and show as symbols — is a register of that table, and the twin is read in it
before the tone count. Where twins are more (``Kim Sóc Hên``, ``VÀNG A PÁO``, ``Danh Hên`` among twelve TCVN3 names:
three in fifteen) they are likelier Unicode cells typed into the register, and stay as they are; a column that shows
Unicode text keeps every clean cell. Legacy bytes from glibc iconv (``tests/text/independent.py``).
"""

from __future__ import annotations

import pytest
from tests.text import independent as ind

from hopnhat.repair.stage import ColumnRepairer
from hopnhat.text.cells import as_text
from hopnhat.text.legacy import legacy_looking, marked

REGISTER = ["Nguyễn Văn Hùng", "Trần Thị Thuỷ", "Lê Đức Thọ", "Phạm Thị Hương", "Đỗ Văn Lượng", "Bùi Thị Ngọc Ánh",
            "Võ Văn Tần", "Huỳnh Thị Mỹ Lệ", "Đặng Quốc Bảo", "Hoàng Văn Thụ", "Lương Thị Hằng", "Ngô Văn Sở",
            "Trương Công Định", "Phan Thị Kiều Oanh", "Dương Văn Được", "Lâm Thị Thu Hương", "Kiều Văn Đông",
            "Mai Xuân Thưởng", "Tạ Thị Huyền", "Châu Văn Liêm"]
TWINS = ["Ẩn", "Quang Dũng", "Ya Gụ"]  # TCVN3 bytes: Ân, Quang Dòng, Ya Gô


def _cells(texts: list[str], encoding: str) -> list[str]:
    return [as_text(raw) for raw in ind.encode_many(texts, encoding)]


def test_the_twins_show_as_clean_text() -> None:
    """The premise, on glibc's bytes: each twin's TCVN3 bytes are Latin-1 letters that spell flawless clean text."""
    shown = _cells(TWINS, "tcvn3")
    assert shown == ["Ân", "Quang Dòng", "Ya Gô"] and all(legacy_looking(c) for c in shown)


@pytest.mark.parametrize("ascii_cells", [[], ["Nguyen Van An", "Ha Noi", "KP.3"]])
def test_a_tcvn3_register_reads_its_twins(ascii_cells: list[str]) -> None:
    """A detected TCVN3 register of the hand-written names (two of them twins: ``Từ Dũ``, ``Quang Dũng``) and two
    more twins, ASCII cells beside it or not: every cell is read in TCVN3."""
    texts = ind.lines("names.txt") + ["Ẩn", "Ya Gụ"]
    engine = ColumnRepairer("ho_ten")
    assert engine.repair(_cells(texts, "tcvn3") + ascii_cells)[0] == texts + ascii_cells
    assert engine.encoding == "tcvn3"


def test_a_tcvn3_register_with_vni_cells_reads_its_twin() -> None:
    """A register typed in TCVN3 and VNI shows no Unicode text either: ``Ẩn`` (no VNI reading is flawless) is TCVN3."""
    cells = _cells(REGISTER, "tcvn3") + _cells(REGISTER[:8], "vni") + _cells(["Ẩn"], "tcvn3")
    assert ColumnRepairer("ho_ten").repair(cells)[0][-1] == "Ẩn"


def test_many_twins_are_clean_cells_typed_into_the_register() -> None:
    """Three twins among fifteen non-ASCII cells: more than a TCVN3 register shows, so they stay as they are."""
    clean = ["Kim Sóc Hên", "VÀNG A PÁO", "Danh Hên", "Ân"]
    cells = _cells(REGISTER[:12], "tcvn3") + clean
    assert ColumnRepairer("ho_ten").repair(cells)[0][-4:] == clean


def test_a_column_that_shows_unicode_keeps_its_clean_twins() -> None:
    """UTF-8 names (``ơ ư đ`` have no Windows-1252 byte) with TCVN3 cells: a clean ``Ân``, ``Ya Gô``, ``Kim Sóc Hên``
    never changes."""
    clean = ["Ân", "Ya Gô", "Kim Sóc Hên"]
    cells = REGISTER + _cells(REGISTER[:10], "tcvn3") + clean
    assert ColumnRepairer("ho_ten").repair(cells)[0][-3:] == clean


CLEAN_LISTS = ["names.txt", "addresses.txt", "civil.txt", "ascii_clean.txt",
               *(f"heldout{n}_ascii.txt" for n in ("", "2", "3", "4", "5", "6", "7"))]


@pytest.mark.parametrize("name", CLEAN_LISTS)
def test_a_column_of_real_clean_text_stays_byte_identical(name: str) -> None:
    """Every line of a hand-written list, as one clean column and as its Latin-1-only lines alone (each of which
    could be legacy bytes): nothing changes."""
    texts = ind.lines(name)
    latin = [t for t in texts if legacy_looking(t)]
    for cells in (texts, latin):
        out, changes = ColumnRepairer("cot").repair(list(cells))
        assert out == cells and changes == []


@pytest.mark.parametrize("name", CLEAN_LISTS)
@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "viscii", "cp1258", "viqr"])
def test_clean_lines_beside_legacy_cells_stay_byte_identical(name: str, encoding: str) -> None:
    """The same lines in a column that also holds a register's names in a legacy table (the bytes from glibc iconv,
    Python's cp1258 codec, the independent VNI and VIQR tables): the legacy cells are read, every clean line stays."""
    texts = ind.lines(name)
    legacy = [as_text(raw) for raw in ind.encode_many(REGISTER, encoding)]
    out = ColumnRepairer("cot").repair(legacy + texts)[0]
    assert out[len(legacy):] == texts and out[:len(legacy)] == REGISTER


# ------------------------------------------------------------------ the column's own syllables, cell shown flawless

VISCII_NAMES = ["Lê Văn Út", "Nguyễn Thị Út", "Trần Văn Thuý", "Phạm Thị Thuý", "Đỗ Văn Hiếu", "Lý Thị Mười",
                "Hồ Văn Chín", "Vũ Thị Nở"]


def test_a_viscii_cell_shown_flawless_takes_the_columns_syllables() -> None:
    """VISCII keeps ú, í on their Latin-1 bytes, which TCVN3 reads as ế, ớ: the VISCII bytes of ``Danh Út`` show as
    the flawless ``Danh Út`` and read as TCVN3 ``Danh Ết``, as well formed. In a register typed in TCVN3 and VISCII
    whose VISCII cells (``Lê Văn Út``: ``ă`` shows as ``å``, so no other table reads them) write ``Út``, the column's
    own syllables decide for the reading the cell shows, as they already did for cells that do not show flawless."""
    cells = _cells(REGISTER, "tcvn3") + _cells(VISCII_NAMES, "viscii") + _cells(["Danh Út", "Thạch Thị Thuý"],
                                                                                 "viscii")
    assert ColumnRepairer("ho_ten").repair(cells)[0][-2:] == ["Danh Út", "Thạch Thị Thuý"]


def test_the_columns_syllables_never_move_a_kept_cell() -> None:
    """The same register with the clean cells ``Danh Út`` and ``Ya Gô`` (both flawless TCVN3 too): they stay."""
    clean = ["Danh Út", "Ya Gô"]
    cells = _cells(REGISTER, "tcvn3") + _cells(VISCII_NAMES, "viscii") + REGISTER[:4] + clean
    assert ColumnRepairer("ho_ten").repair(cells)[0][-2:] == clean


# ------------------------------------------------------------------ c before the glide (VNI ố shown as oá)

def test_vni_cells_on_c_and_o_circumflex_are_read_in_a_unicode_column() -> None:
    """VNI ``Cống``, ``Cồ Văn Lâm`` among UTF-8 names show as ``Coáng``, ``Coà Vaên Laâm``: c before the glide is no
    Vietnamese spelling (qu is), so what the cell shows is no syllable and the VNI reading is taken; a clean ``Quang``,
    ``Cống`` stays."""
    cells = REGISTER + _cells(REGISTER[:6] + ["Cống", "Cồ Văn Lâm"], "vni") + ["Cống", "Quang"]
    assert ColumnRepairer("ho_ten").repair(cells)[0][-4:] == ["Cống", "Cồ Văn Lâm", "Cống", "Quang"]


# ------------------------------------------------------------------ the column's syllables, voted among its tables

def test_the_columns_syllables_come_from_the_tables_it_uses() -> None:
    """A register typed in TCVN3 and VNI: TCVN3 ``Mỵ`` (``Mþ``) reads flawlessly in TCVN3 and in VISCII (``Mợ``), a
    table the column does not use, so among the tables it uses it reads in one only and its syllables count as the
    column's; VNI ``Mỵ`` (``Mî``), whose bytes read as TCVN3 ``Mợ``, then takes the column's ``Mỵ``. The same for
    ``La Hủ`` (VNI ``Huû`` is TCVN3 ``Huỷ``)."""
    names = ["Mỵ", "La Hủ"]
    cells = _cells(REGISTER + names, "tcvn3") + _cells(REGISTER[:10] + names, "vni")
    assert ColumnRepairer("ho_ten").repair(cells)[0][-2:] == names


# ------------------------------------------------------------------ labials before the glide (VNI ố shown as oá)

def test_a_labial_before_the_glide_is_marked() -> None:
    """Vietnamese writes the glide o/u after a labial (b m p ph v) only in loanwords (boa, buýt, voan): such a word is
    no syllable of the national orthography, so it is marked in a tie, as the minority forms are; in a minority name
    it is not (the Ê Đê and Jrai ``Buên``)."""
    assert marked("Boá Y") == (1, 1) and marked("Bố Y") == (0, 1)
    assert marked("Y Buên") == (0, 0) and marked("Hoà Bình") == (0, 2)


def test_vni_cells_on_a_labial_and_o_circumflex_in_a_windows_1258_register() -> None:
    """A register typed in Windows-1258 and VNI shows no Unicode text: VNI ``Bố Y`` and ``Mốc`` (``Boá Y``,
    ``Moác``) read in Windows-1258 as what they show, as well formed as the VNI reading; the marked loanword form
    loses the tie."""
    names = ["Bố Y", "Mốc"]
    cells = _cells(REGISTER, "cp1258") + _cells(REGISTER[:8] + names, "vni")
    assert ColumnRepairer("ho_ten").repair(cells)[0][-2:] == names


def test_a_register_without_unicode_text_asks_its_syllables_for_every_tie() -> None:
    """VNI writes ơ on the byte Windows-1258 keeps ô on: VNI ``Nay Hơn`` and Windows-1258 ``Nay Hôn`` are the same
    bytes. In a register of Windows-1258 and VNI cells (no Unicode text shown) whose Windows-1258 cells write
    ``Hơn`` (``Trần Văn Hơn``, read in that table alone), the column's syllables decide for ``Hơn``; in a column that
    shows Unicode the cell as it is stays (above)."""
    names = REGISTER + ["Trần Văn Hơn", "Lê Thị Hơn"]
    cells = _cells(names, "cp1258") + _cells(REGISTER[:8] + ["Nay Hơn"], "vni")
    assert ColumnRepairer("ho_ten").repair(cells)[0][-1] == "Nay Hơn"
    shown = names + _cells(REGISTER[:8], "vni") + ["Nay Hôn"]
    assert ColumnRepairer("ho_ten").repair(shown)[0][-1] == "Nay Hôn"


@pytest.mark.parametrize("name", CLEAN_LISTS)
@pytest.mark.parametrize("encoding", ["tcvn3", "viscii"])
def test_clean_latin_1_lines_beside_a_tcvn3_or_viscii_register_stay(name: str, encoding: str) -> None:
    """The hardest column for the twin rule: a register in TCVN3 or VISCII and only the list's lines that have a
    Windows-1252 byte for every character (no Unicode text shown: ``Tô Hoài``, ``Võ Nguyên Giáp``). The rule is on
    there, and none of these lines reads flawlessly in the register's table as another text, so every one stays. (Beside
    a VNI or Windows-1258 register two of them change, as since session 25: a column that shows no Unicode text is
    read as legacy — docs/repair.md.)"""
    texts = [t for t in ind.lines(name) if legacy_looking(t)]
    legacy = _cells(REGISTER, encoding)
    out = ColumnRepairer("cot").repair(legacy + texts)[0]
    assert out[len(legacy):] == texts and out[:len(legacy)] == REGISTER
