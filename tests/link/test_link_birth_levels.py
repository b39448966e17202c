"""The birth-date comparison of the person model, level by level, evaluated as the SQL Splink runs."""

from __future__ import annotations

import duckdb
import pytest

from hopnhat.link.person_model import BIRTH


def _level(left: tuple[int | None, int | None, int | None], right: tuple[int | None, int | None, int | None],
           vague: tuple[bool, bool] = (False, False)) -> str:
    """The label of the first level whose condition holds for records (year, month, day) left and right."""
    def side(date: tuple[int | None, int | None, int | None], is_vague: bool, s: str) -> str:
        y, m, d = date if not is_vague else (date[0], None, None)
        dm = min(m, d) * 100 + max(m, d) if m and d else None
        dob = f"DATE '{y:04d}-{m:02d}-{d:02d}'" if y and m and d else "NULL::DATE"
        return (f"{y if y else 'NULL'}::INT AS byear_{s}, {m or 'NULL'}::INT AS bmonth_{s}, {d or 'NULL'}::INT AS "
                f"bday_{s}, {dm or 'NULL'}::INT AS dm_{s}, {dob} AS dob_{s}, {str(is_vague).lower()} AS vague_{s}")
    con = duckdb.connect()
    con.execute(f"CREATE TABLE p AS SELECT {side(left, vague[0], 'l')}, {side(right, vague[1], 'r')}")
    for level in BIRTH["comparison_levels"]:
        sql = level["sql_condition"]
        if sql == "ELSE" or con.execute(f"SELECT coalesce(({sql}), false) FROM p").fetchone()[0]:
            return str(level["label_for_charts"])
    raise AssertionError("no level")


LUNAR = "lunar year: a January/February birth one year earlier"
VAGUE_YEARS = "one year apart, neither date shows the month (a lunar year possible)"


@pytest.mark.parametrize(("left", "right", "vague", "expected"), [
    ((1968, 2, 8), (1967, 2, 8), (False, False), LUNAR),  # the lunar record keeps day and month
    ((1967, 2, 8), (1968, None, None), (False, True), LUNAR),  # the dated side is the lunar one, the other a year
    ((1970, 1, 1), (1969, 1, 13), (True, False), LUNAR),  # a 01/01 placeholder against a January date
    ((1968, 6, 8), (1967, 6, 8), (False, False), "one year apart"),  # June: no lunar year
    ((1968, None, None), (1967, None, None), (True, True), VAGUE_YEARS),  # two years alone: no month to tell
    ((1981, 1, 1), (1980, None, None), (True, True), VAGUE_YEARS),  # a 01/01 placeholder against a year alone
    ((1981, 1, 1), (1980, 6, 3), (True, False), "one year apart"),  # June shows: no lunar year
    ((1968, 2, 8), (1968, 8, 2), (False, False), "day and month swapped"),
])
def test_birth_levels(left: tuple[int, int | None, int | None], right: tuple[int, int | None, int | None],
                      vague: tuple[bool, bool], expected: str) -> None:
    assert _level(left, right, vague) == expected
