"""Two people whose valid CCCDs are one keying slip apart stay apart, even through a third record that links to both
(household.slip_apart, cluster.py): the blind population at 1 M people chained such neighbours through a record
with the year alone or no date (``Phan Văn Vũ`` born 13/06/1972 and 10/05/1972, ``…428762`` / ``…428792``)."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from hopnhat.link.cluster import cluster
from hopnhat.link.household import SLIP_RULE, slip_apart
from hopnhat.link.standalone import people_features

# (full name, birth date, ID): two people, the year-only record is the second one's
VU = [("Phan Văn Vũ", "13/06/1972", "034072428762"), ("PHAN VĂN VŨ", "13/06/1972", "034072428762"),
      ("Phan Văn Vũ", "10/05/1972", "034072428792"), ("PHAN VĂN VŨ", "1972", "034072428792")]
# one person whose CCCD was mistyped on one record (and the date left out there): never kept apart
HUNG = [("Nguyễn Văn Hùng", "12/03/1980", "034080123456"), ("NGUYỄN VĂN HÙNG", "", "034080123465")]


def _work(rows: list[tuple[str, str, str]], pairs: list[tuple[int, int, float]]) -> duckdb.DuckDBPyConnection:
    work = people_features(pa.table({"full_name": [r[0] for r in rows], "dob": [r[1] for r in rows],
                                     "sex": ["Nam"] * len(rows), "id_number": [r[2] for r in rows]}), threads=1)
    work.register("_p", pa.table({"uid_l": [a for a, _, _ in pairs], "uid_r": [b for _, b, _ in pairs],
                                  "match_probability": [p for _, _, p in pairs]}))
    work.execute("CREATE TABLE person_pairs AS SELECT * FROM _p")
    return work


def test_one_slip_apart_on_two_peoples_records_is_kept_apart_through_a_chain() -> None:
    # what the model links: each person's own records, and the year-only record to both people (the name, the year,
    # one digit off)
    links = [(0, 1, 1.0), (2, 3, 1.0), (0, 3, 0.999), (1, 3, 0.999)]
    work = _work(VU, links)
    apart = slip_apart(work, 0.6)
    # the records of the two full dates: the year alone proves nothing
    assert apart == [(0, 2, SLIP_RULE), (1, 2, SLIP_RULE)]
    result = cluster(4, links, apart=apart)
    assert result.root == [0, 0, 2, 2]
    assert set(result.reasons.values()) == {SLIP_RULE}


def test_a_mistyped_cccd_is_not_kept_apart() -> None:
    work = _work(HUNG, [(0, 1, 0.99)])
    assert slip_apart(work, 0.6) == []


def test_numbers_no_pair_ties_are_not_read() -> None:
    work = _work(VU, [(0, 1, 1.0), (2, 3, 1.0), (0, 3, 0.3)])  # the only tie below the review threshold
    assert slip_apart(work, 0.6) == []


def test_a_slip_in_the_first_six_digits_is_never_the_slip_rules() -> None:
    # household._SLIP_NEAR keeps only pairs whose CCCDs share their first six digits (province, century and sex,
    # year), before the edit distance: that holds only while person_model.SLIP_OTHER_PERSON never holds for two valid
    # CCCDs one slip apart there; the same two people one slip apart in the serial are its pairs
    from hopnhat.link.household import _other_person

    for other, expected in (("035072428762", False), ("034172428762", False), ("034073428762", False),
                            ("034027428762", False), ("044072428762", False), ("034072428792", True)):
        rows = {"full_name": ["Phan Văn Vũ", "Phan Văn Vũ"], "dob": ["13/06/1972", "10/05/1972"],
                "sex": ["Nam", "Nam"], "id_number": ["034072428762", other]}
        work = people_features(pa.table(rows), threads=1)
        found = work.execute(f"SELECT l.cc_year IS NOT NULL AND r.cc_year IS NOT NULL, {_other_person()} "
                             "FROM person_features l, person_features r WHERE l.uid = 0 AND r.uid = 1").fetchall()
        assert found == [(True, expected)], other
