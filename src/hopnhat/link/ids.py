"""Identifier numbers as linkage evidence: CCCD, CMND, tax codes (MST), phones.

- **CCCD** (12 digits): ``0`` + old 2-digit province of birth registration, a century/sex digit (0/1 = man/woman born
  in the 1900s, 2/3 in the 2000s, 4/5 in the 2100s …), two birth-year digits, six serial digits. No check digit, so the
  only checks are structural: a known province, and sex/century/year agreeing with the record's own birth data.
  A CCCD that contradicts its record is *suspect*: still compared, but never enough to merge on its own.
- **CMND** (9 digits; some 12-digit ones): a police prefix and a serial; nothing to check against the person.
- A **placeholder** (``000000000``, ``123456789``, one digit repeated …) is no evidence at all; neither is a number
  shared by many different people (filled in by a clerk to pass a mandatory field): :data:`SHARED_LIMIT`.
- **MST** (10 digits, 13 for a branch = parent + 3 digits): check digit over the first 9 with weights
  31,29,23,19,17,13,7,5,3: ``10 − (sum mod 11)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from hopnhat.units.reference import reference

SHARED_LIMIT = 5  # a number carried by more distinct people (name + birth year) than this is a placeholder
MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_NON_DIGIT = re.compile(r"\D")
_SEQUENCES = ("0123456789012", "1234567890123", "9876543210987")


def digits(value: object) -> str | None:
    """The digits of a value (spaces, dots, dashes dropped); ``None`` when there are none."""
    if value is None:
        return None
    text = _NON_DIGIT.sub("", str(value))
    return text or None


def is_placeholder(number: str | None) -> bool:
    """True for numbers a clerk types when the real one is unknown: one digit repeated, a run like 123456789."""
    if not number:
        return True
    if len(set(number)) == 1 or number.lstrip("0") == "":
        return True
    return any(number in seq for seq in _SEQUENCES)


@lru_cache(maxsize=1)
def _old_province_prefixes() -> frozenset[str]:
    return frozenset("0" + code for code in reference().provinces["old"])


@dataclass(frozen=True)
class CccdDigits:
    province: str  # 3-digit old province code of birth registration
    female: bool
    year: int  # full birth year from the century digit and the two year digits


def read_cccd(number: str | None) -> CccdDigits | None:
    """What a CCCD's first six digits say about its holder; ``None`` when it is not a well-formed CCCD."""
    if not number or len(number) != 12 or not number.isdigit() or number[:3] not in _old_province_prefixes():
        return None
    century_sex = int(number[3])
    if century_sex > 9:
        return None
    century = 1900 + 100 * (century_sex // 2)
    return CccdDigits(number[:3], bool(century_sex % 2), century + int(number[4:6]))


def cccd_agrees(number: str | None, birth_year: int | None, sex: str | None) -> bool | None:
    """Whether a CCCD agrees with the record's birth year and sex (``None``: nothing to check against).

    ``False`` also for a malformed CCCD. Unknown birth year or sex are simply not checked.
    """
    read = read_cccd(number)
    if read is None:
        return False if number else None
    if birth_year is not None and read.year != birth_year:
        return False
    if sex in ("M", "F") and read.female != (sex == "F"):
        return False
    return True


def mst_check_digit(first9: str) -> int | None:
    """The MST check digit of 9 digits, or ``None`` when the rule would need 10 (never issued)."""
    total = sum(w * int(d) for w, d in zip(MST_WEIGHTS, first9, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def mst_parent(value: object) -> str | None:
    """The 10-digit head-office tax code of a valid MST (itself, or the first 10 digits of a branch code)."""
    number = digits(value)
    if not number or len(number) not in (10, 13) or (len(number) == 13 and number[10:] == "000"):
        return None
    return number[:10] if mst_check_digit(number[:9]) == int(number[9]) else None


def phone_key(value: object) -> str | None:
    """A phone as ``0`` + 9 digits whatever its form (``+84 90 …``, ``84…``, ``090.…``), else ``None``."""
    number = digits(value)
    if not number:
        return None
    if number.startswith("84") and len(number) == 11:
        number = "0" + number[2:]
    elif len(number) == 9 and not number.startswith("0"):
        number = "0" + number
    return number if len(number) == 10 and number.startswith("0") and not is_placeholder(number[1:]) else None
