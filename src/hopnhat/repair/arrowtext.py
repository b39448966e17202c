"""Legacy-encoded cells of an Arrow text column read back, for a command that takes a list as it comes.

A clerk's list is often partly typed in a legacy font: ``NguyÔn V¨n Hïng`` (TCVN3), ``Nguyeãn Vaên An`` (VNI),
``NguyêÞn`` (Windows-1258), ``Nguyá»…n`` (UTF-8 read as Windows-1252). ``hopnhat link persons`` reads its name, sex and
address columns through :func:`repair_text_column` before it links them, so that such a record meets its Unicode
twin; the output keeps the cells as they were (``hopnhat repair`` writes a repaired copy).

Only the distinct cells that hold a sign of legacy bytes reach the engine (:mod:`hopnhat.repair.stage`, the one
``migrate`` and ``repair`` use, which never makes a cell worse): :data:`SUSPECT`, one regular expression run by Arrow
over the column's distinct values. A clean Unicode cell, even a misspelt one (``Phan Ngâ``), is never read again.
:data:`SUSPECT` matches
- a character no NFC Vietnamese text holds: C1 controls, Latin-1 symbols (TCVN3's ``¨ © ª « ¬ ® µ ¸``) and
  non-Vietnamese Latin-1 letters (``Ô`` is Vietnamese, ``ï ö ø û Ñ Þ`` are not), Windows-1252's extra letters
  (``Œ š ƒ ˜``), C0 controls (VISCII's and TCVN3's capitals on them), a combining mark left after NFC;
- VNI's two-character letters: a vowel followed by the Latin-1 character carrying its mark (``aê`` = ă, ``eã`` = ễ,
  ``aà`` = ầ, ``oâ`` = ô). None of these pairs occurs in Vietnamese (``oà``, ``oá``, ``oã`` do: ``Hoà``, ``Hoá``,
  ``Doãn``, and are left out);
- a Windows-1258 tone byte read as ``Ì ì Ò ò`` right after a vowel (``HuÌng`` = Hùng; ``thì``, ``ĐÌNH`` do not match);
- Windows-1252's quotes, dashes, ``…`` or ``€`` inside a word (TCVN3's and VISCII's capitals: ``TH‘``, ``NG–C``,
  ``TR…N``);
- two vowels with marks in a row, but ``ư`` + ``ơ`` (Windows-1258's ``ư ơ`` read as ``ý õ``: ``Dýõng`` = Dương);
- a Latin-1 capital inside a word in small letters (``PhÕm``, ``MÕnh``: VISCII's ``ạ``).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from pyarrow._compute import MatchSubstringOptions, SetLookupOptions, call_function

from hopnhat.io.arrowbuild import int32_array, string_array

_SYMBOLS = (r"\x{80}-\x{9f}\x{a1}-\x{bf}ÄÅÆÇËÎÏÐÑÖ×ØÛÜÞßäåæçëîïðñö÷øûüþÿŒœŠšŸŽžƒˆ˜‹›†‡‰"
            r"\x{01}-\x{08}\x{0b}\x{0c}\x{0e}-\x{1f}\x{300}-\x{36f}")
_VNI_PAIRS = r"(?i:a[ùõêéèúâáàã]|e[ùõâáàã]|o[ùõâ]|ô[ùõ]|u[ùõ]|y[ùõ])"
_CP1258_TONES = "[aeiouyâêôăơưAEIOUYÂÊÔĂƠƯ][ÌìÒò]"  # grave, acute, hook, dot below (the tilde is Þ, a symbol)
_PUNCTUATION = r"\x{2013}\x{2014}\x{2018}-\x{201e}\x{2020}-\x{2022}\x{2026}\x{2030}\x{2039}\x{203a}\x{20ac}\x{2122}"
_IN_WORD = rf"\pL[{_PUNCTUATION}]|[{_PUNCTUATION}]\pL"  # Windows-1252's quotes, dashes, € … inside a word


# The Vietnamese vowels with a mark, both cases (``text.legacy.vietnamese_letters`` but đ; tests/repair checks it):
# those of ư, those of ơ, and the others.
_U_HORN = "ưứừửữựƯỨỪỬỮỰ"
_O_HORN = "ơớờởỡợƠỚỜỞỠỢ"
_MARKED = ("áàảãạăắằẳẵặâấầẩẫậéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộúùủũụýỳỷỹỵ"
           "ÁÀẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬÉÈẺẼẸÊẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌÔỐỒỔỖỘÚÙỦŨỤÝỲỶỸỴ")
# two vowels with marks in a row: only ư (any tone) + ơ (any tone) is Vietnamese (``Dương``, ``Người``)
_TWO_MARKED = f"[{_MARKED}{_O_HORN}][{_MARKED}{_U_HORN}{_O_HORN}]|[{_U_HORN}][{_MARKED}{_U_HORN}]"
_CASE_INSIDE = "[a-zß-ÿ][À-Þ]|[A-ZÀ-Þ][À-Þ][a-zß-ÿ]"  # a Latin-1 capital inside a small word: ``PhÕm``, ``MÕnh``
SUSPECT = f"[{_SYMBOLS}]|{_VNI_PAIRS}|{_CP1258_TONES}|{_IN_WORD}|{_TWO_MARKED}|{_CASE_INSIDE}"


def _call(function: str, *args: Any, options: Any = None) -> Any:
    """One of Arrow's compute functions, without importing ``pyarrow.compute`` (``units convert`` keeps its start-up
    without it: :func:`hopnhat.units.column._call`)."""
    return call_function(function, list(args), options)


def _suspects(values: pa.Array | pa.ChunkedArray) -> Any:
    """Which values hold a sign of legacy bytes (:data:`SUSPECT`; null where the value is null: a filter drops it,
    a replacement keeps it null)."""
    return _call("match_substring_regex", values, options=MatchSubstringOptions(SUSPECT))


def _read_back(name: str, cells: list[str]) -> dict[str, str]:
    """The suspect cells the engine reads otherwise (cell → text); the engine is imported only here, when a column
    has suspects."""
    from hopnhat.repair.columns import map_column

    mapped = map_column(name, cells)
    return {c: str(mapped.final[c]) for c in cells if c in mapped.changed}


def repair_text_column(name: str, column: pa.ChunkedArray | pa.Array) -> tuple[pa.ChunkedArray | pa.Array, int]:
    """``column`` (text) with its legacy-encoded cells read as Unicode (see the module doc), and how many rows
    changed; the column itself when none did (or it is not text). The rows are tested in Arrow first; only the
    suspect rows' distinct values are decoded (a clean list of 1.4 M names costs one regular-expression pass)."""
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return column, 0  # (numbers read from Parquet: no text to read back)
    hits = _suspects(column)
    if not _call("any", hits).as_py():
        return column, 0
    whole = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    hits = hits.combine_chunks() if isinstance(hits, pa.ChunkedArray) else hits
    suspect = _call("dictionary_encode", _call("filter", whole, hits))
    cells = suspect.dictionary.to_pylist()
    changed = _read_back(name, cells)
    if not changed:
        return column, 0
    fixed = _call("take", string_array([changed.get(c, c) for c in cells]), suspect.indices)
    rows = sum(1 for i in suspect.indices.to_pylist() if cells[i] in changed)
    return _call("replace_with_mask", whole, hits, fixed), rows


def repair_dictionary(name: str, encoded: pa.DictionaryArray) -> tuple[pa.DictionaryArray, int]:
    """:func:`repair_text_column` of a dictionary-encoded column, tested and read on its distinct values (an address
    column: 65,329 distinct of 1.43 M rows); two values may read the same afterwards (the dictionary then holds the
    text twice)."""
    dictionary = encoded.dictionary
    hits = _suspects(dictionary)
    if not _call("any", hits).as_py():
        return encoded, 0
    cells = _call("filter", dictionary, hits).to_pylist()
    changed = _read_back(name, cells)
    if not changed:
        return encoded, 0
    values = dictionary.to_pylist()
    positions = [i for i, hit in enumerate(hits.to_pylist()) if hit and values[i] in changed]
    for i in positions:
        values[i] = changed[values[i]]
    indices = encoded.indices
    found = _call("is_in", indices, options=SetLookupOptions(int32_array(positions).cast(indices.type)))
    rows = int(_call("sum", found).as_py() or 0)
    return pa.DictionaryArray.from_arrays(indices, string_array(values)), rows
