"""The lookup bench's own noise model: how clerks type a citizen's name, identity number, phone and address at the
counter. Written apart from ``hopnhat.synth`` and from the lookup's code (no import from ``hopnhat``): diacritics are
stripped with :mod:`unicodedata`, Telex and VNI keystrokes are produced by an encoder written here from the input
methods' published key tables, typos follow a QWERTY neighbour table.

Each function takes a ``random.Random`` and returns the typed text and the name of the noise it applied.
"""

from __future__ import annotations

import random
import unicodedata

# Telex / VNI: the key typed for each shape mark and tone (the input methods' standard tables)
_SHAPE_TELEX = {"â": "aa", "ê": "ee", "ô": "oo", "ă": "aw", "ơ": "ow", "ư": "uw", "đ": "dd"}
_SHAPE_VNI = {"â": "a6", "ê": "e6", "ô": "o6", "ă": "a8", "ơ": "o7", "ư": "u7", "đ": "d9"}
_TONE_TELEX = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_TONE_VNI = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_QWERTY = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def strip_marks(text: str) -> str:
    """Every diacritic off (đ → d), case kept."""
    out = []
    for ch in text:
        if ch in "đĐ":
            out.append("d" if ch == "đ" else "D")
            continue
        out.append("".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)))
    return "".join(out)


def _keystrokes(word: str, shapes: dict[str, str], tones: dict[str, str]) -> str:
    """A word as typed with the input method off: letters with their shape keys, the tone key at the end."""
    tone = ""
    letters = []
    for ch in unicodedata.normalize("NFC", word):
        parts = unicodedata.normalize("NFD", ch)
        mark = next((c for c in parts if c in tones), "")
        tone = tone or mark
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        low = base.lower()
        if low in shapes:
            keys = shapes[low]
            letters.append(keys if base == low else keys[0].upper() + keys[1:])
        else:
            letters.append(strip_marks(base))
    return "".join(letters) + (tones[tone] if tone else "")


def telex(text: str) -> str:
    return " ".join(_keystrokes(w, _SHAPE_TELEX, _TONE_TELEX) for w in text.split())


def vni(text: str) -> str:
    return " ".join(_keystrokes(w, _SHAPE_VNI, _TONE_VNI) for w in text.split())


def _neighbour(ch: str, rng: random.Random) -> str:
    for row in _QWERTY:
        if ch in row:
            i = row.index(ch)
            options = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            return rng.choice(options)
    return ch


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip in a word (never the first letter): a neighbour key, a dropped, doubled or swapped letter."""
    if len(word) < 3:
        return word + word[-1]
    i = rng.randrange(1, len(word))
    kind = rng.choice(("neighbour", "drop", "double", "swap"))
    if kind == "neighbour":
        return word[:i] + _neighbour(word[i], rng) + word[i + 1:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    j = min(i + 1, len(word) - 1)
    return word[:i] + word[j] + word[i] + word[j + 1:] if j != i else word[:i - 1] + word[i] + word[i - 1]


NAME_NOISES = ("exact", "no_marks", "lower_no_marks", "upper", "telex", "vni", "typo", "swapped", "no_middle")


def noisy_name(name: str, rng: random.Random, noise: str | None = None) -> tuple[str, str]:
    """The name as a clerk types it."""
    noise = noise or rng.choice(NAME_NOISES)
    words = name.split()
    if noise == "exact":
        return name, noise
    if noise == "no_marks":
        return strip_marks(name), noise
    if noise == "lower_no_marks":
        return strip_marks(name).lower(), noise
    if noise == "upper":
        return name.upper(), noise
    if noise == "telex":
        return telex(name), noise
    if noise == "vni":
        return vni(name), noise
    if noise == "typo":
        plain = strip_marks(name).lower().split()
        k = rng.randrange(len(plain))
        plain[k] = typo(plain[k], rng)
        return " ".join(plain), noise
    if noise == "swapped":  # given name first, as on some forms
        return " ".join([words[-1], *words[:-1]]), noise
    if noise == "no_middle" and len(words) >= 3:
        return f"{words[0]} {words[-1]}", noise
    return name, "exact"


def grouped_digits(digits: str, rng: random.Random) -> tuple[str, str]:
    """An identity number as typed: plain, in groups of three, or with dots."""
    style = rng.choice(("plain", "spaces", "dots"))
    if style == "plain":
        return digits, style
    groups = [digits[max(0, i - 3):i] for i in range(len(digits), 0, -3)][::-1]
    return (" " if style == "spaces" else ".").join(groups), style


def phone_form(national: str, rng: random.Random) -> tuple[str, str]:
    """A mobile number (``0905123456``) as typed: 0xx, spaced, dotted, +84, 84."""
    style = rng.choice(("0xx", "0xx_spaced", "0xx_dots", "+84", "+84_spaced", "84"))
    rest = national[1:]
    return {
        "0xx": national, "0xx_spaced": f"{national[:4]} {national[4:7]} {national[7:]}",
        "0xx_dots": f"{national[:4]}.{national[4:7]}.{national[7:]}", "+84": "+84" + rest,
        "+84_spaced": f"+84 {rest[:3]} {rest[3:6]} {rest[6:]}", "84": "84" + rest,
    }[style], style


def date_form(iso: str, rng: random.Random) -> tuple[str, str]:
    """A birth date (``1971-03-05``) as typed: 05/03/1971, 5/3/1971, 05-03-1971, 05.03.1971."""
    y, m, d = iso[:4], iso[5:7], iso[8:10]
    style = rng.choice(("dd/mm/yyyy", "d/m/yyyy", "dd-mm-yyyy", "dd.mm.yyyy"))
    if style == "d/m/yyyy":
        return f"{int(d)}/{int(m)}/{y}", style
    sep = {"dd/mm/yyyy": "/", "dd-mm-yyyy": "-", "dd.mm.yyyy": "."}[style]
    return f"{d}{sep}{m}{sep}{y}", style


def place_form(commune: str, district: str, rng: random.Random) -> tuple[str, str]:
    """A commune (with its district, for an old one) as typed: full, without the unit word, without marks."""
    bare = commune.split(" ", 1)[1] if commune.split(" ", 1)[0] in ("Xã", "Phường") else commune
    for word in ("Thị trấn ",):
        bare = bare.removeprefix(word)
    style = rng.choice(("full", "bare", "bare_no_marks", "with_district"))
    if style == "full":
        return commune, style
    if style == "bare":
        return bare, style
    if style == "bare_no_marks":
        return strip_marks(bare), style
    return (f"{commune}, {district}" if district else commune), style
