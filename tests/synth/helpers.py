"""Readers for generated truth files."""

from __future__ import annotations

import csv
from pathlib import Path


def truth_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
