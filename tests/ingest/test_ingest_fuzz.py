"""Hypothesis: random byte files (bad encodings, truncated rows, wrong delimiters, huge fields, binary junk) never make
a reader fail with anything but an InputError, and every record comes out exactly once."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.ingest.conftest import project_of

from hopnhat.errors import InputError
from hopnhat.ingest import read_table
from hopnhat.ingest.base import junk_message
from hopnhat.project.config import Project, SourceSpec, TableSpec

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])

_PIECES = st.sampled_from([b",", b";", b"\t", b"|", b'"', b'""', b"\r\n", b"\n", b"\r", b"\x00", b"\x1a", b"\xff",
                           b"\xd4", b"\xc3\xa0", b"\xe1\xbb", b"\xef\xbb\xbf", b" ", b"a", b"Nguy\xd4n", b"0123",
                           "Đà Nẵng".encode(), b"{", b"}", b"[", b"]", b":", b"\\"])
_CHUNKS = st.one_of(_PIECES, st.binary(max_size=12), st.builds(lambda n: b"x" * n, st.integers(20_000, 120_000)))
FILES = st.lists(_CHUNKS, max_size=60).map(b"".join)
HEADERS = st.sampled_from([b"id,name,note\r\n", b"id;name\n", b"", codecs.BOM_UTF8 + b"a,b\n", b'"x","y"\n'])


def _setup(base: Path, kind: str, name: str, data: bytes, **table: object) -> tuple[Project, SourceSpec, TableSpec]:
    (base / name).write_bytes(data)
    spec = {"name": "t", "path": name, "maps_to": "person", "columns": {"source_key": "id", "full_name": "name"},
            **table}
    project = project_of(base, [{"name": "fuzz", "system": "test", "kind": kind, "tables": [spec]}])
    return project, project.config.sources[0], project.config.sources[0].tables[0]


def _read(project: Project, source: SourceSpec, table: TableSpec) -> pa.Table | None:
    try:
        batches = list(read_table(project, source, table, batch_rows=7))
    except InputError:
        return None
    return pa.concat_tables(batches, promote_options="default")


def _csv_records(data: bytes, delimiter: str) -> list[int]:
    """Ordinals of the non-blank records after the header, as the csv module reads the same bytes."""
    text = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    records = list(csv.reader(io.StringIO(text.decode("latin-1"), newline=""), delimiter=delimiter))
    ordinals = [i for i, r in enumerate(records, start=1) if r]
    return ordinals[1:]


def _usable_header(data: bytes) -> bool:
    text = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    first = next((r for r in csv.reader(io.StringIO(text.decode("latin-1"), newline="")) if r), None)
    if first is None or not any(c.strip() for c in first):
        return False
    return junk_message("".join(first).encode("latin-1")) is None


@FUZZ
@given(header=HEADERS, body=FILES)
def test_csv_one_row_per_record(tmp_path: Path, header: bytes, body: bytes) -> None:
    data = header + body
    got = _read(*_setup(tmp_path, "csv", "f.csv", data, delimiter=","))
    expected = _csv_records(data, ",")
    if got is None:  # an InputError: only for a file without a usable header, nothing half-read
        assert not _usable_header(data)
        return
    assert got.column("_row").to_pylist() == expected
    assert all(len(r or "") <= 4000 for r in got.column("_raw").to_pylist())


@FUZZ
@given(header=HEADERS, body=FILES)
def test_csv_sniffed_rows_unique_and_increasing(tmp_path: Path, header: bytes, body: bytes) -> None:
    got = _read(*_setup(tmp_path, "csv", "f.csv", header + body))
    if got is not None:
        rows = got.column("_row").to_pylist()
        assert rows == sorted(set(rows)) and all(r >= 2 for r in rows)


@FUZZ
@given(lines=st.lists(st.one_of(FILES, st.builds(lambda d: json.dumps(d).encode(),
                                                 st.dictionaries(st.text(max_size=5), st.text(max_size=8),
                                                                 max_size=4))), max_size=20))
def test_ndjson_one_row_per_nonblank_line(tmp_path: Path, lines: list[bytes]) -> None:
    data = b"\n".join(lines)
    got = _read(*_setup(tmp_path, "ndjson", "f.ndjson", data))
    assert got is not None  # NDJSON has no header: every file reads
    physical = data.split(b"\n")
    nonblank = [i for i, line in enumerate(physical, start=1)
                if (line[3:] if i == 1 and line.startswith(codecs.BOM_UTF8) else line).strip()]
    assert got.column("_row").to_pylist() == nonblank


@FUZZ
@given(data=st.one_of(FILES, st.builds(lambda a, b: a + b, st.just(b"["), FILES)))
def test_json_and_explode_never_crash(tmp_path: Path, data: bytes) -> None:
    got = _read(*_setup(tmp_path, "json", "f.json", data))
    assert got is not None
    rows = got.column("_row").to_pylist()
    assert rows == list(range(1, len(rows) + 1))
    spec = {"maps_to": "dossier_history", "columns": {"explode": "h", "parent_key": "id"}}
    assert _read(*_setup(tmp_path, "ndjson", "g.ndjson", data, **spec)) is not None


@FUZZ
@given(data=FILES)
def test_excel_and_parquet_reject_junk_cleanly(tmp_path: Path, data: bytes) -> None:
    assert _read(*_setup(tmp_path, "excel", "f.xlsx", data)) is None
    assert _read(*_setup(tmp_path, "parquet", "f.parquet", data)) is None
