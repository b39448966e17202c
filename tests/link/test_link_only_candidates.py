"""Pairs below the match threshold linked when their clusters are each other's only candidate (persons.py)."""

from __future__ import annotations

import json

import duckdb

from hopnhat.link.persons import only_candidates


def _evidence(**weights: float) -> str:
    return json.dumps({"comparisons": [{"comparison": k, "level": "x", "weight": w, "tf_weight": 0.0}
                                       for k, w in weights.items()]})


def _work(rows: list[tuple[int, int, float, str]]) -> duckdb.DuckDBPyConnection:
    work = duckdb.connect()
    work.execute("CREATE TABLE person_pairs (uid_l BIGINT, uid_r BIGINT, match_probability DOUBLE, evidence VARCHAR)")
    work.executemany("INSERT INTO person_pairs VALUES (?, ?, ?, ?)", rows)
    return work


STALE = _evidence(name=6.0, birth_date=9.0, address=-3.5)


def test_a_stale_address_with_no_rival_is_linked() -> None:
    # records 0 and 1 are one cluster already; record 2 (stale address) fits them and nobody else
    work = _work([(0, 1, 0.99, STALE), (1, 2, 0.8, STALE)])
    assert only_candidates(work, [0, 0, 2], 0.95) == [(1, 2)]


def test_a_namesake_in_sight_keeps_the_record_apart() -> None:
    # record 2 fits cluster {0, 1} and also record 3, a namesake cluster of its own
    work = _work([(0, 1, 0.99, STALE), (1, 2, 0.8, STALE), (2, 3, 0.7, STALE)])
    assert only_candidates(work, [0, 0, 2, 3], 0.95) == []


def test_evidence_against_other_than_address_or_sex_keeps_it_apart() -> None:
    against = _evidence(name=6.0, birth_date=9.0, id=-8.0)
    work = _work([(0, 2, 0.8, against), (1, 3, 0.8, _evidence(name=5.0, sex=-2.0))])
    assert only_candidates(work, [0, 1, 2, 3], 0.95) == [(1, 3)]


def test_pairs_below_the_floor_or_already_linked_are_left() -> None:
    work = _work([(0, 1, 0.3, STALE), (2, 3, 0.97, STALE)])
    assert only_candidates(work, [0, 1, 2, 2], 0.95) == []


def test_names_alike_only_loosely_are_left() -> None:
    loose = json.dumps({"comparisons": [
        {"comparison": "name", "level": "all words, any order, one or two slips", "weight": 3.0, "tf_weight": 0.0},
        {"comparison": "birth_date", "level": "same date", "weight": 9.0, "tf_weight": 0.0}]})
    work = _work([(0, 1, 0.8, loose)])
    assert only_candidates(work, [0, 1], 0.95) == []


# --- the clear best (session 11): rivals from the scoring floor, a margin, and the same hamlet below UNIQUE_FROM ------
HAMLET = json.dumps({"comparisons": [
    {"comparison": "name", "level": "same with diacritics", "weight": 2.0, "tf_weight": -1.0},
    {"comparison": "birth_date", "level": "missing", "weight": 0.0, "tf_weight": 0.0},
    {"comparison": "address", "level": "same new commune, same hamlet or street", "weight": 6.0, "tf_weight": 0.0}]})
COMMUNE = json.dumps({"comparisons": [
    {"comparison": "name", "level": "same with diacritics", "weight": 2.0, "tf_weight": -1.0},
    {"comparison": "birth_date", "level": "missing", "weight": 0.0, "tf_weight": 0.0},
    {"comparison": "address", "level": "same new commune", "weight": 0.0, "tf_weight": 0.0}]})


def test_a_record_with_no_date_in_its_neighbours_hamlet_is_linked() -> None:
    # record 2 (name and hamlet only) fits cluster {0, 1}; a namesake of the commune (3) is far below it
    work = _work([(0, 1, 0.99, STALE), (1, 2, 0.3, HAMLET), (2, 3, 0.05, COMMUNE)])
    assert only_candidates(work, [0, 0, 2, 3], 0.95) == [(1, 2)]


def test_a_rival_a_few_bits_below_keeps_it_apart() -> None:
    # 0.3 is -1.2 bits, 0.1 is -3.2 bits: less than MARGIN apart, a coin toss between two people; 0.05 is -4.2 bits
    near = _work([(0, 1, 0.99, STALE), (1, 2, 0.3, HAMLET), (2, 3, 0.1, COMMUNE)])
    assert only_candidates(near, [0, 0, 2, 3], 0.95) == []
    far = _work([(0, 1, 0.99, STALE), (1, 2, 0.3, HAMLET), (2, 3, 0.05, COMMUNE)])
    assert only_candidates(far, [0, 0, 2, 3], 0.95) == [(1, 2)]


def test_below_unique_from_only_in_the_hamlet_and_for_a_record_on_its_own() -> None:
    commune = _work([(0, 1, 0.99, STALE), (1, 2, 0.3, COMMUNE)])
    assert only_candidates(commune, [0, 0, 2], 0.95) == []  # the same commune only: not enough
    two_people = _work([(0, 1, 0.99, STALE), (2, 3, 0.99, STALE), (1, 2, 0.3, HAMLET)])
    assert only_candidates(two_people, [0, 0, 2, 2], 0.95) == []  # two clusters of two records each: never
    too_weak = _work([(0, 1, 0.99, STALE), (1, 2, 0.08, HAMLET)])
    assert only_candidates(too_weak, [0, 0, 2], 0.95) == []  # below HAMLET_FROM
    alone = _work([(0, 1, 0.99, STALE), (1, 2, 0.3, HAMLET)])
    assert only_candidates(alone, [0, 0, 2], 0.95) == [(1, 2)]  # the same hamlet, a record on its own


def test_a_rival_far_below_does_not_keep_it_apart() -> None:
    # session 10 counted every scored pair as a rival: 2-3 at 0.05 (-4.2 bits) kept 1-2 at 0.8 (+2 bits) apart
    work = _work([(0, 1, 0.99, STALE), (1, 2, 0.8, STALE), (2, 3, 0.05, STALE)])
    assert only_candidates(work, [0, 0, 2, 3], 0.95) == [(1, 2)]
    close = _work([(0, 1, 0.99, STALE), (1, 2, 0.8, STALE), (2, 3, 0.45, STALE)])
    assert only_candidates(close, [0, 0, 2, 3], 0.95) == []


# --- unanchored pairs the namesake estimate allows (session 12; from HAMLET_FROM since session 18) ----------------
def test_an_allowed_unanchored_pair_is_linked_as_the_clear_best() -> None:
    # 1-2: name and a date, another commune (STALE's levels); its stratum linkable (weak_links)
    weak = {(1, 2)}
    linked = _work([(0, 1, 0.99, STALE), (1, 2, 0.6, STALE)])
    assert only_candidates(linked, [0, 0, 2], 0.95, weak=weak, weak_links=weak) == [(1, 2)]
    kept = _work([(0, 1, 0.99, STALE), (1, 2, 0.6, STALE)])
    assert only_candidates(kept, [0, 0, 2], 0.95, weak=weak) == []  # a stratum the estimate does not allow


def test_an_allowed_unanchored_pair_below_unique_from_joins_a_record_on_its_own_in_any_commune() -> None:
    """Session 18: an unanchored pair scored 0.1–0.5 whose stratum the estimate allows (persons.find_unanchored lets
    only those of one name, date and sex be unanchored there) is linked as the clear best when one side is a record
    alone, though the two are not in one hamlet (session 12 linked them from UNIQUE_FROM only: at 1 M people blind
    +118 true / 0 false pairs, realistic +11 / 0, harsh 0 / 0); two clusters never, a rival close by never."""
    weak = {(1, 2)}
    alone = _work([(0, 1, 0.99, STALE), (1, 2, 0.3, STALE)])
    assert only_candidates(alone, [0, 0, 2], 0.95, weak=weak, weak_links=weak) == [(1, 2)]
    refused = _work([(0, 1, 0.99, STALE), (1, 2, 0.3, STALE)])
    assert only_candidates(refused, [0, 0, 2], 0.95, weak=weak) == []  # its stratum not allowed
    two_people = _work([(0, 1, 0.99, STALE), (2, 3, 0.99, STALE), (1, 2, 0.3, STALE)])
    assert only_candidates(two_people, [0, 0, 2, 2], 0.95, weak=weak, weak_links=weak) == []
    rival = _work([(0, 1, 0.99, STALE), (1, 2, 0.3, STALE), (2, 3, 0.1, STALE)])
    assert only_candidates(rival, [0, 0, 2, 3], 0.95, weak=weak, weak_links=weak) == []
    too_weak = _work([(0, 1, 0.99, STALE), (1, 2, 0.08, STALE)])
    assert only_candidates(too_weak, [0, 0, 2], 0.95, weak=weak, weak_links=weak) == []  # below HAMLET_FROM


def test_one_number_outweighs_a_name_or_a_date_that_differs() -> None:
    """Two records carrying one CMND are one person's, however their names, middle names or years differ (a name
    mistyped and swapped, a middle name dropped, a lunar year): at 1 M independent people the pairs of one number
    the model scored from 0.4 and left apart were all one person (realistic 51, harsh 32). The number must be the
    same: one digit off, or nothing comparable, still lets a name or a date that differs keep the pair apart."""
    def pair(id_level: str, id_weight: float) -> str:
        return json.dumps({"comparisons": [
            {"comparison": "name", "level": "different", "weight": -9.0, "tf_weight": 0.0},
            {"comparison": "middle", "level": "different", "weight": -9.3, "tf_weight": 0.0},
            {"comparison": "birth_date", "level": "one year apart", "weight": -5.4, "tf_weight": 0.0},
            {"comparison": "id", "level": id_level, "weight": id_weight, "tf_weight": 0.0},
            {"comparison": "address", "level": "different", "weight": -3.2, "tf_weight": 0.0}]})

    work = _work([(0, 1, 0.99, STALE), (1, 2, 0.8, pair("same number", 20.4))])
    assert only_candidates(work, [0, 0, 2], 0.95) == [(1, 2)]
    for level, weight in (("one digit off", 15.1), ("no comparable number", 0.0)):
        work = _work([(0, 1, 0.99, STALE), (1, 2, 0.8, pair(level, weight))])
        assert only_candidates(work, [0, 0, 2], 0.95) == []


def test_a_phone_that_differs_weighs_against_the_clear_best_only_below_unique_from() -> None:
    """Session 18: people change their numbers and registers write a relative's; from UNIQUE_FROM a different phone
    keeps the clear best apart no more than a stale address does (1 M blind people +215 true / +11 false pairs, the
    project's populations 0 / 0). Below UNIQUE_FROM, where a record on its own joins on the name and hamlet alone, it
    still counts (harsh: twins in one hamlet with two numbers)."""
    other_phone = _evidence(name=6.0, birth_date=9.0, phone=-7.5, address=-3.5)
    strong = _work([(0, 1, 0.99, STALE), (1, 2, 0.8, other_phone)])
    assert only_candidates(strong, [0, 0, 2], 0.95) == [(1, 2)]
    in_hamlet = json.dumps({"comparisons": json.loads(HAMLET)["comparisons"] + [
        {"comparison": "phone", "level": "different", "weight": -7.5, "tf_weight": 0.0}]})
    weak = _work([(0, 1, 0.99, STALE), (1, 2, 0.3, in_hamlet)])
    assert only_candidates(weak, [0, 0, 2], 0.95) == []
    id_against = _work([(0, 1, 0.99, STALE), (1, 2, 0.8, _evidence(name=6.0, birth_date=9.0, id=-8.0))])
    assert only_candidates(id_against, [0, 0, 2], 0.95) == []  # a number that differs still counts
