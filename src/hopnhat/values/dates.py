"""Dates and date-times as legacy Vietnamese systems wrote them.

Formats (``formats`` in the merger file, :data:`hopnhat.project.config.DATE_FORMATS`) name *families*, each tolerant
of how people and exports really write it:

- ``dd/mm/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``, ``dd/mm/yyyy HH:MM`` — day first. Any of ``/ - .`` as separator,
  1-digit day or month, spaces around the separators, 2-digit years, ``ngày 5 tháng 3 năm 1990``; ``0/0/1975`` is
  year-only, ``0/3/1975`` and ``3/1975`` month-only.
- ``mm/dd/yyyy`` — month first, same tolerance.
- ``yyyy-mm-dd``, ``iso8601`` — year first (``1990-05-12``, ``1990/5/12``, ``2024-06-03T09:12:45+07:00``).
- ``yyyymmdd`` — 8 digits. ``yyyy`` — a year alone.
- ``excel_serial`` — the 1900 date system (serial 61 = 1900-03-01; 60 is Lotus' 29/02/1900, which never existed);
  the fraction is the time of day (dropped silently in a date column). Serials below 61 are not plausible; 0 and 1
  are placeholders; a 4-digit serial that is also a plausible year (``1985``) is an error ``ambiguous_serial_year``
  unless the column declares ``yyyy`` (then it is the year). Because a reader may hand over a native Excel date as
  ``1990-05-12 00:00:00``, a column declaring ``excel_serial`` also accepts that.

A value in a family the column did not declare is an error (``unknown_date_format``) naming the declared ones: the fix
is one line in the merger file, and nothing is guessed silently.

Decisions, each visible in the quality column or a warning:

- **Year only** (``1975``, ``0/0/1975``) → ``1975-01-01``, quality ``year_only``. **Month only** → the 1st, quality
  ``month_only``.
- **Placeholders** (:data:`PLACEHOLDER_DATES`, year ``0000``, Excel serial 0/1) → value ``None``, quality
  ``placeholder``, warning ``placeholder_date``.
- **1/1/YYYY used habitually**: when a column has at least 50 full dates and 01/01 is ≥ 2 % of them (seven times the
  natural 1/365), its 01/01 dates are read as year-only (warning ``habitual_0101``). This is a column rule,
  applied by :func:`hopnhat.values.parse_column`.
- **Day/month swap**: a value impossible in the declared order but valid the other way round is kept with quality
  ``day_month_swapped`` and a warning. When both orders are declared, the first wins and a value valid both ways gets
  a warning ``ambiguous_day_month``.
- **2-digit years**: the most recent year with those digits, not after this year (``'90'`` → 1990, ``'25'`` → 2025 in
  2025); always a warning ``two_digit_year``.
- **Range**: before 1880 → ``date_too_old``; after today → ``future_date`` (a date-time may lie up to 366 days ahead:
  appointments and deadlines do).
- **Times**: ``HH:MM``, ``HH:MM:SS[.ffffff]``, ``8h30``, ``8 giờ 30 phút``, AM/PM and SA/CH; before or after the date.
  An offset (``Z``, ``+07:00``, ``-0500``) is converted to naive local time (Asia/Ho_Chi_Minh, UTC+7, no DST) — for a
  date too, so ``1990-05-11T17:00:00Z`` is 12/05/1990. A date column drops the time: silently at midnight or when
  the column declares a format with time, else with a warning ``time_ignored``. A date-time without a time is at 00:00.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from hopnhat.text.normalize import nfc
from hopnhat.values.core import Options, Parsed, Problem, error, failed, shown, warning

DAY_FIRST = frozenset({"dd/mm/yyyy", "dd-mm-yyyy", "dd.mm.yyyy", "dd/mm/yyyy HH:MM"})
MONTH_FIRST = frozenset({"mm/dd/yyyy"})
YEAR_FIRST = frozenset({"yyyy-mm-dd", "iso8601"})
WITH_TIME = frozenset({"iso8601", "dd/mm/yyyy HH:MM"})
DEFAULT_DATE_FORMATS = ("dd/mm/yyyy", "yyyy-mm-dd", "yyyy", "yyyymmdd", "excel_serial")
DEFAULT_DATETIME_FORMATS = ("dd/mm/yyyy HH:MM", "iso8601", "yyyymmdd", "excel_serial")
EARLIEST_YEAR = 1880
DATETIME_AHEAD = dt.timedelta(days=366)
LOCAL_OFFSET = dt.timedelta(hours=7)
PLACEHOLDER_DATES = frozenset({
    dt.date(1900, 1, 1),  # the usual "unknown" of Vietnamese registers and of Excel serial 1
    dt.date(1899, 12, 31), dt.date(1899, 12, 30),  # Excel serial 0 as shown by Excel / by other tools
    dt.date(1, 1, 1),  # .NET DateTime.MinValue
    dt.date(1753, 1, 1),  # SQL Server datetime minimum
    dt.date(1800, 1, 1),
    dt.date(9999, 12, 31),  # "no end" in databases
})
HABITUAL_MIN_DATES = 50
HABITUAL_MIN_COUNT = 5
HABITUAL_SHARE = 0.02

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_HAS_LETTER = re.compile(r"[^\W\d_]")
_ISO_LETTERS = re.compile(r"[\d\-:.+]*t[\d\-:.+]*z?")  # letters of ISO 8601 only: no word to translate
_DAY_WORD = re.compile(r"\b(?:ngày|ngay)\b\.?")
_MONTH_YEAR_WORD = re.compile(r"\b(?:tháng|thang|năm|nam)\b")
_CLOCK_WORDS = re.compile(r"(\d{1,2})\s*(?:giờ|gio|h|g)(?![a-z])\s*(?:(\d{1,2})\s*(?:phút|phut|p\b|')?)?"
                          r"(?:\s*(?:\d{1,2})\s*(?:giây|giay|s\b))?")
_PERIOD_WORDS = (("a.m.", "am"), ("p.m.", "pm"), ("sáng", "am"), ("sang", "am"), ("chiều", "pm"), ("chieu", "pm"),
                 ("tối", "pm"), ("toi", "pm"),
                 ("trưa", ""), ("trua", ""), ("lúc", " "), ("luc", " "), ("vào", " "))
_SEP_SPACES = re.compile(r"\s+(?=[/.\-])|(?<=[/.\-])\s+")
_TIME = (r"(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?"
         r"\s*(?P<ampm>am|pm|sa|ch)?")
_TZ = r"(?P<tz>z|[+\-]\d{2}(?::?\d{2})?)"
_DATE_THEN_TIME = re.compile(rf"(?P<date>\d[\d/.\-]*)(?:(?:t|\s+){_TIME}\s*{_TZ}?)?")
_TIME_THEN_DATE = re.compile(rf"{_TIME}\s+(?P<date>\d[\d/.\-]*)")
_DM = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})")
_YMD = re.compile(r"(\d{4})([/.\-])(\d{1,2})[/.\-](\d{1,2})")
_MY = re.compile(r"(\d{1,2})[/.\-](\d{4})")
_YM = re.compile(r"(\d{4})[/.\-](\d{1,2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR = re.compile(r"\d{4}")
_SERIAL = re.compile(r"\d{1,5}(?:\.\d+)?")


class _Fail(Exception):
    """Internal: stops reading a cell with the problem that made it unusable."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


@dataclass(frozen=True)
class DateSpec:
    """What a column's ``formats`` allow, precomputed once per column."""

    declared: tuple[str, ...]
    orders: tuple[str, ...]  # "dmy" / "mdy" in declared order
    year_first: bool
    compact: bool
    year: bool
    serial: bool
    timed: bool

    @classmethod
    def of(cls, formats: tuple[str, ...] | None, with_time: bool) -> DateSpec:
        declared = tuple(formats) if formats else (DEFAULT_DATETIME_FORMATS if with_time else DEFAULT_DATE_FORMATS)
        orders: list[str] = []
        for f in declared:
            order = "dmy" if f in DAY_FIRST else "mdy" if f in MONTH_FIRST else None
            if order and order not in orders:
                orders.append(order)
        return cls(declared, tuple(orders), any(f in YEAR_FIRST for f in declared), "yyyymmdd" in declared,
                   "yyyy" in declared, "excel_serial" in declared, any(f in WITH_TIME for f in declared))


@dataclass
class _Reading:
    """A cell read but not yet judged: the calendar day, its quality, the time if any, warnings so far."""

    day: dt.date | None
    quality: str
    clock: dt.time | None = None
    seconds: int = 0  # from an Excel serial's fraction
    offset: dt.timedelta | None = None
    warnings: tuple[Problem, ...] = ()


# --------------------------------------------------------------------------------------------------- text → parts


def _prepare(text: str) -> str:
    """Lower case, NFC, Vietnamese words turned into separators, spaces around separators removed."""
    s = text.strip().lower() if text.isascii() else nfc(text).strip().lower()
    if _HAS_LETTER.search(s) and not _ISO_LETTERS.fullmatch(s):
        s = _DAY_WORD.sub(" ", s)
        s = _CLOCK_WORDS.sub(lambda m: f" {m.group(1)}:{m.group(2) or '00'} ", s)
        s = _MONTH_YEAR_WORD.sub("/", s)
        for word, repl in _PERIOD_WORDS:
            s = s.replace(word, repl)
    if "," in s:
        s = s.replace(",", " ")
    if " " in s or "\t" in s:
        s = _SEP_SPACES.sub("", " ".join(s.split()))
    return s.strip("/.- ")


def _read(text: str, spec: DateSpec, today: dt.date) -> _Reading:
    s = _prepare(text)
    m = _DATE_THEN_TIME.fullmatch(s) or _TIME_THEN_DATE.fullmatch(s)
    if m is None:
        raise _Fail(_unknown(text, spec))
    reading = _read_day(m.group("date"), text, spec, today)
    if m.group("hh") is not None:
        reading.clock = _clock(m, text)
    tz = m.groupdict().get("tz")
    if tz:
        reading.offset = _offset(tz, text)
    return reading


def _unknown(text: str, spec: DateSpec) -> Problem:
    declared = ", ".join(spec.declared)
    return error("unknown_date_format",
                 f"Không đọc được ngày {shown(text)} theo các định dạng đã khai báo ({declared})",
                 f"Cannot read date {shown(text)} in the declared formats ({declared})")


def _clock(m: re.Match[str], text: str) -> dt.time:
    hh, mi, ss = int(m.group("hh")), int(m.group("mi")), int(m.group("ss") or 0)
    ampm = m.group("ampm") or ""
    if ampm in ("am", "sa") and hh <= 12:
        hh = 0 if hh == 12 else hh
    elif ampm in ("pm", "ch") and hh < 12:
        hh += 12
    micro = int((m.group("frac") or "0")[:6].ljust(6, "0"))
    if hh > 23 or mi > 59 or ss > 59:
        raise _Fail(error("bad_time", f"Giờ không hợp lệ trong {shown(text)}", f"Invalid time in {shown(text)}"))
    return dt.time(hh, mi, ss, micro)


def _offset(tz: str, text: str) -> dt.timedelta:
    if tz == "z":
        return dt.timedelta(0)
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        raise _Fail(error("bad_time", f"Múi giờ không hợp lệ trong {shown(text)}",
                          f"Invalid UTC offset in {shown(text)}"))
    delta = dt.timedelta(hours=hours, minutes=minutes)
    return -delta if tz[0] == "-" else delta


# --------------------------------------------------------------------------------------------------- the day part


def _read_day(ds: str, text: str, spec: DateSpec, today: dt.date) -> _Reading:
    if spec.orders and (m := _DM.fullmatch(ds)):
        return _day_month(int(m.group(1)), int(m.group(2)), m.group(3), text, spec, today)
    if m := _YMD.fullmatch(ds):
        if spec.year_first or (spec.serial and m.group(2) == "-"):
            return _calendar(int(m.group(1)), int(m.group(3)), int(m.group(4)), text)
    if spec.orders and (m := _MY.fullmatch(ds)):
        return _calendar(int(m.group(2)), int(m.group(1)), 0, text)
    if spec.year_first and (m := _YM.fullmatch(ds)):
        return _calendar(int(m.group(1)), int(m.group(2)), 0, text)
    if spec.compact and (m := _COMPACT.fullmatch(ds)):
        return _calendar(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    if spec.year and _YEAR.fullmatch(ds):
        return _calendar(int(ds), 0, 0, text)
    if spec.serial and _SERIAL.fullmatch(ds):
        return _serial(ds, text, today)
    raise _Fail(_unknown(text, spec))


def _calendar(year: int, month: int, day: int, text: str) -> _Reading:
    """Exact, year-only (0/0), month-only (day 0) or placeholder (year 0); an impossible day fails."""
    found = _interpret(year, month, day)
    if found is None:
        raise _Fail(_impossible(text))
    return found


def _interpret(year: int, month: int, day: int) -> _Reading | None:
    if year == 0:
        return _Reading(None, "placeholder")
    if month == 0:
        return _Reading(dt.date(year, 1, 1), "year_only") if day == 0 else None
    if day == 0:
        return _Reading(dt.date(year, month, 1), "month_only") if month <= 12 else None
    try:
        return _Reading(dt.date(year, month, day), "exact")
    except ValueError:
        return None


def _impossible(text: str) -> Problem:
    return error("impossible_date", f"Ngày {shown(text)} không có trên lịch", f"Date {shown(text)} does not exist")


def _year(token: str, text: str, today: dt.date) -> tuple[int, tuple[Problem, ...]]:
    """A 4-digit year as is; a 2-digit one as the most recent such year not after this year, with a warning."""
    if len(token) == 4:
        return int(token), ()
    year = today.year - (today.year - int(token)) % 100
    return year, (warning("two_digit_year", f"Năm 2 chữ số trong {shown(text)} được hiểu là {year}",
                          f"The 2-digit year in {shown(text)} was read as {year}"),)


def _day_month(a: int, b: int, ytoken: str, text: str, spec: DateSpec, today: dt.date) -> _Reading:
    if int(ytoken) == 0 and (len(ytoken) == 4 or a == b == 0):
        return _Reading(None, "placeholder")  # 00/00/0000, 01/01/0000, 00/00/00
    year, notes = _year(ytoken, text, today)
    by_order = {"dmy": (b, a), "mdy": (a, b)}  # order → (month, day)
    first = spec.orders[0]
    found = _interpret(year, *by_order[first])
    if found is not None:
        if len(spec.orders) == 2:
            other = _interpret(year, *by_order[spec.orders[1]])
            if other is not None and found.quality == other.quality == "exact" and other.day != found.day:
                notes += (warning("ambiguous_day_month",
                                  f"{shown(text)} đọc được cả hai cách; đã theo định dạng khai báo đầu tiên",
                                  f"{shown(text)} reads both ways; the first declared format was used"),)
        found.warnings = notes
        return found
    second = spec.orders[1] if len(spec.orders) == 2 else ("mdy" if first == "dmy" else "dmy")
    other = _interpret(year, *by_order[second])
    if other is None or (len(spec.orders) == 1 and other.quality != "exact"):
        raise _Fail(_impossible(text))
    if len(spec.orders) == 1:
        other.quality = "day_month_swapped"
        notes += (warning("day_month_swapped", f"{shown(text)} không hợp lệ theo thứ tự khai báo; đã đảo ngày và tháng "
                          f"thành {other.day:%d/%m/%Y}", f"{shown(text)} is impossible in the declared order; day and "
                          f"month swapped: {other.day:%Y-%m-%d}"),)
    other.warnings = notes
    return other


def _serial(ds: str, text: str, today: dt.date) -> _Reading:
    number = float(ds)
    whole = int(number)
    if len(ds) == 4 and EARLIEST_YEAR <= whole <= today.year:
        day = _EXCEL_EPOCH + dt.timedelta(days=whole)
        raise _Fail(error("ambiguous_serial_year", f"{shown(text)} có thể là năm {whole} hoặc số ngày Excel "
                          f"({day:%d/%m/%Y}); khai báo định dạng 'yyyy' nếu cột có năm",
                          f"{shown(text)} may be the year {whole} or an Excel serial ({day:%Y-%m-%d}); declare "
                          "'yyyy' if the column holds years"))
    if whole <= 1:
        return _Reading(None, "placeholder")
    if whole == 60:
        raise _Fail(error("impossible_date", f"Số ngày Excel {shown(text)} là 29/02/1900, ngày không có thật (lỗi "
                          "của Excel)", f"Excel serial {shown(text)} is 29/02/1900, a day that never existed"))
    if whole < 61:
        raise _Fail(error("implausible_serial", f"Số ngày Excel {shown(text)} rơi vào tháng 1–2/1900: không hợp lý",
                          f"Excel serial {shown(text)} falls in Jan–Feb 1900: not plausible"))
    return _Reading(_EXCEL_EPOCH + dt.timedelta(days=whole), "exact", seconds=round((number - whole) * 86400))


# --------------------------------------------------------------------------------------------------- judging


def _moment(r: _Reading) -> dt.datetime:
    """The reading as naive local time (offsets converted to UTC+7)."""
    assert r.day is not None
    moment = dt.datetime.combine(r.day, r.clock or dt.time()) + dt.timedelta(seconds=r.seconds)
    if r.offset is not None:
        moment = moment - r.offset + LOCAL_OFFSET
    return moment


def _placeholder(text: str, with_quality: bool = True) -> Parsed:
    return Parsed(None, {"_quality": "placeholder"} if with_quality else {}, (warning(
        "placeholder_date", f"{shown(text)} là ngày giữ chỗ (không rõ ngày), không phải ngày thật",
        f"{shown(text)} is a placeholder (date unknown), not a real date"),))


def _check_range(first: dt.date, limit: dt.date, text: str) -> None:
    """``first`` is the earliest day the value may mean (1 January for year-only)."""
    if first.year < EARLIEST_YEAR:
        raise _Fail(error("date_too_old", f"Ngày {shown(text)} trước năm {EARLIEST_YEAR}: không hợp lý",
                          f"Date {shown(text)} is before {EARLIEST_YEAR}: not plausible"))
    if first > limit:
        raise _Fail(error("future_date", f"Ngày {shown(text)} ở tương lai (sau {limit:%d/%m/%Y})",
                          f"Date {shown(text)} is in the future (after {limit:%Y-%m-%d})"))


def _judge_date(r: _Reading, text: str, spec: DateSpec, today: dt.date) -> Parsed:
    if r.quality == "placeholder" or r.day in PLACEHOLDER_DATES:
        return _placeholder(text)
    assert r.day is not None
    day, notes = r.day, r.warnings
    if r.clock is not None or r.seconds:
        moment = _moment(r)
        day = moment.date()
        if r.clock is not None and moment.time() != dt.time() and not spec.timed:
            notes += (warning("time_ignored", f"Giờ trong {shown(text)} bị bỏ (cột chỉ lưu ngày)",
                              f"The time in {shown(text)} was dropped (date column)"),)
    _check_range(day, today, text)
    return Parsed(day, {"_quality": r.quality}, notes)


def _judge_datetime(r: _Reading, text: str, today: dt.date) -> Parsed:
    if r.quality == "placeholder" or (r.quality in ("exact", "day_month_swapped") and r.day in PLACEHOLDER_DATES):
        return _placeholder(text, with_quality=False)
    if r.quality in ("year_only", "month_only"):
        raise _Fail(error("incomplete_datetime", f"{shown(text)} thiếu ngày: không dùng được làm thời điểm",
                          f"{shown(text)} lacks the day: unusable as a date-time"))
    moment = _moment(r)
    _check_range(moment.date(), today + DATETIME_AHEAD, text)
    return Parsed(moment, {}, r.warnings)


def parse_date(text: str, spec: DateSpec, today: dt.date) -> Parsed:
    """One non-empty cell as a date (``datetime.date``) with its ``_quality``."""
    try:
        reading = _read(text, spec, today)
        if reading.quality in ("year_only", "month_only"):
            assert reading.day is not None
            _check_range(reading.day, today, text)
            return Parsed(reading.day, {"_quality": reading.quality}, reading.warnings)
        return _judge_date(reading, text, spec, today)
    except _Fail as fail:
        return failed(fail.problem, _quality=None)


def parse_datetime(text: str, spec: DateSpec, today: dt.date) -> Parsed:
    """One non-empty cell as a naive local ``datetime.datetime``."""
    try:
        return _judge_datetime(_read(text, spec, today), text, today)
    except _Fail as fail:
        return failed(fail.problem)


# --------------------------------------------------------------------------------------------------- native values


def parse_native(value: dt.date, spec: DateSpec, today: dt.date, with_time: bool) -> Parsed:
    """A ``date``/``datetime`` object a reader already produced (Excel, SQL): judged like text."""
    text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    clock, offset = None, None
    if isinstance(value, dt.datetime):
        clock = value.time().replace(tzinfo=None)
        utc = value.utcoffset()
        offset = utc if utc is not None else None
        day = value.date()
    else:
        day = value
    reading = _Reading(day, "exact", clock=clock, offset=offset)
    timed = DateSpec(spec.declared, spec.orders, spec.year_first, spec.compact, spec.year, spec.serial, True)
    try:
        return _judge_datetime(reading, text, today) if with_time else _judge_date(reading, text, timed, today)
    except _Fail as fail:
        return failed(fail.problem, **({} if with_time else {"_quality": None}))


# --------------------------------------------------------------------------------------------------- builders


def date_parser(opts: Options) -> Callable[[str], Parsed]:
    spec, today = DateSpec.of(opts.formats, False), opts.today
    fast = _fast_date(spec, today)
    if fast is None:
        return lambda text: parse_date(text, spec, today)

    def parse(text: str) -> Parsed:
        found = fast(text)
        return found if found is not None else parse_date(text, spec, today)

    return parse


def datetime_parser(opts: Options) -> Callable[[str], Parsed]:
    spec, today = DateSpec.of(opts.formats, True), opts.today
    fast = _fast_datetime(spec, today)

    def parse(text: str) -> Parsed:
        found = fast(text) if fast is not None else None
        return found if found is not None else parse_datetime(text, spec, today)

    return parse


# --------------------------------------------------------------------------------------------------- fast path
# Date-times of dossier systems are mostly distinct (seconds), so the per-value cache does not help them. The two
# shapes machines write — ISO 8601 (``2024-06-01T07:35:28+07:00``) and ``01/06/2024 07:33`` — are read here with one
# strict pattern. Only a plain, exact, in-range value is answered; anything else (placeholders, impossible days,
# odd offsets, words, other shapes) goes the full way, so both ways give the same result (a test compares them).

_FAST_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
                       r"(?:([Zz])|([+\-])(\d{2}):(\d{2}))?")
_FAST_DMY = re.compile(r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?")


def _fast_datetime(spec: DateSpec, today: dt.date) -> Callable[[str], Parsed | None] | None:
    """The strict reader for the column's formats, or None when its formats leave no shape to read fast."""
    limit = today + DATETIME_AHEAD
    iso = spec.year_first or spec.serial  # where the full reader takes ``yyyy-mm-dd`` as year first
    dmy = spec.orders == ("dmy",)

    def done(year: int, month: int, day: int, hh: int, mi: int, ss: int, micro: int,
             offset: dt.timedelta | None) -> Parsed | None:
        if not (1 <= month <= 12 and 1 <= day <= 31 and hh <= 23 and mi <= 59 and ss <= 59 and 2 <= year <= 9998):
            return None
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return None
        if date in PLACEHOLDER_DATES:
            return None
        moment = dt.datetime(year, month, day, hh, mi, ss, micro)
        if offset is not None:
            moment = moment - offset + LOCAL_OFFSET
        if moment.year < EARLIEST_YEAR or moment.date() > limit:
            return None
        return Parsed(moment, {}, ())

    def read(text: str) -> Parsed | None:
        if iso and (m := _FAST_ISO.fullmatch(text)):
            y, mo, d, hh, mi, ss, frac, zulu, sign, oh, om = m.groups()
            offset = None
            if zulu:
                offset = dt.timedelta(0)
            elif sign:
                if int(oh) > 14 or int(om) > 59:
                    return None
                offset = dt.timedelta(hours=int(oh), minutes=int(om))
                offset = -offset if sign == "-" else offset
            micro = int(frac.ljust(6, "0")) if frac else 0
            return done(int(y), int(mo), int(d), int(hh), int(mi), int(ss or 0), micro, offset)
        if dmy and (m := _FAST_DMY.fullmatch(text)):
            d, mo, y, hh, mi, ss = m.groups()
            return done(int(y), int(mo), int(d), int(hh), int(mi), int(ss or 0), 0, None)
        return None

    return read if iso or dmy else None


# Birth dates of registers are mostly ``12/05/1990``, ``2/5/1990``, ``1990-05-12`` or ``19900512``: a plain exact day
# in range is read here with one strict pattern (1.45 M records hold 86,000-108,000 distinct dates, each read once);
# anything else — a day or month 0, an impossible day, a placeholder, a date before 1880 or after today, another
# shape, a column that declares both day orders (a date valid both ways is then warned about) — goes the full way, so
# both ways give the same result (a test compares them).
_FAST_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)  # (ASCII digits only: others go the full way)
_FAST_YEAR_FIRST = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_FAST_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)


def _fast_date(spec: DateSpec, today: dt.date) -> Callable[[str], Parsed | None] | None:
    """The strict reader of a date column's plain days, or None when its formats leave no shape to read fast."""
    iso = spec.year_first or spec.serial  # where the full reader takes ``yyyy-mm-dd`` as year first
    dmy = spec.orders == ("dmy",)

    def done(year: int, month: int, day: int) -> Parsed | None:
        if not (1 <= month <= 12 and 1 <= day <= 31 and year >= EARLIEST_YEAR):
            return None
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return None
        if date in PLACEHOLDER_DATES or date > today:
            return None
        return Parsed(date, {"_quality": "exact"}, ())

    def read(text: str) -> Parsed | None:
        if dmy and (m := _FAST_DAY_FIRST.fullmatch(text)):
            return done(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if iso and (m := _FAST_YEAR_FIRST.fullmatch(text)):
            return done(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if spec.compact and (m := _FAST_COMPACT.fullmatch(text)):
            return done(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return None

    return read if iso or dmy or spec.compact else None


@dataclass(frozen=True)
class Habitual:
    """The habitual-01/01 reading of a column: whether its 01/01 dates tell only the year, and the share that decided
    it (``jan1/full (x %)``, kept for the record, not put in the cells' warnings: a reload whose first batch moved by a
    row must write the same warnings). Decided once for a whole column (see :func:`habitual_reading`) and kept, so
    every batch of a table — and a delta run's few changed rows — is read as the full load read it."""

    active: bool
    share: str


def habitual_reading(table: dict[Hashable, Parsed], counts: Counter[Hashable]) -> Habitual | None:
    """The column's reading from these cells; None when they hold too few full dates to decide."""
    full = jan1 = 0
    for cell, p in table.items():
        if p.extras.get("_quality") == "exact":
            full += counts[cell]
            if p.value.month == 1 and p.value.day == 1:
                jan1 += counts[cell]
    if full < HABITUAL_MIN_DATES:
        return None
    share = f"{jan1}/{full} ({jan1 / full:.1%})"
    return Habitual(jan1 >= HABITUAL_MIN_COUNT and jan1 / full >= HABITUAL_SHARE, share)


def apply_habitual(table: dict[Hashable, Parsed], reading: Habitual,
                   display: Callable[[Hashable], str] = str) -> dict[Hashable, Parsed]:
    """Column rule: when 01/01 is far too frequent, its dates only tell the year (quality ``year_only``)."""
    if not reading.active:
        return table
    out = dict(table)
    for cell, p in table.items():
        if p.extras.get("_quality") == "exact" and p.value.month == 1 and p.value.day == 1:
            cell_text = display(cell)
            note = warning(
                "habitual_0101",
                f"{shown(cell_text)}: cột này ghi 01/01 cho ít nhất {HABITUAL_SHARE:.0%} số ngày — thường là chỉ "
                f"biết năm; chỉ năm {p.value.year} được coi là đáng tin",
                f"{shown(cell_text)}: this column has 01/01 for at least {HABITUAL_SHARE:.0%} of its dates — usually "
                f"'year known only'; only {p.value.year} is trusted")
            out[cell] = Parsed(p.value, {"_quality": "year_only"}, p.problems + (note,))
    return out


def habitual_first_of_january(table: dict[Hashable, Parsed], counts: Counter[Hashable],
                              display: Callable[[Hashable], str] = str) -> dict[Hashable, Parsed]:
    """The rule decided from these cells alone and applied to them."""
    reading = habitual_reading(table, counts)
    return table if reading is None else apply_habitual(table, reading, display)
