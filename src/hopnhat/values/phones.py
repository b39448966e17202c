"""Vietnamese phone numbers, normalised to the national form with the leading 0.

- Mobiles: ``0`` + 9 digits (``0905123456``). ``+84``, ``84``, ``0084``, ``(+84)``, ``+84 (0)``, spaces, dots, dashes
  and parentheses are removed.
- Landlines: ``0`` + 10 digits since the 2017 area-code change (``024`` Hà Nội, ``028`` TP HCM + 8 digits; ``02xx`` +
  7 digits elsewhere, e.g. ``02363822222`` Đà Nẵng).
- Old 11-digit mobiles (2018 conversion, :data:`OLD_MOBILE`: ``0168 xxx xxxx`` → ``038 xxx xxxx``) and landlines with
  a pre-2017 area code (:data:`OLD_AREA_CODES`, 59 provinces; Vĩnh Phúc, Phú Thọ, Hòa Bình, Hà Giang kept theirs) are
  converted, with a warning.
- Current numbering wins: a 10-digit number that is a valid mobile today (``033…``, ``083…``) is read as a mobile even
  where it used to be a landline with the old code (Quảng Ninh 033, TP HCM 08): the number alone cannot tell.
- A number that lost its leading 0 (Excel) is restored with a warning. Several numbers in one cell (``;``, ``,``,
  ``/``, `` - ``, ``hoặc``): the first valid one is kept, with a warning naming the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hopnhat.text.normalize import fold
from hopnhat.values.core import Options, Parsed, Problem, error, failed, shown, warning

MOBILE_PREFIXES = frozenset({
    "032", "033", "034", "035", "036", "037", "038", "039",  # Viettel (ex-016x)
    "086", "096", "097", "098",  # Viettel
    "070", "076", "077", "078", "079", "089", "090", "093",  # MobiFone
    "081", "082", "083", "084", "085", "088", "091", "094",  # VinaPhone
    "052", "056", "058", "092",  # Vietnamobile
    "059", "099",  # Gmobile
    "087",  # Itelecom
    "055",  # Reddi
})
OLD_MOBILE = {  # 2018 conversion of 11-digit mobiles (15/9/2018 – 14/11/2018)
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037", "0168": "038",
    "0169": "039", "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078", "0123": "083",
    "0124": "084", "0125": "085", "0127": "081", "0129": "082", "0186": "056", "0188": "058", "0199": "059",
}
# old area code → (new area code, province); 2017 change in three phases (11/2, 15/4, 17/6/2017)
OLD_AREA_CODES: dict[str, tuple[str, str]] = {
    "022": ("0212", "Sơn La"), "0231": ("0213", "Lai Châu"), "020": ("0214", "Lào Cai"),
    "0230": ("0215", "Điện Biên"), "029": ("0216", "Yên Bái"), "052": ("0232", "Quảng Bình"),
    "053": ("0233", "Quảng Trị"), "054": ("0234", "Thừa Thiên Huế"), "0510": ("0235", "Quảng Nam"),
    "0511": ("0236", "Đà Nẵng"), "037": ("0237", "Thanh Hóa"), "038": ("0238", "Nghệ An"), "039": ("0239", "Hà Tĩnh"),
    "04": ("024", "Hà Nội"), "08": ("028", "TP Hồ Chí Minh"), "0650": ("0274", "Bình Dương"),
    "0651": ("0271", "Bình Phước"), "061": ("0251", "Đồng Nai"), "066": ("0276", "Tây Ninh"),
    "064": ("0254", "Bà Rịa - Vũng Tàu"), "062": ("0252", "Bình Thuận"), "068": ("0259", "Ninh Thuận"),
    "063": ("0263", "Lâm Đồng"), "0500": ("0262", "Đắk Lắk"), "0501": ("0261", "Đắk Nông"), "059": ("0269", "Gia Lai"),
    "060": ("0260", "Kon Tum"), "058": ("0258", "Khánh Hòa"), "057": ("0257", "Phú Yên"), "056": ("0256", "Bình Định"),
    "055": ("0255", "Quảng Ngãi"), "072": ("0272", "Long An"), "073": ("0273", "Tiền Giang"),
    "075": ("0275", "Bến Tre"), "074": ("0294", "Trà Vinh"), "070": ("0270", "Vĩnh Long"), "067": ("0277", "Đồng Tháp"),
    "076": ("0296", "An Giang"), "077": ("0297", "Kiên Giang"), "0710": ("0292", "Cần Thơ"),
    "0711": ("0293", "Hậu Giang"), "079": ("0299", "Sóc Trăng"), "0781": ("0291", "Bạc Liêu"),
    "0780": ("0290", "Cà Mau"), "031": ("0225", "Hải Phòng"), "0320": ("0220", "Hải Dương"),
    "0321": ("0221", "Hưng Yên"), "036": ("0227", "Thái Bình"), "0350": ("0228", "Nam Định"),
    "0351": ("0226", "Hà Nam"), "030": ("0229", "Ninh Bình"), "033": ("0203", "Quảng Ninh"),
    "0241": ("0222", "Bắc Ninh"), "0240": ("0204", "Bắc Giang"), "025": ("0205", "Lạng Sơn"),
    "026": ("0206", "Cao Bằng"), "0281": ("0209", "Bắc Kạn"), "0280": ("0208", "Thái Nguyên"),
    "027": ("0207", "Tuyên Quang"),
}
UNCHANGED_AREA_CODES = {"0211": "Vĩnh Phúc", "0210": "Phú Thọ", "0218": "Hòa Bình", "0219": "Hà Giang"}
NEW_AREA_CODES = frozenset({new for new, _ in OLD_AREA_CODES.values()} | set(UNCHANGED_AREA_CODES))
_SPLIT = re.compile(r"\s*(?:[;,/|&]|\s-\s|\bhoac\b|\bor\b|\bva\b)\s*")
_LABEL = re.compile(r"^(?:so\s*)?(?:dien thoai|di dong|dtdd|sdt|dt|dd|tel|phone|mobile|mobi|hotline)\s*[:.]?\s*")
_STRIP = re.compile(r"[\s.\-()\[\]]+")
_NUMBERISH = re.compile(r"[\d\s.()+\-]+")  # digits and in-number separators only: no label, maybe no list
_SPACED_DASH = re.compile(r"\s-\s")


def _national(digits: str, international: bool) -> tuple[str, bool]:
    """(number with the leading 0, restored?) from what was written without separators."""
    if digits.startswith("0084"):
        digits, international = digits[2:], True
    if international or (digits.startswith("84") and len(digits) in (11, 12)):
        rest = digits[2:] if digits.startswith("84") else digits
        return "0" + rest.removeprefix("0"), False
    if not digits.startswith("0") and len(digits) in (9, 10):
        return "0" + digits, True
    return digits, False


def _old_landline(number: str) -> tuple[str, str] | None:
    """(new number, province) when ``number`` is a landline written with its pre-2017 area code."""
    for size in (4, 3, 2):
        code = number[:size]
        local = number[size:]
        if code in OLD_AREA_CODES and len(local) == (8 if size == 2 else 7) and local[0] not in "01":
            new, province = OLD_AREA_CODES[code]
            return new + local, province
    return None


def _is_landline(number: str) -> bool:
    if len(number) != 11:
        return False
    if number[:3] in ("024", "028"):
        return number[3] not in "01"
    return number[:4] in NEW_AREA_CODES and number[4] not in "01"


def _classify(number: str, text: str) -> Parsed | Problem:
    if len(number) == 10 and number[:3] in MOBILE_PREFIXES:
        return Parsed(number)
    if len(number) == 11 and number[:4] in OLD_MOBILE:
        new = OLD_MOBILE[number[:4]] + number[4:]
        return Parsed(new, {}, (warning("old_mobile_prefix", f"{shown(text)} là số di động 11 số cũ; đã chuyển thành "
                                        f"{new} (chuyển đổi 2018)", f"{shown(text)} is an old 11-digit mobile; "
                                        f"converted to {new} (2018 conversion)"),))
    old = _old_landline(number)
    if old is not None:
        return Parsed(old[0], {}, (warning("old_area_code", f"{shown(text)} dùng mã vùng cũ; đã chuyển thành {old[0]} "
                                           f"({old[1]}, đổi mã vùng 2017)", f"{shown(text)} uses an old area code; "
                                           f"converted to {old[0]} ({old[1]}, 2017 change)"),))
    if _is_landline(number):
        return Parsed(number)
    if len(number) in (10, 11):
        prefix = number[: len(number) - 7]
        return error("unknown_prefix", f"Số điện thoại {shown(text)}: đầu số {prefix} không phải di động hay mã "
                     "vùng cố định nào", f"Phone {shown(text)}: prefix {prefix} is no mobile prefix or area code")
    return error("bad_phone_length", f"Số điện thoại {shown(text)} có {len(number)} chữ số; di động cần 10, cố định 11",
                 f"Phone {shown(text)} has {len(number)} digits; a mobile has 10, a landline 11")


def _lower(text: str) -> str:
    return text.strip().lower() if text.isascii() else fold(text).strip().lower()


def parse_one(text: str) -> Parsed | Problem:
    """One phone number (no list) as the national form, or why not."""
    body = _lower(text)
    if not _NUMBERISH.fullmatch(body):
        body = _LABEL.sub("", body, count=1)  # "ĐT: …", "Tel …"
    international = body.startswith(("+", "(+"))
    digits = _STRIP.sub("", body).lstrip("+")
    if not digits or not digits.isascii() or not digits.isdigit():
        return error("bad_phone_chars", f"Số điện thoại {shown(text)} có ký tự không phải chữ số",
                     f"Phone {shown(text)} contains non-digits")
    if international and not digits.startswith("84"):
        return error("foreign_phone", f"{shown(text)} không phải số Việt Nam (+84)",
                     f"{shown(text)} is not a Vietnamese number (+84)")
    number, restored = _national(digits, international)
    judged = _classify(number, text)
    if restored and isinstance(judged, Parsed):
        note = warning("leading_zero_restored", f"{shown(text)} mất số 0 ở đầu (Excel); đã khôi phục",
                       f"{shown(text)} lost its leading 0 (Excel); restored")
        return Parsed(judged.value, {}, (note, *judged.problems))
    return judged


def _naming(problem: Problem, text: str) -> Problem:
    """The problem of one part of a list cell, its message naming the whole cell."""
    return Problem(problem.code, f"{shown(text)}: {problem.message}", problem.severity)


def _first_of_list(text: str) -> Parsed:
    """A cell holding a list of numbers (or stray separators): the first valid one, messages naming the cell."""
    folded = _lower(text)
    parts = [p for p in _SPLIT.split(folded) if p.strip()] or [text]
    judged = [parse_one(p) for p in parts]
    first = next((j for j in judged if isinstance(j, Parsed)), None)
    if first is None:
        return failed(_naming(next(j for j in judged if isinstance(j, Problem)), text))
    problems = tuple(_naming(p, text) for p in first.problems)
    if len(parts) > 1:
        others = ", ".join(p.strip() for p, j in zip(parts, judged, strict=True) if j is not first)
        problems += (warning("multiple_phones", f"{shown(text)} có nhiều số; giữ {first.value}, bỏ: {others}",
                             f"{shown(text)} holds several numbers; kept {first.value}, left out: {others}"),)
    return Parsed(first.value, {}, problems)


def parse_phone(text: str) -> Parsed:
    """One non-empty cell; when it holds several numbers, the first valid one with a warning."""
    if _SPLIT.search(_lower(text)):
        return _first_of_list(text)
    judged = parse_one(text)
    return judged if isinstance(judged, Parsed) else failed(judged)


def phone_parser(opts: Options) -> Callable[[str], Parsed]:
    return parse_phone
