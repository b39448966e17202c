"""Raw person columns (as a clerk's Excel list or a legacy export has them) → the typed values linkage compares.

The pipeline parses values while loading; ``hopnhat link persons`` and the truth-built test stores parse here with the
same parser (:func:`hopnhat.values.parse_column`), so a date or a sex means the same thing everywhere. Dates accept
the forms legacy lists use (dd/mm/yyyy, ISO, a year alone, Excel serials).

A million-row list is parsed by *distinct* cell (names, dates and sexes repeat a lot) and kept in Arrow, never as a
Python object per row. ID numbers and phones are nearly unique per row: with ``identifiers=False`` they are passed
through as written and normalised in SQL with the features (digits only; the kind from the length; placeholders and
``+84``/``84`` forms handled as :mod:`hopnhat.values` and :mod:`hopnhat.link.ids` do).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Hashable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hopnhat.text.normalize import nfc
from hopnhat.values import dates, parse_column
from hopnhat.values.core import Parsed
from hopnhat.values.text import clean

DATE_FORMATS = ("dd/mm/yyyy", "yyyy-mm-dd", "yyyy", "excel_serial", "dd-mm-yyyy", "dd.mm.yyyy", "yyyymmdd")
# The invisible characters :func:`hopnhat.values.text.clean` removes (tests/link/test_link_parse.py checks the two
# agree): a name without them is cleaned by NFC and strip alone, without clean's per-character translate.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# Text that cleaning leaves as it is: printable ASCII, Latin-1 and Latin Extended-A/B and the Vietnamese letters
# (U+1E00-U+1EFF), none of them a combining mark or a character NFC changes (each has NFC quick check Yes and
# combining class 0, so any string of them is NFC), neither end a space (the only two of them ``str.strip`` removes
# are U+0020 and U+00A0). Checked over every such character in tests/link/test_link_parse.py.
PLAIN_ENDS = "!-~\u00a1-\u024f\u1e00-\u1eff"
PLAIN_TEXT = f"^[{PLAIN_ENDS}](?:[ \u00a0{PLAIN_ENDS}]*[{PLAIN_ENDS}])?$"
_TYPES = {"text": pa.string(), "date": pa.date32(), "sex": pa.string(), "id_number": pa.string(),
          "phone": pa.string()}


def parse_distinct(kind: str, column: pa.ChunkedArray | pa.Array,
                   **options: object) -> dict[str, pa.Array | pa.ChunkedArray]:
    """Parse each distinct cell once; the value (key ``""``) and its extra columns (by suffix), row-aligned. Text
    without a value table is :func:`hopnhat.values.text.clean` (NFC, invisible characters removed, stripped; empty is
    none), called directly: the column parser's per-cell records cost twice the cleaning (223,000 distinct names of a
    million records: 1.97 → 0.82 CPU-s, the same values; clean's translate only where a name holds an
    invisible character)."""
    if kind == "text" and not options:
        return {"": _clean_text(pc.cast(column, pa.string()))}
    if kind == "date" and set(options) <= {"formats", "today"}:
        return _parse_dates(column, **options)  # type: ignore[arg-type]
    encoded = pc.dictionary_encode(pc.cast(column, pa.string()))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    result = parse_column(kind, encoded.dictionary.to_pylist(), **options)  # type: ignore[arg-type]
    out = {"": pc.take(pa.array(result.values, _TYPES[kind]), encoded.indices)}
    for suffix, extra in result.extras.items():
        out[suffix] = pc.take(pa.array(extra, pa.string()), encoded.indices)
    return out


# The shapes :func:`hopnhat.values.dates._fast_date` reads (ASCII digits: RE2's ``\\d``), by the spec that reads them.
_DAY_FIRST = r"^(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})$"
_YEAR_FIRST = r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})$"
_COMPACT = r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$"
_NOT_DECIDED = dates.Habitual(False, "")  # the column parser's 01/01 rule left to :func:`_parse_dates`


def _parse_dates(column: pa.ChunkedArray | pa.Array, formats: list[str] | None = None,
                 today: dt.date | None = None) -> dict[str, pa.Array]:
    """What the date parser gives each distinct cell (value and ``_quality``), the column's 01/01 rule included: the
    plain days its fast reader answers (:func:`hopnhat.values.dates._fast_date`: ``12/05/1990``, ``1990-05-12``,
    ``19900512``, an exact day in range) read by Arrow and numpy over the distinct cells, the others by the parser
    (86,425 distinct dates of 1 M blind people, all but 93 plain)."""
    today = today or dt.date.today()
    encoded = pc.dictionary_encode(pc.cast(column, pa.string()))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    cells = encoded.dictionary
    day, plain = _plain_days(cells, dates.DateSpec.of(tuple(formats) if formats else None, False), today)
    rest = np.flatnonzero(~plain)
    parsed = parse_column("date", cells.take(pa.array(rest, pa.int64())).to_pylist(), formats=formats, today=today,
                          habitual=_NOT_DECIDED)
    read = pa.array(parsed.values, pa.date32())
    day[rest] = pc.fill_null(read.cast(pa.int32()), 0).to_numpy(zero_copy_only=False)
    valid = plain.copy()
    valid[rest] = read.is_valid().to_numpy(zero_copy_only=False)
    quality = np.full(len(cells), "exact", object)
    quality[rest] = parsed.extras["_quality"]
    _first_of_january(day, quality)
    values = pa.Array.from_buffers(pa.date32(), len(day), [pa.array(valid).buffers()[1], pa.py_buffer(day)])
    return {"": pc.take(values, encoded.indices),
            "_quality": pc.take(pa.array(quality, pa.string()), encoded.indices)}


def _plain_days(cells: pa.Array, spec: dates.DateSpec, today: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970 (int32) of the cells the fast reader answers, and which those are."""
    shapes = ([_DAY_FIRST] if spec.orders == ("dmy",) else []) + ([_YEAR_FIRST] if spec.year_first or spec.serial
                                                                 else []) + ([_COMPACT] if spec.compact else [])
    year, month, day = (np.zeros(len(cells), np.int64) for _ in range(3))
    for shape in shapes:  # one shape a cell at most
        found = pc.extract_regex(cells, shape)
        there = found.is_valid().to_numpy(zero_copy_only=False)
        for part, into in (("year", year), ("month", month), ("day", day)):
            into[there] = pc.cast(found.field(part).filter(found.is_valid()), pa.int64()).to_numpy()
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    length = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month - 1, 0, 11)] \
        + ((month == 2) & leap)
    plain = (month >= 1) & (month <= 12) & (day >= 1) & (day <= length) & (year >= dates.EARLIEST_YEAR)
    months = ((np.where(plain, year, 1970) - 1970) * 12 + np.where(plain, month, 1) - 1).astype("datetime64[M]")
    days = (months.astype("datetime64[D]") + np.where(plain, day - 1, 0)).astype(np.int64)
    epoch = dt.date(1970, 1, 1)
    placeholders = [(d - epoch).days for d in dates.PLACEHOLDER_DATES]
    plain &= ~np.isin(days, placeholders) & (days <= (today - epoch).days)
    return np.where(plain, days, 0).astype(np.int32), plain


def _first_of_january(day: np.ndarray, quality: np.ndarray) -> None:
    """The column rule (:func:`hopnhat.values.dates.habitual_reading`, decided on the distinct cells as the column
    parser decides it here) applied in place: when 01/01 is far too frequent among the exact days, those tell the
    year only."""
    if len(day) < dates.HABITUAL_MIN_DATES:
        return
    exact = quality == "exact"
    moment = day.astype("datetime64[D]")
    jan1 = exact & (moment == moment.astype("datetime64[Y]").astype("datetime64[D]"))
    full, first = int(np.count_nonzero(exact)), int(np.count_nonzero(jan1))
    seen: dict[Hashable, Parsed] = {"other": Parsed(dt.date(2000, 2, 2), {"_quality": "exact"}),
            "jan1": Parsed(dt.date(2000, 1, 1), {"_quality": "exact"})}
    reading = dates.habitual_reading(seen, Counter({"other": full - first, "jan1": first}))
    if reading is not None and reading.active:
        quality[jan1] = "year_only"


def _clean_text(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """What the text parser does without a value table, minus its bookkeeping: the :data:`PLAIN_TEXT` cells as they
    are (one regular expression over the column: all of a million names, 1.45 M records: 1.2 → 0.1 CPU-s), the others
    cleaned once per distinct cell."""
    odd = pc.invert(pc.fill_null(pc.match_substring_regex(column, PLAIN_TEXT), True))  # null cells stay null
    if not pc.any(odd).as_py():
        return column  # as read: chunks, not copied into one
    if isinstance(column, pa.ChunkedArray):
        column, odd = column.combine_chunks(), odd.combine_chunks()
    return pc.replace_with_mask(column, odd, _clean_distinct(column.filter(odd)))


def _clean_distinct(cells: pa.Array) -> pa.Array:
    """:func:`hopnhat.values.text.clean` of each distinct cell once (no nulls); empty is none."""
    encoded = pc.dictionary_encode(cells)
    invisible = pc.match_substring_regex(encoded.dictionary, f"[{INVISIBLE}]").to_pylist()
    cleaned = [(clean(cell) if hidden else nfc(cell).strip()) or None
               for cell, hidden in zip(encoded.dictionary.to_pylist(), invisible, strict=True)]
    return pc.take(pa.array(cleaned, pa.string()), encoded.indices)


def parse_people(raw: pa.Table, identifiers: bool = True) -> dict[str, pa.Array | pa.ChunkedArray]:
    """Store columns (``full_name``, ``birth_date`` + ``_quality``, ``sex``, ``id_number`` + ``_kind``, ``phone``)
    from raw columns ``full_name``, ``dob``, ``sex``, ``id_number``, ``phone`` (unusable cells become empty)."""
    out: dict[str, pa.Array | pa.ChunkedArray] = {}
    fields = [("full_name", "text", "full_name"), ("birth_date", "date", "dob"), ("sex", "sex", "sex")]
    if identifiers:
        fields += [("id_number", "id_number", "id_number"), ("phone", "phone", "phone")]
    else:
        out["id_number"] = pc.cast(raw.column("id_number"), pa.string())  # as read: chunks, not copied into one
        out["phone"] = pc.cast(raw.column("phone"), pa.string())
    for field, kind, column in fields:
        options = {"formats": list(DATE_FORMATS)} if kind == "date" else {}
        for suffix, values in parse_distinct(kind, raw.column(column), **options).items():
            out[field + suffix] = values
    return out
