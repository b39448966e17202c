"""hopnhat.link.standalone: the input columns as the model reads them, whatever the chunks of the Arrow table."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from hopnhat.link.standalone import _blank_is_empty, link_people, round6


def test_blank_cells_of_a_sliced_chunk_become_empty() -> None:
    # a Parquet row group read as several chunks: each a slice of the group's buffers (offset > 0)
    cells = ["An", "", " ", "\u3000\t", None, " Bình ", "x"]
    whole = pa.array(cells * 3, pa.string())
    for part in (whole, whole.slice(5), whole.slice(9, 7)):
        found = _blank_is_empty(part)
        found.validate(full=True)
        expected = [None if c is not None and not c.strip() else c for c in part.to_pylist()]
        assert found.to_pylist() == expected


def test_a_table_read_in_chunks_links_as_in_one(tmp_path: object) -> None:
    names = ["Nguyễn Văn An", "Nguyen Van An", "Trần Thị Bình", " ", "Lê Hoà", "Le Hoa"] * 10
    dobs = ["1990-01-02", "02/01/1990", "1985-05-05", "", "1970-03-04", " "] * 10
    table = pa.table({"full_name": names, "dob": dobs, "address": ["", "Phường Hải Châu, Đà Nẵng", " "] * 20})
    path = f"{tmp_path}/list.parquet"
    pq.write_table(table, path, row_group_size=16)
    chunked = pq.read_table(path)
    assert chunked.column("full_name").num_chunks > 1
    assert link_people(chunked, threads=1).table.equals(link_people(table, threads=1).table)


@given(st.lists(st.one_of(st.floats(0.0, 1.0), st.integers(0, 2_000_000).map(lambda k: (k + 0.5) / 1e6),
                          st.floats(0.0, 1e3), st.floats(allow_nan=False, allow_infinity=False)), max_size=50))
def test_the_probabilities_are_rounded_as_python_rounds(values: list[float]) -> None:
    # the output's match_probability: round(p, 6), bit for bit, also at the halves
    found = round6(np.array(values, np.float64))
    assert found.tolist() == [round(v, 6) for v in values]
    assert all(a.hex() == round(v, 6).hex() for a, v in zip(found.tolist(), values, strict=True))


def test_record_ids_are_the_zero_padded_row_numbers() -> None:
    from hopnhat.link.standalone import record_ids

    for n in (0, 1, 9, 10, 1000, 123_457):
        ids = record_ids(n)
        ids.validate(full=True)
        assert ids.type == pa.string() and ids.to_pylist() == [f"row:{i:09d}" for i in range(1, n + 1)]
