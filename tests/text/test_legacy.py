"""Legacy Vietnamese encodings: golden files, hand-checked strings, round-trip and detection properties."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.text import independent as ind

from hopnhat.errors import HopnhatError
from hopnhat.repair.stage import ColumnRepairer
from hopnhat.text import legacy
from hopnhat.text.cells import as_text
from hopnhat.text.legacy import (
    ENCODINGS,
    LegacyEncodingError,
    cp1252_view,
    decode,
    detect,
    encode,
    is_syllable,
    repair_value,
    vietnamese_letters,
)

GOLDEN = Path(__file__).parent / "golden"
CASES = ("names", "letters")
LEGACY = ("tcvn3", "vni", "cp1258", "cp1258-decomposed", "mojibake", "viscii", "viqr")


def _expected(case: str) -> str:
    return (GOLDEN / f"{case}.txt").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------------ golden files


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_golden_decode(case: str, encoding: str) -> None:
    data = (GOLDEN / f"{case}.{encoding}.bin").read_bytes()
    text = decode(data, encoding)
    assert text == _expected(case)
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_golden_encode(case: str, encoding: str) -> None:
    assert encode(_expected(case), encoding) == (GOLDEN / f"{case}.{encoding}.bin").read_bytes()


def test_golden_names_cover_the_required_names() -> None:
    names = _expected("names").splitlines()
    for name in ("Nguyễn Thị Hoà", "Đắk Lắk", "Thừa Thiên Huế", "Phường Hải Châu", "Quảng Nam"):
        assert name in names


def test_the_134_letters() -> None:
    letters = vietnamese_letters()
    assert len(letters) == len(set(letters)) == 134
    assert _expected("letters").split() == list(letters)
    assert all(unicodedata.is_normalized("NFC", c) and not c.isascii() for c in letters)


# ------------------------------------------------------------------------------------------------ hand-checked bytes

# Well-known renderings of Vietnamese in legacy fonts, typed by hand (as a Latin-1/Windows-1252 reader shows them).
HAND = [
    ("tcvn3", "Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
    ("tcvn3", "§¾k L¾k", "Đắk Lắk"),
    ("tcvn3", "Ph\xadêng H¶i Ch©u", "Phường Hải Châu"),  # ư is 0xAD: a soft hyphen, invisible in Excel
    ("vni", "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ("vni", "Nguyeãn Thò Hoaø", "Nguyễn Thị Hoà"),
    ("vni", "ÑAÉK LAÉK", "ĐẮK LẮK"),
    ("vni", "Thöøa Thieân Hueá", "Thừa Thiên Huế"),
    ("mojibake", "Nguyá»…n Thá»‹ HoÃ\xa0", "Nguyễn Thị Hoà"),
]


@pytest.mark.parametrize(("encoding", "shown", "text"), HAND)
def test_hand_checked_strings(encoding: str, shown: str, text: str) -> None:
    data = shown.encode("utf-8") if encoding == "mojibake" else shown.encode("cp1252")
    assert decode(data, encoding) == text
    assert repair_value(shown, encoding) == text


def test_cp1258_decomposed_writes_tone_marks_apart() -> None:
    assert encode("Hoà", "cp1258") == b"Ho\xe0"
    assert encode("Hoà", "cp1258-decomposed") == b"Hoa\xcc"
    assert decode(b"Nguy\xea\xden", "cp1258") == "Nguyễn"
    assert decode(b"Hoa\xcc", "cp1258-decomposed") == "Hoà"  # composed to NFC, tone placement kept


def test_utf8_decode_composes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hoà").encode("utf-8")
    assert decode(decomposed, "utf-8") == "Nguyễn Thị Hoà"


# ------------------------------------------------------------------------------------------------ errors


def test_errors_name_the_value() -> None:
    with pytest.raises(LegacyEncodingError) as info:
        decode(b"Nguy\xe1\xbb", "utf-8")
    assert isinstance(info.value, HopnhatError)
    assert "Nguy" in str(info.value)
    with pytest.raises(LegacyEncodingError, match="ß"):
        encode("Straße", "vni")
    with pytest.raises(LegacyEncodingError):
        decode("bù".encode("cp1252"), "vni")  # a VNI tone mark after a consonant
    with pytest.raises(LegacyEncodingError):
        decode(b"\x81", "cp1258")
    with pytest.raises(LegacyEncodingError):
        encode("x", "koi8-r")


def test_public_api() -> None:
    assert set(legacy.__all__) == {
        "DETECTABLE", "ENCODINGS", "Detection", "LegacyEncodingError", "cp1252_view", "decode", "detect", "encode",
        "is_syllable", "repair_value", "vietnamese_letters", "viqr_reading", "Quality", "legacy_looking",
        "READINGS", "quality", "readings", "reading", "scored", "scores_of", "has_junk",
    }
    assert all(hasattr(legacy, name) for name in legacy.__all__)


# ------------------------------------------------------------------------------------------------ syllables


@pytest.mark.parametrize("word", ["Nguyễn", "Hoà", "Hòa", "thuở", "Khuỷu", "quyết", "giữa", "Đắk", "ĐẮK", "Mười",
                                  "nghiêng", "Huỳnh", "oanh", "xoong"])
def test_valid_syllables(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize(("word", "valid"), [("Kpă", True), ("KPĂ", True), ("Hră", True), ("Kpoih", False),
                                              ("bă", False), ("Kpå", False)])
def test_open_a_breve_only_after_a_minority_cluster(word: str, valid: bool) -> None:
    """Jrai and Bahnar names end on an open ă after a cluster (Kpă Thuyên); Kinh syllables never do (bă)."""
    assert is_syllable(word) is valid


@pytest.mark.parametrize(("encoding", "raw"), [("cp1258", "Kp\xe3 Thuy\xean".encode("latin-1")),
                                               ("viscii", encode("Kpă Thuyên", "viscii"))])
def test_minority_name_with_open_a_breve_repaired(encoding: str, raw: bytes) -> None:
    texts = [as_text(encode(n, encoding)) for n in ("Nguyễn Văn Hùng", "Trần Thị Thuỷ", "Lê Đức Thọ")] + [as_text(raw)]
    repaired, _ = ColumnRepairer("name").repair(texts)
    assert repaired[-1] == "Kpă Thuyên"


@pytest.mark.parametrize("word", ["Byă", "Hđơk", "Adrơng", "Ksơr", "Hmông", "Mnông", "Yă"])
def test_clan_and_people_names_are_well_formed(word: str) -> None:
    """Ê Đê clan names (Byă, Hđơk, Adrơng, Ksơr, Buôn Yă) and the peoples' own names count as Vietnamese words."""
    assert legacy.quality(word).bad == 0 and legacy.quality(word).common == 1


def _register(names: list[str], encoding: str) -> list[str]:
    return [as_text(ind.encode_many([n], encoding)[0]) for n in names]


_KINH = ["Nguyễn Văn Hùng", "Trần Thị Thuỷ", "Lê Đức Thọ", "Phạm Thị Hương", "Đỗ Văn Lượng", "Bùi Thị Ngọc Ánh",
         "Võ Văn Tần", "Huỳnh Thị Mỹ Lệ"]


@pytest.mark.parametrize(("majority", "table", "name"), [
    ("tcvn3", "vni", "Rơ Mah Blik"),  # VNI Rơ is TCVN3 Rụ, both well formed
    ("cp1258-decomposed", "vni", "Rơ Lan Hlim"),  # VNI Rơ is Windows-1258 Rô
    ("viscii", "tcvn3", "H'Lan Niê"),  # TCVN3 Niê is VISCII Niế
    ("viscii", "tcvn3", "Y Bhin Niê Kdăm"),  # Niế Kdẽm
])
def test_mixed_columns_read_minority_clan_names(majority: str, table: str, name: str) -> None:
    """In a column that mixes two tables (most cells in ``majority``), a Central Highlands name in ``table`` that
    reads well formed in both goes to the reading with the clan name (the old code kept the column's table: Rụ Châm
    Blik, Rô Lan Hlim, H'Lan Niế)."""
    cells = _register(_KINH, majority) + _register(_KINH[:4], table) + _register([name], table)
    repaired, _ = ColumnRepairer("name").repair(cells)
    assert repaired == _KINH + _KINH[:4] + [name]


@pytest.mark.parametrize(("majority", "table", "name"), [
    ("vni", "tcvn3", "Cao Anh Phúc"),  # TCVN3 bytes read as VNI: Phóc
    ("viscii", "tcvn3", "Phan Trọng Tâm"),  # TCVN3 bytes read as VISCII: Tẹm
    ("tcvn3", "viscii", "Tạ Minh Yến"),  # VISCII bytes read as TCVN3: Tế Minh Yên
    ("vni", "cp1258", "Lâm Trọng Nam"),  # Windows-1258 bytes read as Windows-1252: Troòng
])
def test_mixed_columns_read_family_and_given_names(majority: str, table: str, name: str) -> None:
    """Kinh family names beyond the commonest and frequent given names break the same ties."""
    cells = _register(_KINH, majority) + _register(_KINH[:4], table) + _register([name], table)
    repaired, _ = ColumnRepairer("name").repair(cells)
    assert repaired == _KINH + _KINH[:4] + [name]


@pytest.mark.parametrize("other", ["tcvn3", "cp1258", "utf-8"])
def test_a_column_of_names_reads_a_family_name_first(other: str) -> None:
    """VNI ``Hồ`` is Windows-1258 (and Windows-1252) ``Hoà``, both everyday words: in a column of names the reading
    that starts with a family name wins (the old code kept ``Hoà Quang Minh``)."""
    names = ["Hồ Quang Minh", "Hồ Thanh Long"]
    register = [*_KINH, "Lý Thị Hoa", "Trương Văn Lộc", "Đặng Thị Bích", "Ngô Văn Thuận", "Dương Thị Hảo",
                "Lâm Văn Tường", "Mai Thị Huệ", "Đinh Văn Lực"]
    cells = _register(register, other) + _register(register[:10], "vni") + _register(names, "vni")
    repaired, _ = ColumnRepairer("name").repair(cells)
    assert repaired == register + register[:10] + names


def test_a_column_of_addresses_keeps_hoa_first() -> None:
    """Not a column of names (few cells start with a family name): ``Hoà Bình`` typed in Windows-1258 stays."""
    places = ["Xã Tân Phú", "Phường Bến Thành", "Thôn Đông Yên", "Huyện Cầu Giấy", "Ấp Mỹ Phước", "Xã Điện Thọ",
              "Phường Hội Phú", "Xóm Trại", "Bản Mường Phăng", "Thị trấn Buôn Đôn"]
    cells = _register(places, "cp1258") + _register(places[:4], "vni") + _register(["Hoà Bình"], "cp1258")
    repaired, _ = ColumnRepairer("address").repair(cells)
    assert repaired == places + places[:4] + ["Hoà Bình"]


def test_viqr_column_reads_a_family_name_marked_at_its_end() -> None:
    """In a VIQR column one tone ending the first word is enough when it makes a family name (``Ta.`` → ``Tạ``); an
    English full stop is not (``Ms. Le``, ``Done.``)."""
    names = ["Nguye^~n Va(n Hu`ng", "Tra^`n Thi. Thu?y", "Le^ DDu+'c Tho.", "Pha.m Thi. Hu+o+ng"]
    cells = [*names, "Ta. Anh Huy", "Ms. Le", "Done."]
    repaired, _ = ColumnRepairer("name").repair(cells)
    assert repaired[-3:] == ["Tạ Anh Huy", "Ms. Le", "Done."]


@pytest.mark.parametrize(("word", "valid"), [("Coáng", False), ("coà", False), ("Cuyên", False), ("Cuê", False),
                                              ("Coe", False), ("Quang", True), ("Quế", True), ("Cống", True),
                                              ("cuốn", True), ("Cúc", True), ("cũng", True), ("Cuôr", True),
                                              ("xoong", True), ("Hoà", True)])
def test_c_never_comes_before_the_o_or_u_glide(word: str, valid: bool) -> None:
    """The national orthography writes /k/ before the glide as qu (quang, quế, quyên): c is never followed by the
    glide's o or u (oa oă oe uâ uê uy); before the vowel u it is (cuốn, cúc, the minority Cuôr). VNI writes ố as
    o + á, so its bytes of ``Cống`` read as Windows-1252 are ``Coáng``: no syllable now."""
    assert is_syllable(word) is valid


@pytest.mark.parametrize("word", ["NguyÔn", "Hoµ", "Thò̀", "Nguyeãn", "Hoaø", "Äáº¯k", "tắ", "bấm̉", "ThÞ", "hoác̀"])
def test_invalid_syllables(word: str) -> None:
    assert not is_syllable(word)


# ------------------------------------------------------------------------------------------------ repair_value


def test_repair_keeps_spacing_case_and_tone_placement() -> None:
    for text in ("Hoà", "Hòa", "  Thanh  Hoá ", "NGUYỄN thị hoà", "ID-0042"):
        for encoding in LEGACY:
            assert repair_value(encode(text, encoding), encoding) == text


def test_viqr_needs_evidence() -> None:
    assert repair_value("Hoa` Bi`nh", "viqr") == "Hoà Bình"  # huyền: plain text has no such mark
    assert repair_value("Thanh Hoa'", "viqr") == "Thanh Hoá"  # an apostrophe right after a vowel ending a word
    assert repair_value("Thanh Hoa.", "viqr") == "Thanh Hoa."  # a full stop: one mark ending the cell is not enough
    assert repair_value("Le^ Thi. Hoa'", "viqr") == "Lê Thị Hoá"


def test_repair_keeps_unicode_already_in_a_legacy_column() -> None:
    assert repair_value("Nguyễn Thị Hoà", "tcvn3") == "Nguyễn Thị Hoà"
    assert repair_value("Hoà".encode(), "tcvn3") == "Hoà"  # plausible as is; its TCVN3 reading is not
    assert repair_value("Nguyễn", "vni") == "Nguyễn"


def test_repair_restores_capitals_of_abc_h_fonts() -> None:
    # .VnTimeH shows lowercase TCVN3 codes as capitals; the ASCII letters were typed as capitals.
    assert repair_value("THõA THIªN HUÕ", "tcvn3") == "THỪA THIÊN HUẾ"
    assert repair_value("Lª ThÞ Hµ", "tcvn3") == "Lê Thị Hà"


def test_repair_mojibake_partly_edited_or_clean() -> None:
    assert repair_value("Nguyá»…n Thị Hoà", "mojibake") == "Nguyễn Thị Hoà"
    assert repair_value("Nguyễn Thị Hoà", "mojibake") == "Nguyễn Thị Hoà"
    assert repair_value("Ä\x90á»\x97 MÆ°á»\x9di", "mojibake") == "Đỗ Mười"  # Latin-1 reading (C1 controls)


# ------------------------------------------------------------------------------------------------ detection

NAMES = [
    "Nguyễn Thị Hoà", "Trần Văn Đức", "Lê Thị Thu Hương", "Phạm Minh Tuấn", "Hoàng Văn Thụ", "Võ Thị Sáu",
    "Đặng Quốc Bảo", "Bùi Thị Xuân", "Đỗ Mười", "Hồ Xuân Hương", "Ngô Quyền", "Dương Văn Minh", "Lý Thường Kiệt",
    "Trương Định", "Huỳnh Thúc Kháng", "Phan Bội Châu", "Vũ Trọng Phụng", "Đinh Bộ Lĩnh", "Tô Hoài", "Lâm Thị Mỹ Dạ",
]
PLACES = [
    "Thừa Thiên Huế", "Đắk Lắk", "Quảng Nam", "Phường Hải Châu", "Hà Nội", "Đà Nẵng", "Quảng Ngãi", "Kon Tum",
    "Hải Phòng", "Hải Dương", "Bình Định", "Gia Lai", "Lâm Đồng", "Cà Mau", "Bạc Liêu", "Sóc Trăng", "Vĩnh Long",
    "Trà Vinh", "Bến Tre", "Hoà Bình", "Xã Ea Tiêu", "Phường Vĩnh Ninh", "Thị trấn Phú Lộc", "Khánh Hòa",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", ""]
GIVEN = ["Hoà", "Hòa", "Hương", "Tuấn", "Dũng", "Lan", "Phương", "Thuỷ", "Hải", "Nga", "Khánh", "Trọng", "Yến", "Đạt"]


def _name(family: str, middle: str, given: str) -> str:
    return " ".join(p for p in (family, middle, given) if p)


names = st.builds(_name, st.sampled_from(FAMILY), st.sampled_from(MIDDLE), st.sampled_from(GIVEN))
columns = st.lists(st.one_of(names, st.sampled_from(PLACES)), min_size=20, max_size=40)


def _family(encoding: str) -> str:
    return "cp1258" if encoding.startswith("cp1258") else encoding


@settings(max_examples=40, deadline=None)
@given(columns, st.sampled_from(ENCODINGS))
def test_detect_picks_the_right_encoding(values: list[str], encoding: str) -> None:
    detection = detect([encode(v, encoding) for v in values])
    assert _family(detection.encoding) == _family(encoding)
    assert detection.confidence > 0.5


@settings(max_examples=25, deadline=None)
@given(columns, st.sampled_from(("tcvn3", "vni", "cp1258-decomposed", "mojibake")))
def test_detect_on_text_read_as_windows_1252(values: list[str], encoding: str) -> None:
    if encoding == "mojibake":
        shown = [encode(v, encoding).decode("utf-8") for v in values]
    else:
        shown = [cp1252_view(encode(v, encoding)) for v in values]
    assert _family(detect(shown).encoding) == _family(encoding)


def test_detect_clean_columns_stay_clean() -> None:
    assert detect(NAMES).encoding == "utf-8"
    assert detect([v.encode() for v in PLACES]).encoding == "utf-8"
    latin_only = ["Hoà Bình", "Thái Bình", "Tây Ninh", "Bà Rịa", "Hà Tây"] * 4  # valid as Unicode AND as VNI
    assert detect([v.encode() for v in latin_only]).encoding == "utf-8"
    assert _family(detect([encode(v, "cp1258") for v in latin_only]).encoding) == "cp1258"


def test_detect_ascii_and_evidence() -> None:
    plain = detect([b"ID0001", b"ID0002", b""])
    assert plain.encoding == "ascii" and plain.confidence == 1.0 and plain.values == 2
    found = detect([encode(v, "tcvn3") for v in NAMES])
    assert found.encoding == "tcvn3"
    assert found.valid_share == 1.0 and found.non_ascii == 20 and found.words > 20
    assert found.scores["tcvn3"] > found.scores["vni"] and found.failures["utf-8"] == 20
    assert "tcvn3=1.00" in found.evidence()


# ------------------------------------------------------------------------------------------------ round trips

ALPHABET = st.sampled_from(list(vietnamese_letters()) + [chr(c) for c in range(0x20, 0x7F)])
texts = st.text(ALPHABET, max_size=40)


@settings(max_examples=200, deadline=None)
@given(texts, st.sampled_from(ENCODINGS))
def test_round_trip(text: str, encoding: str) -> None:
    assert decode(encode(text, encoding), encoding) == text


@settings(max_examples=100, deadline=None)
@given(texts, st.sampled_from(("tcvn3", "vni", "cp1258", "cp1258-decomposed", "viscii")))
def test_round_trip_through_windows_1252_text(text: str, encoding: str) -> None:
    # what Excel or a JSON export holds: the legacy bytes shown as Windows-1252 characters
    shown = cp1252_view(encode(text, encoding))
    assert legacy._candidate(shown, encoding) == text


# ------------------------------------------------------------------------------------------------ the fast paths


def _words_of_every_reading() -> list[str]:
    """Every word of every reading of the names, addresses and civil phrases in every table (real and garbled)."""
    data = Path(__file__).parent / "data"
    texts = [line for name in ("names.txt", "addresses.txt", "civil.txt")
             for line in (data / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    words: set[str] = set()
    for text in texts:
        for encoding in ("tcvn3", "vni", "cp1258", "viscii"):
            cell = as_text(legacy.encode(text, encoding))
            for reading in legacy.readings(cell).values():
                words.update(legacy._TOKEN.findall(reading))
    return sorted(words)


def _syllable_trying_every_initial(word: str, minority: bool) -> bool:
    """The syllable check as it was written first: every initial in order (the engine tries the word's prefixes)."""
    split = legacy._split_tone(word)
    if split is None:
        return False
    toneless, tone, where = split
    for initial in legacy._ALL_INITIALS if minority else legacy._INITIALS:
        rhyme = toneless[len(initial):]
        if initial == "y" and rhyme[:1] not in legacy._AFTER_Y or initial == "c" and rhyme.startswith(legacy._GLIDES):
            continue
        if toneless.startswith(initial) and (rhyme in legacy._RHYMES or rhyme in legacy._OPEN_AFTER_CLUSTER
                                             and initial in legacy._CLUSTERS):
            if tone and where - len(initial) not in legacy._tone_places(rhyme):
                continue
            return tone in legacy._STOP_TONES or not rhyme.endswith(legacy._STOP_FINALS)
    return False


def test_the_syllable_check_gives_what_trying_every_initial_gives() -> None:
    words = _words_of_every_reading()
    assert len(words) > 1000
    for minority in (True, False):
        differ = [w for w in words if legacy._syllable(w, minority) != _syllable_trying_every_initial(w, minority)]
        assert not differ, differ[:10]


def test_a_reading_is_junk_free_exactly_when_its_quality_counts_no_junk() -> None:
    """The engine skips scoring a reading with a junk character beside a flawless one: the cheap test must be the
    quality's own count."""
    data = Path(__file__).parent / "data" / "names.txt"
    for text in data.read_text(encoding="utf-8").splitlines()[:200]:
        for encoding in ("tcvn3", "vni", "viscii"):
            cell = as_text(legacy.encode(text, encoding))
            for name, reading in legacy.readings(cell).items():
                assert legacy.has_junk(reading) == bool(legacy.quality(reading).junk), (text, encoding, name)
                entry = legacy.scored(cell, name)
                assert entry is not None and entry[0] == reading and entry[1] == legacy.quality(reading)
                assert entry[2] == legacy.quality(reading).rank


def test_the_junk_class_is_written_from_the_junk_rule() -> None:
    """The junk characters' ranges are written out in the module (computing them cost start-up): they must be what
    the rule gives."""
    assert list(legacy._JUNK_RANGES) == legacy._junk_ranges()
    assert legacy._junk_class().pattern == legacy._junk_class(legacy._junk_ranges()).pattern


def test_the_scoring_loop_finds_the_words_and_junk_the_regular_expressions_find() -> None:
    """:func:`legacy._stats` and :func:`legacy.has_junk` walk code points instead of running ``_TOKEN`` and the junk
    class: for every code point, a word character is what ``_TOKEN`` takes (``\\s`` and ``\\d`` as Unicode has them,
    the ASCII controls that are not white space included) and a junk character what the junk class matches."""
    junk = legacy._junk_class()
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    assert [c for c in chars if bool(legacy._TOKEN.fullmatch(c)) != legacy._token_char(c)] == []
    assert [c for c in chars if len(junk.findall(c)) != legacy._junk_count(c)] == []
    assert [c for c in chars if (junk.search(c) is not None) != legacy.has_junk(c)] == []
    text = "".join(chars[::97])
    assert legacy._junk_count(text) == len(junk.findall(text))
    assert legacy.has_junk(text) and not legacy.has_junk("Nguyễn Văn An")
    names = (Path(__file__).parent / "data" / "names.txt").read_text(encoding="utf-8").splitlines()[:300]
    cells = [as_text(legacy.encode(t, e)) for t in names for e in ("tcvn3", "vni", "viscii", "cp1258")]
    texts = [text, *cells, *(r for c in cells[::7] for r in legacy.readings(c).values())]
    assert [legacy._foreign_count(t) for t in texts] == [len(legacy._foreign_words(t)) for t in texts]


def test_every_two_character_vni_code_ends_in_a_diacritic() -> None:
    """The VNI reader looks a pair up only when its second character is a diacritic."""
    pairs = [code for code in legacy._VNI_DECODE if len(code) == 2]
    assert pairs and all(code[1] in legacy._VNI_DIACRITIC_CHARS for code in pairs)


def test_the_vni_reader_copies_ascii_runs() -> None:
    """The VNI reader copies a run of ASCII characters as it is: no ASCII character is a VNI code and no diacritic is
    ASCII."""
    assert [code for code in legacy._VNI_DECODE if len(code) == 1 and code.isascii()] == []
    assert not any(char.isascii() for char in legacy._VNI_DIACRITIC_CHARS)


def _vni_read_a_character_at_a_time(text: str) -> str | None:
    """The VNI reader as it was written first (every character looked up), None where a diacritic follows no vowel."""
    out, i, n = [], 0, len(text)
    table, marks = legacy._VNI_DECODE, legacy._VNI_DIACRITIC_CHARS
    while i < n:
        char = text[i]
        if i + 1 < n and text[i + 1] in marks and text[i : i + 2] in table:
            out.append(table[text[i : i + 2]])
            i += 2
            continue
        if char in marks and char not in table:
            return None
        out.append(table.get(char, char))
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*"aeiouyAEIOUYdDnN x,.-1", *sorted(legacy._VNI_DIACRITIC_CHARS), "ô", "ö", "ñ",
                                 "Ô", "Ö", "Ñ", "í", "Ì"]), max_size=24).map("".join))
def test_the_vni_reader_reads_as_a_character_at_a_time(text: str) -> None:
    try:
        got: str | None = legacy._vni_decode_text(text)
    except legacy.LegacyEncodingError:
        got = None
    assert got == _vni_read_a_character_at_a_time(text)


def test_engine_decoding_tables_are_the_codecs_tables() -> None:
    """The engine reads every byte table through one 256-character decoding table each (the codec machinery, in C):
    each must read every byte as the codec it stands for does — VISCII as ``viscii.decode``, Windows-1258 as
    Python's codec (undefined bytes refused alike), TCVN3 and the Windows-1252 view as their decoders."""
    import codecs

    from hopnhat.text import viscii

    every = bytes(range(256))
    assert codecs.charmap_decode(every, "strict", legacy._VISCII_TABLE)[0] == \
        every.decode("latin-1").translate({b: c for b, c in enumerate(viscii.DECODE)})
    assert unicodedata.normalize("NFC", codecs.charmap_decode(every, "strict", legacy._VISCII_TABLE)[0]) == \
        viscii.decode(every)
    for byte in every:
        one = bytes([byte])
        try:
            expected: str | None = one.decode("cp1258")
        except UnicodeDecodeError:
            expected = None
        try:
            got: str | None = codecs.charmap_decode(one, "strict", legacy._CP1258_TABLE)[0]
        except UnicodeDecodeError:
            got = None
        assert got == expected, hex(byte)
    assert unicodedata.normalize("NFC", codecs.charmap_decode(every, "strict", legacy._TCVN3_TABLE)[0]) == \
        legacy.decode(every, "tcvn3")
    assert codecs.charmap_decode(every, "strict", legacy._SLOPPY_TABLE)[0] == legacy.cp1252_view(every)


def test_viqr_final_d_is_a_d() -> None:
    """VIQR writes đ as ``dd``: a ``d`` ending a text is a d (it was read as đ, the missing next character taken as
    an empty string that ``in "dD"`` finds) — ``Tra^`n Thi. Ba d`` in a VIQR column is ``Trần Thị Ba d``."""
    from hopnhat.text import viqr

    assert viqr.parse("Hoa d")[0] == "Hoa d"
    assert viqr.parse("and")[0] == "and"
    assert viqr.parse("D")[0] == "D"
    assert viqr.parse("Vie^.t Nam dd")[0] == "Việt Nam đ"
    assert viqr.parse("DDinh DD")[0] == "Đinh Đ"
    assert legacy.viqr_reading("Tra^`n Thi. Ba d", column=True) == "Trần Thị Ba d"
    fixed, _ = ColumnRepairer("c", "viqr").repair(["Vie^.t Nam d", "Nguye^~n Va(n An"])
    assert fixed == ["Việt Nam d", "Nguyễn Văn An"]


def test_the_consonants_as_code_points_are_the_lower_case_consonants() -> None:
    """The compound check looks a character up among every character whose lower case is a consonant (in C, no
    lower-casing first): that list must be exactly those characters."""
    expected = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and chr(c).lower() in legacy._CONSONANTS]
    assert sorted(legacy._CONSONANT_CHARS) == expected
