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

# The headers of every field of the unified model (hopnhat.model.schema), folded, the preferred first: what
# ``hopnhat init --scan`` maps a legacy table's columns by. The person's own fields are the lists above (one list per
# meaning: extend them there); a JSON export's nested keys are read as their path (``ChuHoSo.HoTen`` →
# ``chu ho so ho ten``). English keys are there because vendors' TTHC systems export them.
_CCCD = ("so cccd", "cccd", "so can cuoc cong dan", "can cuoc cong dan", "so can cuoc", "so dinh danh",
         "so dinh danh ca nhan", "ma dinh danh")
_CMND = ("so cmnd", "cmnd", "so chung minh nhan dan", "chung minh nhan dan", "so cmt", "cmt")
_COMMUNE = ("ma xa", "ma xa phuong", "ma phuong xa", "ma dvhc", "ma don vi hanh chinh", "commune code")
_STATUS = ("trang thai", "tinh trang", "status")
# a dossier's applicant is often an object of its own in an export (``NguoiNop.HoTen``): its role, then a person's field
_APPLICANT = ("chu ho so", "nguoi nop", "nguoi nop ho so", "nguoi yeu cau", "cong dan", "applicant")


def _applicant(key: str) -> tuple[str, ...]:
    return tuple(f"{role} {header}" for role in _APPLICANT for header in HEADERS[key])


# a document's issuing body is often an element or object of its own (``CoQuanBanHanh.Ten``, ``.MaXa``): its name
# and its commune's code under it (session 25: added after the demo's XML export was scanned, so in-sample)
_BODY = ("co quan ban hanh", "don vi ban hanh", "noi ban hanh", "co quan")


def _body(*headers: str) -> tuple[str, ...]:
    return tuple(f"{body} {header}" for body in _BODY for header in headers)


FIELD_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "person": {
        "full_name": HEADERS["full_name"], "birth_date": HEADERS["dob"], "sex": HEADERS["sex"],
        "id_number": HEADERS["id_number"], "cccd": _CCCD, "cmnd": _CMND, "phone": HEADERS["phone"],
        "birth_place": ("que quan", "nguyen quan", "noi sinh", "quequan"), "ethnicity": ("dan toc", "dantoc"),
        "address": HEADERS["address"],
        "commune": ("ma xa thuong tru", "ma xa noi thuong tru", *_COMMUNE),
    },
    "person_event": {
        "kind": ("loai", "loai su kien", "loai viec", "loai ho tich"),
        "book_number": ("so dang ky", "so dk", "so dang ki", "so giay khai sinh", "so quyen"),
        "registered_date": ("ngay dang ky", "ngay dk", "ngay dang ki"),
        "event_date": ("ngay su kien", "ngay sinh", "ngay chet", "ngay mat", "ngay tu", "ngay ket hon"),
        "place": ("noi dang ky", "co quan dang ky", "noi dk"),
        "commune": ("ma xa dang ky", *_COMMUNE),
        "person_key": ("ma cong dan", "cong dan id", "ma nguoi", "ma chong", "ma tre", "ma nguoi chet"),
        "person_name": ("ho ten tre", "ho ten nguoi chet", "ho ten nguoi mat", "ho ten chong", "ho ten nguoi duoc "
                        "khai sinh", "ho va ten tre", "ho va ten chong", "ho va ten nguoi chet",
                        # a register's plain name column is its subject's (the deceased in a death register)
                        "ho ten", "ho va ten", "hoten"),
        "related_person_key": ("ma vo", "nguoi lien quan id", "ma nguoi lien quan"),
        "related_person_name": ("ho ten vo", "ho va ten vo", "ho ten nguoi lien quan"),
        "sex": HEADERS["sex"],
        "father_name": ("ho ten cha", "ho va ten cha", "ten cha"),
        "mother_name": ("ho ten me", "ho va ten me", "ten me"),
    },
    "organization": {
        "tax_code": ("ma so thue", "mst", "ma so doanh nghiep", "ma dn", "ma so thue doanh nghiep", "tax code"),
        "name": ("ten doanh nghiep", "ten dn", "ten to chuc", "ten cong ty", "ten co so kinh doanh"),
        "legal_form": ("loai hinh", "loai hinh doanh nghiep", "loai hinh dn"),
        "registered_date": ("ngay cap", "ngay dang ky", "ngay thanh lap", "ngay cap phep", "ngay dang ky lan dau",
                            "ngay dkkd", "ngay dang ky kinh doanh"),
        "address": ("dia chi", "dia chi tru so", "tru so chinh", "dia chi tru so chinh"),
        "representative_name": ("nguoi dai dien", "nguoi dai dien phap luat", "dai dien phap luat"),
        "representative_id": ("so giay to nguoi dai dien", "cccd nguoi dai dien", "so cccd nguoi dai dien"),
        "status": _STATUS,
    },
    "dossier": {
        "code": ("ma ho so", "so ho so", "mahoso", "code", "dossier code"),
        "procedure_code": ("ma tthc", "ma thu tuc", "procedure code", "ma thu tuc hanh chinh"),
        "procedure_name": ("ten tthc", "ten thu tuc", "procedure name", "ten thu tuc hanh chinh"),
        "receiving_unit": ("ma don vi tiep nhan", "agency id", "ma co quan tiep nhan", "don vi tiep nhan id"),
        "receiving_unit_name": ("ten don vi tiep nhan", "don vi tiep nhan", "agency name", "co quan tiep nhan"),
        "received_at": ("ngay tiep nhan", "ngay nhan", "thoi gian tiep nhan", "received at", "ngay nop"),
        "due_at": ("ngay hen tra", "han xu ly", "han giai quyet", "appointment at", "due at", "ngay hen"),
        "finished_at": ("ngay ket thuc", "ngay hoan thanh", "ngay tra ket qua", "completed at", "finished at",
                        "ngay co ket qua"),
        "status": _STATUS,
        "applicant_name": ("ho ten nguoi nop", "nguoi nop ho so", "applicant fullname", "chu ho so",
                           *_applicant("full_name")),
        "applicant_id": ("applicant identity no", "so giay to nguoi nop", "cccd nguoi nop", *_applicant("id_number")),
        "applicant_address": ("applicant address", "dia chi nguoi nop", *_applicant("address")),
    },
    "dossier_history": {
        "at": ("thoi diem", "at", "thoi gian", "ngay xu ly", "thoi gian xu ly"),
        "officer": ("can bo", "user", "nguoi xu ly", "can bo xu ly"),
        "action": ("hanh dong", "action", "noi dung xu ly", "buoc xu ly", "thao tac"),
        "status": _STATUS,
    },
    "parcel": {
        "commune": _COMMUNE,
        "map_sheet": ("so to", "to ban do", "so to ban do", "to so"),
        "parcel_number": ("so thua", "thua so", "so thua dat"),
        "area_m2": ("dien tich", "dien tich m2", "dientich"),
        "land_use": ("loai dat", "muc dich su dung", "muc dich su dung dat"),
        "hamlet": ("xu dong", "xu dong thon"),
        "holder_name": ("chu su dung", "nguoi su dung", "ten chu su dung", "ho ten chu su dung"),
        "holder_id": ("so giay to chu", "cccd chu su dung", "so giay to chu su dung"),
        "certificate_no": ("so gcn", "so giay chung nhan", "so serial gcn", "so phat hanh gcn"),
    },
    "civil_servant": {
        "full_name": HEADERS["full_name"], "birth_date": HEADERS["dob"], "sex": HEADERS["sex"],
        "id_number": HEADERS["id_number"],
        "position": ("chuc vu", "chuc danh"),
        "workplace": ("don vi cong tac", "co quan cong tac", "noi cong tac", "don vi"),
        "grade_code": ("ma ngach",), "grade_name": ("ten ngach", "ngach"),
        "qualification": ("trinh do chuyen mon", "trinh do"),
        "hometown": ("que quan", "nguyen quan"),
    },
    "document": {
        "number_symbol": ("so ky hieu", "so va ky hieu", "so hieu van ban", "so ky hieu van ban"),
        "doc_type": ("loai", "loai van ban"),
        "issuing_body": ("co quan", "co quan ban hanh", "noi ban hanh", "don vi ban hanh", "ten co quan ban hanh",
                         *_body("ten", "name")),
        "issuing_commune": (*_COMMUNE, *_body(*_COMMUNE)),
        "issued_date": ("ngay ban hanh", "ngay ky", "ngay van ban"),
        "summary": ("trich yeu", "trich yeu noi dung"),
        "signer": ("nguoi ky",),
        "direction": ("chieu", "van ban den di", "den di"),
        "received_date": ("ngay den",),
        "recipients": ("noi nhan",),
        "dossier_code": ("ma ho so",),
    },
}

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def header_key(header: str) -> str:
    """A header as it is compared: bracketed hints (``(dd/mm/yyyy)``, ``(*)``) dropped, folded (no diacritics,
    ``Đ`` → ``d``), lower case, every run of other characters one space: ``Số CMND/CCCD`` → ``so cmnd cccd``."""
    return _NOT_WORD.sub(" ", fold(_BRACKETED.sub(" ", header)).lower()).strip()


def header_keys(header: str) -> tuple[str, ...]:
    """:func:`header_key` of a header as it is and with its camelCase words apart (``HoTenCha`` → ``ho ten cha``,
    ``SoCMND_CCCD`` → ``so cmnd cccd``), and of a JSON path's parts (``ChuHoSo.HoTen`` → ``chu ho so ho ten``)."""
    keys = (header_key(header), header_key(_camel_apart(header)))
    return tuple(dict.fromkeys(k for k in keys if k))


def _camel_apart(text: str) -> str:
    """A space before each capital that follows a small letter or digit, and before the last capital of a run that
    goes on in small letters (``SoCMNDCu`` → ``So CMND Cu``)."""
    out: list[str] = []
    for i, char in enumerate(text):
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if char.isupper() and (before.islower() or before.isdigit() or (before.isupper() and after.islower())):
            out.append(" ")
        out.append(char)
    return "".join(out)


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
