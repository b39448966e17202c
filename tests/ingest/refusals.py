"""The refusal a reader gives, in both languages of the UI (the JSON and XML ``records:`` tests)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hopnhat.errors import InputError
from hopnhat.i18n import set_language


def in_both_languages(read: Callable[[], object]) -> dict[str, InputError]:
    """``read()`` run with the UI in Vietnamese and in English; the InputError each raised (Vietnamese restored)."""
    out = {}
    for lang in ("vi", "en"):
        set_language(lang)
        try:
            with pytest.raises(InputError) as caught:
                read()
        finally:
            set_language("vi")
        out[lang] = caught.value
    return out
