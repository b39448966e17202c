"""Names of the south-central and southern highland peoples (session 26): onsets and rhymes of their Latin scripts
that the syllable check did not know, so that no reading of such a name was well formed and the cell was kept as
its legacy bytes (``Xtiêng`` as TCVN3 ``Xtiªng``, VNI ``Xtieâng``, VIQR ``Xtie^ng``).

The words are written from the official list of Vietnam's peoples and their groups (Xtiêng; the Cơ Ho groups Xrê and
Chil; the Mnông group Rlăm; the Ê Đê groups Bih and Ktul, the clans Knul and Ktla; the Jrai clan Kpuih; Plei, the
Jrai and Bahnar village of unit names), not taken from a corpus. Legacy bytes come from encoders this project did not
write (``tests/text/independent.py``: glibc iconv for TCVN3 and VISCII, Python's cp1258 codec, the VNI and VIQR tables
written from their public descriptions).
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
NAMES = ["Xtiêng", "Dân tộc Xtiêng", "Điểu Thị Xtiêng", "Cơ Ho Xrê", "Cơ Ho Chil", "Mnông Rlăm", "Ê Đê Bih",
         "Y Ngông Ktul", "H'Linh Knul", "H'Nhi Ktla", "Kpuih Thuyên", "Làng Plei Ốp", "XTIÊNG", "Thôn Plei Thơ Ga"]


def _cells(texts: list[str], encoding: str) -> list[str]:
    return [as_text(raw) for raw in ind.encode_many(texts, encoding)]


def _read(cells: list[str]) -> list[str | None]:
    return ColumnRepairer("name").repair(cells)[0]


@pytest.mark.parametrize("word", ["Xtiêng", "Stiêng", "XTIÊNG", "Xrê", "Rlăm", "Ktla", "Knul", "Ktul", "Chil",
                                  "Bih", "Kpuih", "Plei", "Xtiếng"])
def test_onsets_and_rhymes_of_the_southern_alphabets(word: str) -> None:
    """st and its Vietnamese spelling xt, xr, rl, tl (after k: Ktla); ei, h after i and ui, l after i and u, r
    after u."""
    assert legacy.is_syllable(word)


@pytest.mark.parametrize("word", ["Xtiªng", "Xtieâng", "XtiÃªng", "Kõr", "Kãl", "Yôl", "Ngõr", "Plªi", "Knöl",
                                  "Hellô", "Chel", "Xtng", "Xtiêgn"])
def test_other_tables_bytes_of_them_stay_foreign(word: str) -> None:
    """The other tables' bytes of these names keep their mistakes in the rhyme (the onset is ASCII in every table);
    and no l or r after a plain a or o, nor l after ô: those are Windows-1252's view of Windows-1258 ``Kơr``,
    ``Kăl`` and of VNI ``Yơl``; nor after e (``Hellô``, VIQR ``Hello^``, would be a compound)."""
    assert not legacy.is_syllable(word)


def test_the_new_forms_count_against_a_reading_in_a_tie() -> None:
    """Outside a cell that shows a minority name, a non-ASCII word only the minority alphabets write is marked
    (session 25's tie rule); in one (a word on a cluster: ``Xtiêng``) it is not."""
    assert legacy.marked("Lê Chìl")[0] == 1 and legacy.marked("Lê Chì")[0] == 0
    assert legacy.marked("Dân tộc Xtiêng")[0] == 0


def test_st_before_a_vowel_shows_no_minority_name() -> None:
    """English words of a register begin with st (``Studio``): they do not make a cell a minority name's."""
    assert legacy.marked("Studio Ảnh Chìl")[0] == 1


@pytest.mark.parametrize("encoding", TABLES)
def test_every_name_reads_back_from_every_table(encoding: str) -> None:
    """A register of Kinh names with these names, all typed in one table, reads back whole (they were left as they
    were: no reading of them was well formed)."""
    if encoding == "viqr":
        cells = [ind.viqr_encode(t).decode("ascii") for t in [*KINH, *NAMES]]
    else:
        cells = _cells([*KINH, *NAMES], encoding)
    assert _read(cells) == [*KINH, *NAMES]


@pytest.mark.parametrize("minor", ["vni", "viscii", "cp1258"])
def test_names_typed_in_another_table_in_a_tcvn3_register(minor: str) -> None:
    cells = _cells(KINH, "tcvn3") + _cells(KINH[:6], minor) + _cells(NAMES, minor)
    assert _read(cells) == KINH + KINH[:6] + NAMES


@pytest.mark.parametrize("encoding", TABLES)
def test_clean_cells_stay(encoding: str) -> None:
    """Clean Unicode and plain-ASCII cells of these names in a legacy register are never changed."""
    plain = ["Xtieng", "Plei Ku", "Y Ngong Ktul", "Kpuih Thuyen", "H'Linh Knul", "Street 5", "Studio Xtreme"]
    typed = [ind.viqr_encode(t).decode("ascii") for t in KINH] if encoding == "viqr" else _cells(KINH, encoding)
    cells = typed + NAMES + plain
    assert _read(cells)[len(KINH):] == NAMES + plain


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(("xt", "st", "xr", "rl", "ktl")), st.sampled_from(("iêng", "ê", "ăm", "a", "ông", "ơ")),
       st.sampled_from(TABLES[:-1]))
def test_any_word_on_a_new_onset_reads_back(onset: str, rhyme: str, encoding: str) -> None:
    """Property: ``Y <onset><rhyme> Niê`` typed in any table among Kinh names reads back, the Kinh names untouched."""
    word = (onset + rhyme).capitalize()
    assert legacy.is_syllable(word)
    assert _read(_cells([*KINH, f"Y {word} Niê"], encoding)) == [*KINH, f"Y {word} Niê"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(("Pl", "Bl", "Kn", "K", "Ch", "M")), st.sampled_from(("ei", "ih", "uih", "il", "ul", "ur")),
       st.sampled_from(TABLES[:-1]))
def test_any_word_on_a_new_rhyme_reads_back(onset: str, rhyme: str, encoding: str) -> None:
    """Property: ``H'Bia <word>`` on a new rhyme typed in any table among Kinh names reads back."""
    word = onset + rhyme
    assert legacy.is_syllable(word)
    assert _read(_cells([*KINH, f"H'Bia {word}"], encoding)) == [*KINH, f"H'Bia {word}"]


# ------------------------------------------------------------------------------- a lone vowel letter is a word

LONE = ["Lê Thị Ỷ", "Nguyễn Như Ý", "Xã Pa Ủ", "Ỷ", "Người Ơ Đu", "Quận Ô Môn", "Ý"]


def test_a_lone_vowel_letter_that_is_a_syllable_counts() -> None:
    """A vowel letter alone is a Vietnamese syllable (the given name ``Ỷ``, the commune ``Pa Ủ``): it counts as a
    word (a lone consonant stays an initial, neutral: ``Nguyễn Văn Đ``), so VNI ``YÛ`` (Ỷ) is not TCVN3 ``YỒ``, a
    minority-shaped word."""
    assert legacy.quality("Ỷ").good == 1 and legacy.quality("Pa Ủ").good == 1
    assert legacy.quality("Nguyễn Văn Đ") == legacy.quality("Nguyễn Văn")
    assert legacy.quality("Ă").bad == 0 and legacy.quality("Ă").good == 0  # no syllable: an initial, neutral


@pytest.mark.parametrize("encoding", TABLES)
def test_lone_vowel_letters_read_back_from_every_table(encoding: str) -> None:
    if encoding == "viqr":
        return  # VIQR Y? and U? are a question mark as often: a column decides (test_viqr_names)
    assert _read(_cells([*KINH, *LONE], encoding)) == [*KINH, *LONE]


@pytest.mark.parametrize("minor", ["vni", "viscii", "cp1258"])
def test_lone_vowel_letters_typed_in_another_table(minor: str) -> None:
    """In a TCVN3 register, beside VNI and Windows-1258 cells. Not VISCII ``Ý`` alone: its byte (``0xDD``, ``Ý`` in
    Windows-1252 too) is TCVN3 ``í``, as well formed, and a TCVN3 column that shows no Unicode text gives such a
    tie to its table (the ``Ẩn`` class of docs/repair.md: the same before this rule)."""
    names = LONE[:-1] if minor == "viscii" else LONE
    cells = _cells(KINH, "tcvn3") + _cells(KINH[:6], minor) + _cells(names, minor)
    assert _read(cells) == KINH + KINH[:6] + names
