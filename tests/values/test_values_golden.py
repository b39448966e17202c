"""Golden file: realistic legacy cells of every kind → value, extra columns and problem codes (today = 2025-07-01)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from tests.values.helpers import TODAY, codes, render

from hopnhat.i18n import set_language
from hopnhat.values import EXTRA_SUFFIXES, PROBLEM_CODES, parse_column, parse_value

GOLDEN = Path(__file__).parent / "golden" / "values.csv"
ROWS = list(csv.DictReader(GOLDEN.open(encoding="utf-8", newline="")))
TYPES = {"date": "date", "datetime": "datetime", "integer": "int", "decimal": "float", "status": "int"}


def _options(row: dict[str, str]) -> dict[str, Any]:
    return json.loads(row["options"]) if row["options"] else {}


@pytest.fixture(autouse=True)
def _vietnamese() -> None:
    set_language("vi")


@pytest.mark.parametrize("row", ROWS, ids=[f"{i + 2}-{r['kind']}-{r['input']!r}" for i, r in enumerate(ROWS)])
def test_golden_row(row: dict[str, str]) -> None:
    parsed = parse_value(row["kind"], row["input"], today=TODAY, **_options(row))
    assert render(parsed.value) == row["value"]
    if parsed.value is not None and row["kind"] in TYPES:
        assert type(parsed.value).__name__ == TYPES[row["kind"]]
    expected_extras = json.loads(row["extras"]) if row["extras"] else {}
    assert parsed.extras == expected_extras
    assert codes(parsed.problems) == row["problems"]


def test_golden_is_large_and_covers_every_kind() -> None:
    assert len(ROWS) >= 150
    assert {r["kind"] for r in ROWS} == {"text", "date", "datetime", "integer", "decimal", "id_number", "tax_code",
                                         "phone", "sex", "status"}


def test_golden_messages_name_the_value_and_codes_are_catalogued() -> None:
    for row in ROWS:
        parsed = parse_value(row["kind"], row["input"], today=TODAY, **_options(row))
        for p in parsed.problems:
            assert p.code in PROBLEM_CODES and PROBLEM_CODES[p.code][0] == p.severity, p
            shown = row["input"].strip() if row["kind"] != "text" else row["input"].strip("\ufeff ")
            assert shown[:40] in p.message or shown.lower()[:40] in p.message, (p.message, row["input"])


def _column_rule(kind: str, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Golden rows as a whole column reads them: in a sex column holding '2', '0' is ISO 5218 'not known'."""
    if kind != "sex" or not any(r["input"] == "2" for r in rows) or _options(rows[0]):
        return rows
    return [{**r, "value": "", "problems": "E:ambiguous_sex"} if r["input"] == "0" else r for r in rows]


def test_golden_through_parse_column_by_kind_and_options() -> None:
    groups: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in ROWS:
        groups.setdefault((row["kind"], row["options"]), []).append(row)
    for (kind, _), rows in groups.items():
        result = parse_column(kind, [r["input"] for r in rows], today=TODAY, **_options(rows[0]))
        rows = _column_rule(kind, rows)
        assert [render(v) for v in result.values] == [r["value"] for r in rows]
        assert set(result.extras) == set(EXTRA_SUFFIXES.get(kind, ()))
        got = {i: codes(p for j, p in result.problems if j == i) for i in range(len(rows))}
        assert got == {i: r["problems"] for i, r in enumerate(rows)}


def test_english_messages() -> None:
    set_language("en")
    parsed = parse_value("date", "31/02/1990", today=TODAY)
    assert parsed.problems[0].message == "Date '31/02/1990' does not exist"
