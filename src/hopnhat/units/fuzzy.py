"""How near a misspelt name is to each unit it may stand for, and which of them remain possible.

A written name is compared with a unit's name letter by letter as written: with its diacritics when the text carries
any (``Bình Hảo`` is one slip from Bình Hải and two from Bình Đào), folded otherwise (then one from each). Diacritics
count as written because exact matching trusts them too (``Bình Thanh`` is not ``Bình Thạnh``). A type word written
(``Xã``) that the unit does not carry adds ½, and so does reaching the unit through a former name (an alias, which
the reference keeps without diacritics: its folded distance is used).

The answer keeps every unit whose score is less than one whole slip above the best. One unit left means the text is
nearer to it than to any other by at least one slip: certain. Several left (``Xã Than hHả``: Xã Thanh Hải 1, Thị trấn
Thanh Hà 1 + ½) means ambiguous with all of them, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from hopnhat.text.normalize import TONE_MARKS, name_key, nfc, official_tones
from hopnhat.units.reference import Unit

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)  # \w is str.isalnum() and "_"
TYPE_MISMATCH = 0.5
FORMER_NAME = 0.5
MARGIN = 1.0


def marked_key(text: str) -> str:
    """Lower-case letters and digits as written, diacritics kept, tone marks where official names put them."""
    return _NOT_ALNUM.sub("", official_tones(nfc(text).lower()))


def toned_key(text: str) -> str:
    """Like :func:`marked_key`, but each word's tone mark moved to its end: where a tone sits does not count."""
    return "".join(_toned(word) for word in _WORD.findall(nfc(text).lower()))


@lru_cache(maxsize=100_000)
def _toned(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(c for c in decomposed if c in TONE_MARKS)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS)) + tones


Marked = tuple[str, str]


def marked(text: str) -> Marked:
    return marked_key(text), toned_key(text)


def marked_distance(a: Marked, b: Marked) -> int:
    """Slips between two names as written: a wrong letter (with its marks) is one slip, and so is a wrong or
    misplaced tone (``Muà`` is ``Mùa`` with its tone moved: exact matching reads it so, and so does this)."""
    from rapidfuzz.distance import DamerauLevenshtein  # (see load_edits)

    return min(DamerauLevenshtein.distance(a[0], b[0]), DamerauLevenshtein.distance(a[1], b[1]))


def load_edits() -> None:
    """Import rapidfuzz now. The parser imports it when it first compares a name with a typo (most columns have
    none: a province's 100,000 addresses need it nowhere, and the import is about 0.013 CPU-s, a third of the
    parser's); a process about to fork its share of a large column loads it first, so that the children share it
    (the whole country's 100,000 addresses need it in each process)."""
    from rapidfuzz import process  # noqa: F401
    from rapidfuzz.distance import DamerauLevenshtein  # noqa: F401


_FORMS: dict[tuple[str, str], dict[str, Marked]] = {}


def _forms(unit: Unit) -> dict[str, Marked]:
    """Folded key → the same name with its diacritics, for the unit's short and full names (kept by version and
    code: hashing a whole unit costs more than the lookup saves)."""
    ident = (unit.version, unit.code)
    found = _FORMS.get(ident)
    if found is None:
        found = _FORMS[ident] = {name_key(unit.short_name): marked(unit.short_name),
                                 name_key(unit.name): marked(unit.name)}
    return found


def score(unit: Unit, key: str, fold_distance: int, written_marked: Marked | None, type_key: str) -> float:
    """Score of ``unit`` reached through its index key ``key`` (``fold_distance`` from the written letters).

    ``written_marked`` is the written name with diacritics, or None when the text has none. A former name (an
    alias from an earlier round) keeps no diacritics, so its folded distance counts twice, and it is weaker evidence
    than a name in use: it adds ½.
    """
    form = _forms(unit).get(key)
    if form is None:
        base = fold_distance + FORMER_NAME
    elif written_marked is None:
        base = float(fold_distance)
    else:
        base = float(marked_distance(written_marked, form))
    return base + (TYPE_MISMATCH if type_key and unit.type_key != type_key else 0.0)


def nearest(scored: Iterable[tuple[float, Unit]]) -> list[Unit]:
    """The units less than one slip above the best score, best first, each once."""
    ranked = sorted(scored, key=lambda su: su[0])
    if not ranked:
        return []
    best = ranked[0][0]
    return list(dict.fromkeys(u for s, u in ranked if s < best + MARGIN))
