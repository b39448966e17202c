"""What the bulk converter remembers, and that remembering less changes no answer: a column's rows are not kept by
raw ending, a suffix key is looked up only in sizes some row was kept under, a segment's words are kept from its
second reading on, and the quick validity check says "valid" only where the full checks do."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.units.test_speed_paths import ENDINGS, PREFIXES

from hopnhat.units import bulk, column, tokens
from hopnhat.units.convert import _checked_reason, convert_address, invalid_reason


def _values(seed: int, n: int) -> list[object]:
    """Addresses of every shape the bulk converter meets: raw endings shared by many, no ending, dashes, one
    segment, invalid values."""
    rng = random.Random(seed)
    values: list[object] = [f"{rng.choice(PREFIXES)} {i}, {rng.choice(ENDINGS)}" for i in range(n)]
    values += [rng.choice(ENDINGS) for _ in range(n // 4)]
    values += [None, "", 12, "\x01\x02\x03 Hải Châu, Đà Nẵng", "Số 1,\tPhường Hải Châu I, Quận Hải Châu, Đà Nẵng"]
    return list(dict.fromkeys(values))


def test_a_columns_rows_are_not_kept_by_raw_ending():
    """A column converts one value per raw ending: rows kept by raw ending would never be read again."""
    values = [f"Số {i}, Xã Phú Lộc, Huyện Nho Quan, Tỉnh Ninh Bình" for i in range(50)]
    table = column.convert_column(values)
    assert bulk._LAST[0].raw == {} and bulk._LAST[0].by_raw is False
    assert table.column("new_commune_code").to_pylist() == [convert_address(v).new_commune_code for v in values]
    bulk.convert_distinct(values)  # a list of values (the pipeline's): endings repeat, rows are kept by them
    assert bulk._LAST[0].by_raw is True and len(bulk._LAST[0].raw) == 1


def test_rows_are_the_same_whether_kept_by_raw_ending_or_not():
    values = _values(3, 1500)
    kept = bulk.convert_entries(values)
    assert bulk.convert_entries(values, endings_repeat=False) == kept
    assert kept[0] == [bulk._as_row(convert_address(v)) for v in values]


def test_forked_shares_without_raw_endings_equal_one_process(monkeypatch):
    values = _values(4, 1200)
    one = bulk.convert_entries(values)
    monkeypatch.setattr(bulk, "_PARALLEL_MIN", 100)
    monkeypatch.setattr(bulk, "_workers", lambda: 3)
    assert bulk.convert_entries(values, endings_repeat=False) == one


def test_suffix_sizes_noted_are_those_kept():
    """``lengths`` notes each size of key (segments, no word before them) that a row was kept under, and no other:
    a key of another size is not looked up, and every row is still the one the address alone converts to."""
    suffixes = bulk._Suffixes()
    assert suffixes.lengths == 0
    for value in _values(5, 600) + ["Đà Nẵng", "Hải Châu, Đà Nẵng", "Tổ 4 - Phường Lâm Viên - Đà Lạt"]:
        assert suffixes.entry(value)[0] == bulk._as_row(convert_address(value)), value
    kept = {2 * (len(key) - 1) + (key[0] is True) for key in suffixes.rows}
    assert {bit for bit in range(62) if suffixes.lengths >> bit & 1} == kept
    assert len(kept) > 2  # one, two and three segments, with and without a word before them


def test_a_segments_words_are_kept_from_its_second_reading():
    """Most segments read first are communes met once: their tokens are not kept for nothing."""
    piece = " Xã Chưa Từng Gặp Ở Đâu Cả"
    once = tokens.tokenize_segments([piece, "Huyện X"])[1]
    assert piece in tokens._READ_ONCE and piece not in tokens._WORDS
    twice = tokens.tokenize_segments([piece, "Huyện Y"])[1]
    assert piece in tokens._WORDS
    words = [t for t in once if t.segment == 0]
    assert list(map(repr, words)) == [repr(t) for t in twice if t.segment == 0]  # made again, then kept
    later = tokens.tokenize_segments(["Số 1", piece])[1]  # as a later segment: the same words, numbered on
    assert [(t.key, t.accented, t.start, t.end, t.segment) for t in later if t.segment == 1] == \
        [(t.key, t.accented, t.start, t.end, 1) for t in words]


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.text(alphabet=st.sampled_from(["a", "Đ", "1", " ", ",", "\t", "\n", "\r", "\x00", "\x1f", "\x7f",
                                                  "\x85", "\x9f", "\xa0", "\u200b", "\u2028", "\ufffd", "\ue000",
                                                  "_", "(", "ử"]), max_size=12),
                 st.text(max_size=12), st.text(min_size=495, max_size=505, alphabet="ab ")))
def test_the_quick_validity_check_agrees_with_the_full_checks(value):
    assert invalid_reason(value) == _checked_reason(value)
