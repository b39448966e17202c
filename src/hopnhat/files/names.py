"""Legacy file names (TCVN3, VNI, Windows-1258, VISCII, mojibake) → NFC Unicode, through the one repair engine.

A name comes either as text (a path in a source column: the repair engine reads it like any cell) or as the raw
bytes of a name on disk (``os.fsencode``): bytes that are not UTF-8 were written by a legacy system, and are handed to
the engine in their Windows-1252 view, the form the engine reads legacy bytes from. The names of one source are
repaired together, as one column, so the encoding is detected on all of them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from hopnhat.repair.stage import ColumnRepairer
from hopnhat.text.legacy import cp1252_view


def name_text(raw: bytes) -> str:
    """The text of a file name's bytes: UTF-8 when they are, else their Windows-1252 view (for the engine)."""
    try:
        return unicodedata.normalize("NFC", raw.decode("utf-8"))
    except UnicodeDecodeError:
        return cp1252_view(raw)


def repair_names(names: Sequence[str], *, encoding: str | None = None) -> dict[str, str]:
    """Each name → its repaired form (the name itself when nothing changed or no reading makes it Vietnamese)."""
    repairer = ColumnRepairer("file_name", encoding=encoding)
    changed = repairer.changed(list(names))
    out = {name: name for name in names}
    for name, reading in changed.items():
        if name is not None and reading.problem is None:
            out[name] = reading.text
    return out
