"""Blocking rules on hand-written records: which pairs the model gets to score (blocking.py, person_model.BLOCKING)."""

from __future__ import annotations

import pyarrow as pa

from hopnhat.link.blocking import blocking_recall
from hopnhat.link.person_model import BLOCKING
from hopnhat.link.standalone import people_features

_A = "Thôn 2, Xã Quế Xuân 1, Huyện Quế Sơn, Tỉnh Quảng Nam"
_B = "Tổ 9, Phường Hải Châu I, Quận Hải Châu, Thành phố Đà Nẵng"
_SLIP_RULES = [r for r in BLOCKING if "name_n <= " in r and "l.mid = r.mid" in r]


def _blocked(rows: list[tuple[str, str]], rules: tuple[str, ...] = BLOCKING) -> tuple[int, dict[str, int]]:
    """Whether records 0 and 1 of ``rows`` (full name, birth date; the first in commune A, the rest in B) are
    compared, and by which rules."""
    table = pa.table({"full_name": [n for n, _ in rows], "dob": [d for _, d in rows],
                      "sex": ["Nữ"] * len(rows), "id_number": [""] * len(rows), "phone": [""] * len(rows),
                      "address": [_A] + [_B] * (len(rows) - 1)})
    work = people_features(table, threads=1)
    result = blocking_recall(work, pa.table({"uid_l": [0], "uid_r": [1]}), rules)
    work.close()
    return result.blocked, {rule: n for rule, n in result.by_rule.items() if n}


def test_a_slipped_given_name_with_a_year_alone_in_another_commune_is_compared() -> None:
    # Phuog is carried by one record: a slip of Phương, the year alone on that record, another commune
    rows = [("Phạm Thị Phương", "19/04/1969"), ("PHẠM THỊ PHUOG", "1969"), ("Phạm Thị Phương", "02/02/1980")]
    blocked, by_rule = _blocked(rows)
    assert blocked == 1 and set(by_rule) <= set(_SLIP_RULES) and by_rule


def test_two_frequent_names_of_one_initial_are_not_compared_by_the_slip_rules() -> None:
    rows = [("Phạm Thị Phương", "19/04/1969"), ("Phạm Thị Phúc", "1969"), ("Phạm Thị Phúc", "03/03/1950"),
            ("Phạm Thị Phúc", "04/04/1951"), ("Phạm Thị Phương", "05/05/1952"), ("Phạm Thị Phương", "06/06/1953")]
    assert _blocked(rows, tuple(_SLIP_RULES))[0] == 0
