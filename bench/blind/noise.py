"""The register noises (each a function of the clean value), their weights and which cannot go together.
Rates are our own choices (SOURCE.md), written before any linker run on this population."""

from __future__ import annotations

import random

# noise → weight when a record's noises are drawn (among the eligible ones)
WEIGHTS: dict[str, float] = {
    "typo": 8, "accents_lost": 8, "telex": 3, "vni": 2, "name_swap": 3, "middle_dropped": 5, "middle_added": 2,
    "lunar_year": 4, "dob_missing": 4, "year_only": 5, "placeholder_0101": 3, "day_month_swap": 3,
    "sex_wrong": 3, "address_stale": 6, "address_other": 5,
    "id_missing": 8, "id_leading_zero": 5, "id_float": 2, "id_scientific": 1, "cmnd_instead": 4, "cmnd_beside": 3,
    "id_slip": 4, "phone_other": 6,
}
# noises on one record: 0, 1, 2 or 3 (non-first records only)
COUNT_SHARES = (0.30, 0.36, 0.22, 0.12)
_SHEET = {"id_leading_zero", "id_float", "id_scientific"}
CONFLICTS: dict[str, set[str]] = {
    "dob_missing": {"lunar_year", "year_only", "placeholder_0101", "day_month_swap"},
    "year_only": {"placeholder_0101", "day_month_swap"},
    "placeholder_0101": {"day_month_swap"},
    "accents_lost": {"telex", "vni"}, "telex": {"vni"},
    "middle_dropped": {"middle_added"},
    "id_missing": _SHEET | {"cmnd_instead", "cmnd_beside", "id_slip"},
    "id_leading_zero": {"id_float", "id_scientific", "cmnd_instead", "cmnd_beside"},
    "id_float": {"id_scientific", "cmnd_instead", "cmnd_beside"},
    "id_scientific": {"cmnd_instead", "cmnd_beside", "id_slip"},
    "cmnd_instead": {"cmnd_beside"},
    "address_stale": {"address_other"},
}


def clash(a: str, b: str) -> bool:
    return b in CONFLICTS.get(a, ()) or a in CONFLICTS.get(b, ())


def draw(rng: random.Random, eligible: list[str]) -> list[str]:
    """0-3 distinct compatible noises, weighted, among ``eligible``."""
    count = rng.choices(range(4), COUNT_SHARES)[0]
    chosen: list[str] = []
    pool = list(eligible)
    while len(chosen) < count and pool:
        pick = rng.choices(pool, [WEIGHTS[n] for n in pool])[0]
        chosen.append(pick)
        pool = [n for n in pool if n != pick and not clash(n, pick)]
    return sorted(chosen)


NEIGHBOURS = {"a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "g": "fh", "h": "gj", "i": "uo", "k": "jl",
              "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi",
              "v": "cb", "x": "zc", "y": "tu"}


def typo(rng: random.Random, text: str) -> str:
    """One keying slip on a letter: a neighbouring key, a dropped letter, a doubled letter or two letters swapped."""
    spots = [i for i, c in enumerate(text) if c.lower() in NEIGHBOURS]
    if not spots:
        return text + text[-1:]
    i = rng.choice(spots)
    kind = rng.randrange(4)
    if kind == 0:
        c = rng.choice(NEIGHBOURS[text[i].lower()])
        return text[:i] + (c.upper() if text[i].isupper() else c) + text[i + 1:]
    if kind == 1 and len(text.replace(" ", "")) > 4:
        return text[:i] + text[i + 1:]
    if kind == 2 or i + 1 >= len(text) or text[i + 1] == " ":
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def slip(rng: random.Random, digits: str) -> str:
    """One keying slip in an ID: a digit changed, or two neighbouring different digits swapped."""
    pairs = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
    if pairs and rng.random() < 0.4:
        i = rng.choice(pairs)
        return digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]
    i = rng.randrange(len(digits))
    return digits[:i] + rng.choice([d for d in "0123456789" if d != digits[i]]) + digits[i + 1:]


def before_tet(month: int, day: int) -> bool:
    """Born before the lunar new year in most years (Tết falls 21 Jan - 20 Feb): the lunar year is one less."""
    return month == 1 or (month == 2 and day <= 15)
