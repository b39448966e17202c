"""Properties: every supported rendering parses back; never raises; column parse = per-cell parse; error ⇒ None."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from tests.values.helpers import TODAY

from hopnhat.synth import ids as synth_ids
from hopnhat.text.normalize import fold, nfc
from hopnhat.values import EXTRA_SUFFIXES, KINDS, PROBLEM_CODES, decode_cccd, parse_column, parse_value
from hopnhat.values.dates import PLACEHOLDER_DATES
from hopnhat.values.identity import BIRTH_PROVINCES, is_placeholder
from hopnhat.values.phones import MOBILE_PREFIXES, OLD_MOBILE
from hopnhat.values.taxcode import check_digit
from hopnhat.values.text import clean

EXCEL_EPOCH = dt.date(1899, 12, 30)
DMY = ["dd/mm/yyyy", "yyyy", "excel_serial"]
Render = Callable[[dt.date], tuple[str, list[str]]]
DATE_RENDERINGS: list[Render] = [
    lambda d: (d.strftime("%d/%m/%Y"), DMY),
    lambda d: (f"{d.day}/{d.month}/{d.year}", DMY),
    lambda d: (f" {d.day} / {d.month} / {d.year} ", ["dd/mm/yyyy"]),
    lambda d: (d.strftime("%d-%m-%Y"), ["dd-mm-yyyy"]),
    lambda d: (d.strftime("%d.%m.%Y"), ["dd.mm.yyyy"]),
    lambda d: (d.strftime("%d/%m/%Y 00:00:00"), DMY),
    lambda d: (f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}", DMY),
    lambda d: (f"Ngay {d.day} thang {d.month} nam {d.year}", DMY),
    lambda d: (d.isoformat(), ["yyyy-mm-dd"]),
    lambda d: (f"{d.year}/{d.month}/{d.day}", ["yyyy-mm-dd"]),
    lambda d: (d.strftime("%Y%m%d"), ["yyyymmdd"]),
    lambda d: (d.strftime("%m/%d/%Y"), ["mm/dd/yyyy"]),
    lambda d: (f"{d.isoformat()}T00:00:00+07:00", ["iso8601"]),
    lambda d: ((dt.datetime.combine(d, dt.time()) - dt.timedelta(hours=7)).isoformat() + "Z", ["iso8601"]),
    lambda d: (d.strftime("%d/%m/%Y 00:00"), ["dd/mm/yyyy HH:MM"]),
]
real_dates = st.dates(min_value=dt.date(1880, 1, 1), max_value=TODAY).filter(lambda d: d not in PLACEHOLDER_DATES)


@given(real_dates, st.sampled_from(DATE_RENDERINGS))
def test_a_date_in_any_supported_rendering_parses_back(day: dt.date, render: Render) -> None:
    text, formats = render(day)
    parsed = parse_value("date", text, formats=formats, today=TODAY)
    assert (parsed.value, parsed.extras, parsed.problems) == (day, {"_quality": "exact"}, ())


@given(st.dates(min_value=dt.date(1906, 1, 1), max_value=TODAY).filter(lambda d: d not in PLACEHOLDER_DATES))
def test_an_excel_serial_parses_back(day: dt.date) -> None:
    serial = (day - EXCEL_EPOCH).days
    for text in (str(serial), f"{serial}.0", f"{serial}.25"):
        assert parse_value("date", text, formats=["excel_serial"], today=TODAY).value == day


moments = st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2025, 6, 30)).map(
    lambda t: t.replace(microsecond=0))
DATETIME_RENDERINGS: list[Callable[[dt.datetime], tuple[str, list[str]]]] = [
    lambda t: (t.strftime("%d/%m/%Y %H:%M:%S"), ["dd/mm/yyyy HH:MM"]),
    lambda t: (t.strftime("%H:%M:%S %d/%m/%Y"), ["dd/mm/yyyy HH:MM"]),
    lambda t: (t.strftime("%Y-%m-%dT%H:%M:%S+07:00"), ["iso8601"]),
    lambda t: ((t - dt.timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%SZ"), ["iso8601"]),
    lambda t: ((t - dt.timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%S-05:00"), ["iso8601"]),
    lambda t: (t.strftime("%d/%m/%Y %I:%M:%S %p"), ["dd/mm/yyyy HH:MM"]),
    lambda t: (repr((t - dt.datetime(1899, 12, 30)).total_seconds() / 86400), ["excel_serial"]),
]


@given(moments, st.sampled_from(DATETIME_RENDERINGS))
def test_a_datetime_in_any_supported_rendering_parses_back(
        moment: dt.datetime, render: Callable[[dt.datetime], tuple[str, list[str]]]) -> None:
    text, formats = render(moment)
    parsed = parse_value("datetime", text, formats=formats, today=TODAY)
    assert (parsed.value, parsed.problems) == (moment, ()), text


def _phone_renderings(national: str) -> list[str]:
    """How people write one number: ``national`` is 0 + 9 digits (mobile) or 0 + 10 (old mobile)."""
    body = national[1:]
    groups = f"{national[:4]} {national[4:7]} {national[7:]}"
    return [national, groups, groups.replace(" ", "."), groups.replace(" ", "-"), f"+84{body}", f"+84 {body}",
            f"(+84) {body[:3]} {body[3:6]} {body[6:]}", f"+84 (0) {body}", f"84{body}", f"0084{body}",
            f"ĐT: {groups}", f" {national} "]


@given(st.sampled_from(sorted(MOBILE_PREFIXES)), st.integers(0, 9_999_999))
def test_a_mobile_in_any_rendering_normalises_to_the_same(prefix: str, rest: int) -> None:
    national = f"{prefix}{rest:07d}"
    for text in _phone_renderings(national):
        parsed = parse_value("phone", text)
        assert (parsed.value, parsed.problems) == (national, ()), text


@given(st.sampled_from(sorted(OLD_MOBILE)), st.integers(0, 9_999_999))
def test_an_old_11_digit_mobile_converts_in_any_rendering(prefix: str, rest: int) -> None:
    new = f"{OLD_MOBILE[prefix]}{rest:07d}"
    for text in _phone_renderings(f"{prefix}{rest:07d}"):
        parsed = parse_value("phone", text)
        assert parsed.value == new and [p.code for p in parsed.problems] == ["old_mobile_prefix"], text


@given(st.integers(0, 96), st.integers(0, 10**7 - 1), st.integers(0, 4))
def test_synth_phones_parse_clean(prefix_index: int, number: int, style: int) -> None:
    parsed = parse_value("phone", synth_ids.phone(prefix_index, number, style))
    assert parsed.value is not None and parsed.problems == ()


@given(st.sampled_from(sorted(BIRTH_PROVINCES)), st.integers(1900, TODAY.year), st.booleans(),
       st.integers(0, 999_999))
def test_a_cccd_built_from_its_parts_parses_consistent(province: str, year: int, female: bool, serial: int) -> None:
    number = f"{province}{(year - 1900) // 100 * 2 + female}{year % 100:02d}{serial:06d}"
    assert number == synth_ids.cccd(province[1:], year, female, serial)
    assume(not is_placeholder(number))
    parsed = parse_value("id_number", number, today=TODAY)
    assert (parsed.value, parsed.extras, parsed.problems) == (number, {"_kind": "cccd"}, ())
    info = decode_cccd(number)
    assert info is not None and (info.province_code, info.birth_year, info.sex) == (
        province, year, "F" if female else "M")
    born, sex = dt.date(year, 6, 1), "F" if female else "M"
    other_sex = "M" if female else "F"
    context: dict[str, Sequence[object]] = {"birth_date": [born, born.replace(year=year - 1), born],
                                            "sex": [sex, sex, other_sex]}
    result = parse_column("id_number", [number, number, number], today=TODAY, context=context)
    assert [(i, p.code) for i, p in result.problems] == [(1, "id_inconsistent"), (2, "id_inconsistent")]


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_tax_check_digit_matches_the_synth_generator(first9: str) -> None:
    assert check_digit(first9) == synth_ids.mst_check_digit(first9)
    if check_digit(first9) is not None and first9[2:] != "0000000" and not is_placeholder(first9):
        code = f"{first9}{check_digit(first9)}"
        assert parse_value("tax_code", code).value == code


REALISTIC = st.sampled_from(["12/05/1990", "1975", "0/0/1975", "31/02/1990", "049321371049", "205527887",
                             "0905 123 456", "01682345678", "Nam", "Nữ", "1.234,5", "87,1", "DangXuLy", "KS",
                             "0100233488", "4069522482-001", "", "  ", None, "03/06/2024 09:12",
                             "2024-06-03T09:12:45Z"])
cells = st.lists(st.one_of(REALISTIC, st.text(max_size=20), st.none()), max_size=40)
OPTIONS: dict[str, dict[str, Any]] = {
    "date": {"formats": DMY}, "datetime": {}, "integer": {"decimal": ","}, "decimal": {"decimal": "."},
    "status": {"values": {"DangXuLy": 4, "TiepNhan": 2}}, "text": {"values": {"KS": "birth"}}}


@settings(max_examples=60)
@given(st.sampled_from([k for k in KINDS if k != "sex"]), cells)
def test_parse_column_equals_per_cell_parse(kind: str, column: list[str | None]) -> None:
    """Below 50 rows no date column rule can fire; sex has its own column rule (tested apart)."""
    opts = OPTIONS.get(kind, {})
    result = parse_column(kind, column, today=TODAY, **opts)
    singles = [parse_value(kind, c, today=TODAY, **opts) for c in column]
    assert result.values == [p.value for p in singles]
    assert result.extras == {s: [p.extras.get(s) for p in singles] for s in EXTRA_SUFFIXES.get(kind, ())}
    assert result.problems == [(i, pr) for i, p in enumerate(singles) for pr in p.problems]


def _names_the_value(message: str, cell: str) -> bool:
    """The message quotes the cell (as written, stripped, NFC/cleaned or folded; long ones shortened)."""
    stripped = cell.strip()
    probes = {stripped, nfc(stripped), clean(cell), fold(stripped).lower().strip()}
    return any(probe[:40] in message for probe in probes if probe)


@settings(max_examples=300)
@given(st.sampled_from(KINDS), st.one_of(st.text(), REALISTIC, st.text(alphabet="0123456789/-.: +,", max_size=24)))
def test_never_raises_and_errors_mean_no_value(kind: str, cell: str | None) -> None:
    for opts in ({}, OPTIONS.get(kind, {})):
        parsed = parse_value(kind, cell, today=TODAY, **opts)
        assert set(parsed.extras) <= set(EXTRA_SUFFIXES.get(kind, ()))
        for p in parsed.problems:
            assert p.code in PROBLEM_CODES and PROBLEM_CODES[p.code][0] == p.severity
            assert cell is not None and _names_the_value(p.message, cell), (p.message, cell)
        if not parsed.ok:
            assert parsed.value is None
        elif parsed.value is None:  # usable but empty: blank cell, or a placeholder the source used for "unknown"
            assert not parsed.problems or [p.code for p in parsed.problems] == ["placeholder_date"]
        if cell is None or not cell.strip():
            assert parsed.value is None and parsed.problems == ()
