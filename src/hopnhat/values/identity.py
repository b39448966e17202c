"""Citizen ID numbers: CCCD (12 digits) and the old CMND (9 digits).

CCCD structure (Circular 07/2016/TT-BCA, kept by Circular 59/2021 and the 2023 Identification Law): 3 digits = the
province where the birth was registered, as ``0`` + the old 2-digit province code (:data:`BIRTH_PROVINCES`, the 63
provinces before 1/7/2025 — codes are kept for life); 1 digit = century and sex (0/1 man/woman born 1900–1999, 2/3
2000–2099, 4/5 2100s, 6/7 2200s, 8/9 2300s); 2 digits = the last two digits of the birth year; 6 random digits. There
is no check digit, so a mistyped serial cannot be detected; a mistyped province, century or year often can.
The 12-digit CMND issued 2012–2016 in some provinces has the same structure and is read as ``cccd``.

CMND: 9 digits, the first 2 the issuing police area; not checked (areas were merged and re-split over the years).

Reading: labels (``CCCD:``, ``CMND số``) and spaces/dots/dashes are removed. Placeholders (one repeated digit,
``123456789``…) are errors. A plain run of digits that lost its leading zero(s) in Excel (11 digits, or 10 for
Hà Nội ``001``, for a CCCD; 8 for a CMND) is restored only when the result is a well-formed number, with a warning;
a value written with separators or starting with 0 is never padded. ``1.23457E+11`` (Excel rounded it) is an error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from hopnhat.text.normalize import fold
from hopnhat.values.core import Options, Parsed, Problem, error, failed, shown, warning

BIRTH_PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang", "010": "Lào Cai",
    "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ", "026": "Vĩnh Phúc",
    "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng", "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam",
    "036": "Nam Định", "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam",
    "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận",
    "060": "Bình Thuận", "062": "Kon Tum", "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "TP Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}
_COUNT_UP, _COUNT_DOWN = "0123456789" * 3, "9876543210" * 3  # every counting run is a substring of one of them
_LABEL = re.compile(r"^(?:so\s*)?(?:can cuoc(?: cong dan)?|chung minh(?: nhan dan)?|dinh danh(?: ca nhan)?|cccd|cmnd|"
                    r"cmt|ddcn|cc)?\s*(?:so)?\s*[:.#]?\s*")
_SEPARATORS = re.compile(r"[\s.\-_/]+")
_SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?e\+?\d{1,2}")
_FLOAT_ZERO = re.compile(r"(\d{8,12})\.0+")


@dataclass(frozen=True)
class CccdInfo:
    """What a CCCD number says about its holder."""

    province_code: str  # 3 digits, e.g. "048"
    province: str
    birth_year: int
    sex: str  # "M" | "F"


def decode_cccd(number: str) -> CccdInfo | None:
    """The birth province, year and sex a 12-digit number encodes; ``None`` if the province code is unknown."""
    if len(number) != 12 or not number.isascii() or not number.isdigit() or number[:3] not in BIRTH_PROVINCES:
        return None
    code = int(number[3])
    return CccdInfo(number[:3], BIRTH_PROVINCES[number[:3]], 1900 + 100 * (code // 2) + int(number[4:6]),
                    "F" if code % 2 else "M")


def is_placeholder(digits: str) -> bool:
    """One digit repeated, or a run like 123456789 / 987654321 (any length)."""
    return len(set(digits)) == 1 or (len(digits) >= 6 and (digits in _COUNT_UP or digits in _COUNT_DOWN))


def _excel_digits(text: str) -> tuple[str, bool] | Problem:
    """Digits of an Excel-mangled number (``1.2345678901E+11``, ``49123456789.0``); (digits, was_number)."""
    low = text.lower()
    if _SCIENTIFIC.fullmatch(low):
        try:
            number = Decimal(low.replace(",", "."))
        except InvalidOperation:
            return "", False
        mantissa = low.split("e")[0].replace(",", "").replace(".", "")
        digits = str(int(number)) if number == number.to_integral_value() else ""
        if not digits or len(mantissa) < len(digits):
            return error("excel_rounded", f"Số giấy tờ {shown(text)} đã bị Excel làm tròn (dạng số mũ): mất chữ số",
                         f"ID {shown(text)} was rounded by Excel (scientific notation): digits are lost")
        return digits, True
    if m := _FLOAT_ZERO.fullmatch(text):
        return m.group(1), True
    return "", False


def clean_digits(text: str) -> tuple[str, bool] | Problem:
    """(digits, plain) where ``plain`` means the cell was a bare number that may have lost leading zeros."""
    bare = text.strip()
    if bare.isascii() and bare.isdigit():  # the common case, without the label and separator passes
        return bare, not bare.startswith("0")
    excel = _excel_digits(bare)
    if isinstance(excel, Problem) or excel[1]:
        return excel
    body = _LABEL.sub("", fold(text).strip().lower(), count=1)
    digits = _SEPARATORS.sub("", body)
    if not digits or not digits.isascii() or not digits.isdigit():
        return error("bad_id_chars", f"Số giấy tờ {shown(text)} có ký tự không phải chữ số (hộ chiếu? ghi chú?)",
                     f"ID {shown(text)} contains non-digits (a passport? a note?)")
    return digits, body.isdigit() and not body.startswith("0")


def _cccd_problem(number: str, text: str, today: dt.date) -> Problem | None:
    info = decode_cccd(number)
    if info is None:
        return error("unknown_province",
                     f"CCCD {shown(text)}: mã tỉnh nơi đăng ký khai sinh '{number[:3]}' không thuộc 63 mã tỉnh",
                     f"CCCD {shown(text)}: birth-province code '{number[:3]}' is not one of the 63 codes")
    if info.birth_year > today.year:
        return error("id_future_birth", f"CCCD {shown(text)}: chữ số thế kỷ/giới tính và năm sinh cho năm "
                     f"{info.birth_year}, ở tương lai", f"CCCD {shown(text)}: century/sex digit and year give "
                     f"{info.birth_year}, in the future")
    return None


def _restored(number: str, kind: str, text: str) -> Parsed:
    note = warning("leading_zero_restored", f"{shown(text)} mất số 0 ở đầu (Excel); đã khôi phục thành {number}",
                   f"{shown(text)} lost its leading zero(s) (Excel); restored as {number}")
    return Parsed(number, {"_kind": kind}, (note,))


def _padded_cccd(digits: str, text: str, today: dt.date) -> Parsed | None:
    number = "0" * (12 - len(digits)) + digits
    return _restored(number, "cccd", text) if _cccd_problem(number, text, today) is None else None


def parse_id(text: str, today: dt.date) -> Parsed:
    """One non-empty cell as a CCCD or CMND number (value: the digits, ``_kind``: cccd | cmnd)."""
    cleaned = clean_digits(text)
    if isinstance(cleaned, Problem):
        return failed(cleaned, _kind=None)
    digits, plain = cleaned
    if is_placeholder(digits):
        return failed(error("placeholder_id", f"Số giấy tờ {shown(text)} là số giữ chỗ, không phải số thật",
                            f"ID {shown(text)} is a placeholder, not a real number"), _kind=None)
    if len(digits) == 12:
        problem = _cccd_problem(digits, text, today)
        return failed(problem, _kind=None) if problem else Parsed(digits, {"_kind": "cccd"})
    if len(digits) == 9:
        return Parsed(digits, {"_kind": "cmnd"})
    restored = None
    if plain and len(digits) in (10, 11):
        restored = _padded_cccd(digits, text, today)
    elif plain and len(digits) == 8:
        restored = _restored("0" + digits, "cmnd", text)
    return restored or failed(error(
        "bad_id_length", f"Số giấy tờ {shown(text)} có {len(digits)} chữ số; CCCD có 12, CMND có 9",
        f"ID {shown(text)} has {len(digits)} digits; a CCCD has 12, a CMND 9"), _kind=None)


def id_parser(opts: Options) -> Callable[[str], Parsed]:
    today = opts.today
    return lambda text: parse_id(text, today)


def consistency(number: str, birth: object, sex: object) -> Problem | None:
    """Warning ``id_inconsistent`` when a CCCD's year or sex contradicts the record's birth date or sex."""
    info = decode_cccd(number)
    if info is None:
        return None
    year = birth.year if isinstance(birth, dt.date) else birth if isinstance(birth, int) else None
    clashes_vi, clashes_en = [], []
    if year is not None and year != info.birth_year:
        clashes_vi.append(f"năm sinh theo CCCD {info.birth_year} ≠ năm sinh {year}")
        clashes_en.append(f"birth year per CCCD {info.birth_year} ≠ recorded {year}")
    if sex in ("M", "F") and sex != info.sex:
        clashes_vi.append(f"giới tính theo CCCD {'Nữ' if info.sex == 'F' else 'Nam'} ≠ giới tính ghi {sex}")
        clashes_en.append(f"sex per CCCD {info.sex} ≠ recorded {sex}")
    if not clashes_vi:
        return None
    return warning("id_inconsistent", f"CCCD {shown(number)}: " + "; ".join(clashes_vi),
                   f"CCCD {shown(number)}: " + "; ".join(clashes_en))
