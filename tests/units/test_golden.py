"""Golden address-conversion cases: tests/units/golden/addresses.csv, one parametrised test per row (id = row number).

The file is generated from the reference data by tests/units/golden/make_cases.py (plus hand-written rows); see the
``note`` column for why each non-obvious row expects what it does.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

GOLDEN = Path(__file__).with_name("golden") / "addresses.csv"


def _rows() -> list[dict[str, str]]:
    with GOLDEN.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ROWS = _rows()


def test_golden_file_is_large_enough():
    assert len(ROWS) >= 320


@pytest.mark.parametrize("row", ROWS, ids=[str(i) for i in range(1, len(ROWS) + 1)])
def test_golden(row):
    from hopnhat.units.convert import convert_address

    result = convert_address(row["address"])
    got = {
        "status": result.status,
        "new_province_code": result.new_province_code or "",
        "new_commune_code": result.new_commune_code or "",
        "candidates": ";".join(sorted(result.candidates or ())),
    }
    want = {key: row[key] for key in got}
    assert got == want, f"{row['note']} | reason: {result.reason}"
