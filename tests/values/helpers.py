"""Shared helpers of the value-parser tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

TODAY = dt.date(2025, 7, 1)  # the cut-over: fixed so "future" and 2-digit years do not depend on the run date


def render(value: Any) -> str:
    """A parsed value as written in the golden files (ISO for dates, '' for None)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def codes(problems: Any) -> str:
    """Problems as 'E:code;W:code' in order."""
    return ";".join(f"{p.severity[0].upper()}:{p.code}" for p in problems)
