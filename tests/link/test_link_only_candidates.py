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
