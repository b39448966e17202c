"""Byte-identical output: zip archives (xlsx) rewritten with fixed timestamps and fixed document properties."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

FIXED_ZIP_TIME = (2025, 7, 1, 0, 0, 0)
FIXED_ISO = "2025-07-01T00:00:00Z"
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalize_xlsx(path: Path) -> None:
    """Rewrite an .xlsx so that the same content always gives the same bytes (no save time anywhere)."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = _CORE_DATES.sub(lambda m: m.group(1) + FIXED_ISO.encode() + m.group(3), data)
            info = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, data)
