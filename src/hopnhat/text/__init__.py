"""Vietnamese text: Unicode normalisation, tone placement, ASCII folding and matching keys.

The names below are loaded on first use (from :mod:`hopnhat.text.normalize`), so a process that needs only the
legacy-text codecs (``hopnhat repair``) does not build normalize's tables at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["accent_key", "fold", "name_key", "nfc", "official_tones"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'hopnhat.text' has no attribute {name!r}")
    return getattr(import_module("hopnhat.text.normalize"), name)
