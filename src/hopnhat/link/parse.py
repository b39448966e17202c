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

import pyarrow as pa
import pyarrow.compute as pc

from hopnhat.text.normalize import nfc
from hopnhat.values import parse_column
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
    encoded = pc.dictionary_encode(pc.cast(column, pa.string()))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    result = parse_column(kind, encoded.dictionary.to_pylist(), **options)  # type: ignore[arg-type]
    out = {"": pc.take(pa.array(result.values, _TYPES[kind]), encoded.indices)}
    for suffix, extra in result.extras.items():
        out[suffix] = pc.take(pa.array(extra, pa.string()), encoded.indices)
    return out


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
