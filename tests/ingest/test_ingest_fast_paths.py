"""The quick ways cells are made give exactly what the general ways give."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st

from hopnhat.ingest.cells import cell_text
from hopnhat.ingest.jsonfile import _raw, ndjson_records
from hopnhat.text.cells import as_text
from hopnhat.text.legacy import cp1252_view


@given(st.binary(max_size=64))
def test_as_text_of_non_utf8_bytes_is_the_cp1252_view(data: bytes) -> None:
    try:
        expected = data.decode("utf-8")
    except UnicodeDecodeError:
        expected = cp1252_view(data)
    assert as_text(data) == expected


def test_every_byte_reads_as_cp1252_view() -> None:
    every = bytes(range(256))
    assert as_text(every) == cp1252_view(every)


@given(st.binary(max_size=32))
def test_bytes_cells_read_as_text(data: bytes) -> None:
    assert cell_text(data) == (as_text(data) or None)


@given(st.lists(st.text(max_size=20), min_size=1, max_size=5))
def test_utf8_lines_give_the_same_records_as_the_lossless_path(values: list[str]) -> None:
    import json

    lines = [json.dumps({"a": v}, ensure_ascii=False) for v in values]
    lines.append('{"b": "\\ud800"}')
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    records = list(ndjson_records(io.BytesIO(data)))
    for rec, line in zip(records, data.split(b"\n"), strict=True):
        raw, _ = _raw(line.decode("utf-8", "surrogateescape"))
        assert rec.raw == raw
    assert records[-1].error is not None and "undecodable" in records[-1].error
