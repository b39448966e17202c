"""Identifier checks: CCCD digits against birth data, placeholders, tax codes, phones."""

import pytest

from hopnhat.link.ids import cccd_agrees, digits, is_placeholder, mst_parent, phone_key, read_cccd
from hopnhat.synth import ids as synth_ids


def test_cccd_digits_say_province_sex_and_year() -> None:
    read = read_cccd("049189010565")
    assert read is not None and (read.province, read.female, read.year) == ("049", True, 1989)
    woman = read_cccd("048305699242")
    assert woman is not None and woman.year == 2005  # century digit 3: woman born in the 2000s
    assert read_cccd("999189010565") is None  # no such province
    assert read_cccd("04918901056") is None


def test_cccd_agrees_with_the_record_or_not() -> None:
    assert cccd_agrees("049189010565", 1989, "F") is True
    assert cccd_agrees("049189010565", 1988, "F") is False
    assert cccd_agrees("049189010565", 1989, "M") is False
    assert cccd_agrees("049189010565", None, None) is True
    assert cccd_agrees(None, 1989, "F") is None


def test_synth_cccds_agree_with_their_people() -> None:
    for year, female in ((1931, False), (1999, True), (2001, False), (2024, True)):
        number = synth_ids.cccd("48", year, female, 123456)
        assert cccd_agrees(number, year, "F" if female else "M")


@pytest.mark.parametrize("number", ["000000000", "111111111111", "123456789", "012345678901", "987654321"])
def test_placeholders(number: str) -> None:
    assert is_placeholder(number)


def test_real_numbers_are_not_placeholders() -> None:
    assert not is_placeholder("049189010565") and not is_placeholder("205105947")


def test_tax_code_parent_with_check_digit() -> None:
    import numpy as np

    code = synth_ids.mst("40", np.random.default_rng(3))
    assert mst_parent(code) == code
    assert mst_parent(synth_ids.branch_mst(code, 7)) == code
    wrong = code[:9] + str((int(code[9]) + 1) % 10)
    assert mst_parent(wrong) is None
    assert mst_parent(code + "000") is None


@pytest.mark.parametrize("written", ["0917178359", "+84917178359", "84917178359", "091 717 8359", "091.717.8359"])
def test_phone_forms(written: str) -> None:
    assert phone_key(written) == "0917178359"


def test_digits() -> None:
    assert digits(" 049-189.010 565 ") == "049189010565" and digits("abc") is None and digits(None) is None


def test_id_cells_as_spreadsheets_and_clerks_leave_them() -> None:
    """A number a spreadsheet read as a float keeps its ``.0`` and lost its leading zeros (one, or two for the CCCDs
    of provinces 001-009: Hà Nội's ``001…``); the CMND written first and the CCCD after a spaced dash; a dash inside
    a number only groups its digits; a float of a number that cannot be a CCCD gives none."""
    import pyarrow as pa

    from hopnhat.link.standalone import people_features

    cells = ["49085001234.0", "1193599770.0", "1193599770", "201234567.0", "152549755 - 034179205569",
             "152549755 – 034179205569", "049-085-001-234", "9908500123.0", "034.091.234.567"]
    table = pa.table({"full_name": ["Nguyễn Văn Hùng"] * len(cells), "id_number": cells})
    work = people_features(table)
    rows = work.execute("SELECT cccd, cmnd FROM person_features ORDER BY uid").fetchall()
    work.close()
    assert rows == [("049085001234", None), ("001193599770", None), ("001193599770", None), (None, "201234567"),
                    ("034179205569", "152549755"), ("034179205569", "152549755"), ("049085001234", None),
                    (None, None), ("034091234567", None)]


def test_id_cells_as_registers_write_them() -> None:
    """The ID cell read like a clerk's spreadsheet leaves it: the CMND beside the CCCD, a leading zero lost, a number
    in scientific notation (its digits gone: no evidence), labels and separators."""
    import pyarrow as pa

    from hopnhat.link.standalone import people_features

    cells = ["201234567 / 049085001234", "49085001234", "4.90850E+11", "CMND: 205123456", "049 085 001 234",
             "CCCD 048190123456; CMND 201987654", "", "99085001234"]
    table = pa.table({"full_name": ["Nguyễn Văn Hùng"] * len(cells), "id_number": cells})
    work = people_features(table)
    rows = work.execute("SELECT cccd, cmnd FROM person_features ORDER BY uid").fetchall()
    work.close()
    assert rows == [("049085001234", "201234567"), ("049085001234", None), (None, None), (None, "205123456"),
                    ("049085001234", None), ("048190123456", "201987654"), (None, None), (None, None)]
