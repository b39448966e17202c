"""The hamlet / group / street below the commune as written by registers, as a key compared within one commune."""

from __future__ import annotations

import pyarrow as pa
import pytest

from hopnhat.link.address_detail import address_detail, names_district, written_commune
from hopnhat.link.person_model import ADDRESS
from hopnhat.link.standalone import people_features


@pytest.mark.parametrize(("address", "key"), [
    ("Tổ 5, Phường Hòa Khánh Bắc, Quận Liên Chiểu, Thành phố Đà Nẵng", "to 5"),
    ("Tổ dân phố 05, P. Hòa Khánh Bắc, Q. Liên Chiểu", "to 5"),      # the same group, written another way
    ("TDP 5, phường Hòa Khánh Bắc", "to 5"),
    ("TỔ 5, PHƯỜNG HÒA KHÁNH BẮC", "to 5"),
    ("K105/39 Hai Bà Trưng, Tổ dân phố 4, Phường Hòa Hiệp Bắc", "to 4"),  # a house number is often left out
    ("Thôn Phú Sơn, Xã Hòa Phú, Huyện Hòa Vang", "thon phu son"),
    ("Khu phố 3, Thị trấn Núi Thành", "khu pho 3"),
    ("KP 3, TT Núi Thành", "khu pho 3"),
    ("Số 12 Lê Lợi, TP Tam Kỳ", "12 le loi"),
])
def test_hamlet_key(address: str, key: str) -> None:
    assert address_detail(address) == key


@pytest.mark.parametrize("address", [
    "Phường Hải Châu, Thành phố Đà Nẵng",   # nothing below the commune
    "Thôn 5",                               # no unit: nothing says where the hamlet ends
    "",
    None,
])
def test_no_key(address: str | None) -> None:
    assert address_detail(address) is None


# --- the old commune a hamlet belongs to (session 11) -----------------------------------------------------------------
# Xã Quế Thọ, Bình Lâm, Thăng Phước and Bình Sơn (Huyện Hiệp Đức) became Xã Việt An in 2025: each brought its own
# Thôn 1 … Thôn 12, so "Thôn 5" names four hamlets of one new commune.

@pytest.mark.parametrize(("address", "commune", "dated"), [
    ("Thôn 5, Xã Bình Lâm, Huyện Hiệp Đức, Tỉnh Quảng Nam", "binh lam", True),
    ("thôn 5, x. Bình Lâm, h. Hiệp Đức", "binh lam", True),
    ("Tổ 8, Phường An Xuân, Thành phố Tam Kỳ", "an xuan", True),         # a city below a province: a district
    ("Thôn 5, Xã Việt An, Thành phố Đà Nẵng", "viet an", False),          # the new units: no district
    ("12 Lê Lợi, P. Hải Châu, TP Đà Nẵng", "hai chau", False),
    ("Thôn 3, Huyện Đại Lộc", None, True),                                # no commune named
    (None, None, False),
])
def test_written_commune(address: str | None, commune: str | None, dated: bool) -> None:
    assert written_commune(address) == commune
    assert names_district(address) is dated


def test_one_hamlet_number_in_two_old_communes_is_two_hamlets() -> None:
    rows = pa.table({"full_name": ["Lê Văn An"] * 4, "address": [
        "Thôn 5, Xã Bình Lâm, Huyện Hiệp Đức, Tỉnh Quảng Nam",
        "Thôn 5, Xã Quế Thọ, Huyện Hiệp Đức, Tỉnh Quảng Nam",   # another old commune of Xã Việt An
        "Thôn 5, Xã Việt An, Thành phố Đà Nẵng",                # the new units: which Thôn 5 it is, nobody knows
        "Thôn 5, x. Bình Lâm, h. Hiệp Đức"]})
    work = people_features(rows, threads=1)
    level = next(lvl["sql_condition"] for lvl in ADDRESS["comparison_levels"]
                 if lvl["label_for_charts"] == "same new commune, same hamlet or street")
    cond = (level.replace("addr_old_l", "l.addr_old").replace("addr_old_r", "r.addr_old")
            .replace("addr_detail_l", "l.addr_detail").replace("addr_detail_r", "r.addr_detail")
            .replace("addr_l", "l.addr").replace("addr_r", "r.addr"))
    same = work.execute(f"SELECT l.uid, r.uid, l.addr = r.addr AND ({cond}) FROM person_features l "
                        "JOIN person_features r ON l.uid < r.uid ORDER BY 1, 2").fetchall()
    work.close()
    assert same == [(0, 1, False), (0, 2, True), (0, 3, True), (1, 2, True), (1, 3, False), (2, 3, True)]
