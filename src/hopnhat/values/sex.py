"""Sex (giới tính) as ``"M"`` or ``"F"``.

Words, with or without diacritics and in any case: Nam, Nữ/Nu, Trai/Gái, Ông/Bà, M/F, male/female, Nam giới/Nữ giới.

Digit conventions, both common in Vietnamese databases:

- *bit*: 1 = Nam, 0 = Nữ (a boolean ``GioiTinh`` column);
- *ISO 5218* (also the national population database): 1 = Nam, 2 = Nữ, 0 = not known, 9 = not applicable.

``1`` is male in both and ``2`` female. ``0`` is read as female (bit convention) unless the same column also holds
``2``: then the column follows ISO 5218 and ``0`` means "not known" — an error ``ambiguous_sex`` (a column rule,
applied by :func:`hopnhat.values.parse_column`). A column using another code (e.g. 0 = Nam, 1 = Nữ, as the CCCD's
century digit does) must say so with ``values: {"0": "Nam", "1": "Nữ"}``: the mapping is looked up first, and with a
mapping, digits are read only through it (words still are understood).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable

from hopnhat.errors import ConfigError
from hopnhat.text.normalize import fold
from hopnhat.values.core import Options, Parsed, Problem, error, failed, shown

WORDS: dict[str, str] = {
    **dict.fromkeys(("nam", "m", "male", "man", "trai", "con trai", "be trai", "ong", "nam gioi", "1"), "M"),
    **dict.fromkeys(("nu", "f", "female", "woman", "gai", "con gai", "be gai", "ba", "nu gioi", "0", "2"), "F"),
}
_PUNCT = re.compile(r"[.:;()\[\]\"']+")


def key(text: str) -> str:
    """The comparison key of a cell: no diacritics, lower case, no punctuation, single spaces."""
    return " ".join(_PUNCT.sub(" ", fold(text).lower()).split())


def _mapped(mapping: dict[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    """The ``values`` option as exact and folded lookups to M/F; a target that is no sex is a config error."""
    exact: dict[str, str] = {}
    for local, target in mapping.items():
        word = key(str(target))
        sex = str(target) if str(target) in ("M", "F") else None if word.isdigit() else WORDS.get(word)
        if sex is None:
            raise ConfigError(f"values: {target!r} is not a sex (Nam/Nữ, M/F)", column="sex", value=local)
        exact[str(local).strip()] = sex
    return exact, {key(k): v for k, v in exact.items()}


def _unknown(text: str) -> Problem:
    return error("unknown_sex", f"Không hiểu giới tính {shown(text)} (cần Nam/Nữ, M/F, 1/2)",
                 f"Cannot read sex {shown(text)} (expected Nam/Nữ, M/F, 1/2)")


def sex_parser(opts: Options) -> Callable[[str], Parsed]:
    exact, folded = _mapped(opts.mapping) if opts.mapping else ({}, {})

    def parse(text: str) -> Parsed:
        k = key(text)
        sex = exact.get(text.strip()) or folded.get(k) or (None if exact and k.isdigit() else WORDS.get(k))
        if sex is None and re.fullmatch(r"(nam|nu)\s*[/\-,]\s*(nam|nu)", k):
            return failed(error("ambiguous_sex", f"Giới tính {shown(text)} ghi cả hai",
                                f"Sex {shown(text)} names both"))
        return Parsed(sex) if sex else failed(_unknown(text))

    return parse


def iso_zero_rule(table: dict[Hashable, Parsed], opts: Options,
                  display: Callable[[Hashable], str] = str) -> dict[Hashable, Parsed]:
    """Column rule: ``0`` beside ``2`` means ISO 5218 "not known", not female."""
    if opts.values is not None:
        return table
    keys = {cell: key(display(cell)) for cell in table}
    if "2" not in keys.values() or "0" not in keys.values():
        return table
    out = dict(table)
    for cell, k in keys.items():
        if k == "0":
            shown_cell = shown(display(cell))
            out[cell] = failed(error(
                "ambiguous_sex",
                f"Giới tính {shown_cell}: cột này dùng 1 = Nam, 2 = Nữ (ISO 5218), nên 0 nghĩa là 'không rõ'",
                f"Sex {shown_cell}: this column uses 1 = male, 2 = female (ISO 5218), so 0 means 'not known'"))
    return out
