"""The records staged for the features: read where they lie (an Arrow view with each record's row number), and
numbered in record-id order whether or not they come in that order."""

from __future__ import annotations

import pyarrow as pa

from hopnhat.link.ids import SHARED_LIMIT, read_cccd
from hopnhat.link.person_features import EQUALITY_CODES, KEY_CODES, build_person_features, stage_source
from hopnhat.link.run import work_space
from hopnhat.link.standalone import _no_step, _store_rows, _with_missing, resolve_columns
from hopnhat.synth import ids as synth_ids

PEOPLE = pa.table({
    "full_name": ["Nguyễn Văn An", "Trần Thị Bình", "Nguyen Van An", "Lê Hoàng", "Trần Thị Bình", "Phạm Minh Châu"],
    "dob": ["12/05/1990", "1985-01-01", "12/05/1990", "1970", "01/01/1985", "2/3/2001"],
    "sex": ["M", "F", "M", "M", "F", "F"],
    "id_number": ["049090001234", "", "49090001234", "201234567", "", "079301000111"],
    "phone": ["0905123456", "", "+84905123456", "", "0912000111", ""],
    "address": ["Thôn 5, Xã Bình Lâm, Huyện Hiệp Đức, Tỉnh Quảng Nam", "Tổ 3, Phường Hải Châu, Thành phố Đà Nẵng",
                "", "Thôn 2, Xã Việt An, Thành phố Đà Nẵng", "Tổ 3, Phường Hải Châu", "12 Lê Lợi, TP Tam Kỳ"],
})


def _features(records: pa.Table) -> pa.Table:
    work = work_space(1, None)
    try:
        stage_source(work, records)
        build_person_features(work)
        assert not work.execute("SELECT * FROM duckdb_tables() WHERE table_name = 'person_source'").fetchall()
        return work.execute("SELECT * FROM person_features ORDER BY uid").fetch_arrow_table()
    finally:
        work.close()


def test_records_out_of_record_id_order_are_numbered_as_in_order() -> None:
    records = _with_missing(_store_rows(PEOPLE, resolve_columns(PEOPLE, {}), _no_step))
    in_order = _features(records)
    shuffled = _features(records.take(pa.array([4, 0, 5, 2, 1, 3])))
    assert in_order.column("uid").to_pylist() == list(range(PEOPLE.num_rows))
    assert in_order.column("record_id").to_pylist() == sorted(records.column("record_id").to_pylist())
    codes = list(dict.fromkeys([*KEY_CODES.values(), *EQUALITY_CODES.values()]))
    # the join keys' codes are numbered in the order the values come (dictionary codes): equal where the keys are
    assert shuffled.drop_columns(codes).equals(in_order.drop_columns(codes))
    for table in (in_order, shuffled):
        for code in codes:
            pairs = {(c, t) for c, t in zip(table.column(code).to_pylist(), _keys(table, code), strict=True)}
            assert len({c for c, _ in pairs}) == len({t for _, t in pairs}) == len(pairs), code


def _keys(table: pa.Table, code: str) -> list[object]:
    """The key a code column codes, per row (KEY_CODES, EQUALITY_CODES: a column or an expression of one)."""
    key = next(k for k, v in {**KEY_CODES, **EQUALITY_CODES}.items() if v == code)
    work = work_space(1, None)
    try:
        work.register("t", table)
        return [row[0] for row in work.execute(f"SELECT {key} FROM t ORDER BY uid").fetchall()]
    finally:
        work.close()


def test_the_cccd_says_year_sex_and_slices_as_its_digits_do() -> None:
    """cc_year / cc_female as :func:`ids.read_cccd` reads the number (NULL for a province that is none), and the
    slices' codes as the texts '1' || slice; the features compute them on the CCCD as a number."""
    cells = [synth_ids.cccd("49", 1989, True, 10565), synth_ids.cccd("01", 1900, False, 0),
             synth_ids.cccd("96", 2024, True, 999999), synth_ids.cccd("48", 2099, False, 123456),
             "999189010565", "049189010565 / 201234567", "49189010566", "0491890105"]
    people = pa.table({"full_name": [f"Nguyễn Văn {g}" for g in ("An", "Bình", "Châu", "Dũng", "Em", "Giang", "Hà",
                                                                "Khoa")],
                       "dob": [""] * len(cells), "sex": [""] * len(cells), "id_number": cells,
                       "phone": [""] * len(cells), "address": [""] * len(cells)})
    features = _features(_with_missing(_store_rows(people, resolve_columns(people, {}), _no_step)))
    for row in features.to_pylist():
        read = read_cccd(row["cccd"])
        assert (row["cc_year"], row["cc_female"]) == ((read.year, read.female) if read else (None, None)), row
        for key, code in KEY_CODES.items():
            if key.startswith("substr(cccd"):
                start, width = (int(v) for v in key.removeprefix("substr(cccd, ").removesuffix(")").split(", "))
                text = row["cccd"][start - 1:start - 1 + width] if row["cccd"] else None
                assert row[code] == (int("1" + text) if text is not None else None), (key, row)
    assert features.column("cc_year").null_count < features.num_rows - 2


def test_a_number_more_than_the_limit_of_people_carry_is_dropped() -> None:
    """A phone or ID more than SHARED_LIMIT people (a name and a birth year) carry is a placeholder a clerk typed; one
    many records of few people carry is theirs (the records are counted first, the people only for numbers that many
    records carry)."""
    given = ["An", "Bình", "Châu", "Dũng", "Hà", "Lan", "Minh"]
    rows = ([(f"Nguyễn Văn {g}", "1980", "0901000001", "") for g in given[:SHARED_LIMIT + 1]]  # six people: shared
            + [(f"Trần Thị {given[i % 2]}", "1975", "0901000002", "") for i in range(2 * SHARED_LIMIT)]  # two people
            + [("Lê Văn Tâm", str(1960 + i), "0901000003", "") for i in range(SHARED_LIMIT + 1)]  # six birth years
            + [(f"Phạm Văn {g}", "1990", "", "049090001234") for g in given[:SHARED_LIMIT]]  # five people: kept
            + [(f"Võ Thị {g}", "1991", "", "079191000111") for g in given[:SHARED_LIMIT + 1]])  # six: shared
    names, years, phones, ids = (list(column) for column in zip(*rows, strict=True))
    people = pa.table({"full_name": names, "dob": years, "sex": ["M"] * len(rows), "id_number": ids, "phone": phones,
                       "address": [""] * len(rows)})
    features = _features(_with_missing(_store_rows(people, resolve_columns(people, {}), _no_step)))
    kept = {(row["phone"] or row["cccd"]) for row in features.select(["phone", "cccd"]).to_pylist()}
    assert kept == {"0901000002", "049090001234", None}
