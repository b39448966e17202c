"""The Arrow path of a column (``hopnhat.units.column``) answers like one address at a time: its raw endings are the
Python rule's, rows grouped by an ending share a row only when that ending decided it, and the second round converts
the others one by one."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections import Counter

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from hopnhat.io.arrowbuild import python_strings, string_array
from hopnhat.units import bulk, column
from hopnhat.units.convert import convert_address

_PIECES = st.sampled_from([",", ", ", ";", "|", "\n", " - ", "-", " ", "a", "Đ", "ố", "1", "Xã Hòa Tiến", "Tỉnh",
                           "T.P", "\x01", "\ufffd", "_", ".", "ĐÀ NẴNG", "e\u0301"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_arrow_endings_follow_the_python_rule(text):
    """Where Arrow finds an ending it is the Python one (less its comma); where it finds none, the text is left to
    the Python checks whole (no ending, or possibly invalid)."""
    found = column.raw_endings(string_array([text])).to_pylist()[0]
    python = bulk.raw_ending(text)
    if found is not None:
        assert python == "," + found
    elif python is not None:
        assert "\x01" in text or "\ufffd" in text  # doubtful text: the Python checks read it whole


def _rows(table: pa.Table) -> list[tuple[object, ...]]:
    return list(zip(*(table.column(n).to_pylist() for n in bulk.RESULT_COLUMNS)))


def test_an_ending_after_no_word_is_read_alone():
    """``,Quang Namm`` has nothing before its province (a lone typo is not forgiven); ``Thôn 3, Quang Namm`` does:
    whichever comes first, neither answers for the other (nor do prefixes of punctuation only)."""
    values = [",Quang Namm", "Thôn 3, Quang Namm", ". , Quang Namm", "- ,Quang Namm", "Thôn 3,  Quang Namm",
              " , , Thôn 3, Quang Namm, Việt Nam"]
    for ordered in (values, values[::-1]):
        expected = [bulk._as_row(convert_address(v)) for v in ordered]
        assert _rows(column.convert_column(ordered)) == expected
        suffixes = bulk._Suffixes()
        assert [suffixes.row(v) for v in ordered] == expected
    assert "Quảng Nam" in convert_address("Thôn 3, Quang Namm").reason
    assert "Quảng Nam" not in convert_address(",Quang Namm").reason


def test_endings_decided_further_left_go_to_a_second_round():
    """``…, Đà Nẵng, Việt Nam, 550000`` ends in noise: its row depends on what comes before the ending, so the
    addresses sharing it are converted one by one (the planned total grows once), all but the representative,
    whose own row is known already."""
    values = [f"{commune}, Đà Nẵng, Việt Nam, 550000" for commune in ("Phường Hải Châu I, Quận Hải Châu",
                                                                       "Xã Hòa Liên, Huyện Hòa Vang", "Thôn 2", "Số 7")]
    totals: list[int] = []
    table = column.convert_column(values * 2, on_total=totals.append)
    assert _rows(table) == [bulk._as_row(convert_address(v)) for v in values * 2]
    assert len({row[0] for row in _rows(table)}) > 1  # the same ending, different answers
    assert totals == [1, 1 + len(values) - 1]


def test_an_address_of_three_segments_is_read_whole_in_the_first_round():
    """``Xã A, Huyện B, Tỉnh C`` has no raw ending: shared with other communes of the district, the ending of its
    last two segments never decides (the commune before it does), so each distinct address is converted once in the
    first round (on all cores), and none waits for a second round."""
    values = [f"{commune}, Huyện Hòa Vang, Thành phố Đà Nẵng" for commune in ("Xã Hòa Liên", "Xã Hòa Ninh",
                                                                          "Xã Hòa Bắc", "Xã Hòa Phú")]
    assert [bulk.raw_ending(v) for v in values] == [None] * len(values)
    assert column.raw_endings(string_array(values)).to_pylist() == [None] * len(values)
    totals: list[int] = []
    table = column.convert_column(values * 2, on_total=totals.append)
    assert _rows(table) == [bulk._as_row(convert_address(v)) for v in values * 2]
    assert len({row[2] for row in _rows(table)}) > 1  # one district, different communes
    assert totals == [len(values)]


def test_columns_of_other_types_and_mixed_lists():
    values = [12, None, True, 1, 2.5, "Xã Hòa Liên, Huyện Hòa Vang, Đà Nẵng", "", ["Hải Châu"]]
    assert _rows(column.convert_column(values)) == [bulk._as_row(convert_address(v)) for v in values]
    numbers = pa.chunked_array([pa.array([1, 2, None], pa.int64())])
    assert [r[0] for r in _rows(column.convert_column(numbers))] == ["invalid"] * 3
    empty = column.convert_column(pa.chunked_array([], pa.string()))
    assert empty.num_rows == 0 and empty.column_names == list(bulk.RESULT_COLUMNS)


def test_conversion_leaves_no_cyclic_garbage():
    """The collector is paused while a column converts (see bulk._gc_paused): that is safe only while conversion
    makes no reference cycles."""
    values = [f"Số {i}, Thôn {i % 7}, Xã Hòa Liên, Huyện Hòa Vang, Đà Nẵng" for i in range(300)]
    values += ["Thôn 3, Quang Namm", "P. 1, Q. 3, TP HCM", "Xã Ga i, Huyện Tây Giang", "x" * 600, "Quảng Nạm"]
    gc.collect()
    gc.disable()
    try:
        bulk._rows(values)
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_chunked_and_large_string_columns_answer_like_one_by_one():
    """A big CSV reaches the converter in several chunks; a Parquet file may hold large_string: same answers."""
    values: list[str | None] = [f"Số {i}, Tổ {i % 3}, P.Phước Ninh, Q.Hải Châu, TP.Đà Nẵng" for i in range(40)]
    values += ["thon 3 xa tra bui huyen tra bong tinh quang ngai", None, "", "Hải Châu", "Số 1, , , Quảng Nam"]
    expected = [bulk._as_row(convert_address(v)) for v in values]
    chunked = pa.chunked_array([string_array(values[:17]), string_array(values[17:])])
    assert _rows(column.convert_column(chunked)) == expected
    large = pa.chunked_array([string_array(values)]).cast(pa.large_string())
    assert _rows(column.convert_column(large)) == expected


def test_a_number_column_from_parquet_is_rejected_row_by_row(tmp_path):
    import pyarrow.parquet as pq

    src, dst = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table({"id": pa.array([1, 2, 3]), "so": pa.array([700000, None, 12], pa.int64())}), src)
    column.convert_file(src, "so", dst)
    out = pq.read_table(dst)
    assert out.column("status").to_pylist() == ["invalid"] * 3
    assert out.column("reason").to_pylist() == [convert_address(v).reason for v in (700000, None, 12)]
    assert out.column("so").to_pylist() == [700000, None, 12]


def test_a_second_round_imports_no_pandas():
    """Telling the representatives apart in the second round must not import pandas (a boolean array's
    ``to_numpy`` does: a fifth of a second of a command whose budget is two): checked in a fresh process."""
    script = ("import sys\nfrom hopnhat.units import column\n"
              "values = [f'{c}, Đà Nẵng, Việt Nam, 550000' for c in ('Xã Hòa Liên, Huyện Hòa Vang', 'Thôn 2')]\n"
              "column.convert_column(values * 2)\nprint('pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_column_converts_without_numpy_and_without_pyarrow_compute():
    """``hopnhat units convert`` may load Arrow without NumPy (half of Arrow's import) and calls compute functions
    without ``pyarrow.compute`` (a quarter of it): the column path, the second round and the summary's counts use
    neither. Checked in a fresh process where NumPy cannot be imported."""
    script = ("import sys\nsys.modules['numpy'] = None\nimport pyarrow\nfrom hopnhat.units import column\n"
              "values = [f'{c}, Đà Nẵng, Việt Nam, 550000' for c in ('Xã Hòa Liên, Huyện Hòa Vang', 'Thôn 2')]\n"
              "values += ['Xã Hòa Tiến, Huyện Hòa Vang, Đà Nẵng', None, 'x']\n"
              "table = column.convert_column(values * 2)\n"
              "print(table.num_rows, sorted(column.status_counts(table.column('status')).items()),\n"
              "      'pyarrow.compute' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    expected = sorted(Counter(convert_address(v).status for v in [
        "Xã Hòa Liên, Huyện Hòa Vang, Đà Nẵng, Việt Nam, 550000", "Thôn 2, Đà Nẵng, Việt Nam, 550000",
        "Xã Hòa Tiến, Huyện Hòa Vang, Đà Nẵng", None, "x"] * 2).items())
    assert done.stdout.strip() == f"10 {expected} False"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=8), max_size=12), st.integers(0, 3), st.booleans())
def test_python_strings_are_to_pylist(texts, skip, large):
    """The column's values come to Python decoded at once and cut by length: as ``to_pylist`` gives them, also for
    a slice, a ``large_string`` array, astral characters and empty strings."""
    values = string_array(texts)
    values = values.cast(pa.large_string()) if large else values
    values = values.slice(min(skip, len(texts)))
    assert python_strings(values) == values.to_pylist()
    with_null = string_array([*texts, None])
    assert python_strings(with_null) == with_null.to_pylist()
