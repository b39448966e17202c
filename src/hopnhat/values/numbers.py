"""Integers and decimals written with a declared decimal separator.

``decimal: ","`` (Vietnamese habit): ``1.234,5`` = 1234.5, ``1.234`` = 1234. ``decimal: "."``: ``1,234.5`` = 1234.5.
Thousands are grouped by the other mark, a space or an apostrophe, in groups of three. A value impossible under the
declared convention but valid under the other one (``12.5`` in a ``,`` column) is read the other way, with a warning
``other_decimal_separator``. A trailing unit (``120 m2``, ``15%``, ``500.000 đ``) is dropped with a warning
``unit_dropped`` — the number is kept as written, never converted. ``(12)`` is negative (accounting). Anything else is
an error ``not_a_number``; a fraction in an integer column is ``not_integer`` (``12,0`` is fine).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal

from hopnhat.text.normalize import nfc
from hopnhat.values.core import Options, Parsed, Problem, error, failed, shown, warning

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-", "'": " "})
_UNIT = re.compile(r"(?P<num>.*?\d[.,]?)\s*(?P<unit>%|(?:[^\W\d_]|°)(?:[^\W\d_]|[./°]){0,7}[23²³]?)")
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?e[+\-]?\d{1,3}")
_INT64 = 2**63


def _grouped(int_part: str, sep: str) -> str | None:
    """Digits of an integer part with ``sep`` as thousands separator, or None if badly grouped."""
    if sep not in int_part:
        return int_part
    groups = int_part.split(sep)
    if not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
        return None
    return "".join(groups)


def _plain(body: str, decimal: str) -> str | None:
    """``body`` as a plain ``123.45`` string under the given decimal mark, or None."""
    thousands = "." if decimal == "," else ","
    if body.count(decimal) > 1:
        return None
    int_part, _, frac = body.partition(decimal)
    digits = _grouped(int_part, thousands)
    if digits is None or thousands in frac or not (digits + frac).isdigit() or not (digits + frac).isascii():
        return None
    return f"{digits or '0'}.{frac}" if frac else digits


def _sign(s: str) -> tuple[str, bool]:
    if s.startswith("(") and s.endswith(")"):
        return s[1:-1].strip(), True
    if s and s[0] in "+-":
        return s[1:].strip(), s[0] == "-"
    return s, False


def read_number(text: str, decimal: str) -> tuple[str, tuple[Problem, ...]] | Problem:
    """(plain decimal string with sign, warnings) or the error."""
    s = nfc(text).translate(_SPACES).strip()
    notes: tuple[Problem, ...] = ()
    if (m := _UNIT.fullmatch(s)) and not _SCIENTIFIC.fullmatch(s.lower()):
        s = m.group("num").strip()
        notes += (warning("unit_dropped", f"Đơn vị '{m.group('unit')}' trong {shown(text)} bị bỏ, giữ số như đã ghi",
                          f"Unit '{m.group('unit')}' in {shown(text)} dropped; the number is kept as written"),)
    s, negative = _sign(s)
    body = s.replace(" ", "")
    plain = _plain(body, decimal)
    if plain is None and (other := _plain(body, "." if decimal == "," else ",")) is not None:
        plain = other
        notes += (warning("other_decimal_separator", f"{shown(text)} không hợp lệ với dấu thập phân '{decimal}'; đã "
                          f"đọc theo dấu kia: {other}", f"{shown(text)} is invalid with decimal mark '{decimal}'; read "
                          f"with the other one: {other}"),)
    if plain is None and _SCIENTIFIC.fullmatch(body.lower()):
        plain = body.lower()
    if plain is None or not body:
        return error("not_a_number", f"{shown(text)} không phải là số", f"{shown(text)} is not a number")
    return ("-" if negative else "") + plain, notes


def _not_integer(text: str) -> Problem:
    return error("not_integer", f"{shown(text)} không phải số nguyên", f"{shown(text)} is not an integer")


def parse_decimal(text: str, decimal: str) -> Parsed:
    read = read_number(text, decimal)
    if isinstance(read, Problem):
        return failed(read)
    value = float(read[0])
    if not math.isfinite(value):
        return failed(error("out_of_range", f"{shown(text)} quá lớn", f"{shown(text)} is too large"))
    return Parsed(value, {}, read[1])


def parse_integer(text: str, decimal: str) -> Parsed:
    read = read_number(text, decimal)
    if isinstance(read, Problem):
        return failed(read)
    plain, notes = read
    whole, _, frac = plain.partition(".")
    if "e" in plain or frac.strip("0"):
        value = float(plain)
        if not math.isfinite(value):
            return failed(error("out_of_range", f"{shown(text)} quá lớn", f"{shown(text)} is too large"))
        if not value.is_integer():
            return failed(_not_integer(text))
        whole = str(int(value))
    number = int(whole)
    if not -_INT64 <= number < _INT64:
        return failed(error("out_of_range", f"{shown(text)} vượt giới hạn số nguyên 64 bit",
                            f"{shown(text)} exceeds the 64-bit integer range"))
    return Parsed(number, {}, notes)


def parse_native_number(value: float | int | Decimal, integer: bool) -> Parsed:
    """A number a reader already typed (SQL, Excel): no separator to interpret, only the range and integrality."""
    text = str(value)
    as_float = float(value)
    if not math.isfinite(as_float):
        return failed(error("out_of_range", f"{shown(text)} không phải số hữu hạn", f"{shown(text)} is not finite"))
    if not integer:
        return Parsed(as_float)
    if isinstance(value, int):
        number = value
    elif as_float.is_integer() and isinstance(value, float):
        number = int(value)
    elif isinstance(value, Decimal) and value == value.to_integral_value():
        number = int(value)
    else:
        return failed(_not_integer(text))
    if not -_INT64 <= number < _INT64:
        return failed(error("out_of_range", f"{shown(text)} vượt giới hạn số nguyên 64 bit",
                            f"{shown(text)} exceeds the 64-bit integer range"))
    return Parsed(number)


def integer_parser(opts: Options) -> Callable[[str], Parsed]:
    decimal = opts.decimal
    return lambda text: parse_integer(text, decimal)


def decimal_parser(opts: Options) -> Callable[[str], Parsed]:
    decimal = opts.decimal
    return lambda text: parse_decimal(text, decimal)
