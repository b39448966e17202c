"""Names as keys: họ / đệm / tên on folded text, order repaired, compound family names, accent-level key."""

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hopnhat.link.names import split_name


@pytest.mark.parametrize(("written", "family", "middle", "given"), [
    ("Nguyễn Văn Hùng", "nguyen", "van", "hung"),
    ("NGUYEN VAN HUNG", "nguyen", "van", "hung"),  # upper case, diacritics lost
    ("Văn Hùng Nguyễn", "nguyen", "van", "hung"),  # Western order, middle name first
    ("Thị Mai Trần", "tran", "thi", "mai"),
    ("Linh Ngọc Phạm", "pham", "ngoc", "linh"),  # given name first, family last: Ngọc is the middle name
    ("Hoa Quỳnh Lê", "le", "quynh", "hoa"),
    ("Ngọc Anh Trần", "tran", "ngoc", "anh"),  # both can be middle names: read as Western order (middle, given)
    ("Trần Thị Mai", "tran", "thi", "mai"),  # 'Mai' is also a family name: family-first stays
    ("Tôn Nữ Thị Diệu", "ton nu", "thi", "dieu"),  # two-word family name
    ("Nguyễn Hùng", "nguyen", None, "hung"),  # middle name dropped
    ("Đặng  Đức   Tùng", "dang", "duc", "tung"),  # Đ folds to d, spaces collapse
    ("Lê Thị Hoà", "le", "thi", "hoa"),
    ("Hùng", None, None, "hung"),
])
def test_parts(written: str, family: str | None, middle: str | None, given: str) -> None:
    parts = split_name(written)
    assert (parts.family, parts.middle, parts.given) == (family, middle, given)


def test_tone_placement_is_unified_in_the_accent_key() -> None:
    assert split_name("Lê Thị Hoà").given_accent == split_name("Lê Thị Hòa").given_accent == "hòa"
    assert split_name("Nguyễn Văn Hưng").given_accent != split_name("Nguyễn Văn Hùng").given_accent


def test_accent_key_only_when_written_with_diacritics() -> None:
    assert split_name("Nguyen Thi Lan").given_accent is None
    assert split_name("Nguyễn Thị Lan").given_accent == "lan"


def test_sorted_key_ignores_order_and_marks_repair() -> None:
    a, b = split_name("Nguyễn Văn Hùng"), split_name("Hùng Nguyễn Văn")
    assert a.sorted_key == b.sorted_key == "hung nguyen van"
    assert split_name("Văn Hùng Nguyễn").reordered and not a.reordered


@pytest.mark.parametrize("empty", [None, "", "   ", "123"])
def test_empty_names(empty: str | None) -> None:
    assert split_name(empty).given is None


@pytest.mark.parametrize(("written", "family", "given"), [
    ("Văn Dũng Nguyễ", "nguyen", "dung"),  # Western order and a typo in the family name
    ("Duc Hung Trsn", "tran", "hung"),
    ("Quỳnh Lan Bùii", "bui", "lan"),
    ("Công Minh Trn", "tran", "minh"),  # 'trn' is one edit from Trần and Tôn: the more frequent wins
    ("Bế Văn Đàn", "be", "dan"),  # a Tày family name first: left as written
])
def test_order_repaired_through_a_family_name_typo(written: str, family: str, given: str) -> None:
    parts = split_name(written)
    assert (parts.family, parts.given) == (family, given)


@pytest.mark.parametrize(("written", "family", "middle", "given"), [
    ("Văn Hiếu Bù", "bui", "van", "hieu"),  # a dropped letter: same first letter wins over the more frequent Vũ
    ("Thị Nhàn Võõ", "vo", "thi", "nhan"),  # a doubled letter on a two-letter family name
    ("Kim Thảo Phạn", "phan", "kim", "thao"),  # Kim is mostly a middle name, Phan a frequent family name
    ("Quang Hùng Đonh", "dinh", "quang", "hung"),
    ("Kim Thị Hà", "kim", "thi", "ha"),  # Hà is a given name too: family-first stays
    ("Hoàng Văn Nam", "hoang", "van", "nam"),
    ("Mai Anh Tuấn", "mai", "anh", "tuan"),
    # a frequent family name first and a given name a letter from a family name: written family-first
    ("Hoàng Hữu Tuấn", "hoang", "huu", "tuan"),  # tuan / tran
    ("Đinh Quang Dũng", "dinh", "quang", "dung"),  # dung / dang
    ("Hoàng Văn Phát", "hoang", "van", "phat"),  # phat / pham
    ("Văn Hùng Nguyễ", "nguyen", "van", "hung"),  # a slip of a long frequent family name still turns it
    # a frequent given name is not read as a slip of a short family name (lan / lâm): Văn is the family name here
    ("Văn Minh Lan", "van", "minh", "lan"),
    ("Trang Huynh", "huynh", None, "trang"),  # a given name that is a rare family name, before a frequent one
    ("DUNG QUANG NGUYN", "nguyen", "quang", "dung"),  # dung is only near dang; nguyn is a slip of nguyen
    ("Phmạ Hoài Hương", "phma", "hoai", "huong"),  # a slipped family name first: Hương is no slip of Dương
    ("Phmaj Xuaan Hieepj", "phmaj", "xuan", "hiep"),  # nor Hiệp of Diệp
    ("Son Ba Tran", "tran", "ba", "son"),
    # a doubled letter on the family name written first: Sương is no slip of Dương, Hậu no family name here
    ("VÕÕ HỒNG SƯƠNG", "vo", "hong", "suong"),
    ("HỒỒ HOÀNG HẬU", "ho", "hoang", "hau"),
    # a first word no Vietnamese syllable can be, a slip from a family name: the order is right
    ("Trn Yen", "trn", None, "yen"),
    ("Tean Thi Ha", "tean", "thi", "ha"),
    ("Trầb Lâm", "trab", None, "lam"),
    # ... but a real given name a letter from a family name, before one, is given-first
    ("Trung Công Hoàng", "hoang", "cong", "trung"),
    ("Phát Đức Ngô", "ngo", "duc", "phat"),
    # a rare family name that is a given name too, before a top family name written with its diacritics
    ("Thắng Đức Nguyễn", "nguyen", "duc", "thang"),
    ("Lộc Nguyễn", "nguyen", None, "loc"),
    ("LOC VAN HUYNH", "huynh", "van", "loc"),  # without diacritics: Huỳnh, Phạm, Võ are no given names
    # ... not before a given name that folds like one (Nguyên, Lệ), nor after a frequent family name (Cao)
    ("Đào Tuấn Nguyên", "dao", "tuan", "nguyen"),
    ("Lưu Thị Lệ", "luu", "thi", "le"),
    ("Cao Văn Vũ", "cao", "van", "vu"),
])
def test_western_order_behind_a_family_name(written: str, family: str, middle: str | None, given: str) -> None:
    parts = split_name(written)
    assert (parts.family, parts.middle, parts.given) == (family, middle, given)


@pytest.mark.parametrize(("word", "shaped"), [
    ("trung", True), ("nghieng", True), ("quynh", True), ("gia", True), ("khuya", True), ("uyen", True),
    ("tean", False), ("trn", False), ("trab", False), ("ksor", False),
])
def test_syllable_shape(word: str, shaped: bool) -> None:
    from hopnhat.link.keystrokes import syllable_shaped

    assert syllable_shaped(word) is shaped


def test_the_names_table_is_the_same_made_in_chunks() -> None:
    # the distinct names are split a chunk at a time (the heap a million names leave behind is a chunk's): the
    # table must not depend on the chunk size; blanks and nulls are no name
    import pyarrow as pa

    from hopnhat.link.person_features import _names_table

    names = pa.chunked_array([["Nguyễn Văn Hùng", None, "", "Văn Hùng Nguyễn", "Tôn Nữ Thị Diệu"],
                              ["Nguyễn Văn Hùng", "HÙNG"]])
    whole = _names_table(names, step=1_000)
    assert whole.column("full_name").to_pylist() == ["Nguyễn Văn Hùng", "Văn Hùng Nguyễn", "Tôn Nữ Thị Diệu", "HÙNG"]
    assert _names_table(names, step=1).equals(whole)
    assert _names_table(names, step=3).equals(whole)


def test_the_names_table_is_keyed_by_each_names_number() -> None:
    # the records carry a number for their name (nid, in no particular order) while the names table is made in a
    # thread: each name's parts must come out under its own number
    import pyarrow as pa

    from hopnhat.link.names import split_parts
    from hopnhat.link.person_features import _numbered_names

    full = ["Văn Hùng Nguyễn", "Nguyễn Văn Hùng", "Tôn Nữ Thị Diệu", "HÙNG"]
    table = _numbered_names(pa.table({"nid": pa.array([7, 3, 9, 1], pa.int32()), "full_name": full}))
    by_nid = dict(zip(table.column("nid").to_pylist(), table.to_pylist(), strict=True))
    assert sorted(by_nid) == [1, 3, 7, 9]
    for nid, name in zip([7, 3, 9, 1], full, strict=True):
        family, middle, given, given_accent, sorted_key, _ = split_parts(name)
        row = by_nid[nid]
        assert (row["fam"], row["mid"], row["giv"], row["giv_acc"], row["name_sorted"]) == (
            family, middle, given, given_accent, sorted_key)
    assert "full_name" not in table.column_names


_NAME_CHARS = ("NguyễnVănHùngĐặngThịHoàThuỷưươơăâêôđĐaeouyAEOUYdwsfrxjqgihk" "a\u0301e\u0302\u0303o\u031b\u0323"
               "0123456789^(+'`?~._-" " \t\u00a0\u2003\u0085\u001f")


@given(st.text(alphabet=_NAME_CHARS, max_size=30))
@settings(max_examples=400, deadline=None)
def test_a_name_is_split_into_words_a_piece_at_a_time_as_whole(text: str) -> None:
    # the names table reads each white-space-free piece of a name once (pieces repeat across names): the words must be
    # those of the whole name read at once — keystrokes decoded only in an all-ASCII name, composed, tones placed
    from hopnhat.link.keystrokes import decode_name
    from hopnhat.link.names import _accent_words, _split_words
    from hopnhat.text.normalize import fold

    accent = _accent_words(decode_name(text) if text.isascii() else text)
    assert _split_words(text) == (accent, [fold(w) for w in accent])


@given(st.lists(st.one_of(st.none(), st.text(alphabet="abcdxyz AZáđ_\t{`ỹ€😀", max_size=20)), max_size=12),
       st.integers(0, 3))
@settings(max_examples=300, deadline=None)
def test_a_names_letters_are_its_bytes_letters(texts: list[str | None], skip: int) -> None:
    # the names table's letter bits are read from the texts' UTF-8 bytes at once: the same bits as letter_bits
    from hopnhat.link.person_features import letter_bits, texts_letter_bits

    array = pa.array(texts, pa.string()).slice(min(skip, len(texts)))
    assert texts_letter_bits(array).to_pylist() == [letter_bits(t) for t in texts[skip:]]
    assert texts_letter_bits(array).type == pa.int32()


@given(st.text(alphabet="nguyetrahoplmvdbcskiq", min_size=2, max_size=8), st.booleans())
@settings(max_examples=1500, deadline=None)
def test_a_family_name_near_a_word_is_every_family_name_one_edit_away(word: str, loose: bool) -> None:
    # family_near skips a family name whose letters differ from the word's in more than two (one edit adds, drops or
    # changes one letter): it finds what trying every family name finds
    from hopnhat.link.names import FAMILY_ORDER, _one_edit, family_near

    near = [f for f in FAMILY_ORDER if (len(f) >= 3 or loose or word == f + f[-1]) and _one_edit(word, f)]
    expected = word if word in FAMILY_ORDER else min(
        near, key=lambda f: (f[0] != word[0], FAMILY_ORDER.index(f))) if near and (len(word) >= 3 or loose) else None
    assert family_near(word, loose) == expected


def test_a_family_name_near_a_word_is_found_among_names_of_about_its_length() -> None:
    # family_near tries only family names a letter longer or shorter at most (an edit changes the length by one)
    from hopnhat.link.names import FAMILY_ORDER, _one_edit, family_near

    for word in ("nguyn", "nguyeen", "tran", "tra", "trnn", "ho", "hoo", "vo", "vuu", "lee", "ksr", "xyzxyz", "phamm"):
        for loose in (False, True):
            near = [f for f in FAMILY_ORDER if (len(f) >= 3 or loose or word == f + f[-1]) and _one_edit(word, f)]
            expected = word if word in FAMILY_ORDER else min(
                near, key=lambda f: (f[0] != word[0], FAMILY_ORDER.index(f))) if near and len(word) >= 2 and (
                    len(word) >= 3 or loose) else None
            assert family_near(word, loose) == expected
