"""The household rule (household.py): twins and siblings kept apart, slips of one name not."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from hopnhat.link.household import apart_rules

_COLUMNS = ("uid BIGINT, fam VARCHAR, mid VARCHAR, giv VARCHAR, giv_acc VARCHAR, name_sorted VARCHAR, dob DATE, "
            "byear INTEGER, phone VARCHAR, addr VARCHAR, cccd VARCHAR, cmnd VARCHAR")
# (the columns the CCCD slip rule reads besides, null: no record here holds a valid CCCD)
_SLIP_COLUMNS = ", cc_year INTEGER, fg VARCHAR, dm INTEGER, bday INTEGER, bmonth INTEGER, giv_acc_real BOOLEAN"
_INSERT = ("INSERT INTO person_features (uid, fam, mid, giv, giv_acc, name_sorted, dob, byear, phone, addr, cccd, "
           f"cmnd) VALUES ({', '.join('?' * 12)})")
_BORN = dt.date(1990, 5, 17)
# given names carried by three records each elsewhere in the data: real names (COMMON_GIVEN = 3)
_FREQUENT = (("hung", "hùng"), ("hung", "hưng"), ("hai", "hải"), ("lan", "lan"), ("lam", "lâm"), ("hau", "hậu"),
             ("son", "sơn"), ("sen", "sen"))


Record = tuple[str, str | None, dt.date]


def _coded(work: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """``person_features`` with the texts' integer codes the rule joins on, as build_person_features gives them
    (person_features.KEY_CODES: equal exactly where the texts are, NULL where the text is)."""
    codes = ", ".join(f"CASE WHEN {text} IS NOT NULL THEN dense_rank() OVER (ORDER BY {text}) END AS {code}"
                      for text, code in (("giv", "k_giv"), ("name_sorted", "k_ns"), ("addr", "k_addr")))
    work.execute(f"CREATE OR REPLACE TABLE person_features AS SELECT *, {codes} FROM person_features ORDER BY uid")
    return work


def _rule(left: Record, right: Record, *others: Record) -> bool:
    """Whether the rule keeps apart two records of one address: (given folded, given with diacritics, born);
    ``others``: more records of the family elsewhere."""
    return apart_rules(_work(left, right, *others), 0.6) == [(0, 1, "household")]


def _work(left: Record, right: Record, *others: Record) -> duckdb.DuckDBPyConnection:
    """A work space of ``left`` and ``right`` (pair 0, 1) and ``others`` (see :func:`_rule`)."""
    work = duckdb.connect()
    work.execute(f"CREATE TABLE person_features ({_COLUMNS}{_SLIP_COLUMNS})")
    rows: list[tuple[object, ...]] = []
    for uid, (giv, acc, born) in enumerate((left, right, *others)):
        rows.append((uid, "nguyen", "van", giv, acc, f"{giv} nguyen van", born, born.year, None, "20194", None, None))
    for k, (giv, acc) in enumerate(name for name in _FREQUENT for _ in range(3)):
        rows.append((100 + k, "tran", None, giv, acc, f"{giv} tran", None, 1950, None, f"x{k}", None, None))
    work.executemany(_INSERT, rows)
    _coded(work).execute("CREATE TABLE person_pairs AS SELECT 0 AS uid_l, 1 AS uid_r, 0.99 AS match_probability")
    return work


@pytest.mark.parametrize(("left", "right", "apart"), [
    (("son", "sơn", _BORN), ("sen", "sen", _BORN), True),  # twins Sơn / Sen: two real names
    (("hung", "hùng", _BORN), ("hung", "hưng", _BORN), False),  # the same words folded: left to the model
    (("lan", "lan", _BORN), ("lam", "lâm", _BORN), True),  # Lan / Lâm: both real
    (("lan", "lan", _BORN), ("lam", None, _BORN), False),  # NGUYEN THI LAM beside Lan: no Lâm written anywhere
    (("hai", "hải", _BORN), ("hau", "hảu", _BORN), False),  # Hảu is a slip of Hải, though hau folds like Hậu
    (("hung", "hùng", _BORN), ("hung", "hung", _BORN), False),  # a tone mark lost
    (("hnug", "hnưg", _BORN), ("hunf", "hưnf", _BORN), False),  # two slips of one name, neither real
    (("hung", "hùng", _BORN), ("lam", None, _BORN), True),  # twins with two other names
    (("hai", "hải", _BORN), ("lan", "lan", dt.date(1994, 1, 2)), True),  # siblings: other names, years apart
    (("hai", "hải", _BORN), ("hai", "hải", dt.date(1994, 1, 2)), False),  # same name: not this rule's to say
])
def test_household_rule(left: Record, right: Record, apart: bool) -> None:
    assert _rule(left, right) is apart


def test_a_twin_written_without_diacritics_is_witnessed_by_another_record() -> None:
    # NGUYEN THI LAM beside Nguyễn Thị Lan, and a Nguyễn Thị Lâm of the same date elsewhere: twins
    assert _rule(("lan", "lan", _BORN), ("lam", None, _BORN), ("lam", "lâm", _BORN))


def _split_apart(left: tuple[str, str | None, str, str], right: tuple[str, str | None, str, str]) -> bool:
    """Whether the rule keeps apart two records of one address born the same day, given as they were split:
    (family, middle, given with diacritics, all words sorted); every given name here is a real name."""
    from hopnhat.text.normalize import fold

    work = duckdb.connect()
    work.execute(f"CREATE TABLE person_features ({_COLUMNS}{_SLIP_COLUMNS})")
    rows: list[tuple[object, ...]] = [(uid, fam, mid, fold(acc), acc, words, _BORN, _BORN.year, None, "20194", None,
                                       None) for uid, (fam, mid, acc, words) in enumerate((left, right))]
    rows += [(100 + k, "tran", None, fold(acc), acc, f"{fold(acc)} tran", None, 1950, None, f"x{k}", None, None)
             for k, acc in enumerate(a for a in (left[2], right[2]) for _ in range(3))]
    work.executemany(_INSERT, rows)
    _coded(work).execute("CREATE TABLE person_pairs AS SELECT 0 AS uid_l, 1 AS uid_r, 0.99 AS match_probability")
    return apart_rules(work, 0.6) == [(0, 1, "household")]


def test_a_name_split_another_way_is_not_a_twin() -> None:
    # "Diuệ Thị Thanh Lê" (turned, a slip) read Lê | Diuệ Thị | Thanh beside Lê | Thị Thanh | Diệu: all words a slip
    # apart, the middle names split apart — one person, not twins Thanh and Diệu
    assert not _split_apart(("le", "diue thi", "thanh", "diue le thanh thi"),
                            ("le", "thi thanh", "diệu", "dieu le thanh thi"))
    # twins Thanh and Diệu: one middle name, the given names apart
    assert _split_apart(("le", "thi", "thanh", "le thanh thi"), ("le", "thi", "diệu", "dieu le thi"))


def test_a_name_without_its_middle_name_is_not_a_twin() -> None:
    # "Huỳnh Anh" beside "Huỳnh Anh Hiếu": the shorter name's words are the longer's — a dropped name, not twin Anh
    assert not _split_apart(("huynh", None, "anh", "anh huynh"), ("huynh", "anh", "hiếu", "anh hieu huynh"))
    assert _split_apart(("huynh", None, "tú", "huynh tu"), ("huynh", "anh", "hiếu", "anh hieu huynh"))


def test_the_rule_queried_ahead_gives_its_rows_and_raises_its_errors() -> None:
    """persons.person_clusters runs the rule's query on a cursor in a thread (persons._ahead) while it finds the
    components: the same rows as in turn; an error of the query is raised in the caller's thread, when the rows are
    read."""
    from hopnhat.link.persons import _ahead, _rows

    work = _work(("son", "sơn", _BORN), ("sen", "sen", _BORN))
    assert list(_rows(_ahead(apart_rules, work.cursor(), 0.6))) == apart_rules(work, 0.6) == [(0, 1, "household")]
    work.execute("DROP TABLE person_pairs")
    failing = _ahead(apart_rules, work.cursor(), 0.6)
    with pytest.raises(duckdb.CatalogException, match="person_pairs"):
        list(_rows(failing))
