"""parse_column as the map stage uses it: column rules, row context, caching, native cells, option errors, tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import pytest
from tests.values.helpers import TODAY

import hopnhat.values as values_pkg
from hopnhat.errors import ConfigError, InputError
from hopnhat.project.config import DATE_FORMATS
from hopnhat.units.reference import reference
from hopnhat.values import column, parse_column, parse_value
from hopnhat.values.identity import BIRTH_PROVINCES
from hopnhat.values.phones import NEW_AREA_CODES, OLD_AREA_CODES, OLD_MOBILE, UNCHANGED_AREA_CODES

DMY = ["dd/mm/yyyy", "yyyy"]


def _spread_days(n: int) -> list[str]:
    """``n`` birth dates spread over the year (01/01 appears at its natural rate)."""
    return [(dt.date(1960, 1, 1) + dt.timedelta(days=7 * i + 3)).strftime("%d/%m/%Y") for i in range(n)]


def test_habitual_first_of_january_reads_as_year_only() -> None:
    cells = _spread_days(200) + ["01/01/1984", "01/01/1971", "01/01/1949"] * 10
    result = parse_column("date", cells, formats=DMY, today=TODAY)
    jan1 = [i for i, c in enumerate(cells) if c.startswith("01/01/")]
    assert {result.extras["_quality"][i] for i in jan1} == {"year_only"}
    assert result.values[200] == dt.date(1984, 1, 1)
    assert {i for i, p in result.problems if p.code == "habitual_0101"} == set(jan1)
    assert "2%" in next(p.message for _, p in result.problems)
    assert parse_value("date", "01/01/1984", formats=DMY, today=TODAY).extras["_quality"] == "exact"
    native = parse_column("date", [dt.date(1984, 1, 1)] * 20 + [dt.date(1990, 5, 12)] * 40, today=TODAY)
    assert native.extras["_quality"][0] == "year_only" and "'1984-01-01'" in native.problems[0][1].message


def test_natural_first_of_january_stays_exact() -> None:
    cells = [(dt.date(1950, 1, 1) + dt.timedelta(days=i)).strftime("%d/%m/%Y") for i in range(3 * 365)]
    result = parse_column("date", cells, formats=DMY, today=TODAY)
    assert set(result.extras["_quality"]) == {"exact"} and result.problems == []


def test_habitual_reading_is_decided_once_and_passed_on() -> None:
    """A table fed in batches reads every batch as its first batch decided: a batch of changed rows that is all
    01/01 keeps the column's reading (inactive here), and a decided active reading applies to a batch too small
    to decide on its own."""
    first = parse_column("date", _spread_days(200) + ["01/01/1984"], formats=DMY, today=TODAY)
    assert first.habitual is not None and not first.habitual.active and first.habitual.share == "2/201 (1.0%)"
    changed = ["01/01/1984", "01/01/1971"] * 30
    alone = parse_column("date", changed, formats=DMY, today=TODAY)
    assert alone.habitual is not None and alone.habitual.active  # what the batch would decide by itself
    kept = parse_column("date", changed, formats=DMY, today=TODAY, habitual=first.habitual)
    assert set(kept.extras["_quality"]) == {"exact"} and kept.problems == [] and kept.habitual == first.habitual
    busy = parse_column("date", _spread_days(200) + ["01/01/1984"] * 30, formats=DMY, today=TODAY).habitual
    few = parse_column("date", ["01/01/1990", "12/05/1990"], formats=DMY, today=TODAY, habitual=busy)
    assert few.extras["_quality"] == ["year_only", "exact"] and few.problems[0][1].code == "habitual_0101"
    assert parse_column("date", ["01/01/1990"], formats=DMY, today=TODAY).habitual is None  # too few to decide


def test_sex_zero_beside_two_is_iso_not_known() -> None:
    assert parse_column("sex", ["1", "0", "1"]).values == ["M", "F", "M"]
    iso = parse_column("sex", ["1", "2", "0", "Nam"])
    assert iso.values == ["M", "F", None, "M"]
    assert [(i, p.code, p.severity) for i, p in iso.problems] == [(2, "ambiguous_sex", "error")]
    native = parse_column("sex", [1, 2, 0])  # an INTEGER column of a legacy database
    assert native.values == ["M", "F", None] and "'0'" in native.problems[0][1].message
    declared = parse_column("sex", ["1", "2", "0"], values={"0": "Nam", "1": "Nữ", "2": "Nữ"})
    assert declared.values == ["F", "F", "M"]


def test_id_context_flags_contradictions_only_on_their_rows() -> None:
    cells = ["049321371049", "049321371049", "205527887", "048138639832", None, "048138639832"]
    context: dict[str, Sequence[object]] = {
        "birth_date": [dt.date(2021, 10, 7), dt.date(2020, 10, 7), dt.date(1959, 8, 20), dt.date(1938, 11, 21), None,
                       None],
        "sex": ["F", "F", "M", "M", None, "F"]}
    result = parse_column("id_number", cells, context=context, today=TODAY)
    assert [(i, p.code) for i, p in result.problems] == [(1, "id_inconsistent"), (3, "id_inconsistent")]
    assert "2021" in result.problems[0][1].message and "2020" in result.problems[0][1].message
    assert result.extras["_kind"] == ["cccd", "cccd", "cmnd", "cccd", None, "cccd"]


def test_context_must_align_with_cells() -> None:
    with pytest.raises(InputError):
        parse_column("id_number", ["049321371049"], context={"birth_date": [None, None]})


def test_each_distinct_cell_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = column.PARSERS["phone"]

    def counting(opts):
        parse = real(opts)

        def parse_and_count(text: str):
            calls.append(text)
            return parse(text)

        return parse_and_count

    column.clear_cache()
    monkeypatch.setitem(column.PARSERS, "phone", counting)
    cells = ["0905123456", "0914 234 567", None, "0905123456", " "] * 1000
    first = parse_column("phone", cells)
    assert sorted(calls) == ["0905123456", "0914 234 567"]
    second = parse_column("phone", cells[:10])
    assert len(calls) == 2 and second.values == first.values[:10]  # kept between calls with the same options
    column.clear_cache()


def test_native_cells_from_readers() -> None:
    assert parse_value("date", dt.date(1990, 5, 12), today=TODAY).value == dt.date(1990, 5, 12)
    aware = dt.datetime(2024, 6, 3, 2, 12, tzinfo=dt.timezone.utc)
    assert parse_value("datetime", aware, today=TODAY).value == dt.datetime(2024, 6, 3, 9, 12)
    assert parse_value("date", dt.datetime(1900, 1, 1), today=TODAY).extras == {"_quality": "placeholder"}
    assert parse_value("id_number", 49321371049).value == "049321371049"
    assert parse_value("id_number", 49321371049.0).value == "049321371049"
    assert parse_value("integer", 42).value == 42 and parse_value("decimal", Decimal("87.10")).value == 87.1
    assert parse_value("sex", True).value == "M"
    result = parse_column("decimal", [float("nan"), 1.5, "2,5", 1.5], decimal=",")
    assert result.values == [None, 1.5, 2.5, 1.5] and result.problems == []
    assert parse_column("integer", [1, "1", 1.0]).values == [1, 1, 1]
    assert parse_value("integer", 1.5).problems[0].code == "not_integer"
    assert parse_value("decimal", float("inf")).problems[0].code == "out_of_range"


@pytest.mark.parametrize("call", [
    lambda: parse_column("admin_code", ["20194"]),
    lambda: parse_column("date", ["1990"], formats=["dd/mm/yy"]),
    lambda: parse_column("decimal", ["1"], decimal=";"),
    lambda: parse_column("status", ["X"], values={"X": 11}),
    lambda: parse_column("status", ["X"], values={"X": "Đang làm"}),
    lambda: parse_column("sex", ["X"], values={"X": "Khác"}),
])
def test_wrong_options_are_config_errors(call) -> None:
    with pytest.raises(ConfigError):
        call()


def test_result_shape_and_helpers() -> None:
    result = parse_column("date", ["12/05/1990", "31/02/1990", "", "12/25/1990"], formats=DMY, today=TODAY)
    assert len(result.values) == len(result.extras["_quality"]) == 4
    assert result.error_rows() == {1}
    assert result.counts() == {"impossible_date": 1, "day_month_swapped": 1}
    status = parse_column("status", ["DangXuLy", None, "??"], values={"DangXuLy": 4})
    assert status.extras == {"_raw": ["DangXuLy", None, "??"]} and status.values == [4, None, None]


def test_date_formats_match_the_merger_file_model() -> None:
    assert column.DATE_FORMATS == DATE_FORMATS


def test_cccd_province_codes_are_the_63_old_province_codes() -> None:
    assert set(BIRTH_PROVINCES) == {"0" + code for code in reference().provinces["old"]}


def test_phone_tables() -> None:
    changed = {province for _, province in OLD_AREA_CODES.values()}
    assert len(OLD_AREA_CODES) == len(changed) == 59 and len(UNCHANGED_AREA_CODES) == 4
    news = [new for new, _ in OLD_AREA_CODES.values()]
    assert len(set(news)) == 59 and all(n.startswith("02") for n in NEW_AREA_CODES)
    assert not set(OLD_AREA_CODES) & set(UNCHANGED_AREA_CODES)
    assert len(OLD_MOBILE) == 21 and all(len(k) == 4 and len(v) == 3 for k, v in OLD_MOBILE.items())


def test_public_api_is_exactly_all() -> None:
    public = {n for n in dir(values_pkg) if not n.startswith("_")} - {"annotations"}
    modules = {"codes", "column", "core", "dates", "identity", "numbers", "phones", "sex", "status", "taxcode", "text"}
    assert public - modules == set(values_pkg.__all__)


def test_shared_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    column.clear_cache()
    monkeypatch.setattr(column, "MAX_CACHED_VALUES", 100)
    cells = [f"0905{i:06d}" for i in range(500)]
    result = parse_column("phone", cells)
    assert result.values == cells and all(len(memo) <= 100 for _, memo in column._CACHE.values())
    column.clear_cache()
