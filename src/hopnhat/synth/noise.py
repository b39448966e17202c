"""Noise that legacy registers really have, applied to copies of a person (duplicates).

Each function takes and returns clean field values; the generator records the name of every noise it applied in the
truth so a test (or a linkage benchmark) can measure what was injected.
"""

from __future__ import annotations

import datetime as dt
import random

from hopnhat.synth.addresses import typo
from hopnhat.text.normalize import fold

NAME_NOISES = ("diacritics_lost", "name_typo", "middle_dropped", "name_order", "old_tone", "upper_case")
DATE_NOISES = ("day_month_swap", "year_only", "placeholder_0101")
ID_NOISES = ("id_other_kind", "id_typo", "id_missing")
ALL_NOISES = NAME_NOISES + DATE_NOISES + ID_NOISES + ("stale_address",)

_OLD_TONES = {"òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ", "ùy": "uỳ", "úy": "uý", "ủy": "uỷ",
              "ũy": "uỹ", "ụy": "uỵ", "òe": "oè", "óe": "oé"}


def old_tone_placement(text: str) -> str:
    """``Hòa`` → ``Hoà``, ``Thủy`` → ``Thuỷ``: the old tone placement NFC does not unify."""
    for new, old in _OLD_TONES.items():
        text = text.replace(new, old)
    return text


def noisy_name(name: str, noise: str, rng: random.Random) -> str:
    """The full name with one name noise applied."""
    words = name.split()
    if noise == "diacritics_lost":
        return fold(name)
    if noise == "name_typo":
        return " ".join(words[:-1] + [typo(words[-1], rng, 1)]) if len(words[-1]) > 2 else typo(name, rng, 1)
    if noise == "middle_dropped" and len(words) > 2:
        return f"{words[0]} {words[-1]}"
    if noise == "name_order" and len(words) > 1:
        return " ".join(words[1:] + words[:1])
    if noise == "old_tone":
        return old_tone_placement(name)
    if noise == "upper_case":
        return name.upper()
    return name


def noisy_date(day: dt.date, noise: str) -> tuple[dt.date | None, int]:
    """(date as written, or None for year only; year). Day/month swap only when it gives another valid date."""
    if noise == "day_month_swap" and day.day <= 12 and day.day != day.month:
        return dt.date(day.year, day.day, day.month), day.year
    if noise == "year_only":
        return None, day.year
    if noise == "placeholder_0101":
        return dt.date(day.year, 1, 1), day.year
    return day, day.year


def noisy_id(number: str, other: str, noise: str, rng: random.Random) -> str:
    """The ID as written: the other kind (CMND/CCCD), one wrong digit, or nothing."""
    if noise == "id_other_kind":
        return other or number
    if noise == "id_typo" and number:
        i = int(rng.random() * len(number))
        return number[:i] + str((int(number[i]) + 1 + int(rng.random() * 8)) % 10) + number[i + 1 :]
    if noise == "id_missing":
        return ""
    return number


def pick_noises(rng: random.Random) -> list[str]:
    """1–3 distinct noises for a duplicate, one of them usually on the name."""
    count = 1 + int(rng.random() < 0.5) + int(rng.random() < 0.2)
    chosen = {NAME_NOISES[int(rng.random() * len(NAME_NOISES))]} if rng.random() < 0.7 else set()
    while len(chosen) < count:
        chosen.add(ALL_NOISES[int(rng.random() * len(ALL_NOISES))])
    return sorted(chosen)
