"""Business tax codes (mã số thuế, MST).

- 10 digits: 2 digits of the tax department, 7 digits, a check digit over the first 9 with weights
  31, 29, 23, 19, 17, 13, 7, 5, 3: ``10 − (sum mod 11)``; a sum ≡ 0 (mod 11) would need 10 and is never issued. The
  same rule as python-stdnum's ``vn.mst``, which also rejects seven zeros after the department code.
- 13 digits: a branch or dependent unit — the parent's 10 digits + a 3-digit suffix 001–999, written
  ``0101234567-001`` or ``0101234567001``. The value is normalised to ``0101234567-001`` and ``_parent`` is the
  parent's 10 digits.
- 12 digits: since 1/7/2025 the personal identification number is also an individual's (and a household business')
  tax code (Circular 86/2024/TT-BTC). Accepted when it is a well-formed CCCD, with a warning ``personal_tax_code``.
- A bare 9- or 12-digit number that becomes a valid code with a leading 0 (Excel dropped it) is restored with a
  warning; a bad check digit is an error (``bad_check_digit``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from hopnhat.text.normalize import fold
from hopnhat.values.core import Options, Parsed, Problem, error, failed, shown, warning
from hopnhat.values.identity import decode_cccd, is_placeholder

MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_LABEL = re.compile(r"^(?:ma so thue|mst|ma so doanh nghiep|msdn|tax code|vn)\s*[:.#]?\s*")
_SEPARATORS = re.compile(r"[\s.\-_/]+")
_FLOAT_ZERO = re.compile(r"(\d{9,13})\.0+")


def check_digit(first9: str) -> int | None:
    """The check digit of 9 digits, or ``None`` when the rule would need 10 (such codes are never issued)."""
    total = sum(w * int(d) for w, d in zip(MST_WEIGHTS, first9, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def _problem10(code: str, text: str) -> Problem | None:
    if code[2:9] == "0000000":
        return error("placeholder_tax", f"Mã số thuế {shown(text)} không hợp lệ (7 chữ số 0 sau mã cơ quan thuế)",
                     f"Tax code {shown(text)} is invalid (seven zeros after the department code)")
    if check_digit(code[:9]) != int(code[9]):
        return error("bad_check_digit", f"Mã số thuế {shown(text)} sai chữ số kiểm tra (chữ số thứ 10)",
                     f"Tax code {shown(text)} has a wrong check digit (10th digit)")
    return None


def _valid(digits: str, text: str) -> Parsed | Problem:
    """A 10- or 13-digit code judged: the value, or the reason it is invalid."""
    problem = _problem10(digits[:10], text)
    if problem is not None:
        return problem
    if len(digits) == 10:
        return Parsed(digits, {"_parent": None})
    if digits[10:] == "000":
        return error("bad_branch", f"Mã số thuế chi nhánh {shown(text)} có hậu tố 000 (phải từ 001 đến 999)",
                     f"Branch tax code {shown(text)} has suffix 000 (must be 001–999)")
    return Parsed(f"{digits[:10]}-{digits[10:]}", {"_parent": digits[:10]})


def _restore(digits: str, text: str) -> Parsed | None:
    judged = _valid("0" + digits, text)
    if not isinstance(judged, Parsed):
        return None
    note = warning("leading_zero_restored",
                   f"Mã số thuế {shown(text)} mất số 0 ở đầu (Excel); đã khôi phục thành {judged.value}",
                   f"Tax code {shown(text)} lost its leading zero (Excel); restored as {judged.value}")
    return Parsed(judged.value, judged.extras, (note,))


def _personal(digits: str, text: str, today: dt.date) -> Parsed | None:
    info = decode_cccd(digits)
    if info is None or info.birth_year > today.year:
        return None
    note = warning("personal_tax_code", f"{shown(text)} là số định danh cá nhân dùng làm mã số thuế (từ 1/7/2025), "
                   "không phải mã doanh nghiệp", f"{shown(text)} is a personal ID used as a tax code (since 1/7/2025), "
                   "not a business code")
    return Parsed(digits, {"_parent": None}, (note,))


def _digits(text: str) -> tuple[str, bool] | Problem:
    if m := _FLOAT_ZERO.fullmatch(text.strip()):
        return m.group(1), True
    body = _LABEL.sub("", fold(text).strip().lower(), count=1)
    digits = _SEPARATORS.sub("", body)
    if not digits or not digits.isascii() or not digits.isdigit():
        return error("bad_tax_chars", f"Mã số thuế {shown(text)} có ký tự không phải chữ số",
                     f"Tax code {shown(text)} contains non-digits")
    return digits, body.isdigit() and not body.startswith("0")


def parse_tax_code(text: str, today: dt.date) -> Parsed:
    """One non-empty cell as a tax code (value normalised; ``_parent`` for a branch)."""
    cleaned = _digits(text)
    if isinstance(cleaned, Problem):
        return failed(cleaned, _parent=None)
    digits, plain = cleaned
    if is_placeholder(digits):
        return failed(error("placeholder_tax", f"Mã số thuế {shown(text)} là số giữ chỗ",
                            f"Tax code {shown(text)} is a placeholder"), _parent=None)
    if len(digits) in (10, 13):
        judged = _valid(digits, text)
        return judged if isinstance(judged, Parsed) else failed(judged, _parent=None)
    found = None
    if len(digits) == 12:
        found = _personal(digits, text, today) or (_restore(digits, text) if plain else None)
    elif len(digits) == 9 and plain:
        found = _restore(digits, text)
    return found or failed(error(
        "bad_tax_length",
        f"Mã số thuế {shown(text)} có {len(digits)} chữ số; cần 10 (doanh nghiệp) hoặc 13 (chi nhánh)",
        f"Tax code {shown(text)} has {len(digits)} digits; expected 10 (business) or 13 (branch)"), _parent=None)


def tax_parser(opts: Options) -> Callable[[str], Parsed]:
    today = opts.today
    return lambda text: parse_tax_code(text, today)
