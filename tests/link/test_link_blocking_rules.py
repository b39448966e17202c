"""Blocking rules on hand-written records: which pairs the model gets to score (blocking.py, person_model.BLOCKING)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

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


def test_a_two_word_middle_name_turned_with_the_given_name_and_a_year_alone_is_compared() -> None:
    # the public pool's two-word middle names: "Nguyễn Mai Thảo Bích" written given-name-first splits as
    # Nguyễn | Bích Mai | Thảo — only the words, in any order, and the year tie it to the record born 30/09/1950
    rows = [("Nguyễn Mai Thảo Bích", "30/09/1950"), ("Nguyễn Bích Mai Thảo", "1950"),
            ("Nguyễn Mai Thảo Bích", "30/09/1951")]
    assert _blocked(rows)[0] == 1


def test_two_frequent_names_of_one_initial_are_not_compared_by_the_slip_rules() -> None:
    rows = [("Phạm Thị Phương", "19/04/1969"), ("Phạm Thị Phúc", "1969"), ("Phạm Thị Phúc", "03/03/1950"),
            ("Phạm Thị Phúc", "04/04/1951"), ("Phạm Thị Phương", "05/05/1952"), ("Phạm Thị Phương", "06/06/1953")]
    assert _blocked(rows, tuple(_SLIP_RULES))[0] == 0


def test_a_record_without_a_date_is_compared_through_the_year_its_cccd_states() -> None:
    # Nguyễn Thị Lan, born 12/03/1971: her land file has no date and another commune, but her CCCD 048171…: born in
    # 1971 (century/sex digit 1: a woman of the 1900s). A common name (61 other Nguyễn Thị Lan): no rare-name rule.
    names = ["Nguyễn Thị Lan", "NGUYỄN THỊ LAN"] + ["Nguyễn Thị Lan"] * 61
    dates = ["12/03/1971", ""] + [f"0{1 + k % 9}/0{1 + k % 9}/{1940 + k}" for k in range(61)]
    table = pa.table({"full_name": names, "dob": dates, "sex": ["Nữ"] * 63,
                      "id_number": ["", "048171001234"] + [""] * 61, "phone": [""] * 63,
                      "address": [_A] + [_B] * 62})
    work = people_features(table, threads=1)
    year, vague = work.execute("SELECT byear, vague FROM person_features WHERE uid = 1").fetchone() or (None, None)
    result = blocking_recall(work, pa.table({"uid_l": [0], "uid_r": [1]}))
    work.close()
    assert (year, vague) == (1971, True)  # a year alone, from the CCCD
    assert result.blocked == 1


# The rules dropped in session 10 (person_model.BLOCKING's comment): every true pair they compare, another rule does.
_DROPPED = (
    "l.fam = r.fam AND l.mid = r.mid AND l.byear = r.byear AND l.dm = r.dm",
    "l.fam = r.fam AND l.mid = r.mid AND l.byear = r.byear AND l.addr = r.addr AND (l.vague OR r.vague)",
    "substr(l.cccd, 7, 6) = substr(r.cccd, 7, 6)",
    "substr(l.cmnd, 4, 6) = substr(r.cmnd, 4, 6)",
    "l.fam = r.fam AND l.giv = r.giv AND l.addr = r.addr AND l.addr_detail = r.addr_detail "
    "AND (l.byear IS NULL OR r.byear IS NULL)",
)


def test_the_dropped_rules_compare_no_true_pair_the_others_miss(tmp_path: Path) -> None:
    import importlib
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    bench = importlib.import_module("bench.population.generate")  # the independent population (bench/population)
    inp, truth = bench.generate(3000, 5, tmp_path)
    entity = pq.read_table(truth).column("entity").to_pylist()
    rows: dict[str, list[int]] = {}
    for i, e in enumerate(entity):
        rows.setdefault(e, []).append(i)
    pairs = [(a, b) for m in rows.values() for k, a in enumerate(m) for b in m[k + 1:]]
    table = pa.table({"uid_l": [a for a, _ in pairs], "uid_r": [b for _, b in pairs]})
    work = people_features(pq.read_table(inp), threads=1)
    kept = blocking_recall(work, table).blocked
    with_dropped = blocking_recall(work, table, (*BLOCKING, *_DROPPED))
    work.close()
    assert all(r not in BLOCKING for r in _DROPPED)
    assert with_dropped.blocked == kept and all(with_dropped.by_rule[r] for r in _DROPPED)  # they do compare some


def test_two_vague_dates_one_year_apart_in_another_commune_are_compared() -> None:
    # a year alone beside a 01/01 placeholder of the next year (a lunar year, the month unknown on both)
    rows = [("Vũ Văn Huy", "1980"), ("VŨ VĂN HUY", "1/1/1981")]
    blocked, by_rule = _blocked(rows)
    assert blocked == 1 and all("l.vague AND r.vague" in rule for rule in by_rule)


def _one_commune(names: tuple[str, str], addresses: tuple[str, str] = (_A, _A)) -> int:
    table = pa.table({"full_name": list(names), "dob": ["14/07/1985", "1985"], "sex": ["Nam"] * 2,
                      "id_number": [""] * 2, "phone": [""] * 2, "address": list(addresses)})
    work = people_features(table, threads=1)
    result = blocking_recall(work, pa.table({"uid_l": [0], "uid_r": [1]}))
    work.close()
    return result.blocked


def test_a_middle_word_added_with_a_year_alone_in_one_commune_is_compared() -> None:
    # the land register adds "Văn" before his middle name and writes the year alone
    assert _one_commune(("Nguyễn Minh Đạt", "Nguyễn Văn Minh Đạt")) == 1


def test_a_middle_word_added_is_compared_in_one_commune_only() -> None:
    assert _one_commune(("Nguyễn Minh Đạt", "Nguyễn Văn Minh Đạt"), (_A, _B)) == 0  # the cost: see BLOCKING
    assert _one_commune(("Nguyễn Minh Đạt", "Nguyễn Văn Hữu Đạt")) == 0  # another middle name


def _blocked_ids(ids: tuple[str, str], names: tuple[str, str]) -> int:
    table = pa.table({"full_name": list(names), "dob": ["03/05/1961", ""], "sex": ["Nam"] * 2,
                      "id_number": list(ids), "phone": [""] * 2, "address": [_A, _B]})
    work = people_features(table, threads=1)
    result = blocking_recall(work, pa.table({"uid_l": [0], "uid_r": [1]}))
    work.close()
    return result.blocked


def test_a_cccd_slipped_in_its_first_six_digits_is_compared() -> None:
    # 049 (Quảng Nam), century digit 0, year 61: the clerk keyed 045 — another province; the other record has no date
    # and a slip in the family name, in another commune
    assert _blocked_ids(("049061001234", "045061001234"), ("Trần Văn Lợi", "Trầm Văn Lợi")) == 1


def test_a_cccd_of_the_same_last_six_digits_and_another_given_name_is_not_compared() -> None:
    assert _blocked_ids(("049061001234", "045061001234"), ("Trần Văn Lợi", "Trầm Văn Hùng")) == 0
