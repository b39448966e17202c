"""The hamlet / group / street below the commune as written by registers, as a key compared within one commune."""

from __future__ import annotations

import pytest

from hopnhat.link.address_detail import address_detail


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
