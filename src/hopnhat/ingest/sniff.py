"""The delimiter of a CSV/TSV file, sniffed from its first bytes: standard library only, so that ``hopnhat repair``
reads a CSV file as the ingest stage does without loading the ingest readers (SQLAlchemy, openpyxl, Arrow)."""

from __future__ import annotations

import csv

CANDIDATES = ",;\t|"
SAMPLE_BYTES = 1 << 16


def _score(sample: str, delimiter: str) -> tuple[float, int]:
    """(share of records with as many fields as the first, fields of the first) — a delimiter that splits the header
    and every row alike wins."""
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may end inside a record
    records = [r for r in csv.reader(lines, delimiter=delimiter) if r]
    if not records or len(records[0]) < 2:
        return 0.0, 0
    width = len(records[0])
    return sum(len(r) == width for r in records) / len(records), width


def sniff_delimiter(sample: str, default: str) -> str:
    """The most consistent of ``, ; TAB |`` over the first lines; the default when none splits the header."""
    scores = {d: _score(sample, d) for d in CANDIDATES}
    best = max(CANDIDATES, key=lambda d: scores[d])
    return best if scores[best][1] else default
