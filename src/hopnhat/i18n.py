"""Vietnamese by default, English on request.

Text shown to users is written as a pair at the call site: ``tr("Đã chuyển đổi", "Converted")``. The language comes
from ``--lang`` (CLI), the ``lang`` cookie (web) or ``HOPNHAT_LANG``; it is set once at the edge with
:func:`set_language` and read everywhere else with :func:`language`.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from typing import Literal

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")

_current: ContextVar[Language | None] = ContextVar("hopnhat_language", default=None)


def _from_env() -> Language:
    value = os.environ.get("HOPNHAT_LANG", "vi").lower()[:2]
    return value if value in LANGUAGES else "vi"


def set_language(lang: str | None) -> Language:
    """Set the language for this context (thread/task); unknown values fall back to Vietnamese."""
    value: Language = lang if lang in LANGUAGES else _from_env()
    _current.set(value)
    return value


def language() -> Language:
    return _current.get() or _from_env()


def tr(vi: str, en: str) -> str:
    """Pick the Vietnamese or English text for the current language."""
    return en if language() == "en" else vi
