"""What a column's sample values say: its date formats (the config's :data:`DATE_FORMATS`), its decimal mark, a
status column's codes on the national scale, whether it holds a sex or unique keys."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from hopnhat.i18n import tr
from hopnhat.link.headers import header_keys
from hopnhat.project.config import DATE_FORMATS
from hopnhat.text.legacy import family_first

_DATE_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dd/mm/yyyy HH:MM", re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(:\d{2})?$")),
    ("dd/mm/yyyy", re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")),
    ("dd-mm-yyyy", re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$")),
    ("dd.mm.yyyy", re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")),
    ("iso8601", re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")),
    ("yyyy-mm-dd", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
    ("yyyymmdd", re.compile(r"^(1[89]|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")),
    ("yyyy", re.compile(r"^(1[89]|20)\d{2}$")),
    ("excel_serial", re.compile(r"^[1-9]\d{3,4}(\.\d+)?$")),
)
_DAY_MONTH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{4}")
assert {name for name, _ in _DATE_SHAPES} <= set(DATE_FORMATS)


def date_shape(value: str) -> str | None:
    """The first format of :data:`DATE_FORMATS` a value is written in, or None."""
    text = value.strip()
    for name, shape in _DATE_SHAPES:
        if shape.match(text):
            return "excel_serial" if name == "excel_serial" and not 1 <= float(text) <= 80_000 else name
    return None


def _month_first(values: Sequence[str]) -> bool:
    """dd/mm written as mm/dd: some second part above 12 and no first part above 12."""
    pairs = [(int(m.group(1)), int(m.group(2))) for v in values if (m := _DAY_MONTH.match(v.strip()))]
    return any(b > 12 for _, b in pairs) and not any(a > 12 for a, _ in pairs)


def date_formats(values: Sequence[str]) -> tuple[list[str], str | None]:
    """The formats of a date column's values, most used first, and what to check (values in no format, month
    first, none at all)."""
    shapes = Counter(date_shape(v) for v in values)
    unknown = shapes.pop(None, 0)
    formats = [name for name, _ in shapes.most_common() if name is not None]
    if _month_first(values):
        formats = ["mm/dd/yyyy" if f == "dd/mm/yyyy" else f for f in formats]
    check = None
    if not formats:
        check = tr("không giá trị mẫu nào có dạng ngày đã biết", "no sample value is in a known date format")
    elif unknown:
        example = next(v for v in values if date_shape(v) is None)
        check = tr(f"{unknown}/{len(values)} giá trị mẫu không có dạng ngày đã biết (ví dụ {example!r})",
                   f"{unknown}/{len(values)} sample values are in no known date format (e.g. {example!r})")
    elif "mm/dd/yyyy" in formats:
        check = tr("tháng đứng trước ngày (mm/dd/yyyy)?", "month before day (mm/dd/yyyy)?")
    return formats or ["dd/mm/yyyy"], check


def decimal_mark(values: Sequence[str]) -> str:
    """``,`` when most numbers with a fraction write it after a comma (``87,1``), else ``.``."""
    comma = sum(bool(re.match(r"^-?\d+,\d+$", v.strip())) for v in values)
    dot = sum(bool(re.match(r"^-?\d+\.\d+$", v.strip())) for v in values)
    return "," if comma > dot else "."


# Words of a status as legacy systems write it (folded, camelCase apart) → national status code 1–10, tried in order.
_STATUS_WORDS: tuple[tuple[str, int], ...] = (
    (r"\btra ket qua\b", 10), (r"\brut\b", 7), (r"\bdung\b", 8), (r"\bbo sung\b", 5), (r"\bnghia vu tai chinh\b", 6),
    (r"\b(khong|tu choi)\b", 3), (r"\b(co ket qua|da giai quyet|da xu ly|xu ly xong|hoan thanh)\b", 9),
    (r"\b(dang|xu ly|giai quyet|cho)\b", 4), (r"\bmoi dang ky\b", 1), (r"\btiep nhan\b", 2),
)


def status_code(value: str) -> int | None:
    """The national status (1–10) a source's status reads as, or None."""
    if value.strip().isdigit():
        number = int(value)
        return number if 1 <= number <= 10 else None
    for key in header_keys(value):
        for pattern, code in _STATUS_WORDS:
            if re.search(pattern, key):
                return code
    return None


_SEX_WORDS = {"nam", "nu", "m", "f", "male", "female", "0", "1", "2", "trai", "gai"}


def looks_like_sex(values: Sequence[str]) -> bool:
    keys = {header_keys(v)[0] if header_keys(v) else "" for v in values[:200]}
    return bool(keys) and keys <= _SEX_WORDS | {""}


def unique(values: Sequence[str], rows: int) -> bool:
    """Every sampled row has a value and no value repeats."""
    return len(values) == rows and len(set(values)) == len(values) and rows > 0


SHARE = 0.8  # of a column's sampled values that must have a kind's shape for the column to be read as that kind
_ID = re.compile(r"^(\d{9}|\d{12})$")
_PHONE = re.compile(r"^(\+?84|0)\d{9,10}$")


def _person_name(value: str) -> bool:
    words = value.split()
    return 2 <= len(words) <= 5 and family_first(value) and all(w[:1].isupper() for w in words)


def value_kind(values: Sequence[str]) -> str | None:
    """What most of a column's values are, whatever its header says: ``name`` (people's names: a Kinh family name
    first), ``date``, ``id_number`` (9 or 12 digits), ``phone``; None when nothing holds for :data:`SHARE` of them."""
    sample = [v.strip() for v in values[:500] if v.strip()]
    if len(sample) < 2:
        return None
    shapes = (("date", lambda v: date_shape(v) not in (None, "excel_serial", "yyyy")),
              ("id_number", lambda v: bool(_ID.match(v))),
              ("phone", lambda v: bool(_PHONE.match(re.sub(r"[ .-]", "", v)))),
              ("name", _person_name))
    return next((kind for kind, test in shapes if sum(map(test, sample)) >= SHARE * len(sample)), None)
