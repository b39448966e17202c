"""Raw person columns (as a clerk's Excel list or a legacy export has them) → the typed values linkage compares.

The pipeline parses values while loading; ``hopnhat link persons`` and the truth-built test stores parse here with the
same parser (:func:`hopnhat.values.parse_column`), so a date, an ID or a phone means the same thing everywhere.
Dates accept the forms legacy lists use (dd/mm/yyyy, ISO, a year alone, Excel serials).
"""

from __future__ import annotations

import pyarrow as pa

from hopnhat.values import parse_column

DATE_FORMATS = ("dd/mm/yyyy", "yyyy-mm-dd", "yyyy", "excel_serial", "dd-mm-yyyy", "dd.mm.yyyy", "yyyymmdd")
_FIELDS = (("full_name", "text", "full_name"), ("birth_date", "date", "dob"), ("sex", "sex", "sex"),
           ("id_number", "id_number", "id_number"), ("phone", "phone", "phone"))


def parse_people(raw: pa.Table) -> dict[str, list[object]]:
    """Store columns (``full_name``, ``birth_date`` + ``_quality``, ``sex``, ``id_number`` + ``_kind``, ``phone``)
    from raw columns ``full_name``, ``dob``, ``sex``, ``id_number``, ``phone`` (unusable cells become empty)."""
    out: dict[str, list[object]] = {}
    for field, kind, column in _FIELDS:
        options = {"formats": list(DATE_FORMATS)} if kind == "date" else {}
        result = parse_column(kind, raw.column(column).to_pylist(), **options)
        out[field] = list(result.values)
        for suffix, extra in result.extras.items():
            out[field + suffix] = list(extra)
    return out
