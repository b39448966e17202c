"""Names of the Central Highlands, Khmer and northern peoples as Vietnamese registers write them (session 24): the
classes of legacy-text misses found on the development corpora, each with golden cases and a property. The words
and names here are written from the peoples' public orthographies, not taken from the held-out corpora."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from tests.text import independent as ind

from hopnhat.repair.stage import ColumnRepairer
from hopnhat.text import legacy
from hopnhat.text.cells import as_text
from hopnhat.text.legacy import is_syllable

TABLES = ("tcvn3", "vni", "cp1258", "cp1258-decomposed", "viscii", "mojibake")
KINH = ["Nguyễn Văn Hùng", "Trần Thị Thuỷ", "Lê Đức Thọ", "Phạm Thị Hương", "Đỗ Văn Lượng", "Bùi Thị Ngọc Ánh",
        "Võ Văn Tần", "Huỳnh Thị Mỹ Lệ"]


def _register(names: list[str], encoding: str) -> list[str]:
    return [as_text(raw) for raw in ind.encode_many(names, encoding)]


def _read(cells: list[str]) -> list[str | None]:
    return ColumnRepairer("name").repair(cells)[0]


# ------------------------------------------------------------------------------------------------ onset clusters

NEW_ONSETS = ("dh", "hd", "hn", "kđ", "mđ", "đr", "y")


@pytest.mark.parametrize("word", ["Dhăm", "Dhuôn", "Hdơi", "Hnơng", "Kđông", "Mđơk", "Đrắk", "Yưm", "Yơng", "DHĂM"])
def test_onsets_of_the_ede_and_jrai_alphabets(word: str) -> None:
    """The aspirate dh (beside bh), hn (beside hl hm hr), the glottal đ after h k m with or without its bar, đr
    (M'Đrắk) and y as an onset (Yưm) begin syllables of these names."""
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["Dhuoân", "Dhu«n", "Hdoõi", "Yễă", "Kđoơ", "yì", "yù", "yõ", "Yò"])
def test_the_new_onsets_do_not_make_misreadings_syllables(word: str) -> None:
    """Nor y before i, o, u: VNI and Windows-1258 bytes of ý ỳ ỹ read as Windows-1252 (yù, yì, yõ)."""
    assert not is_syllable(word)


@pytest.mark.parametrize("encoding", TABLES)
@pytest.mark.parametrize("name", ["Y Dhăm Êban", "Siu Hdơi", "H'Hnơi Mlô", "Rơ Châm Yưm", "Huyện M'Đrắk"])
def test_names_with_the_new_onsets_read_back(encoding: str, name: str) -> None:
    """A register of Kinh names with one such name, all typed in one table, reads back whole (the word with the
    onset was foreign to the checker: VNI ``Dhuoân``, TCVN3 ``Dhu«n`` and VIQR ``Hdo+i`` were left as they were)."""
    assert _read(_register([*KINH, name], encoding)) == [*KINH, name]


def test_viqr_names_with_the_new_onsets_read_back() -> None:
    cells = ["Nguye^~n Va(n Hu`ng", "Tra^`n Thi. Thu?y", "Le^ DDu+'c Tho.", "Y Dhuo^n Mlo^", "Siu Thi. Hdo+i"]
    assert _read(cells)[-2:] == ["Y Dhuôn Mlô", "Siu Thị Hdơi"]


_RHYMES = ("ôn", "ơi", "ưm", "ăm", "ơng", "ê", "uê", "ông", "ơk", "ưh", "ơl", "iê")


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NEW_ONSETS), st.sampled_from(_RHYMES), st.sampled_from(TABLES))
def test_any_name_word_on_a_new_onset_reads_back(onset: str, rhyme: str, encoding: str) -> None:
    """Property: a name ``Y <onset><rhyme> Niê`` typed in any table with a register of Kinh names reads back (y
    begins a syllable before a, ă, â, e, ê, ô, ơ, ư only)."""
    assume(onset != "y" or rhyme[0] in "aăâeêôơư")
    name = f"Y {(onset + rhyme).capitalize()} Niê"
    assert is_syllable(onset + rhyme)
    assert _read(_register([*KINH, name], encoding)) == [*KINH, name]


def test_onset_list_is_the_alphabets() -> None:
    assert set(NEW_ONSETS) <= set(legacy._MINORITY_INITIALS)


# ------------------------------------------------------------------------------------------------ TCVN3 C0 capitals

C0_CAPITALS = "ÚỤỪỬỮỨỰỲỶỸÝỴ"  # TCVN3's VN1 level keeps these on C0 control bytes (0x01-0x06, 0x11-0x17)


@pytest.mark.parametrize("name", ["Danh Út", "Kim Ứng", "Chau Ý", "Ly Thi Ỷ", "Thạch Ứng", "ỪNG VĂN TÂN"])
def test_tcvn3_capitals_on_c0_bytes_are_read(name: str) -> None:
    """A TCVN3 cell whose only non-ASCII letter sits on a C0 byte (``Danh \\x01t``) is ASCII to a byte test: it was
    left with its control character, alone in a TCVN3 register and beside other tables."""
    raw = legacy.encode(name, "tcvn3")
    assert legacy.repair_value(raw, "tcvn3") == name
    assert _read(_register(KINH, "tcvn3") + [as_text(raw)])[-1] == name
    assert _read(_register(KINH, "viscii") + _register(KINH, "tcvn3") + [as_text(raw)])[-1] == name


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(C0_CAPITALS), st.sampled_from(("", "t", "n", "ng", "c", "m", "p")),
       st.sampled_from(("Danh", "Thạch Thị", "Kim", "Nguyễn Văn")))
def test_every_c0_capital_reads_back(capital: str, rest: str, family: str) -> None:
    """Property: a name whose last word begins with any of TCVN3's C0 capitals, typed in TCVN3 among Kinh names,
    reads back (when that word is a syllable at all)."""
    word = capital + rest
    assume(is_syllable(word))
    name = f"{family} {word}"
    assert _read(_register([*KINH, name], "tcvn3")) == [*KINH, name]


def test_ascii_with_other_control_characters_stays() -> None:
    cells = [*_register(KINH, "tcvn3"), "A\x03B", "ID\x07-42", "x\x1fy"]
    assert _read(cells)[-3:] == ["A\x03B", "ID\x07-42", "x\x1fy"]


# ------------------------------------------------------------------------------------------------ where lists count

def test_a_name_word_in_lower_case_breaks_no_tie() -> None:
    """VISCII ``Khai sinh cho trẻ bị bỏ rơi`` reads in TCVN3 as ``… trở bá bử rẵi``, as well formed: lower-case
    ``bá`` is no middle name (session 23 let it win in a column mixing the two tables)."""
    assert legacy.quality("trở bá bử rẵi").common == 0
    assert legacy.quality("Cao Bá Quát").common == 1  # Bá (ASCII words tell no table apart)
    phrases = ["Khai sinh cho trẻ bị bỏ rơi", "Đăng ký kết hôn", "Trích lục khai tử", "Xác nhận tình trạng hôn nhân"]
    cells = _register(KINH + phrases[1:], "viscii") + _register(KINH[:5], "tcvn3") + _register(phrases[:1], "viscii")
    assert _read(cells)[-1] == phrases[0]


def test_a_phrase_word_inside_a_name_breaks_no_tie() -> None:
    """VNI ``Nay Hơn`` is Windows-1252 ``Nay Hôn``; ``hôn`` (kết hôn) is a word of phrases, and a capitalised word
    inside a cell is a name: the column's VNI reading stays."""
    assert legacy.quality("Nay Hôn").common == 0
    assert legacy.quality("kết hôn").common == 2 and legacy.quality("Xã Tân Phú").common == 3
    assert _read(_register([*KINH, "Nay Hơn", "Rơ Ô Hơn"], "vni"))[-2:] == ["Nay Hơn", "Rơ Ô Hơn"]


_NAMES_ONLY = sorted(w for w in legacy._NAME_WORDS if not w.isascii())
_PHRASES_ONLY = sorted(w for w in legacy._PHRASE_WORDS if not w.isascii())


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(_NAMES_ONLY), min_size=1, max_size=4))
def test_name_words_count_as_names_only(words: list[str]) -> None:
    """Property: the name lists' words count when capitalised, never in lower case."""
    assert legacy.quality(" ".join(words)).common == 0
    assert legacy.quality(" ".join(w.capitalize() for w in words)).common == len(words)
    assert legacy.quality(" ".join(w.upper() for w in words)).common == len(words)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(_PHRASES_ONLY), min_size=1, max_size=4))
def test_phrase_words_count_in_phrases_only(words: list[str]) -> None:
    """Property: phrase words count in lower case, in upper case and first in a cell; capitalised after the first
    word (where a name is) they do not."""
    assert legacy.quality(" ".join(words)).common == len(words)
    assert legacy.quality(" ".join(w.upper() for w in words)).common == len(words)
    assert legacy.quality("Nay " + " ".join(w.capitalize() for w in words)).common == 0
    assert legacy.quality(" ".join(w.capitalize() for w in words)).common == 1


# -------------------------------------------------------------------------------------- open ă after one consonant

def test_open_a_breve_after_one_consonant_counts_in_a_minority_name_only() -> None:
    """``Să`` (Jrai, Bahnar, Kơ Ho names) is no Kinh syllable: it counts in a cell that shows a minority name — an
    apostrophe prefix, a word on a minority cluster, ``Y`` first, a clan name — and is foreign elsewhere."""
    for name in ("Kơ Să K'Bron", "Y Mă Niê", "Ksor Să", "Rơ Mah Bă", "K'Să", "H'Nă Mlô"):
        assert legacy.quality(name).bad == 0, name
    for text in ("Nguyễn Să", "Bă Văn An", "să", "Thôn Să"):
        assert legacy.quality(text).bad == 1, text
    assert not is_syllable("Să")  # a word alone: the cell decides


@pytest.mark.parametrize("encoding", TABLES)
@pytest.mark.parametrize("name", ["Kơ Să K'Bron", "Y Tă Niê", "H'Nă Mlô", "Ksor Thị Să"])
def test_minority_names_with_open_a_breve_read_back(encoding: str, name: str) -> None:
    """Windows-1258 ``Kơ Să`` read as Windows-1252 is ``Kõ Sã``, as well formed: the open ă of the minority name
    now counts and the column's reading wins (it was kept as ``Kõ Sã``; TCVN3 read as ``Kể Sẽ``)."""
    assert _read(_register([*KINH, name], encoding)) == [*KINH, name]


def test_viqr_minority_name_with_open_a_breve() -> None:
    cells = ["Nguye^~n Va(n Hu`ng", "Tra^`n Thi. Thu?y", "Le^ DDu+'c Tho.", "Ko+ Sa( K'Bron"]
    assert _read(cells)[-1] == "Kơ Să K'Bron"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(legacy._OPEN_A_ONSETS - {"y"})), st.sampled_from(("K'Bron", "Y", "Ksor", "H'Hoa")),
       st.sampled_from(TABLES))
def test_any_open_a_breve_in_a_minority_name_reads_back(onset: str, marker: str, encoding: str) -> None:
    """Property: ``<marker> Rơ <onset>ă`` (or the marker last when it is a word of a name) reads back in any table
    among Kinh names; the same word in a Kinh name stays foreign."""
    word = (onset + "ă").capitalize()
    name = f"Y Rơ {word}" if marker == "Y" else f"{marker} Rơ {word}"
    assert legacy.quality(name).bad == 0
    assert legacy.quality(f"Nguyễn Văn {word}").bad == 1
    assert _read(_register([*KINH, name], encoding)) == [*KINH, name]
