"""How people type an address: variants of a (commune, district, province) triple, written apart from hopnhat.synth.

The styles follow what public descriptions of Vietnamese address entry and real exported lists show: the official
full names; the usual abbreviations (``P.``, ``Q.``, ``TX.``, ``TP.``, ``TT.``, ``X.``, ``H.``, ``T.``; ``TP.HCM``;
``TT Huế`` for Thừa Thiên Huế), with or without a space after the dot; no diacritics (a keyboard without a
Vietnamese input method), upper or lower case; type words after the name in brackets as form exports write them
(``Cai Lậy (Thị xã)``, ``Mỹ Phước (Thị trấn )``); dashes instead of commas; no type words at all (a numbered ward
is then a bare number: ``14, Gò Vấp, Hồ Chí Minh``). A house number, street, or hamlet may come first.

Each style says what it keeps (diacritics, type words), and so which truth column of bench/data/units_realworld.csv
applies: what the text can still mean once those are gone (computed from the official list, not by the parser).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

TYPES = ("Thành phố", "Thị trấn", "Thị xã", "Phường", "Quận", "Huyện", "Tỉnh", "Xã")
ABBREVIATIONS = {"Thành phố": "TP.", "Thị trấn": "TT.", "Thị xã": "TX.", "Phường": "P.", "Quận": "Q.",
                 "Huyện": "H.", "Tỉnh": "T.", "Xã": "X."}
PREFIXES = ("Số {n} đường {street}", "{n} {street}", "Thôn {n}", "Tổ {n}", "Ấp {n}", "Khu phố {n}", "Xóm {n}",
            "Tổ dân phố {n}", "Số {n}/{m} {street}", "Ngõ {n} {street}", "")
STREETS = ("Trần Hưng Đạo", "Lê Lợi", "Nguyễn Trãi", "Hùng Vương", "Quang Trung", "Lý Thái Tổ", "Võ Thị Sáu",
           "Hai Bà Trưng", "Nguyễn Du", "Phan Bội Châu")


@dataclass(frozen=True)
class Style:
    name: str
    marks: bool = True
    types: bool = True


STYLES = (Style("official"), Style("abbrev"), Style("abbrev_tight"), Style("no_diacritics", marks=False),
          Style("upper"), Style("lower_no_diacritics", marks=False), Style("bracket"), Style("bracket_space"),
          Style("dash"), Style("no_types", types=False), Style("no_types_no_diacritics", marks=False, types=False))


def split_type(name: str) -> tuple[str, str]:
    for t in TYPES:
        if name.startswith(t + " "):
            return t, name[len(t) + 1 :]
    return "", name


def strip_marks(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text)
                                                 if not unicodedata.combining(c)))


def _province(name: str, style: Style, rng: random.Random) -> str:
    type_, short = split_type(name)
    if short == "Thừa Thiên Huế" and style.name in ("abbrev", "abbrev_tight") and rng.random() < 0.5:
        return "TT Huế" if rng.random() < 0.5 else "TT-Huế"
    if short == "Hồ Chí Minh" and style.name.startswith("abbrev"):
        return "TP.HCM" if style.name == "abbrev_tight" else "TP. HCM"
    return _unit(name, style)


def _unit(name: str, style: Style) -> str:
    type_, short = split_type(name)
    if not style.types or not type_:
        return short
    if style.name == "abbrev":
        return f"{ABBREVIATIONS[type_]} {short}"
    if style.name == "abbrev_tight":
        return f"{ABBREVIATIONS[type_]}{short}"
    if style.name == "bracket":
        return f"{short} ({type_})"
    if style.name == "bracket_space":
        return f"{short} ({type_} )"
    return name


def write(commune: str, district: str, province: str, style: Style, rng: random.Random, prefix: bool = True) -> str:
    """One address of the triple in ``style`` (deterministic in ``rng``'s state)."""
    parts = [_unit(commune, style), _unit(district, style), _province(province, style, rng)]
    if prefix:
        form = PREFIXES[int(rng.random() * len(PREFIXES))]
        lead = form.format(n=1 + int(rng.random() * 120), m=1 + int(rng.random() * 40),
                           street=STREETS[int(rng.random() * len(STREETS))])
        if lead:
            parts.insert(0, lead)
    text = (" - " if style.name == "dash" else ", ").join(parts)
    if not style.marks:
        text = strip_marks(text)
    if style.name == "upper":
        text = text.upper()
    elif style.name == "lower_no_diacritics":
        text = text.lower()
    return text


def truth_column(style: Style) -> str:
    if style.marks and style.types:
        return "truth"
    if style.types:
        return "truth_no_marks"
    return "truth_no_types" if style.marks else "truth_bare"
