"""Free text and coded text.

Text is NFC-composed, stripped, and freed of invisible characters (BOM, zero-width spaces) that break comparisons;
inner spacing is kept as written. With ``values`` the cell is a code (``KS`` → ``birth``): matched exactly, then
without case or diacritics; an unknown code is an error ``unknown_code`` naming the known ones.
"""

from __future__ import annotations

from collections.abc import Callable

from hopnhat.text.normalize import fold, nfc
from hopnhat.values.core import Options, Parsed, error, failed, shown

_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
_SHOWN_KNOWN = 12


def clean(text: str) -> str:
    """NFC, stripped, without invisible characters."""
    return nfc(text.translate(_INVISIBLE)).strip()


def _key(text: str) -> str:
    return " ".join(fold(text).lower().split())


def text_parser(opts: Options) -> Callable[[str], Parsed]:
    mapping = {clean(str(k)): str(v) for k, v in (opts.mapping or {}).items()}
    folded = {_key(k): v for k, v in mapping.items()}
    known = ", ".join(list(mapping)[:_SHOWN_KNOWN]) + (" …" if len(mapping) > _SHOWN_KNOWN else "")

    def parse(text: str) -> Parsed:
        value = clean(text)
        if not value or opts.values is None:
            return Parsed(value or None)
        found = mapping.get(value) or folded.get(_key(value))
        if found is None:
            return failed(error("unknown_code", f"Mã {shown(value)} không có trong bảng giá trị (đã biết: {known})",
                                f"Code {shown(value)} is not among the values (known: {known})"))
        return Parsed(found)

    return parse
