"""Identifier numbers: CCCD, old CMND, business tax codes (MST) and phones.

- CCCD (12 digits): ``0`` + old 2-digit province of birth registration, a century/sex digit (0/1 = man/woman born in
  the 1900s, 2/3 in the 2000s), 2-digit birth year, 6 random digits. No check digit.
- CMND (9 digits): a 3-digit issuing prefix of the old police department + 6 digits.
- MST (10 digits): 2-digit tax-department prefix, 7 digits, check digit over the first 9 with weights
  31,29,23,19,17,13,7,5,3: ``10 − (sum mod 11)``; a sum ≡ 0 (mod 11) would need a check of 10 and is never issued.
  Branches: the parent's 10 digits + ``-`` + a 3-digit suffix 001–999.
"""

from __future__ import annotations

import numpy as np

MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
MOBILE_PREFIXES = ("032", "033", "034", "035", "036", "037", "038", "039", "070", "076", "077", "078", "079",
                   "081", "082", "083", "084", "085", "086", "088", "089", "090", "091", "093", "094", "096", "097",
                   "098")


def century_sex_digit(year: int, female: bool) -> int:
    """0/1 for men/women born 1900–1999, 2/3 for 2000–2099."""
    return (0 if year < 2000 else 2) + (1 if female else 0)


def cccd(birth_province: str, year: int, female: bool, serial: int) -> str:
    """A CCCD number consistent with birth province, century, sex and year."""
    return f"0{birth_province}{century_sex_digit(year, female)}{year % 100:02d}{serial % 1_000_000:06d}"


def cmnd(prefix: str, serial: int) -> str:
    """A 9-digit CMND: issuing prefix + 6 digits."""
    return f"{prefix}{serial % 1_000_000:06d}"


def mst_check_digit(first9: str) -> int | None:
    """The MST check digit of 9 digits, or ``None`` when the rule would need 10 (never issued)."""
    total = sum(w * int(d) for w, d in zip(MST_WEIGHTS, first9, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def mst_is_valid(code: str) -> bool:
    """True for a 10-digit MST or a 13-digit branch code (with or without ``-``) with a correct check digit."""
    digits = code.replace("-", "")
    if not digits.isdigit() or len(digits) not in (10, 13) or (len(digits) == 13 and digits[10:] == "000"):
        return False
    return mst_check_digit(digits[:9]) == int(digits[9])


def mst(prefix: str, rng: np.random.Generator) -> str:
    """A random valid 10-digit MST with the given 2-digit prefix."""
    while True:
        body = f"{prefix}{int(rng.integers(1, 10_000_000)):07d}"
        check = mst_check_digit(body)
        if check is not None:
            return f"{body}{check}"


def branch_mst(parent: str, suffix: int) -> str:
    """A branch tax code: parent + ``-`` + 3-digit suffix (1–999)."""
    return f"{parent}-{suffix:03d}"


def phone(prefix_index: int, number: int, style: int) -> str:
    """A mobile number in one of the forms seen in legacy data (0xx…, +84…, with spaces or dots)."""
    prefix = MOBILE_PREFIXES[prefix_index % len(MOBILE_PREFIXES)]
    rest = f"{number % 10_000_000:07d}"
    forms = (f"{prefix}{rest}", f"+84{prefix[1:]}{rest}", f"{prefix} {rest[:3]} {rest[3:]}",
             f"{prefix}.{rest[:3]}.{rest[3:]}", f"84{prefix[1:]}{rest}")
    return forms[style % len(forms)]
