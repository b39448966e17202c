"""The name and middle-name comparisons of the person model on records as registers write them: the features
built as the CLI builds them (people_features), each level's SQL evaluated as Splink runs it."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from hopnhat.link.person_model import MIDDLE, NAME
from hopnhat.link.standalone import people_features

# given names carried by many records (real names at the bar of person_features.giv_real)
_CROWD = ["Trần Thị Hùng", "Lê Văn Nhân", "Lê Thị Ngân", "Phạm Văn Hùng"]


def _level(comparison: dict[str, Any], left: tuple[str, str], right: tuple[str, str]) -> str:
    """The label of the first level of ``comparison`` that holds for records (full name, sex) left and right."""
    names = [left[0], right[0]] + [n for n in _CROWD for _ in range(3)]
    sexes = [left[1], right[1]] + ["Nam"] * (len(names) - 2)
    work = people_features(pa.table({"full_name": names, "sex": sexes, "dob": ["12/03/1980"] * len(names)}),
                           threads=1)
    cols = [c for c, *_ in work.execute("DESCRIBE person_features").fetchall()]
    pick = ", ".join([f"l.{c} AS {c}_l" for c in cols] + [f"r.{c} AS {c}_r" for c in cols])
    work.execute(f"CREATE TABLE p AS SELECT {pick} FROM person_features l, person_features r "
                 "WHERE l.uid = 0 AND r.uid = 1")
    try:
        for level in comparison["comparison_levels"]:
            sql = level["sql_condition"]
            if sql == "ELSE" or work.execute(f"SELECT coalesce(({sql}), false) FROM p").fetchone()[0]:
                return str(level["label_for_charts"])
    finally:
        work.close()
    raise AssertionError("no level")


WITHIN = "a name without middle name, its words in the other"
ADDED = "one middle name the other's last words (a middle word added before it)"


@pytest.mark.parametrize(("left", "right", "expected"), [
    ("Trần Thị Giang", "Giang Tran", WITHIN),  # the middle name dropped and the name written given name first
    ("Phạm Thị Hương", "PHẠM HƯƠNG", "same with diacritics"),  # a dropped middle name alone: family and given agree
    ("Trần Ngọc Long", "LONG TRAN", WITHIN),
    ("Huỳnh Anh Hiếu", "Huỳnh Anh", WITHIN),  # the given name dropped with the middle name's place
    ("Trần Ngọc Long", "Trần Minh", "different"),  # another given name: not within
    ("Trần Thị Hùng", "Trần Thị Hùnf", "given name one slip (one of them no real name)"),
    ("Lê Văn Nhân", "Lê Văn Ngân", "given name one edit"),  # two real names one edit apart: twins as often as a slip
])
def test_name_levels(left: str, right: str, expected: str) -> None:
    assert _level(NAME, (left, "Nam"), (right, "Nam")) == expected


@pytest.mark.parametrize(("left", "right", "expected"), [
    # a turned name with a slip splits as Lê | Diuệ Thị | Thanh beside Lê | Thị Thanh | Diệu: the family names agree by
    # chance of the split, and the middle names, split apart, are no evidence (the name's "all words" level holds them)
    ("Diuệ Thị Thanh Lê", "Lê Thị Thanh Diệu", "missing"),
    ("Lịc Đức Tương Nguyễn", "Nguyễn Đức Tương Lịch", "missing"),
    ("Lê Thị Thanh Diệu", "Lê Thị Hồng Diệu", "different"),  # another middle name, the rest the same
    ("Lê Thị Thanh Diệu", "Lê Thị Thanh Diệu", "same"),
    # a middle word added on one record (the blind population's middle_added; registers add or drop the "Văn" /
    # "Thị" that opens a middle name): one middle name the other's last words, its own level, not "different"
    ("Nguyễn Văn Minh Đạt", "Nguyễn Minh Đạt", ADDED),
    ("NGUYỄN MINH ĐẠT", "Nguyễn Văn Minh Đạt", ADDED),
    ("NGUYEN THI MAI THAO", "Nguyễn Mai Thảo", ADDED),  # folded: diacritics lost on one side
    ("Lê Thanh Diệu", "Lê Thị Thanh Diệu", ADDED),
    ("Lê Thị Thanh Diệu", "Lê Thị Diệu", "different"),  # the last word dropped: "Thị Thanh" is called Thanh
    ("Nguyễn Văn Minh Đạt", "Nguyễn Văn Mạnh Đạt", "different"),  # another word, not one added
    ("Nguyễn Văn Minh Đạt", "Nguyễn Hữu Đạt", "different"),  # another middle name
    ("Nguyễn Văn Xminh Đạt", "Nguyễn Minh Đạt", "different"),  # the end of a word, not a word
])
def test_middle_levels(left: str, right: str, expected: str) -> None:
    assert _level(MIDDLE, (left, "Nữ"), (right, "Nữ")) == expected
