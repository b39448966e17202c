"""Every cell becomes text: numbers without a spurious ``.0``, dates ISO, bytes decoded losslessly, nested values as
compact JSON. Repair and typing come later; ingest only makes a faithful text copy.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal
from typing import Any

from hopnhat.text.cells import as_text


def _json_default(value: Any) -> Any:
    text = cell_text(value)
    return text if text is not None else None


# One encoder for every call (``json.dumps`` with options builds a new one each time: a list item of a dossier's
# history is encoded for every row).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)


def json_text(value: Any) -> str:
    """Compact JSON, Vietnamese kept as characters (so the mapper can resolve ``json: ChuHoSo.HoTen``)."""
    return _ENCODER.encode(value)


def _float_text(value: float) -> str:
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _datetime_text(value: dt.datetime, dates_at_midnight: bool) -> str:
    if dates_at_midnight and value.tzinfo is None and value.time() == dt.time(0):
        return value.date().isoformat()
    return value.isoformat()


def cell_text(value: Any, dates_at_midnight: bool = False) -> str | None:
    """One cell as text, or None when empty. ``dates_at_midnight``: a datetime at 00:00 is a date (Excel has no
    date type, every date is a datetime)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if type(value) is bytes:  # SQLite text read as bytes: the common cell of a database source
        return as_text(value) or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return _datetime_text(value, dates_at_midnight)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return as_text(bytes(value)) or None
    if isinstance(value, (dict, list, tuple)):
        return json_text(value)
    return str(value)


def record_json(cells: dict[str, str | None]) -> str:
    """The raw view of a record read from typed cells (Excel, SQL, Parquet): its text cells as a JSON object."""
    return json.dumps(cells, ensure_ascii=False, separators=(",", ":"))


_COUNT = re.compile(r"^\s*(\d{1,3}(?:[.,\u00a0 ]\d{3})+|\d+)\s*$")


def parse_count(value: Any) -> int | None:
    """A declared count as a number: a JSON integer, or text of digits with thousands grouped by ``.``, ``,`` or a
    space as Vietnamese reports write them (``1.234``); anything else (``12.5``, ``-3``, ``nhiều``) is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if not isinstance(value, str):
        return None
    found = _COUNT.match(value)
    return int(re.sub(r"\D", "", found.group(1))) if found else None
