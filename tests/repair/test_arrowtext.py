"""Legacy-typed cells of an Arrow column read back (what ``link persons`` does before linking); clean cells never.

The typed cells come from encoders this project did not write (tests/text/independent.py: glibc iconv, Python's
codecs, the VNI table written from its public description), shown as a legacy font shows them (the bytes read as
Windows-1252); the texts are the hand-written names and addresses and the official unit names.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.text.independent import encode_many, font_view, lines, texts, unit_names

from hopnhat.repair.arrowtext import SUSPECT, repair_dictionary, repair_text_column

ENCODINGS = ("tcvn3", "vni", "cp1258-decomposed", "viscii", "mojibake")
CLEAN = texts()
WORDS = sorted({w for line in CLEAN.vietnamese for w in line.replace(",", " ").split()})


def _typed(text: list[str], encoding: str) -> list[str]:
    return [font_view(r, encoding) for r in encode_many(text, encoding)]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_typed_cells_among_clean_ones_are_read_back(encoding: str) -> None:
    names = lines("names.txt") + lines("addresses.txt")
    typed = _typed(names, encoding)
    column = pa.chunked_array([pa.array(names + typed + CLEAN.ascii + [None])])
    out, rows = repair_text_column("full_name", column)
    got = out.to_pylist()
    assert got[:len(names)] == names and got[2 * len(names):] == CLEAN.ascii + [None]  # clean cells untouched
    read = got[len(names):2 * len(names)]
    changed = sum(t != w for t, w in zip(typed, names, strict=True))
    right = sum(r == w for r, w, t in zip(read, names, typed, strict=True) if t != w)
    assert rows == sum(r != t for r, t in zip(read, typed, strict=True))
    assert right >= 0.97 * changed, [(w, r) for r, w in zip(read, names, strict=True) if r != w][:10]


def test_a_clean_column_is_returned_as_it_is() -> None:
    column = pa.chunked_array([pa.array(CLEAN.vietnamese[:300]), pa.array(CLEAN.vietnamese[300:] + CLEAN.ascii)])
    out, rows = repair_text_column("address", column)
    assert rows == 0 and out is column


def test_the_dictionary_form_reads_the_distinct_values() -> None:
    names = unit_names(200)
    typed = _typed(names, "tcvn3")
    encoded = pc.dictionary_encode(pa.array((names + typed) * 3))
    out, rows = repair_dictionary("address", encoded)
    decoded = out.dictionary_decode().to_pylist()
    assert decoded[:len(names)] == names  # the Unicode twins are untouched
    assert rows == 3 * sum(t != n for t, n in zip(typed, names, strict=True))
    assert sum(d == n for d, n in zip(decoded[len(names):2 * len(names)], names, strict=True)) >= 0.97 * len(names)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6), st.sampled_from(["lower", "upper", "title", "as"]))
def test_vietnamese_words_are_never_suspect_or_changed(words: list[str], case: str) -> None:
    # any sequence of the hand-written texts' words, in any case: never read again (only ư+ơ pair marked vowels)
    text = " ".join(words)
    text = {"lower": text.lower(), "upper": text.upper(), "title": text.title(), "as": text}[case]
    column = pa.array([text])
    assert not pc.match_substring_regex(column, SUSPECT)[0].as_py(), text
    assert repair_text_column("full_name", column)[0].to_pylist() == [text]


def test_the_marked_vowels_are_vietnamese_s() -> None:
    from hopnhat.repair import arrowtext
    from hopnhat.text.legacy import vietnamese_letters

    letters = set(vietnamese_letters()) - set("đĐ")
    horned_u, horned_o = set(arrowtext._U_HORN), set(arrowtext._O_HORN)
    assert horned_u | horned_o | set(arrowtext._MARKED) == letters
    assert len(arrowtext._MARKED) + len(horned_u) + len(horned_o) == len(letters)
    assert all(c.lower() in "ưứừửữự" for c in horned_u) and all(c.lower() in "ơớờởỡợ" for c in horned_o)
