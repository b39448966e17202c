"""Masking of personal identifiers (CCCD ``0********123``); the full value only through a logged reveal.

Two layers:

- a field that *is* an identifier (``id_number``, ``phone``, ``applicant_id`` …) is masked whole (:func:`mask`);
- every other text that leaves the app — page text, JSON, Excel cells, log lines — goes through :func:`mask_text`,
  which masks what looks like an identifier inside free text: a CCCD (12 digits), a CMND (9), a phone (10–11
  digits, ``0905 123 456``, ``+84 905…``) or a personal tax code (10 or 13 digits). It is applied once at each
  output boundary (the template engine's ``finalize``, the JSON encoder of the API, the workbook writer, a logging
  filter), not per template. A value the user may see in full is wrapped in :class:`Clear` (a revealed identifier,
  the user's own query echoed in the search box); HTML built by the app's own renderers (``Markup``: charts, the
  catalog's pages, which hold no personal data) is left as it is; nothing else escapes the mask.

Runs that are part of a code are left alone: digits glued to letters or following ``-``, ``/``, ``_``, ``.``, ``#``
(record ids, dossier codes ``…-241001-0001``, parcel keys, hashes, tokens), so links and codes stay usable.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_plus

from markupsafe import Markup

# store columns that hold a personal identifier or contact number: masked by default everywhere
IDENTIFIER_COLUMNS = frozenset({"id_number", "cccd", "cmnd", "phone", "applicant_id", "holder_id",
                                "representative_id", "Số CCCD/CMND"})
# 9 to 13 digits in a row, or a number grouped by single spaces, dots or hyphens that starts like a phone or a CCCD (0…,
# +84…; an amount such as 1.500.000.000 never starts with 0), not part of a longer code
_IDENTIFIER_IN_TEXT = re.compile(
    r"(?<![\w\-/.#&@=])(?:\d{9,13}|(?:\+84[ .\-]?|0)\d(?:[ .\-]?\d){7,11})(?![\w/#@]|[ .]\d|-\d{4})")
# any match above holds nine digits with at most single separators between them: text without them is skipped fast
_NINE_DIGITS = re.compile(r"\d(?:[ .\-]?\d){8}")


class Clear(str):
    """Text the viewer may see in full (a logged reveal, their own query); :func:`mask_text` leaves it alone."""

    __slots__ = ()


def mask(value: object) -> str:
    """Keep the first character and the last three, star the rest (``049193639832`` → ``0********832``)."""
    if value is None:
        return ""
    text = str(value)
    if len(text) <= 4:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 4) + text[-3:]


def _mask_match(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return mask(digits) if 9 <= len(digits) <= 13 else m.group(0)


def mask_text(value: Any) -> Any:
    """Identifiers inside free text masked; non-text values and :class:`Clear` text returned as they are."""
    if isinstance(value, (Clear, Markup)) or not isinstance(value, str):
        return value
    if _NINE_DIGITS.search(value) is None:
        return value
    return _IDENTIFIER_IN_TEXT.sub(_mask_match, value)


def mask_digits_in(text: object) -> str:
    """Free text of a legacy cell, masked (``None`` → empty)."""
    if text is None:
        return ""
    return str(mask_text(str(text)))


# a value of a URL's query string inside a text (an access-log line): ``?q=049193639832``, ``&q=0905+123+456``
_QUERY_VALUE = re.compile(r"(?<=[?&])([\w.\-]+=)([^&\s\"'#]+)")


def _mask_query_value(m: re.Match[str]) -> str:
    value = unquote_plus(m.group(2))
    shown = mask_text(value)
    return m.group(1) + (shown if shown != value else m.group(2))


def mask_line(text: str) -> str:
    """:func:`mask_text` of a log line, plus the values of the URLs' query strings in it, decoded first — digits
    after ``=`` are otherwise taken for part of a code, and a search typed as ``?q=049193639832`` would be written
    to the access log in full."""
    return str(mask_text(_QUERY_VALUE.sub(_mask_query_value, text) if "=" in text else text))


def mask_request(path: str, query: str = "") -> str:
    """A request as a page shows it (the audit log's refusals): each path segment and each query value decoded and
    masked whole, so ``/lookup?q=049193639832`` or ``?q=0905+123+456`` — digits after ``=`` or ``/``, which
    :func:`mask_text` leaves alone as parts of a code — no longer show the number typed."""
    segments = "/".join(str(mask_text(unquote(s))) for s in path.split("/"))
    values = "&".join(f"{k}={mask_text(v)}" for k, v in parse_qsl(query, keep_blank_values=True))
    return segments + (f"?{values}" if values else "")


def scrub(value: Any) -> Any:
    """:func:`mask_text` applied through dicts, lists, tuples and dataclasses (for JSON and exports)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return scrub(dataclasses.asdict(value))
    return value


def is_identifier(column: str) -> bool:
    lowered = column.lower()
    return column in IDENTIFIER_COLUMNS or any(k in lowered for k in ("cccd", "cmnd", "giay_to", "giayto",
                                                                       "identity", "dien_thoai", "dienthoai",
                                                                       "phone", "sogiayto"))


class MaskingFilter(logging.Filter):
    """Masks identifiers in a log record's message (formatted once here, so arguments cannot smuggle them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a badly formatted record is logged as it is
            return True
        record.msg, record.args = mask_line(message), None
        if record.exc_info and not record.exc_text:  # the traceback formatted now, so that it is masked too
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_line(record.exc_text)
        return True


LOGGERS = ("hopnhat", "hopnhat.serve", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi")


def install_log_masking() -> None:
    """A :class:`MaskingFilter` on the app's loggers and on every handler of the root logger (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskingFilter) for f in logger.filters):
            logger.addFilter(MaskingFilter())
        for handler in logger.handlers + logging.getLogger().handlers:
            if not any(isinstance(f, MaskingFilter) for f in handler.filters):
                handler.addFilter(MaskingFilter())
