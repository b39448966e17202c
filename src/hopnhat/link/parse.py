"""Raw person columns (as a clerk's Excel list or a legacy export has them) → the typed values linkage compares.

The pipeline parses values while loading; ``hopnhat link persons`` and the truth-built test stores parse here, with
the same parser (:func:`hopnhat.values.parse_column`) when it is installed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyarrow as pa

from hopnhat.link.ids import digits, phone_key
from hopnhat.text.normalize import nfc

_SPACES = re.compile(r"\s+")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_YEAR = re.compile(r"^(\d{4})$")
_SEX = {"nam": "M", "m": "M", "male": "M", "1": "M", "nu": "F", "nữ": "F", "f": "F", "female": "F", "0": "F"}


def _values_module() -> Any | None:
    try:
        from hopnhat import values
    except ImportError:
        return None
    return values if hasattr(values, "parse_column") else None


def _date(cell: str | None) -> tuple[dt.date | None, str | None]:
    """(date, quality): ``exact``, ``year_only`` (stored as 1 January) or ``placeholder`` (a written 01/01)."""
    text = (cell or "").strip()
    try:
        if m := _DMY.match(text):
            day = dt.date(int(m[3]), int(m[2]), int(m[1]))
        elif m := _YMD.match(text):
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        elif m := _YEAR.match(text):
            return dt.date(int(m[1]), 1, 1), "year_only"
        else:
            return None, None
    except ValueError:
        return None, None
    return day, "placeholder" if (day.day, day.month) == (1, 1) else "exact"


def _id(cell: str | None) -> tuple[str | None, str | None]:
    number = digits(cell)
    if not number or len(number) not in (9, 12):
        return None, None
    return number, "cccd" if len(number) == 12 else "cmnd"


def _name(cell: str | None) -> str | None:
    return _SPACES.sub(" ", nfc(cell)).strip() or None if cell else None


def _sex(cell: str | None) -> str | None:
    return _SEX.get((cell or "").strip().lower())


def _with_values(values: Any, raw: pa.Table) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {"full_name": [_name(c) for c in raw.column("full_name").to_pylist()]}
    for field, kind, column in (("birth_date", "date", "dob"), ("sex", "sex", "sex"),
                                ("id_number", "id_number", "id_number"), ("phone", "phone", "phone")):
        result = values.parse_column(kind, raw.column(column).to_pylist())
        out[field] = list(result.values)
        for suffix, extra in result.extras.items():
            out[field + suffix] = list(extra)
    return out


def parse_people(raw: pa.Table) -> dict[str, list[object]]:
    """Store columns (``full_name``, ``birth_date`` + ``_quality``, ``sex``, ``id_number`` + ``_kind``, ``phone``)
    from raw columns ``full_name``, ``dob``, ``sex``, ``id_number``, ``phone``."""
    values = _values_module()
    if values is not None:
        return _with_values(values, raw)
    dates = [_date(c) for c in raw.column("dob").to_pylist()]
    ids = [_id(c) for c in raw.column("id_number").to_pylist()]
    return {
        "full_name": [_name(c) for c in raw.column("full_name").to_pylist()],
        "birth_date": [d for d, _ in dates], "birth_date_quality": [q for _, q in dates],
        "sex": [_sex(c) for c in raw.column("sex").to_pylist()],
        "id_number": [n for n, _ in ids], "id_number_kind": [k for _, k in ids],
        "phone": [phone_key(c) for c in raw.column("phone").to_pylist()],
    }
