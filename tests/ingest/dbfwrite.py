"""DBF fixtures written by a writer this project did not write: the ``dbf`` package (Ethan Furman's), which writes
dBase III (``db3``, memos in a ``.dbt``), FoxPro 2 (``fp``) and Visual FoxPro (``vfp``) tables (memos in a ``.fpt``).

Nothing here imports ``hopnhat``. Text typed in TCVN3 or VNI comes from ``tests/text/independent.py``'s encoders (GNU
libc ``iconv`` for TCVN3). The ``dbf`` package encodes text through the table's code page, so legacy bytes are handed
to it as their cp437 reading (cp437 gives every byte a character: the bytes written are the bytes given), and the
code page byte of the header is set afterwards to what the legacy system wrote (0, or 0x03 = Windows-1252).

A field of garbage is made by writing a sentinel value with the writer, then replacing the sentinel's bytes in the
file (the way a crashed program or a hand edit leaves one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import dbf
from tests.text.independent import encode_many, vni_encode

LANGUAGE_DRIVER = 29  # offset of the code page byte in a DBF header

NAMES = ["Nguyễn Văn Đức", "Trần Thị Hoà", "Lê Đình Ánh", "Phạm Thị Ngọc Ước", "Hoàng Văn Tuấn", "Đỗ Thị Hằng"]
PLACES = ["Xã Hòa Vang, Huyện Hòa Vang", "Phường Hải Châu I, Quận Hải Châu", "Thị trấn Núi Thành",
          "Xã Tam Kỳ", "Phường Phước Ninh", "Xã Điện Bàn"]
NOTES = ["Khai sinh đăng ký lại năm 1998", "", "Bản chính bị rách, đã sao lục", "", "Cải chính họ tên", ""]
SPEC = "MA C(8); HOTEN C(40); HOTENVNI C(40); NGAYSINH D; GIOITINH C(3); SOTIEN N(12,2); CONSONG L; NOISINH C(60); " \
       "GHICHU M"
DELETED = 3  # record number marked deleted
BAD_DATE = 5  # record number whose NGAYSINH holds garbage
BAD_NUMBER = 6  # record number whose SOTIEN holds garbage
SENTINEL_DATE = dt.date(1999, 9, 9)
SENTINEL_NUMBER = Decimal("444444.44")


@dataclass
class Written:
    path: Path
    tcvn3: list[bytes]  # HOTEN as typed
    vni: list[bytes]  # HOTENVNI as typed


def _typed(raw: bytes) -> str:
    return raw.decode("cp437")


def _patch(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert data.count(old) == 1, (old, data.count(old))
    path.write_bytes(data.replace(old, new))


def set_language_driver(path: Path, value: int) -> None:
    data = bytearray(path.read_bytes())
    data[LANGUAGE_DRIVER] = value
    path.write_bytes(bytes(data))


def register(folder: Path, dbf_type: str = "vfp", language_driver: int = 0x03, name: str = "hotich") -> Written:
    """A civil-status register of six people: names typed in TCVN3 (HOTEN) and VNI (HOTENVNI), birth dates, sex,
    a fee, alive or not, place of birth in TCVN3, a memo in TCVN3 for some; record 3 marked deleted, record 5's
    birth date and record 6's fee garbage."""
    path = folder / f"{name}.dbf"
    tcvn3 = encode_many(NAMES, "tcvn3")
    places = encode_many(PLACES, "tcvn3")
    notes = encode_many([n or "x" for n in NOTES], "tcvn3")
    vni = [vni_encode(n) for n in NAMES]
    table = dbf.Table(str(path), SPEC, dbf_type=dbf_type, codepage="cp437")
    table.open(dbf.READ_WRITE)
    for i in range(len(NAMES)):
        born = SENTINEL_DATE if i + 1 == BAD_DATE else dt.date(1950 + 7 * i, 1 + i, 10 + i)
        fee: Any = SENTINEL_NUMBER if i + 1 == BAD_NUMBER else Decimal(f"{1500 + 250 * i}.{50 if i % 2 else 0}")
        table.append((f"HT{i + 1:04d}", _typed(tcvn3[i]), _typed(vni[i]), born, "Nam" if i % 2 == 0 else "Nu",
                       fee, i != 4, _typed(places[i]), _typed(notes[i]) if NOTES[i] else ""))
    dbf.delete(table[DELETED - 1])
    table.close()
    _patch(path, b"19990909", b"19x9/0?9")
    _patch(path, b"   444444.44", b"  44,44O.4A?")
    set_language_driver(path, language_driver)
    return Written(path, tcvn3, vni)


def typed_table(folder: Path) -> Path:
    """A Visual FoxPro table with its binary types: integer, currency, date-time, double, in code page cp1251 (a real
    code page, honoured) holding Cyrillic text."""
    path = folder / "typed.dbf"
    table = dbf.Table(str(path), "MA I; TIEN Y; LUC T; DIEM B; TEN C(20)", dbf_type="vfp", codepage="cp1251")
    table.open(dbf.READ_WRITE)
    table.append((7, Decimal("1234.5600"), dt.datetime(2001, 2, 3, 4, 5, 6), 2.5, "Иван Петров"))
    table.append((-12, Decimal("0.0100"), None, 3.0, ""))
    table.close()
    return path
