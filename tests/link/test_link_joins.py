"""Blocking rules rewritten as faster joins (hopnhat.link.joins) give exactly the pairs of the rules as written."""

from __future__ import annotations

import duckdb
from tests.link.conftest import Built

from hopnhat.link import person_model, persons
from hopnhat.link.joins import candidate_joins, coded, expanded, mirrored, split_top
from hopnhat.link.person_features import EQUALITY_CODES, KEY_CODES
from hopnhat.link.run import work_space


def test_an_or_of_one_record_filters_becomes_one_rule_per_filter() -> None:
    rule = "l.fam = r.fam AND l.giv = r.giv AND (l.byear IS NULL OR r.byear IS NULL)"
    assert expanded(rule) == ["(l.fam = r.fam) AND (l.giv = r.giv) AND (l.byear IS NULL)",
                              "(l.fam = r.fam) AND (l.giv = r.giv) AND (r.byear IS NULL)"]


def test_an_or_with_an_equality_of_the_two_records_becomes_one_rule_per_part() -> None:
    # the equality is hashed in its own join (at 1 M people the hamlet rule's OR was checked on 28.9 M join rows)
    rule = "l.fam = r.fam AND (l.byear IS NULL OR r.byear IS NULL OR l.byear = r.byear)"
    assert expanded(rule) == ["(l.fam = r.fam) AND (l.byear IS NULL)", "(l.fam = r.fam) AND (r.byear IS NULL)",
                              "(l.fam = r.fam) AND (l.byear = r.byear)"]
    assert expanded("l.fam = r.fam AND (l.cccd = r.cccd OR l.cmnd = r.cmnd)") == [
        "(l.fam = r.fam) AND (l.cccd = r.cccd)", "(l.fam = r.fam) AND (l.cmnd = r.cmnd)"]


def test_rules_left_as_written() -> None:
    for rule in ("l.phone = r.phone",
                 "l.fam = r.fam AND l.vague AND (l.mid IS NULL OR r.mid IS NULL)",  # filtered before the join already
                 "l.fam = r.fam AND (l.byear IS NULL OR l.byear + r.byear = 3)",  # no equality of the two records
                 "l.fam = r.fam AND l.byear IS NULL OR r.byear IS NULL",  # AND binds first: not a conjunction
                 "l.fam = r.fam AND l.byear BETWEEN 1 AND 2 AND (l.mid IS NULL OR r.mid IS NULL)"):
        assert expanded(rule) == [rule]


def test_a_rule_and_its_mirror_become_one_join() -> None:
    rules = ["l.fam = r.fam AND l.byear + 1 = r.byear AND l.vague",
             "l.fam = r.fam",  # the same either way round: its own mirror, left alone
             "r.vague AND r.byear + 1 = l.byear AND r.fam = l.fam",  # the first one's mirror, written otherwise
             "l.fam = r.fam AND l.byear + 1 = r.byear AND r.vague"]  # not a mirror of the first (same side filtered)
    assert mirrored(rules) == [(rules[0], True), (rules[1], False), (rules[3], False)]
    # the model's rules written one per side for a filter before the join: ten such twins; and five in the hamlet
    # rules' parts (year and middle name each missing on one side, or equal)
    model = [r for rule in person_model.BLOCKING for r in expanded(rule)]
    assert sum(both for _, both in mirrored(model)) == 15 and len(mirrored(model)) == len(model) - 15


def test_split_top_keeps_parentheses_and_quotes() -> None:
    assert split_top("a AND (b AND c) AND ' AND '", " AND ") == ["a", "(b AND c)", "' AND '"]


def test_equalities_of_keys_with_a_code_become_equalities_of_the_codes() -> None:
    codes = {"fam": "k_fam", "mid": "k_mid", "substr(giv, 1, 1)": "k_ini"}
    rule = ("l.fam = r.fam AND substr(r.giv, 1, 1) = substr(l.giv, 1, 1) AND (l.mid = r.mid OR l.mid IS NULL) "
            "AND l.byear + 1 = r.byear AND l.giv = r.giv AND l.fam = r.mid AND l.vague")
    assert coded(rule, codes) == ("(l.k_fam = r.k_fam AND r.k_ini = l.k_ini AND (l.k_mid = r.k_mid OR l.mid IS NULL) "
                                  "AND l.byear + 1 = r.byear AND l.giv = r.giv AND l.fam = r.mid AND l.vague)")
    assert coded(rule, {}) == rule


def test_key_codes_are_exact(built: Built) -> None:
    # each code equal exactly where its key is, NULL exactly where it is: the joins on codes give the same pairs
    con = duckdb.connect(str(built.path), read_only=True)
    work = work_space(2, None)
    persons.load_features(con, work)
    con.close()
    for key, code in {**KEY_CODES, **EQUALITY_CODES}.items():  # (the first pass reads the equality codes)
        keys, codes, both, nulls, wrong = work.execute(
            f"SELECT count(DISTINCT {key}), count(DISTINCT {code}), "
            f"count(DISTINCT ({key}, {code})) FILTER (WHERE {key} IS NOT NULL), "
            f"count(*) FILTER (WHERE {key} IS NULL), count(*) FILTER (WHERE ({key} IS NULL) <> ({code} IS NULL)) "
            "FROM person_features").fetchone()  # type: ignore[misc]
        assert keys == codes == both and keys > 1 and wrong == 0, key
        assert nulls > 0 or key in ("fam", "giv", "name_sorted", "substr(giv, 1, 1)", "fg"), key
    work.close()


def test_candidate_pairs_equal_the_rules_as_written(built: Built) -> None:
    con = duckdb.connect(str(built.path), read_only=True)
    work = work_space(2, None)
    persons.load_features(con, work)
    con.close()
    # the model's rules, and one with an OR of filters on one record each (rewritten as one join per part), and
    # twins a join gives at once (mirrored)
    rules = [*person_model.BLOCKING, "l.fam = r.fam AND l.giv = r.giv AND l.addr = r.addr "
             "AND (l.byear IS NULL OR r.byear IS NULL)"]
    assert any(len(expanded(rule)) > 1 for rule in rules)
    assert any(both for _, both in mirrored([r for rule in rules for r in expanded(rule)]))
    plain = " UNION ".join(f"SELECT l.uid AS a, r.uid AS b FROM person_features l JOIN person_features r "
                           f"ON ({rule}) AND l.uid < r.uid" for rule in rules)
    ours = candidate_joins("person_features", rules)
    on_codes = candidate_joins("person_features", rules, KEY_CODES)
    assert "k_ini" in on_codes and "substr(l.giv" not in on_codes and "substr(l.cccd" not in on_codes
    found = [work.execute(f"SELECT count(*), sum(hash(a, b)) FROM ({sql})").fetchone()
             for sql in (plain, ours, on_codes)]
    assert found[0] == found[1] == found[2] and found[0] is not None and found[0][0] > 200
    work.close()
