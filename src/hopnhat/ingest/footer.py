"""An Excel report's footer row that states its total ("Tổng cộng: 1.234 hồ sơ", "Tổng số: 812"): a claim about
the records above it, never a record.

The old one-stop-shop systems end their reports with it, the label and the number in one cell or two, often merged
across the row; every other cell blank. :func:`footer_total` tells such a row by its cells alone, so the Excel reader
never takes it for a person or a dossier: with ``declared_total: footer`` it is the table's declared count; without,
the row is quarantined as ``footer_total``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from hopnhat.ingest.cells import parse_count

_NOUN = r"(?:hồ\s+sơ|người|bản\s+ghi|dòng|trường\s+hợp|hộ|thửa(?:\s+đất)?|văn\s+bản|công\s+dân|doanh\s+nghiệp)"
_FOOTER = re.compile(rf"^(?:tổng\s+cộng|tổng\s+số|tổng|cộng)(?:\s+{_NOUN})?\s*[:：]?\s*"
                     rf"(\d{{1,3}}(?:[., \u00a0]\d{{3}})+|\d+)\s*(?:{_NOUN})?\s*\.?$", re.IGNORECASE)


def footer_total(texts: Sequence[str | None]) -> tuple[str, int] | None:
    """The number a footer row states (as written, and as a count), or None when the row is no such footer."""
    cells = [t.strip() for t in texts if t is not None and t.strip()]
    if not cells or len(cells) > 3:
        return None
    joined = unicodedata.normalize("NFC", " ".join(cells))
    found = _FOOTER.match(joined)
    if found is None:
        return None
    value = parse_count(found.group(1))
    return (found.group(1), value) if value is not None else None
