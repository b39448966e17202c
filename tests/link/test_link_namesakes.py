"""The namesake estimate (namesakes.py): whether a pair tied only by the name and the birth date is linked depends on
what the run's own data says about such pairs — their CCCDs, where both records carry one — not on a fixed policy."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from hopnhat.link import namesakes
from hopnhat.link.namesakes import Stratum
from hopnhat.link.standalone import link_people
from hopnhat.link.truth import person_rows

COLUMNS = ["full_name", "dob", "sex", "id_number", "phone", "address"]
HERE = "Thôn 3, Xã Điện Hòa, Thị xã Điện Bàn, Tỉnh Quảng Nam"
THERE = "Thôn 2, Xã Tam Xuân I, Huyện Núi Thành, Tỉnh Quảng Nam"
ELSEWHERE = "Tổ 5, Phường Hòa Thuận Tây, Quận Hải Châu, Thành phố Đà Nẵng"
# test_link_unanchored's woman: her home record, a file with her CCCD, and a record with an address she left, no
# number and no phone — tied to the others by her (rare) name and birth date alone.
HOME = ("Tôn Nữ Diệu Hiền", "12/03/1971", "Nữ", "048171001234", "0905123456", HERE)
FILE = ("TÔN NỮ DIỆU HIỀN", "1971-03-12", "F", "048171001234", "", HERE)
STALE = ("Tôn Nữ Diệu Hiền", "12/03/1971", "Nữ", "", "", ELSEWHERE)


def test_the_lower_bound_is_wilsons() -> None:
    # the references: scipy.stats.binomtest(k, n).proportion_ci(0.95, method="wilson").low
    assert Stratum("date", 1, 506, 0).lower == pytest.approx(0.9924653855542078, abs=1e-12)
    assert Stratum("date", 3, 141, 2).lower == pytest.approx(0.9504430359191713, abs=1e-12)
    assert Stratum("date", 4, 101, 1).lower == pytest.approx(0.9465420852342225, abs=1e-12)
    assert Stratum("vague", 1, 0, 0).lower == 0.0
    strata = {(s.dates, s.names): s for s in (Stratum("date", 3, 141, 2), Stratum("date", 4, 101, 1))}
    assert namesakes.linkable(strata, 0.95) == {("date", 3)}
    assert "141 one person / 2 two" in Stratum("date", 3, 141, 2).describe()


def _features(rows: list[tuple[object, ...]]) -> duckdb.DuckDBPyConnection:
    work = duckdb.connect()
    work.execute("CREATE TABLE person_features (uid INTEGER, fam VARCHAR, mid VARCHAR, giv VARCHAR, byear INTEGER, "
                  "dob DATE, cccd VARCHAR, cc_year INTEGER, addr VARCHAR, phone VARCHAR, name_n INTEGER)")
    work.executemany("INSERT INTO person_features VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return work


def test_the_cccds_of_name_and_date_pairs_count_one_person_or_two() -> None:
    """Only pairs of one name and birth year (the same date, or one vague), in two communes with no phone in common,
    both with a valid CCCD, are counted: the same number or one slip is one person, two numbers two people."""
    d, other = "1971-03-12", "1971-04-12"
    work = _features([
        (0, "ton", "dieu", "hien", 1971, d, "048171001234", 1971, "A", None, 3),
        (1, "ton", "dieu", "hien", 1971, d, "048171001234", 1971, "B", None, 3),       # same CCCD: one
        (2, "ton", "dieu", "hien", 1971, d, "048171002134", 1971, "C", None, 3),       # a swap from 0 and 1: one
        (3, "le", "van", "an", 1980, d.replace("1971", "1980"), "049080005678", 1980, "A", None, 2),
        (4, "le", "van", "an", 1980, d.replace("1971", "1980"), "049080999999", 1980, "B", None, 2),  # two
        (5, "le", "van", "binh", 1980, None, "049080111111", 1980, "A", None, 40),
        (6, "le", "van", "binh", 1980, "1980-05-05", "049080222222", 1980, "B", None, 40),  # vague: two
        (7, "le", "van", "binh", 1980, "1980-06-06", "049080333333", 1980, "B", None, 40),  # vague with 5: two
        (8, "pham", "thi", "lan", 1990, "1990-01-02", "048190444444", 1990, "A", "0905000000", 2),
        (9, "pham", "thi", "lan", 1990, "1990-01-02", "048190555555", 1990, "B", "0905000000", 2),  # one phone: out
        (10, "vo", "thi", "mai", 1990, "1990-01-02", "048190666666", 1990, "A", None, 2),
        (11, "vo", "thi", "mai", 1990, "1990-01-02", "048190777777", 1990, "A", None, 2),  # one commune: out
        (12, "vo", "thi", "mai", 1990, other.replace("1971", "1990"), "048190888888", 1990, "B", None, 2),  # date
        (13, "do", "van", "hai", 1970, "1970-01-01", "048070123456", None, "A", None, 2),  # no valid CCCD: out
        (14, "do", "van", "hai", 1970, "1970-01-01", "048070654321", 1970, "B", None, 2),
    ])
    strata = namesakes.estimate(work)
    assert {k: (s.one, s.two) for k, s in strata.items()} == {("date", 1): (3, 1), ("vague", 5): (0, 2)}


def _names(count: int) -> list[str]:
    families, middles, givens = ("Lạc", "Khổng", "Mạc", "Thân", "Doãn"), ("Hữu", "Đình", "Quang", "Minh"), (
        "Khiêm", "Thoại", "Duẫn", "Tuân", "Cẩn")
    return [" ".join(parts) for parts in itertools.islice(itertools.product(families, middles, givens), count)]


def _people(same_number: bool) -> list[tuple[str, ...]]:
    """100 men of rare names with two records each in two communes, both with a CCCD: the same number (one person
    each) or two numbers (namesakes born the same day)."""
    rows: list[tuple[str, ...]] = []
    for i, name in enumerate(_names(100)):
        year = 1950 + i % 40
        born = f"{1 + i % 28:02d}/{1 + i % 12:02d}/{year}"
        first = f"048{0}{year % 100:02d}{700000 + i:06d}"
        second = first if same_number else f"049{0}{year % 100:02d}{800000 + i:06d}"
        rows += [(name, born, "Nam", first, "", HERE), (name, born, "Nam", second, "", THERE)]
    return rows


@pytest.fixture(scope="module")
def around(estate: Path) -> pa.Table:
    return person_rows(estate).select(COLUMNS)


def _linked(around: pa.Table, planted: list[tuple[str, ...]]) -> tuple[list[int], tuple[str, ...]]:
    rows = planted + [HOME, FILE, STALE]
    table = pa.concat_tables([around, pa.table({c: [r[i] for r in rows] for i, c in enumerate(COLUMNS)})])
    result = link_people(table, threads=1)
    return result.table.column("cluster_id").to_pylist()[-3:], result.notes


def test_a_record_tied_by_name_and_date_alone_is_linked_where_the_data_says_such_pairs_are_one_person(
        around: pa.Table) -> None:
    """The default mode: where name + date pairs with two CCCDs carry the same number (rare names, 100 of 100), the
    stale record is linked as the clear best; where they carry two numbers (namesakes), it is kept apart."""
    (home, file, stale), notes = _linked(around, _people(same_number=True))
    assert home == file == stale
    assert any("exact date, name of at most 3 records" in n and "≥ 0.9" in n for n in notes)
    (home, file, stale), notes = _linked(around, _people(same_number=False))
    assert home == file != stale


def test_each_unanchored_pair_shows_its_strata_estimate_and_whether_it_was_linked() -> None:
    from hopnhat.link.persons import mark_unanchored

    work = duckdb.connect()
    work.execute("CREATE TABLE person_pairs (uid_l BIGINT, uid_r BIGINT, match_probability DOUBLE, evidence VARCHAR)")
    work.executemany("INSERT INTO person_pairs VALUES (?, ?, ?, ?)",
                     [(0, 1, 0.97, '{"rule": "model"}'), (2, 3, 0.97, None), (4, 5, 0.99, '{"rule": "model"}')])
    work.execute("CREATE TABLE person_unanchored AS SELECT * FROM (VALUES (0, 1, 'date', 4), (2, 3, 'vague', 9)) "
                 "t(uid_l, uid_r, dates, names)")
    work.execute("CREATE TABLE person_namesakes AS SELECT * FROM (VALUES ('date', 4, 1061, 14, 0.9777)) "
                 "t(dates, names, one, two, lower)")
    mark_unanchored(work, [0, 0, 2, 3, 4, 4], 0.95)  # 0-1 linked, 2-3 apart, 4-5 not unanchored
    rows = work.execute("SELECT uid_l, uid_r, evidence FROM person_pairs").fetchall()
    shown = {(a, b): json.loads(e) for a, b, e in rows}
    assert shown[(0, 1)]["namesakes"] == {"dates": "date", "names_from": 16, "one": 1061, "two": 14,
                                          "one_person_at_least": 0.9777, "needed": 0.95, "linked": True}
    assert shown[(0, 1)]["rule"] == "model"
    assert shown[(2, 3)]["namesakes"] == {"dates": "vague", "names_from": 512, "one": 0, "two": 0,
                                          "one_person_at_least": 0, "needed": 0.95, "linked": False}
    assert "namesakes" not in shown[(4, 5)]
