"""Masking of personal identifiers on screen (CCCD ``0********123``); the full value only through a logged reveal."""

from __future__ import annotations

import re

# store columns that hold a personal identifier or contact number: masked by default everywhere
IDENTIFIER_COLUMNS = frozenset({"id_number", "cccd", "cmnd", "phone", "applicant_id", "holder_id",
                                "representative_id", "Số CCCD/CMND"})
_DIGITS = re.compile(r"\d")


def mask(value: object) -> str:
    """Keep the first character and the last three, star the rest (``049193639832`` → ``0********832``)."""
    if value is None:
        return ""
    text = str(value)
    if len(text) <= 4:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 4) + text[-3:]


def mask_digits_in(text: object) -> str:
    """Mask every run of 9+ digits inside free text (a legacy row's column that carries an identifier)."""
    if text is None:
        return ""
    return re.sub(r"\d{9,}", lambda m: mask(m.group(0)), str(text))


def is_identifier(column: str) -> bool:
    lowered = column.lower()
    return column in IDENTIFIER_COLUMNS or any(k in lowered for k in ("cccd", "cmnd", "giay_to", "giayto",
                                                                       "identity", "dien_thoai", "dienthoai",
                                                                       "phone", "sogiayto"))
