"""Golden table of query readings: what the clerk typed → every reading the lookup searches, most plausible first
(its kind, and what it reads: the identifier, the folded name, the year, the month-day, the communes).

Hand-written queries (not from the project's generator): the failing examples of issue 22 (names whose words are
also admin-unit words, single words), numbers typed as clerks type them, names with Telex/VNI keystrokes or given
name first, name + place with or without a comma."""

from __future__ import annotations

import pytest

from hopnhat.serve.search.names import is_syllable, name_orders, plain_words
from hopnhat.serve.search.readings import reading_as, readings

PROVINCE = "48"  # the merged Đà Nẵng (Quảng Nam merged into it)

GOLDEN: list[tuple[str, list[tuple[str, str]]]] = [
    # identifiers: CCCD 12, CMND 9 (never a phone that lost its 0), tax codes 10/13, phones 0xx / +84 / 84
    ("049193639832", [("id", "049193639832")]),
    ("205 108 971", [("id", "205108971")]),
    ("4069522482-001", [("id", "4069522482001")]),
    ("0402088741", [("id", "0402088741"), ("phone", "0402088741")]),  # a tax code of Đà Nẵng first
    ("0905123456", [("phone", "0905123456"), ("id", "0905123456")]),  # a mobile first
    ("+84 905 123 456", [("phone", "0905123456")]),
    ("84905123456", [("phone", "0905123456")]),
    ("0905.123.456", [("phone", "0905123456"), ("id", "0905123456")]),
    # the label a clerk copies with the number
    ("CMND 200047514", [("id", "200047514")]),
    ("SĐT: 0990.089.830", [("phone", "0990089830"), ("id", "0990089830")]),
    ("Mã số thuế: 0402088741", [("id", "0402088741"), ("phone", "0402088741")]),
    # dossier codes and parcels
    ("4804004-240601-0001", [("dossier", "4804004-240601-0001")]),
    ("000.00.15.H49-240601-0001", [("dossier", "000.00.15.H49-240601-0001")]),
    ("20392 3 1", [("parcel", "")]),
    ("tờ 3 thửa 1 Tam Dân", [("parcel", "")]),
    # names whose words are unit words too: a name — an address only when some words name a place of the province
    ("Dương Đức Dũng 1971", [("name-year", "duong duc dung")]),
    ("Nguyễn Văn Dương 1980", [("name-year", "nguyen van duong")]),
    ("Quang Văn Hòa 1965", [("name-year", "quang van hoa")]),
    ("Phan Văn Xa", [("name", "phan van xa"), ("org", "phan van xa")]),
    ("Võ Hòa Phong 1980", [("name-year", "vo hoa phong"), ("address", "vo hoa phong")]),  # Hòa Phong: a commune
    ("Hòa Châu", [("name", "hoa chau"), ("address", "hoa chau"), ("org", "hoa chau")]),
    # one word: a family or given name (and maybe an organisation), never an address
    ("Nguyen", [("name", "nguyen"), ("org", "nguyen")]),
    ("Trần", [("name", "tran"), ("org", "tran")]),
    ("Hùng 1985", [("name-year", "hung")]),
    # keystrokes with the input method off, given name first, a full birth date
    ("Nguyeenx Vawn Hufng 1985", [("name-year", "nguyen van hung")]),
    ("Nguye6n4 Va8n Hu2ng", [("name", "nguyen van hung"), ("org", "nguye6n4 va8n hu2ng")]),
    ("Hùng Nguyễn Văn", [("name", "hung nguyen van"), ("org", "hung nguyen van")]),
    ("Nguyễn Văn Hùng 12/03/1985", [("name-date", "nguyen van hung")]),
    # words announcing the date are no part of the name; "Sinh" alone is a given name
    ("Đỗ Hữu Hậu, sinh năm 1975", [("name-year", "do huu hau")]),
    ("Hoàng Quang Tâm ngày sinh 11/5/2007", [("name-date", "hoang quang tam")]),
    ("Nguyễn Văn Sinh 1990", [("name-year", "nguyen van sinh")]),
    # name + place: after a comma, or the last words naming a commune of the province
    # (a name before the comma: the address reading comes after, searched only when the name found no one)
    ("Nguyễn Văn Hùng, Bình Quế", [("name-place", "nguyen van hung"), ("address", "nguyen van hung binh que"),
                                   ("org", "nguyen van hung binh que")]),
    ("Nguyễn Công Hòa - Đại Đồng - Đại Lộc", [("name-place", "nguyen cong hoa"),
                                             ("address", "nguyen cong hoa dai dong dai loc"),
                                             ("org", "nguyen cong hoa dai dong dai loc")]),
    ("Hùng, Tam Dân", [("name-place", "hung"), ("address", "hung tam dan"), ("org", "hung tam dan")]),
    ("nguyen van hung tam dan", [("name-place", "nguyen van hung"), ("name", "nguyen van hung tam dan"),
                                 ("address", "nguyen van hung tam dan"), ("org", "nguyen van hung tam dan")]),
    # a number in the place is the commune's ("Quế Xuân 1"), not a house number: the name + place is still read
    ("Trần Ngọc Thành, Xã Quế Xuân 1", [("name-place", "tran ngoc thanh"),
                                       ("address", "tran ngoc thanh xa que xuan 1")]),
    # a commune before the comma, or a house number: an address first
    ("Hòa Châu, Hòa Vang", [("address", "hoa chau hoa vang"), ("name-place", "hoa chau"),
                            ("org", "hoa chau hoa vang")]),
    # addresses and organisations
    ("Thôn 3, Xã Bình Quế, Huyện Thăng Bình", [("address", "thon 3 xa binh que huyen thang binh")]),
    ("phường Hải Châu", [("address", "phuong hai chau"), ("org", "phuong hai chau"), ("name", "phuong hai chau")]),
    ("Công ty TNHH Minh Phát", [("org", "cong ty tnhh minh phat")]),
    # Văn Phong, Trung Tâm, Ngân Hằng are names too: the words an office, a centre or a bank share with them do not
    # make the text an organisation only
    ("Nguyễn Văn Phong, Xã Tân Hiệp", [("name-place", "nguyen van phong"), ("address", "nguyen van phong xa tan hiep"),
                                      ("org", "nguyen van phong xa tan hiep")]),
    ("Trần Trung Tâm", [("name", "tran trung tam"), ("org", "tran trung tam")]),
    ("   ", [("empty", "")]),
]


@pytest.mark.parametrize(("text", "want"), GOLDEN, ids=[g[0].strip() or "blank" for g in GOLDEN])
def test_readings_in_order(text: str, want: list[tuple[str, str]]) -> None:
    got = [(q.slug, q.key or q.name) for q in readings(text, PROVINCE)]
    assert got == want


def test_year_date_and_place_are_read() -> None:
    q = readings("Nguyễn Văn Hùng 12/03/1985", PROVINCE)[0]
    assert (q.year, q.day) == (1985, 312)
    q = readings("Dương Đức Dũng 1971", PROVINCE)[0]
    assert (q.year, q.day) == (1971, None)
    placed = reading_as("Nguyễn Văn Hùng, Bình Quế", "name-place", PROVINCE)
    assert placed is not None and placed.communes == ("20827",) and placed.place == "Bình Quế"  # → Thăng Phú
    placed = reading_as("Nguyễn Văn Hùng, Xã Bình Quế, Huyện Thăng Bình", "name-place", PROVINCE)
    assert placed is not None and placed.old_commune == "20842"
    placed = reading_as("nguyen van hung binh que", "name-place", PROVINCE)  # no comma: the exact commune list
    assert placed is not None and placed.communes == ("20827",) and placed.old_commune == "20842"


def test_a_commune_after_a_comma_typed_without_diacritics_is_every_commune_that_folds_alike() -> None:
    plain = reading_as("Vu Tan Vu, Tam Thanh", "name-place", PROVINCE)
    marked = reading_as("Vũ Tấn Vũ, Tam Thạnh", "name-place", PROVINCE)
    assert plain is not None and marked is not None
    assert set(marked.communes) < set(plain.communes) and plain.old_commune is None  # Tam Thanh and Tam Thạnh
    assert marked.old_commune == "20980"
    # Bình Định is a province elsewhere, and an old commune of Thăng Bình here
    for text in ("Đỗ Văn Nguyên, Bình Định", "Do Van Nguyen, Binh Dinh"):
        q = reading_as(text, "name-place", PROVINCE)
        assert q is not None and q.communes == ("20818",) and q.old_commune == "20821"


def test_a_one_word_commune_after_a_name_is_read_after_the_whole_name() -> None:
    """Dang, Lăng, Tư, Ba are communes of Tây Giang and given names: "Nguyen Phuong Dang" is Nguyễn Phương Đăng."""
    got = [q.slug for q in readings("Nguyen Phuong Dang", PROVINCE)]
    assert got[:2] == ["name", "name-place"]
    assert readings("nguyen van hung binh que", PROVINCE)[0].slug == "name-place"  # two words: the commune


def test_a_place_of_another_province_is_no_place_here() -> None:
    """"Hòa An" names a dozen communes of the country: only the province's own are searched."""
    q = reading_as("Nguyễn Dung, Hòa An", "name-place", PROVINCE)
    assert q is not None and q.communes and len(q.communes) <= 2


def test_a_reading_the_text_cannot_have_is_refused() -> None:
    assert reading_as("049193639832", "address", PROVINCE) is None
    assert reading_as("Dương Đức Dũng 1971", "address", PROVINCE) is None  # no place of the province in it
    assert reading_as("Võ Hòa Phong 1980", "address", PROVINCE) is not None


@pytest.mark.parametrize(("typed", "word"), [
    ("nguyeenx", "nguyen"), ("ddung", "dung"), ("hoafng", "hoang"), ("thanhf", "thanh"), ("tuaans", "tuan"),
    ("phuowng", "phuong"), ("truwowng", "truong"), ("dduwcs", "duc"), ("nguye6n4", "nguyen"), ("hu7o7ng", "huong"),
    ("Nguye^~n", "nguyen"), ("nguyen", "nguyen"), ("quynh", "quynh"), ("khoa", "khoa"), ("xa", "xa"),
    ("smith", "smith"),  # not Vietnamese, no keystrokes to undo: unchanged
])
def test_keystrokes_are_undone(typed: str, word: str) -> None:
    assert plain_words(typed) == [word]


def test_syllables_and_name_orders() -> None:
    assert all(is_syllable(w) for w in ("nguyen", "nghieng", "khuyen", "gi", "a", "oanh"))
    assert not any(is_syllable(w) for w in ("nguyeen", "hoaf", "ddung", "lans"))
    assert name_orders(["hung", "nguyen", "van"])[:2] == [["hung", "nguyen", "van"], ["nguyen", "van", "hung"]]
    assert name_orders(["van", "hung", "nguyen"])[:2] == [["van", "hung", "nguyen"], ["nguyen", "van", "hung"]]
    assert ["dang", "anh", "van"] in name_orders(["van", "dang", "anh"])  # Vân Đặng Anh: "van" is no sure family
    # Yến Đặng Thu: a rarer family name first may be a given name typed first (Đặng Thu Yến)
    assert name_orders(["yen", "dang", "thu"])[1] == ["dang", "thu", "yen"]
    # both other orders are always tried, the order typed first: a rare family name (Trát Hoài Huyền) is no sign
    # against them, nor one that is also a middle name (Hoàng Đặng Văn = Đặng Văn Hoàng)
    assert ["trat", "hoai", "huyen"] in name_orders(["huyen", "trat", "hoai"])
    assert ["dang", "van", "hoang"] in name_orders(["hoang", "dang", "van"])
    assert name_orders(["nguyen", "van", "hung"])[0] == ["nguyen", "van", "hung"]
    assert name_orders(["nguyen", "hung"]) == [["nguyen", "hung"], ["hung", "nguyen"]]
    assert name_orders(["hung"]) == [["hung"]]
    assert ["nguyen", "pham", "thuy", "hang"] in name_orders(["thuy", "hang", "nguyen", "pham"])
