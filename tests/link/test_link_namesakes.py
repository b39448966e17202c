"""The namesake estimate (namesakes.py): whether a pair tied only by the name and the birth date is linked depends on
what the run's own data says about such pairs — their CCCDs, where both records carry one — not on a fixed policy."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert Stratum("date", 1, True, 506, 0).lower == pytest.approx(0.9924653855542078, abs=1e-12)
    assert Stratum("date", 3, True, 141, 2).lower == pytest.approx(0.9504430359191713, abs=1e-12)
    assert Stratum("date", 4, False, 101, 1).lower == pytest.approx(0.9465420852342225, abs=1e-12)
    assert Stratum("vague", 1, True, 0, 0).lower == 0.0
    strata = {(s.dates, s.names, s.alone): s for s in (Stratum("date", 3, True, 141, 2),
                                                       Stratum("date", 3, False, 101, 1),
                                                       Stratum("date", 3, None, 242, 3),
                                                       Stratum("date", 4, True, 30, 0),
                                                       Stratum("date", 4, False, 101, 1),
                                                       Stratum("date", 4, None, 131, 1))}
    # a part passes on its own bound or on its whole stratum's: date 3's whole 242 / 3 (0.965) carries its part
    # 101 / 1 (0.947); date 4's whole 131 / 1 (0.958) its part 30 / 0 (0.886)
    assert namesakes.linkable(strata, 0.95) == {("date", 3, True), ("date", 3, False), ("date", 3, None),
                                                ("date", 4, True), ("date", 4, False), ("date", 4, None)}
    alone_only = {k: s for k, s in strata.items() if k[1] == 3 and k[2] is not False} | {
        ("date", 3, False): Stratum("date", 3, False, 20, 5), ("date", 3, None): Stratum("date", 3, None, 161, 7)}
    assert namesakes.linkable(alone_only, 0.95) == {("date", 3, True)}  # the whole 161 / 7: 0.917
    # a whole that passes does not carry a part its own count shows below the bar: date 5's whole 1,200 / 20 (0.975)
    # against its part 150 / 15 (0.855 to 0.944); the part 30 / 0 (0.886 to 1) rides on its whole
    worse = {(s.dates, s.names, s.alone): s for s in (Stratum("date", 5, True, 1050, 5),
                                                      Stratum("date", 5, False, 150, 15),
                                                      Stratum("date", 5, None, 1200, 20))}
    assert worse[("date", 5, False)].upper == pytest.approx(0.9441336461684667, abs=1e-12)  # scipy: .high
    assert namesakes.linkable(worse, 0.95) == {("date", 5, True), ("date", 5, None)}
    assert Stratum("date", 4, True, 30, 0).upper == pytest.approx(1.0, abs=1e-12)
    assert Stratum("vague", 1, True, 0, 0).upper == 1.0
    assert "no third record of the name and date: 141 one person / 2 two" in Stratum("date", 3, True, 141, 2).describe()
    assert "a third record of the name and year" in Stratum("vague", 3, False, 1, 2).describe()


def _features(rows: Sequence[tuple[object, ...]]) -> duckdb.DuckDBPyConnection:
    work = duckdb.connect()
    work.execute("CREATE TABLE person_features (uid INTEGER, fam VARCHAR, mid VARCHAR, giv VARCHAR, byear INTEGER, "
                  "dob DATE, cccd VARCHAR, cc_year INTEGER, addr VARCHAR, phone VARCHAR, name_n INTEGER, "
                  "name_sorted VARCHAR)")
    work.executemany("INSERT INTO person_features VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [(*r, " ".join(sorted(str(w) for w in r[1:4]))) for r in rows])
    # the texts' integer codes, as build_person_features gives them (person_features.KEY_CODES): equal exactly where
    # the texts are, NULL where the text is
    codes = ", ".join(f"CASE WHEN {text} IS NOT NULL THEN dense_rank() OVER (ORDER BY {text}) END AS {code}"
                      for text, code in (("fam", "k_fam"), ("mid", "k_mid"), ("giv", "k_giv"),
                                         ("name_sorted", "k_ns"), ("addr", "k_addr")))
    work.execute(f"CREATE OR REPLACE TABLE person_features AS SELECT *, {codes} FROM person_features ORDER BY uid")
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
    # ton dieu hien 12/03/1971: three records carry the name and date (not alone); le van an: two (alone); le van
    # binh 1980: three records of the name and year
    assert {k: (s.one, s.two) for k, s in strata.items()} == {
        ("date", 1, None): (3, 1), ("date", 1, False): (3, 0), ("date", 1, True): (0, 1), ("vague", 5, None): (0, 2),
        ("vague", 5, False): (0, 2)}


def test_pairs_are_counted_apart_when_a_third_record_carries_their_name_and_date() -> None:
    """Two records alone with their name and date are one person's or two people's one each; beside a third, two
    people are likelier: the estimate counts the two apart, and each unanchored pair is given its own."""
    d = "1980-05-05"
    rows = [(0, "le", "van", "an", 1980, d, "049080005678", 1980, "A", None, 2),
            (1, "le", "van", "an", 1980, d, "049080005678", 1980, "B", None, 2),  # alone: one person
            (2, "vo", "van", "an", 1980, d, "049080111111", 1980, "A", None, 3),
            (3, "vo", "van", "an", 1980, d, "049080222222", 1980, "B", None, 3),
            (4, "vo", "van", "an", 1980, d, None, None, "C", None, 3)]  # a third record: 2-3 is two people
    work = _features(rows)
    assert {k: (s.one, s.two) for k, s in namesakes.estimate(work).items()} == {
        ("date", 1, None): (1, 1), ("date", 1, False): (0, 1), ("date", 1, True): (1, 0)}
    work.execute("CREATE TABLE person_unanchored AS SELECT * FROM (VALUES (0, 1), (2, 4)) t(uid_l, uid_r)")
    namesakes.attach_strata(work)
    assert work.execute("SELECT uid_l, uid_r, dates, names, alone FROM person_unanchored ORDER BY 1").fetchall() == [
        (0, 1, "date", 1, True), (2, 4, "date", 1, False)]


def test_the_counts_kept_from_the_strata_give_the_same_estimate() -> None:
    # person_pairs counts the names and dates once: attach_strata keeps them, estimate reads and drops them
    d = "1980-05-05"
    rows = [(0, "le", "van", "an", 1980, d, "049080005678", 1980, "A", None, 2),
            (1, "le", "van", "an", 1980, d, "049080005678", 1980, "B", None, 2),
            (2, "vo", "van", "an", 1980, d, "049080111111", 1980, "A", None, 3),
            (3, "vo", "van", "an", 1980, d, "049080222222", 1980, "B", None, 3),
            (4, "vo", "van", "an", 1980, None, None, None, "C", None, 3),
            (5, "vo", "van", "an", 1980, None, "049080333333", 1980, "D", None, 3)]
    alone = namesakes.estimate(_features(rows))
    work = _features(rows)
    work.execute("CREATE TABLE person_unanchored AS SELECT * FROM (VALUES (0, 1), (2, 4)) t(uid_l, uid_r)")
    namesakes.attach_strata(work, keep=True)
    assert namesakes.estimate(work, counted=True) == alone and len(alone) == 4
    assert not work.execute("SELECT * FROM duckdb_tables() WHERE table_name LIKE '_ns%'").fetchall()



def test_the_carriers_are_the_records_that_can_make_a_pair() -> None:
    """A record is carried into the estimate's joins only when it can make a pair: it shares its name and date with
    another record (the dated half), or a record of its name and year has no date (the vague half)."""
    rows = [(0, "le", "van", "an", 1980, "1980-05-05", None, None, "A", None, 3),
            (1, "le", "van", "an", 1980, "1980-05-05", None, None, "B", None, 3),
            (2, "le", "van", "an", 1980, "1980-07-07", None, None, "C", None, 3),  # its date alone: no pair
            (3, "vo", "van", "an", 1980, "1980-05-05", None, None, "A", None, 2),
            (4, "vo", "van", "an", 1980, None, None, None, "B", None, 2)]  # vague: 3 and 4 may pair
    work = _features(rows)
    work.execute(namesakes._COUNTS)
    work.execute(namesakes._CARRIERS)
    assert [r[0] for r in work.execute("SELECT uid FROM _ns_carriers ORDER BY uid").fetchall()] == [0, 1, 3, 4]


@pytest.mark.parametrize("seed", range(6))
def test_leaving_out_the_records_that_make_no_pair_gives_the_same_estimate(seed: int,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    rows = []
    for uid in range(400):
        fam, mid, giv = rng.choice(["le", "vo"]), rng.choice(["van", "thi"]), rng.choice(["an", "binh", "lan"])
        year = rng.choice([1980, 1981])
        dob = None if rng.random() < 0.15 else f"{year}-0{rng.randint(1, 3)}-1{rng.randint(0, 2)}"
        number = f"04808{rng.randint(0, 30):07d}" if rng.random() < 0.6 else None
        rows.append((uid, fam, mid, giv, year, dob, number, year if number else None, rng.choice("ABC"),
                     rng.choice([None, "0905000000", "0905111111"]), 2 ** rng.randint(1, 6)))
    new = namesakes.estimate(_features(rows))
    monkeypatch.setattr(namesakes, "_CARRIERS", namesakes._CARRIERS.replace(" AND (c.n_date > 1 OR c.v_year > 0)", ""))
    assert namesakes._CARRIERS.count("v_year") == 0
    assert namesakes.estimate(_features(rows)) == new and sum(s.one + s.two for s in new.values()) > 0

def _names(count: int) -> list[str]:
    families, middles, givens = ("Lạc", "Khổng", "Mạc", "Thân", "Doãn"), ("Hữu", "Đình", "Quang", "Minh"), (
        "Khiêm", "Thoại", "Duẫn", "Tuân", "Cẩn")
    return [" ".join(parts) for parts in itertools.islice(itertools.product(families, middles, givens), count)]


def _people(same_number: bool) -> list[tuple[str, ...]]:
    """100 men of rare names with two records each in two communes, both with a CCCD: the same number (one person
    each) or two numbers (namesakes born the same day); and a third record of the name and date with no number, as
    the woman below has (her stratum: a third record of the name and date)."""
    rows: list[tuple[str, ...]] = []
    for i, name in enumerate(_names(100)):
        year = 1950 + i % 40
        born = f"{1 + i % 28:02d}/{1 + i % 12:02d}/{year}"
        first = f"048{0}{year % 100:02d}{700000 + i:06d}"
        second = first if same_number else f"049{0}{year % 100:02d}{800000 + i:06d}"
        rows += [(name, born, "Nam", first, "", HERE), (name, born, "Nam", second, "", THERE),
                 (name, born, "Nam", "", "", ELSEWHERE)]
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
    assert any("exact date, name of at most 3 records, a third record of the name and date" in n and "≥ 0.9" in n
               for n in notes)
    (home, file, stale), notes = _linked(around, _people(same_number=False))
    assert home == file != stale


def test_each_unanchored_pair_shows_its_strata_estimate_and_whether_it_was_linked() -> None:
    from hopnhat.link.persons import mark_unanchored

    work = duckdb.connect()
    work.execute("CREATE TABLE person_pairs (uid_l BIGINT, uid_r BIGINT, match_probability DOUBLE, evidence VARCHAR)")
    work.executemany("INSERT INTO person_pairs VALUES (?, ?, ?, ?)",
                     [(0, 1, 0.97, '{"rule": "model"}'), (2, 3, 0.97, None), (4, 5, 0.99, '{"rule": "model"}')])
    work.execute("CREATE TABLE person_unanchored AS SELECT * FROM (VALUES (0, 1, 'date', 4, true), "
                 "(2, 3, 'vague', 9, false)) t(uid_l, uid_r, dates, names, alone)")
    work.execute("CREATE TABLE person_namesakes AS SELECT * FROM (VALUES "
                 "('date', 4, true, 1061, 14, 7.64, 500.0, 1247, 0.9777, 0.9922), "
                 "('date', 4, false, 5, 50, 30.0, 33.0, 60, 0.01, 0.2), "
                 "('date', 4, NULL, 1066, 64, 37.64, 533.0, 1307, 0.9302, 0.9562)) "
                 "t(dates, names, alone, one, two, hidden, weights, unchecked, lower, upper)")
    mark_unanchored(work, [0, 0, 2, 3, 4, 4], 0.95)  # 0-1 linked, 2-3 apart, 4-5 not unanchored
    rows = work.execute("SELECT uid_l, uid_r, evidence FROM person_pairs").fetchall()
    shown = {(a, b): json.loads(e) for a, b, e in rows}
    assert shown[(0, 1)]["namesakes"] == {"dates": "date", "names_from": 16, "alone": True, "one": 1061, "two": 14,
                                          "unchecked": 1247, "two_unchecked": 7.6, "one_person_at_least": 0.9777,
                                          "one_person_at_most": 0.9922, "stratum": {
                                              "one": 1066, "two": 64, "one_person_at_least": 0.9302},
                                          "needed": 0.95, "linked": True}
    assert shown[(0, 1)]["rule"] == "model"
    assert shown[(2, 3)]["namesakes"] == {"dates": "vague", "names_from": 512, "alone": False, "one": 0, "two": 0,
                                          "unchecked": 0, "two_unchecked": 0, "one_person_at_least": 0,
                                          "one_person_at_most": 1, "stratum": {
                                              "one": 0, "two": 0, "one_person_at_least": 0},
                                          "needed": 0.95, "linked": False}
    assert "namesakes" not in shown[(4, 5)]


def _unchecked_share(one: int, two: int, stands_for: float, unchecked: int, low: float) -> float:
    """The unchecked pairs' one-person share by hand: two people's pairs among the checked at ``low`` (a bound of
    the checked share), each standing for ``stands_for`` unchecked pairs."""
    return 1 - (1 - low) * (one + two) * stands_for / unchecked


def test_the_unchecked_pairs_are_judged_by_the_namesakes_the_checked_ones_stand_for() -> None:
    """1 M independent people, realistic profile, full dates, names of 64–127 records, no third record: 625 pairs one
    person by their CCCDs, 33 two (Wilson lower bound 0.930: below the bar); but two people's records carry their
    CCCDs far more often than one person's two records do (the second is often an old register's, with an old
    address and no CCCD), so the 661 pairs decided on — one record without a valid CCCD — hold fewer namesakes: 33
    checked pairs of two people stand for 16.4 unchecked ones (each 1 / (q_l·q_r) - 1, q: how often a record of that
    birth year and kind of date carries a valid CCCD); at the checked share's lower bound 0.966 ≥ 0.95."""
    checked_only = Stratum("date", 6, True, 625, 33)
    assert checked_only.lower == pytest.approx(0.9304051870273523, abs=1e-12)  # scipy's wilson .low
    part = Stratum("date", 6, True, 625, 33, 16.36689773564828, 370.51308623591206, 661)
    assert part.lower == pytest.approx(_unchecked_share(625, 33, 16.36689773564828 / 33, 661, 0.9304051870273523),
                                       abs=1e-12)
    assert part.lower == pytest.approx(0.9656, abs=1e-4)
    assert part.upper == pytest.approx(_unchecked_share(625, 33, 16.36689773564828 / 33, 661, 0.9640688476679937),
                                       abs=1e-12)  # scipy's wilson .high
    assert namesakes.linkable({("date", 6, True): part}, 0.95) == {("date", 6, True)}
    assert namesakes.linkable({("date", 6, True): checked_only}, 0.95) == set()
    assert "625 one person / 33 two by their CCCDs, 661 pairs unchecked (≥ 0.966)" in part.describe()
    # no checked pair of two people: the stratum's mean of what a checked pair stands for, at the Wilson bound
    clean = Stratum("date", 1, True, 1842, 0, 0.0, 1000.0, 1843)
    assert clean.lower == pytest.approx(_unchecked_share(1842, 0, 1000.0 / 1842, 1843, 0.9979188576557662), abs=1e-12)
    # where the checked share is the higher bound (few pairs unchecked, each checked namesake standing for many), it
    # is kept: the larger of the two bounds, each conservative under its own assumption
    many = Stratum("vague", 1, True, 701, 20, 60.0, 300.0, 502)
    assert many.lower == pytest.approx(many._wilson(-1.0, 0.0)) and many.lower > many._unchecked(-1.0, 0.0)
    # nothing checked: nothing known
    assert Stratum("date", 2, True, 0, 0, 0.0, 0.0, 50).lower == 0.0
    assert Stratum("date", 2, True, 0, 0, 0.0, 0.0, 50).upper == 1.0


def test_the_estimate_counts_the_unchecked_pairs_and_what_each_checked_namesake_stands_for() -> None:
    """Every name + date pair of two communes is counted: checked (both CCCDs: one person or two) or unchecked; each
    checked pair of two people stands for 1 / (q_l·q_r) - 1 unchecked ones, q per birth year and kind of date."""
    d = "1980-05-05"
    rows = [(0, "le", "van", "an", 1980, d, "049080005678", 1980, "A", None, 2),
            (1, "le", "van", "an", 1980, d, "049080005678", 1980, "B", None, 2),    # one person, checked
            (2, "vo", "van", "an", 1980, d, "049080111111", 1980, "A", None, 2),
            (3, "vo", "van", "an", 1980, d, "049080222222", 1980, "B", None, 2),    # two people, checked
            (4, "ha", "van", "an", 1980, d, "049080333333", 1980, "A", None, 2),
            (5, "ha", "van", "an", 1980, d, None, None, "B", None, 2),              # unchecked
            (6, "mai", "van", "an", 1980, None, "049080444444", 1980, "A", None, 2),  # vague, with a CCCD
            (7, "mai", "van", "an", 1980, "1980-02-02", None, None, "B", None, 2),  # unchecked, one date vague
            (8, "ta", "van", "an", 1980, None, None, None, "C", None, 1)]  # vague, no CCCD: q(1980, vague) = 1/2
    strata = namesakes.estimate(_features(rows))
    q_dated = 5 / 7  # of the seven records born in 1980 with a full date (0-5, 7), five carry a valid CCCD (0-4)
    assert strata[("date", 1, True)].one == 1 and strata[("date", 1, True)].two == 1
    assert strata[("date", 1, True)].unchecked == 1
    assert strata[("date", 1, True)].hidden == pytest.approx(1 / (q_dated * q_dated) - 1)
    assert strata[("date", 1, True)].weights == pytest.approx(2 * (1 / (q_dated * q_dated) - 1))
    assert (strata[("vague", 1, True)].one, strata[("vague", 1, True)].two) == (0, 0)
    assert strata[("vague", 1, True)].unchecked == 1


def test_an_alone_pair_is_judged_by_the_cccd_rate_of_records_alone_with_their_name_and_date() -> None:
    """Two people's records alone with their name and date are each a person's only record of it: they carry a CCCD
    as often as the records no other record shares a name and date with (q = 80 / 100 here), not as all records do
    (85 / 107, with the pairs' and the trio's); a pair with a third record keeps the rate of all records."""
    d = "1980-05-05"
    single = [(10 + i, "ho", "van", f"g{i}", 1980, "1980-07-07", f"0490800{i:05d}" if i < 80 else None,
               1980 if i < 80 else None, "S", None, 1) for i in range(namesakes.FEWEST)]
    rows = [(0, "vo", "van", "an", 1980, d, "049080111111", 1980, "A", None, 2),
            (1, "vo", "van", "an", 1980, d, "049080222222", 1980, "B", None, 2),    # two people, alone, checked
            (2, "ha", "van", "an", 1980, d, "049080333333", 1980, "A", None, 2),
            (3, "ha", "van", "an", 1980, d, None, None, "B", None, 2),              # alone, unchecked
            (4, "to", "van", "an", 1980, d, "049080444444", 1980, "A", None, 3),
            (5, "to", "van", "an", 1980, d, "049080555555", 1980, "B", None, 3),    # two people, a third record
            (6, "to", "van", "an", 1980, d, None, None, "C", None, 3), *single]
    strata = namesakes.estimate(_features(rows))
    q_alone, q_all = 80 / 100, 85 / 107
    assert (strata[("date", 1, True)].two, strata[("date", 1, True)].unchecked) == (1, 1)
    assert strata[("date", 1, True)].hidden == pytest.approx(1 / (q_alone * q_alone) - 1)
    assert (strata[("date", 1, False)].two, strata[("date", 1, False)].unchecked) == (1, 2)
    assert strata[("date", 1, False)].hidden == pytest.approx(1 / (q_all * q_all) - 1)
    assert strata[("date", 1, None)].hidden == pytest.approx(1 / (q_alone * q_alone) + 1 / (q_all * q_all) - 2)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text("0123456789", min_size=12, max_size=12), st.integers(0, 4), st.integers(0, 10),
                          st.booleans()), min_size=1, max_size=30))
def test_one_person_in_sql_is_one_keying_slip(cases: list[tuple[str, int, int, bool]]) -> None:
    # namesakes._ONE (SQL) against cluster.slip_apart (Python): the same number, one digit changed or two neighbours
    # swapped is one person; a pair not both checked is never one
    from hopnhat.link.cluster import slip_apart

    rows = []
    for number, edit, at, checked in cases:
        other = list(number)
        if edit == 1:
            other[at] = str((int(other[at]) + 1) % 10)
        elif edit == 2:
            other[at], other[at + 1] = other[at + 1], other[at]
        elif edit == 3:
            other[at], other[11 - at] = str((int(other[at]) + 3) % 10), str((int(other[11 - at]) + 7) % 10)
        elif edit == 4:
            other = list(reversed(other))
        rows.append((number, "".join(other), checked))
    work = duckdb.connect()
    work.register("cases", pa.table({"a": [a for a, _, _ in rows], "b": [b for _, b, _ in rows],
                                     "checked": [c for _, _, c in rows]}))
    found = work.execute(f"SELECT {namesakes._ONE} FROM (SELECT a AS cccd, checked FROM cases) l "
                         "POSITIONAL JOIN (SELECT b AS cccd, checked FROM cases) r").fetchall()
    assert [f for (f,) in found] == [c and not slip_apart(a, b) for a, b, c in rows]
