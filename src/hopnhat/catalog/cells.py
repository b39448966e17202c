"""Parse and format one cell value by column type (shared by the Excel and YAML importers and the writer).

Text is stored NFC-composed whatever the keyboard or the Windows-1258 copy-paste produced. Numbers are read the way
officials write them: ``3.200`` (Vietnamese thousands), ``1,2 tỷ đồng``, ``500 triệu``, ``6 tỷ``, ``800tr``,
``6.000.000.000 VNĐ``; dates as ``dd/mm/yyyy`` (or ``yyyy-mm-dd``), an impossible one is named as such.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from hopnhat.catalog import kinds
from hopnhat.catalog.columns import Column
from hopnhat.i18n import tr
from hopnhat.text.normalize import name_key, nfc

_EXCEL_EPOCH = date(1899, 12, 30)
_TRUE = {"co", "yes", "true", "x", "1", "dapheduyet", "da"}
_FALSE = {"khong", "no", "false", "0", "chua", "", "chuapheduyet"}
_VOCAB_TYPES = ("kind", "domain", "hosting", "phase")
#: multipliers officials write after a number (folded, lower case)
_MULTIPLIERS = {"ty": 10**9, "ti": 10**9, "trieu": 10**6, "tr": 10**6, "nghin": 10**3, "ngan": 10**3, "k": 10**3}
_CURRENCY = re.compile(r"\s*(vnd|vnđ|đồng|dong|đ)\.?\s*$")
_AMOUNT = re.compile(r"^([+-]?[\d.,\s\u00a0\u202f]*\d)\s*([^\d\s.,]*)$")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """A cell as NFC text, trimmed; whole floats (Excel's 48.0) without the ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value)).strip()


def _date_from_text(raw: str) -> date:
    parts = re.split(r"[/.\-]", raw)
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        day, month, year = (int(p) for p in (parts[::-1] if len(parts[0]) == 4 else parts))
        try:
            return date(year, month, day)
        except ValueError as exc:
            raise ValueError(tr(f"ngày không tồn tại: ngày {day}, tháng {month}, năm {year}",
                                f"no such date: day {day}, month {month}, year {year}")) from exc
    raise ValueError(tr("ngày phải có dạng dd/mm/yyyy", "the date must be dd/mm/yyyy"))


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(tr("ngày phải có dạng dd/mm/yyyy", "the date must be dd/mm/yyyy"))
    if isinstance(value, (int, float)):
        if not 1 <= value <= 2_958_465:  # Excel's serial days 1900-01-01 .. 9999-12-31
            raise ValueError(tr("số ngày kiểu Excel ngoài khoảng cho phép", "Excel day number out of range"))
        return _EXCEL_EPOCH + timedelta(days=int(value))
    return _date_from_text(text(value))


def _decimal_point(digits: str, has_unit: bool) -> str:
    """Digits with Vietnamese or English separators → a Python number string ('1.234,5' → '1234.5')."""
    if "," in digits and "." in digits:
        dec = "," if digits.rfind(",") > digits.rfind(".") else "."
        return digits.replace("." if dec == "," else ",", "").replace(dec, ".")
    for sep in (",", "."):
        if sep not in digits:
            continue
        groups = digits.split(sep)
        thousands = len(groups) > 2 or (len(groups[-1]) == 3 and not (sep == "," and has_unit))
        return digits.replace(sep, "") if thousands else digits.replace(sep, ".")
    return digits


def parse_number(value: Any, integer: bool) -> int | float:
    """A number as written in a cell: 3200, '3.200', '3 200', '1,2 tỷ đồng', '500 triệu', '800tr', '1.234,5'."""
    if isinstance(value, bool):
        raise ValueError(tr("phải là một số", "must be a number"))
    if isinstance(value, (int, float)):
        number: float = value
    else:
        raw = _CURRENCY.sub("", nfc(str(value)).strip().lower())
        match = _AMOUNT.match(raw)
        unit = name_key(match.group(2)) if match and match.group(2) else ""
        if not match or (unit and unit not in _MULTIPLIERS):
            raise ValueError(tr("phải là một số, ví dụ 3.200 hoặc 1,2 tỷ hoặc 500 triệu",
                                "must be a number, e.g. 3.200 or 1,2 tỷ or 500 triệu"))
        digits = re.sub(r"[\s\u00a0\u202f]", "", match.group(1))
        number = float(_decimal_point(digits, bool(unit))) * _MULTIPLIERS.get(unit, 1)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(tr("phải là một số hữu hạn", "must be a finite number"))
    if integer:
        if abs(number - round(number)) > 1e-6 * max(1.0, abs(number)):
            raise ValueError(tr("phải là số nguyên", "must be a whole number"))
        return int(round(number))
    return float(number)


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = name_key(str(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(tr("phải là Có hoặc Không", "must be Có (yes) or Không (no)"))


def parse_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [text(v) for v in value if not is_blank(v) and text(v)]
    return [p.strip() for p in text(value).replace(",", ";").split(";") if p.strip()]


def parse_vocab(vocabulary: str, value: Any) -> str:
    code = kinds.code_of(vocabulary, text(value))
    if code is None:
        if vocabulary == "domain":
            return text(value)  # a province's own domain is allowed; it pairs by exact name
        allowed = "; ".join(kinds.vi_labels(vocabulary))
        raise ValueError(tr(f"giá trị không có trong danh mục: {allowed}", f"not in the list: {allowed}"))
    return code


def parse_cell(column: Column, value: Any) -> Any:
    """The typed value of a cell; None for a blank cell. Raises ValueError with a Vietnamese reason."""
    if is_blank(value):
        return [] if column.type == "list" else None
    if column.type in _VOCAB_TYPES:
        return parse_vocab(column.type, value)
    parsers = {
        "str": text,
        "int": lambda v: parse_number(v, True),
        "money": lambda v: parse_number(v, True),
        "float": lambda v: parse_number(v, False),
        "date": parse_date,
        "bool": parse_bool,
        "list": parse_list,
    }
    return parsers[column.type](value)


def format_cell(column: Column, value: Any) -> Any:
    """The value to write in a cell: Vietnamese labels for vocabularies, 'Có'/'Không', lists joined by '; '."""
    if value is None:
        return None
    if column.type in _VOCAB_TYPES:
        return kinds.term(column.type, value).vi
    if column.type == "bool":
        return "Có" if value else "Không"
    if column.type == "list":
        return "; ".join(value) or None
    return value
