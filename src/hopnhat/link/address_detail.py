"""The part of an address below the commune — hamlet (thôn, xóm, ấp, bản), residential group (tổ, tổ dân phố, khối),
house number and street — as a linkage key.

A new commune after the 2025 merger holds tens of thousands of people; two records in the same commune with the same
name and no birth date are a coin toss, while the same name in the same *hamlet* is nearly always one person. The key
is the folded segment right before the first segment that names an administrative unit (``Xã``, ``Phường``,
``Thị trấn``, ``Quận``, ``Huyện``, ``Tỉnh``, ``Thành phố`` and their abbreviations) — the hamlet or group, or the
street when no hamlet is written; a house number before it is often left out, so it is not part of the key —, with
the words registers spell several ways unified (``Tổ dân phố 5`` = ``Tổ 05`` = ``TDP 5``; ``Khu phố`` = ``KP``).
It is compared only within one new commune: hamlet numbers repeat from commune to commune. An address without a
unit segment (a bare hamlet, free text) has no key: nothing says where the hamlet ends.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hopnhat.text.normalize import fold

# the first words of a segment that names an administrative unit (folded, lower case)
_UNIT = re.compile(r"^(xa|phuong|thi tran|thi xa|quan|huyen|tinh|thanh pho|tp|tt|p|x|q|h)\b[ .]*")
# words of the part below the commune that registers spell several ways
_SAME = ((re.compile(r"\b(to dan pho|tdp|to dp)\b"), "to"), (re.compile(r"\b(khu pho|kp)\b"), "khu pho"),
         (re.compile(r"\bso nha\b|\bso\b"), ""), (re.compile(r"\b0+(\d)"), r"\1"))
_SPACE = re.compile(r"[^0-9a-z/]+")


@lru_cache(maxsize=200_000)
def address_detail(address: str | None) -> str | None:
    """The hamlet / group / street of ``address`` as a key (``"to 5"``; ``"12 Lê Lợi, Tổ 3, Phường …"`` → ``"to 3"``),
    or None."""
    if not address:
        return None
    parts: list[str] = []
    for segment in re.split(r"[,;\n]", address):
        text = fold(segment).lower().strip()
        if not text:
            continue
        if _UNIT.match(text):
            break
        for pattern, repl in _SAME:
            text = pattern.sub(repl, text)
        text = _SPACE.sub(" ", text).strip()
        if text:
            parts.append(text)
    else:
        return None  # no unit segment: nothing says which part is the hamlet
    return parts[-1] if parts else None  # the unit right below the commune: a house number or street is often left out
