"""A raw cell as text, before any repair: what every reader and the repair stage agree a cell says."""

from __future__ import annotations

import codecs

from hopnhat.text.legacy import cp1252_view

# cp1252_view as a 256-character decoding table, so the codec machinery (C) reads a whole cell at once.
_CP1252_VIEW = "".join(cp1252_view(bytes([b])) for b in range(256))


_LEGACY: dict[bytes, str] = {}  # cells that are not UTF-8, read once (a failed UTF-8 decoding raises: costly)


def as_text(cell: bytes | str) -> str:
    """A cell as text without repairing it: UTF-8 when it is, else its Windows-1252 reading (reversible)."""
    if isinstance(cell, str):
        return cell
    known = _LEGACY.get(cell)
    if known is not None:
        return known
    try:
        return cell.decode("utf-8")
    except UnicodeDecodeError:
        if len(_LEGACY) >= 200_000:
            _LEGACY.clear()
        text = _LEGACY[cell] = codecs.charmap_decode(cell, "strict", _CP1252_VIEW)[0]
        return text
