"""The features put together in Arrow (feature_columns) give what DuckDB's joins gave before (session 26): each
piece against the SQL it replaces, on realistic and adversarial columns."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hopnhat.errors import HopnhatError
from hopnhat.link.feature_columns import (
    _number_keys,
    _with_cccd_year,
    commune_numbers,
    gather_names,
    in_uid_order,
    shared,
)
from hopnhat.link.ids import SHARED_LIMIT

# The SQL the Arrow code replaces (person_features.py before session 26: _SHARED_SQL for one kind of number, and the
# last statement's columns).
_SHARED_SQL = """
WITH many AS (SELECT number FROM r WHERE number IS NOT NULL GROUP BY ALL HAVING count(*) > {limit}),
carried AS (SELECT r.number, r.name, r.year FROM many JOIN r USING (number))
SELECT number FROM carried GROUP BY ALL HAVING count(DISTINCT (name, year)) > {limit}
"""
_CCCD_YEAR_SQL = """
SELECT coalesce(byear, cc_year) AS byear, vague OR (byear IS NULL AND cc_year IS NOT NULL) AS vague,
       cc_year IS NOT NULL AND (byear IS NULL OR cc_year = byear) AND (sex IS NULL OR cc_female = (sex = 'F'))
         AS cccd_ok
FROM r ORDER BY i
"""


def _sql(sql: str, **tables: pa.Table) -> pa.Table:
    con = duckdb.connect()
    try:
        for name, table in tables.items():
            con.register(name, table)
        return con.execute(sql).fetch_arrow_table()
    finally:
        con.close()


def _old_shared(numbers: list[str | None], names: list[int | None], years: list[int | None], limit: int) -> list[bool]:
    r = pa.table({"number": pa.array(numbers, pa.string()), "name": pa.array(names, pa.int32()),
                  "year": pa.array(years, pa.int64())})
    over = set(_sql(_SHARED_SQL.format(limit=limit), r=r).column("number").to_pylist())
    return [n is not None and n in over for n in numbers]


def _new_shared(numbers: list[str | None], names: list[int | None], years: list[int | None], limit: int) -> list[bool]:
    found = shared(pa.array(numbers, pa.string()), pa.array(names, pa.int32()), pa.array(years, pa.int64()), limit)
    return found.to_pylist()


def test_a_phone_six_people_carry_is_shared_five_are_not() -> None:
    # one household phone (5 people, each on 2-3 records), one shop phone typed for 6 different customers, and a
    # person with one name and six birth years (six people to the rule: a name and a year), and namesakes in NULLs
    numbers = (["0905123456"] * 12 + ["0912000111"] * 6 + ["0987654321"] * 6 + ["0333000444"] * 7 + [None, "01"])
    names = [1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5] + [10, 11, 12, 13, 14, 15] + [7] * 6 + [None] * 6 + [8, None, 9]
    years = [1990] * 12 + [1980] * 6 + [1950, 1960, 1970, 1980, 1990, 2000] + [None, 1990, 1991, 1992, 1993,
                                                                                1994, 1995] + [None, 1990]
    old = _old_shared(numbers, names, years, SHARED_LIMIT)
    assert old == _new_shared(numbers, names, years, SHARED_LIMIT)
    assert [n for n, s in zip(numbers, old, strict=True) if s] == ["0912000111"] * 6 + ["0987654321"] * 6 + [
        "0333000444"] * 7


_DIGITS = st.text("0123456789", min_size=0, max_size=22)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(["012", "12", "0012", "9" * 19, "1-2", "x"]),
                                    _DIGITS),
                          st.one_of(st.none(), st.integers(0, 3)), st.one_of(st.none(), st.integers(1990, 1992))),
                max_size=60),
       st.integers(0, 3))
def test_shared_numbers_are_the_sqls(rows: list[tuple[str | None, int | None, int | None]], limit: int) -> None:
    numbers, names, years = (list(c) for c in zip(*rows, strict=True)) if rows else ([], [], [])
    assert _new_shared(numbers, names, years, limit) == _old_shared(numbers, names, years, limit)


def test_number_keys_keep_leading_zeros_and_fall_back_to_the_texts() -> None:
    keys = _number_keys(pa.array(["012", "12", None, "0"], pa.string()))
    assert keys.type == pa.int64() and keys.to_pylist() == [1012, 112, None, 10]
    assert _number_keys(pa.array(["1" * 19, "12"])).type == pa.string()  # too long for an integer
    assert _number_keys(pa.array(["1-2", "12"])).type == pa.string()  # not digits alone


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(1900, 2010)), st.one_of(st.none(), st.integers(1900, 2010)),
                          st.one_of(st.none(), st.booleans()), st.one_of(st.none(), st.sampled_from(["M", "F"])),
                          st.one_of(st.none(), st.booleans())), max_size=40))
def test_year_vague_and_cccd_check_are_the_sqls(rows: list[tuple]) -> None:  # type: ignore[type-arg]
    byear, cc_year, vague, sex, cc_female = (list(c) for c in zip(*rows, strict=True)) if rows else ([],) * 5
    # (what the CCCD states comes together: a valid CCCD states a year and a sex)
    cc_female = [None if y is None else bool(f) for f, y in zip(cc_female, cc_year, strict=True)]
    r = pa.table({"i": pa.array(range(len(rows)), pa.int64()), "byear": pa.array(byear, pa.int64()),
                  "cc_year": pa.array(cc_year, pa.int32()), "vague": pa.array(vague, pa.bool_()),
                  "sex": pa.array(sex, pa.string()), "cc_female": pa.array(cc_female, pa.bool_())})
    old = _sql(_CCCD_YEAR_SQL, r=r)
    col = {c: r.column(c).combine_chunks() for c in r.column_names}
    col["female"] = pa.array([None if s is None else s == "F" for s in sex], pa.bool_())
    new = _with_cccd_year(col)
    for name in ("byear", "vague", "cccd_ok"):
        assert new[name].to_pylist() == old.column(name).to_pylist(), name
        assert new[name].type == old.column(name).type, name


def test_communes_numbered_in_their_order() -> None:
    addr = pa.array(["49105", None, "20242", "49105", "00004", "20242", None], pa.string())
    old = _sql("SELECT k_addr FROM (SELECT addr, row_number() OVER () AS i FROM r) d LEFT JOIN "
               "(SELECT addr, CAST(row_number() OVER (ORDER BY addr) AS INTEGER) AS k_addr FROM "
               "(SELECT DISTINCT addr FROM r WHERE addr IS NOT NULL)) k USING (addr) ORDER BY i",
               r=pa.table({"addr": addr}))
    new = commune_numbers(addr)
    assert new.to_pylist() == old.column("k_addr").to_pylist() == [3, None, 2, 3, 1, 2, None]
    assert new.type == pa.int32()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 12)), max_size=50), st.sets(st.integers(1, 12), max_size=10))
def test_names_gathered_by_number_are_a_left_join(nids: list[int | None], known: set[int]) -> None:
    numbers = sorted(known)
    names = pa.table({"nid": pa.array(numbers, pa.int32()), "fam": pa.array([f"ho {n}" for n in numbers]),
                      "k_fam": pa.array([n * 7 for n in numbers], pa.int32())})
    records = pa.table({"i": pa.array(range(len(nids)), pa.int64()), "nid": pa.array(nids, pa.int32())})
    old = _sql("SELECT n.fam, n.k_fam FROM r LEFT JOIN names n USING (nid) ORDER BY i", r=records, names=names)
    new = gather_names(names, records.column("nid"))
    assert new.select(["fam", "k_fam"]).to_pylist() == old.to_pylist()


def test_records_put_in_uid_order() -> None:
    records = pa.table({"uid": pa.array([2, 0, 3, 1], pa.int64()), "record_id": ["c", "a", "d", "b"]})
    assert in_uid_order(records).column("record_id").to_pylist() == ["a", "b", "c", "d"]
    rng = np.random.default_rng(11)
    shuffled = rng.permutation(1000)
    big = pa.table({"uid": pa.array(shuffled), "v": pa.array(shuffled * 3)})
    assert in_uid_order(big).column("v").to_pylist() == list(range(0, 3000, 3))


@pytest.mark.parametrize("uids", [[0, 0, 1], [0, 2], [1, 2, 3], [0, None, 1]])
def test_uids_not_a_numbering_are_refused(uids: list[int | None]) -> None:
    with pytest.raises(HopnhatError):
        in_uid_order(pa.table({"uid": pa.array(uids, pa.int64())}))


# A register's rows as clerks keep them: missing and placeholder dates, IDs and phones in every form, one name in
# both orders, a phone four people share, a sex written in lower case, an address of a split commune.
CLERKS = pa.table({
    "full_name": ["Nguyễn Văn An", "Trần Thị Bình", "NGUYEN VAN AN", "Lê Hoàng", "Bình Trần Thị", "Phạm Minh Châu",
                  None, "", "Đỗ Thị Hoà", "Nguyeenx Vawn Hungf"],
    "dob": ["12/05/1990", "1985-01-01", "12/05/1990", "1970", "01/01/1985", "2/3/2001", "", "31/12/1999",
            "00/00/1980", None],
    "sex": ["M", "F", "m", "M", "F", "f", None, "X", "F", "M"],
    "id_number": ["049090001234", "", "49090001234", "201234567", "000000000000", "CMND 201234567 / 079301000111",
                  "4.90850E+11", "123456789", "079301000111", None],
    "phone": ["0905123456", "", "+84905123456", "84 905 123 456", "0912000111", "912000111", None, "0000000000",
              "0912000111", "0912000111"],
    "address": ["Thôn 5, Xã Bình Lâm, Huyện Hiệp Đức, Tỉnh Quảng Nam", "Tổ 3, Phường Hải Châu, Thành phố Đà Nẵng",
                "", "Thôn 2, Xã Việt An, Thành phố Đà Nẵng", "Tổ 3, Phường Hải Châu", "12 Lê Lợi, TP Tam Kỳ", None,
                "Xã Quế Thọ", "Thôn 5, Xã Quế Thọ, Huyện Hiệp Đức", "TDP 5, Phường Hải Châu"],
})


def test_the_kernels_records_from_arrow_are_the_sqls() -> None:
    from hopnhat.link import firstpass
    from hopnhat.link.limits import in_stored_order
    from hopnhat.link.person_features import build_person_features, stage_source
    from hopnhat.link.run import work_space
    from hopnhat.link.standalone import _no_step, _store_rows, _with_missing, resolve_columns

    work = work_space(1, None)
    try:
        stage_source(work, _with_missing(_store_rows(CLERKS, resolve_columns(CLERKS, {}), _no_step)))
        build_person_features(work)
        offered = firstpass._offered(work, "person_features")
        assert offered is not None and firstpass._offered(work, "person_features") is None  # taken once
        features = work.execute("SELECT * FROM person_features ORDER BY uid").fetch_arrow_table()
        read = in_stored_order(work, firstpass._records_sql("person_features", ordered=False))
        firstpass.offer_records(work, "person_features", features)  # offered again, then withdrawn (Spark's run)
        assert work in firstpass._OFFERED
        firstpass.withdraw_records(work)
        assert firstpass._offered(work, "person_features") is None
    finally:
        work.close()
    assert offered.equals(read)
    assert firstpass.records_of(features).equals(read)  # type: ignore[union-attr]
    assert set(features.column("sex").to_pylist()) == {"M", "F", None}
    assert features.column("phone").null_count == 3  # none, empty, the placeholder 0000000000


def test_phones_or_sexes_the_kernel_refuses_are_not_offered() -> None:
    from hopnhat.link import firstpass

    good = {"uid": pa.array([0], pa.int64()), **{c: pa.array(["x"]) for c in firstpass.TEXTS},
            "k_fg": pa.array([1], pa.int32()), "k_gacc": pa.array([1], pa.int32()), "k_det": pa.array([1], pa.int32()),
            "k_old": pa.array([None], pa.int32()), "k_mid": pa.array([2], pa.int32()), "phone": ["0905123456"],
            "sex": ["M"], **{c: pa.array([1], pa.int64()) for c in firstpass.INTS},
            "dob": pa.array([None], pa.date32()), **{c: pa.array([True]) for c in firstpass.BOOLS}}
    assert firstpass.records_of(pa.table(good)) is not None
    assert firstpass.records_of(pa.table({**good, "phone": ["+84905123456"]})) is None
    assert firstpass.records_of(pa.table({**good, "sex": ["m"]})) is None
