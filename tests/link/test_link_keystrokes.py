"""Names typed with the input method off (Telex, VNI, VIQR) are read back; plain names are left alone.

The expected forms are written by hand from the input methods' public key tables (not produced by any encoder of this
project or of the bench).
"""

import pytest

from hopnhat.link.keystrokes import decode_name, decode_word
from hopnhat.link.names import split_name


@pytest.mark.parametrize(("typed", "meant"), [
    ("Nguyeenx", "Nguyễn"), ("Nguye6n4", "Nguyễn"), ("Nguye^~n", "Nguyễn"),  # Telex, VNI, VIQR
    ("Truwowngf", "Trường"), ("Tru7o7ng2", "Trường"), ("Tru+o+`ng", "Trường"),
    ("Ddawngj", "Đặng"), ("D9a8ng5", "Đặng"), ("DDa(.ng", "Đặng"),
    ("Thij", "Thị"), ("Hoaf", "Hòa"), ("Huwng", "Hưng"), ("Giangs", "Giáng"), ("Quyeets", "Quyết"),
    ("NGUYEENX VAWN HUNGF", "NGUYỄN VĂN HÙNG"),
])
def test_keystrokes_decoded(typed: str, meant: str) -> None:
    assert decode_name(typed) == meant


@pytest.mark.parametrize("plain", ["Nguyen Van Hung", "TRAN THI LAN", "Pham Minh Tuan", "Ho Thi Ha", "Ksor Y",
                                   "Nguyễn Văn Hùng", "Le Quang Vinh", "Truong Cong Khanh", "Ngo Bao Chau"])
def test_plain_names_unchanged(plain: str) -> None:
    assert decode_name(plain) == plain


def test_decoded_name_splits_like_the_name_it_is() -> None:
    written, telex, vni = split_name("Trần Thị Phượng"), split_name("Traanf Thij Phuwowngj"), split_name(
        "Tra6n2 Thi5 Phu7o7ng5")
    assert (written.family, written.middle, written.given, written.given_accent) == (
        telex.family, telex.middle, telex.given, telex.given_accent) == (vni.family, vni.middle, vni.given,
                                                                         vni.given_accent)


def test_name_typed_given_first_and_family_slip() -> None:
    assert (split_name("Lan Thị Phan").family, split_name("Lan Thị Phan").given) == ("phan", "lan")
    assert (split_name("Nguễn Thị Mai").family, split_name("Nguễn Thị Mai").given) == ("nguyen", "mai")


@pytest.mark.parametrize(("word", "decoded"), [
    ("TJUAANJ", "TJUẬN"),  # Thuận typed in Telex with a slip in the onset: the doubled vowel is Telex all the same
    ("Lcooj", "Lcộ"),
    ("Ksor", "Ksor"),  # a lone tone key after no Vietnamese onset: an Ê Đê name, left alone
    ("Kjanhs", "Kjanhs"),
])
def test_telex_with_a_slip_in_the_onset(word: str, decoded: str) -> None:
    assert decode_word(word) == decoded
