"""Which columns of a clerk's list hold the name, birth date, sex, ID numbers, phone and address.

A list exported from a one-stop-shop system or typed in Excel names its columns in Vietnamese (``Họ và tên``,
``Ngày sinh (dd/mm/yyyy)``, ``Số CCCD``, ``Nơi thường trú``), often without diacritics or in capitals, and often
splits the name (``Họ`` | ``Chữ đệm`` | ``Tên``) or keeps the old CMND beside the CCCD in a column of its own. A header
is compared on its folded form (:func:`header_key`: no diacritics, lower case, bracketed hints and punctuation
dropped) with the headers registers use, listed below by key in order of preference. Only whole headers match:
``Họ tên cha`` (a father's name in a birth register) is not the person's name, ``Quê quán`` (a home town) and
``Nơi sinh`` (a birthplace) are not an address.

- A key the user renamed (``--column KEY=NAME``) reads that column alone; a column named as the key (``full_name``)
  is read as it is.
- Otherwise the header listed first for the key is read; the others that also match are reported, not read.
- The ID numbers of every ID column are read together (``Số CCCD`` and ``Số CMND``: the old number beside the new
  one is evidence, as in one cell written ``049085001234 / 201234567``).
- Without a full-name column, a family name and a given name (and a middle name between them, when there is one)
  make the name.
- A form with two header rows (:mod:`hopnhat.ingest.headerrow`) writes the birth date in the column of the person's
  sex (``Ngày sinh - Nam`` | ``Ngày sinh - Nữ``) or marks the sex in one of two columns (``Giới tính - Nam`` |
  ``Giới tính - Nữ``): the date is read from whichever is filled, and the sex is the column's
  (:attr:`Columns.sex_from`). An address in parts (``Địa chỉ - Thôn/Xóm`` | ``Địa chỉ - Xã/Phường`` | …, or
  ``Thôn``, ``Xã``, ``Huyện``, ``Tỉnh`` side by side) is read as one address, its parts in file order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.text.normalize import fold

KEYS = ("full_name", "dob", "sex", "id_number", "phone", "address")
ID_SEPARATOR = " / "  # between the numbers of several ID columns (the ID cell parser splits on it)
NAME_SEPARATOR = " "

# The headers of each key, folded (header_key), the preferred first.
HEADERS: dict[str, tuple[str, ...]] = {
    "full_name": ("ho va ten", "ho ten", "hoten", "ho va ten cong dan", "ho ten cong dan", "ho va ten khai sinh",
                  "ho ten khai sinh", "ho va ten nguoi dan", "ten day du", "full name", "name"),
    "dob": ("ngay sinh", "ngaysinh", "ngay thang nam sinh", "sinh ngay", "date of birth", "birth date", "birthdate",
            "birthday", "nam sinh"),
    "sex": ("gioi tinh", "gioitinh", "gioi", "phai", "nam nu", "gender"),
    "id_number": ("so cccd", "cccd", "so can cuoc cong dan", "can cuoc cong dan", "so can cuoc", "can cuoc",
                  "so dinh danh", "so dinh danh ca nhan", "ma dinh danh", "ma so dinh danh", "so cccd cmnd",
                  "cccd cmnd", "so cmnd cccd", "cmnd cccd", "so giay to tuy than", "giay to tuy than", "so giay to",
                  "so cmnd", "cmnd", "so chung minh nhan dan", "chung minh nhan dan", "so cmt", "cmt", "national id",
                  # the number under a merged "ID papers" cell whose other columns are the date and place of issue
                  "giay to tuy than so", "cmnd cccd so", "cccd cmnd so", "cccd so", "cmnd so", "can cuoc cong dan so",
                  "chung minh nhan dan so"),
    "phone": ("so dien thoai", "dien thoai", "sdt", "so dt", "dtdd", "so di dong", "di dong",
              "dien thoai di dong", "so dien thoai lien he", "dien thoai lien he", "phone number", "mobile", "tel"),
    "address": ("dia chi", "diachi", "dia chi thuong tru", "noi thuong tru", "thuong tru", "dia chi cu tru",
                "noi cu tru", "noi o hien nay", "noi o hien tai", "cho o hien nay", "dia chi hien nay",
                "dia chi lien he"),
}
# The name in parts: (family, middle), family and middle in one column, given.
FAMILY = ("ho", "family name", "last name", "surname")
MIDDLE = ("ten dem", "chu dem", "dem", "ten lot", "lot", "middle name")
FAMILY_MIDDLE = ("ho va ten dem", "ho dem", "ho va chu dem", "ho va dem", "ho lot", "ho va ten lot")
GIVEN = ("ten", "ten goi", "given name", "first name")
# The parts of an address in columns of their own, from the house to the province (folded), read in file order.
ADDRESS_PARTS = ("so nha", "duong", "so nha duong", "duong pho", "thon", "xom", "ap", "ban", "buon", "lang",
                 "to dan pho", "khu pho", "thon xom", "thon ap", "thon to", "thon xom ap", "xa", "phuong", "thi tran",
                 "xa phuong", "phuong xa", "xa phuong thi tran", "huyen", "quan", "thi xa", "huyen quan",
                 "quan huyen", "huyen quan thi xa", "tinh", "tinh thanh pho", "tinh tp", "tinh thanh")
SEXES = (("nam", "Nam"), ("nu", "Nữ"))  # a sub-column's folded name → the sex it stands for

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def header_key(header: str) -> str:
    """A header as it is compared: bracketed hints (``(dd/mm/yyyy)``, ``(*)``) dropped, folded (no diacritics,
    ``Đ`` → ``d``), lower case, every run of other characters one space: ``Số CMND/CCCD`` → ``so cmnd cccd``."""
    return _NOT_WORD.sub(" ", fold(_BRACKETED.sub(" ", header)).lower()).strip()


@dataclass(frozen=True)
class Columns:
    """The input columns each key reads (several: joined by :func:`separator`), how each was found, and the other
    columns that matched a key but are not read."""

    read: dict[str, tuple[str, ...]]
    recognised: frozenset[str] = frozenset()  # keys found by their header (not named as the key, not renamed)
    unused: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sex_from: tuple[str, str] | None = None  # (male, female): the sex is the column that is filled

    def get(self, key: str) -> tuple[str, ...] | None:
        return self.read.get(key)


def separator(key: str) -> str:
    return ID_SEPARATOR if key == "id_number" else ", " if key == "address" else NAME_SEPARATOR


def resolve(headers: list[str], renames: dict[str, str]) -> Columns:
    """The columns of a file with ``headers`` that each key reads (see the module doc); an InputError for a key the
    tool does not know, a renamed column not in the file, or no name at all."""
    unknown = sorted(set(renames) - set(KEYS))
    if unknown:
        raise InputError(tr("khóa cột không biết", "unknown column key"), column=unknown[0],
                         reason=tr("khóa hợp lệ: ", "known keys: ") + ", ".join(KEYS))
    read: dict[str, tuple[str, ...]] = {}
    unused: dict[str, tuple[str, ...]] = {}
    recognised: set[str] = set()
    by_key = _by_key(headers)
    taken = set(renames.values()) | {k for k in KEYS if k in headers}
    for key in KEYS:
        if key in renames:
            if renames[key] not in headers:
                raise InputError(tr("không có cột này trong tệp", "column not in the file"), column=renames[key],
                                 reason=tr("các cột: ", "columns: ") + ", ".join(headers))
            read[key] = (renames[key],)
        elif key in headers:
            read[key] = (key,)
        else:
            found = [h for h in _matches(by_key, HEADERS[key]) if h not in taken]
            if found:
                chosen = found if key == "id_number" else found[:1]
                read[key], recognised = tuple(chosen), recognised | {key}
                if found[len(chosen):]:
                    unused[key] = tuple(found[len(chosen):])
    sex_from = _two_row_forms(headers, by_key, read, recognised, taken)
    if "full_name" not in read:
        parts = _name_parts(by_key, taken)
        if parts is None:
            raise InputError(tr("thiếu cột họ tên", "the name column is missing"),
                             column=renames.get("full_name", "full_name"),
                             reason=tr("các cột trong tệp: ", "the file's columns: ") + ", ".join(headers[:30]),
                             hint=tr("dùng --column full_name=<cột>", "use --column full_name=<column>"))
        read["full_name"], recognised = parts, recognised | {"full_name"}
    return Columns(read, frozenset(recognised), unused, sex_from)


def _two_row_forms(headers: list[str], by_key: dict[str, list[str]], read: dict[str, tuple[str, ...]],
                   recognised: set[str], taken: set[str]) -> tuple[str, str] | None:
    """Birth date and sex from a form's paired columns, an address from its parts (module doc): ``read`` and
    ``recognised`` completed; the (male, female) columns the sex is read from, or None."""
    sex_from = None
    if "dob" not in read:
        split = _by_sex(by_key, HEADERS["dob"], taken)
        if split is not None:
            read["dob"], sex_from = split, split
            recognised.add("dob")
    if "sex" not in read:
        marks = _by_sex(by_key, HEADERS["sex"], taken)
        sex_from = marks or sex_from
        if sex_from is not None:
            recognised.add("sex")
    else:
        sex_from = None
    if "address" not in read:
        parts = tuple(h for h in headers if h not in taken and _address_part(header_key(h)))
        if parts:
            read["address"] = parts
            recognised.add("address")
    return sex_from


def _by_sex(by_key: dict[str, list[str]], heads: tuple[str, ...], taken: set[str]) -> tuple[str, str] | None:
    """The (male, female) columns of a merged header (``ngay sinh`` over ``nam`` | ``nu``), or None."""
    for head in heads:
        pair = [[h for h in by_key.get(f"{head} {sex}", ()) if h not in taken] for sex, _ in SEXES]
        if all(pair):
            return pair[0][0], pair[1][0]
    return None


def _address_part(key: str) -> bool:
    """A column holding a part of the address: ``thon``, ``xa phuong`` … or ``dia chi <part>`` under a merged
    ``Địa chỉ`` (``Nơi thường trú``) cell."""
    if key in ADDRESS_PARTS:
        return True
    return any(key.startswith(head + " ") and key[len(head) + 1:] in ADDRESS_PARTS for head in HEADERS["address"])



def _by_key(headers: list[str]) -> dict[str, list[str]]:
    """Folded header → the file's headers with that form, in file order."""
    out: dict[str, list[str]] = {}
    for header in headers:
        out.setdefault(header_key(header), []).append(header)
    return out


def _matches(by_key: dict[str, list[str]], wanted: tuple[str, ...]) -> list[str]:
    """The file's headers matching ``wanted`` (folded), in ``wanted``'s order of preference."""
    return [h for key in wanted for h in by_key.get(key, ())]


def _name_parts(by_key: dict[str, list[str]], taken: set[str]) -> tuple[str, ...] | None:
    """(family, middle, given) or (family and middle, given) columns, or None."""
    def first(wanted: tuple[str, ...]) -> str | None:
        found = [h for h in _matches(by_key, wanted) if h not in taken]
        return found[0] if found else None

    given = first(GIVEN)
    family_middle = first(FAMILY_MIDDLE)
    if given and family_middle:
        return family_middle, given
    family = first(FAMILY)
    if given is None or family is None:
        return None
    middle = first(MIDDLE)
    return (family, middle, given) if middle else (family, given)
