"""What the lookup knows about Vietnamese personal names: family names, which words can be a Vietnamese syllable, and
how to undo keystrokes typed with the input method off (Telex ``Nguyeenx``, VNI ``Nguye6n4``) in a folded name.

Everything here works on folded words (lower case, no diacritics: :func:`hopnhat.serve.index.fold_name`), the form
names are compared in.
"""

from __future__ import annotations

import re
from functools import lru_cache

# The common Vietnamese family names, folded (facts: the surnames of the population registers; ~99 % of people).
FAMILY_NAMES = frozenset("""
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dao doan dinh lam luong mai trinh truong ta
cao chau chu ha kieu la lac lai luu ong quach thai than thach tong trieu vuong nong au diep giang khuc kim lo lu
mac nghiem phung quan tang tieu to ton tu ung vi banh bach bao can cu dam dien dong du dung gia giap hua khong khuu
lieu linh loc luc man mau nghi ninh phi phu quang sam son tiet tran trac uong van vien yen hong hua nhu thieu
""".split())

# family names that are far more often middle names after a family name (Nguyễn Văn …, Lê Đình …)
MIDDLE_NAMES = frozenset("van dinh quang kim hong duc minh ngoc xuan thanh cong quoc huu ba tan dang mai".split())

_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
_SYLLABLE = re.compile(rf"^{_ONSET}[aeiouy]{{1,3}}(?:ng|nh|ch|[cmnpt])?$")
_TONE_KEYS = "sfrxj"
_VNI = re.compile(r"^[a-z]+[0-9][a-z0-9]*$")


def is_syllable(word: str) -> bool:
    """Can this folded word be one Vietnamese syllable (onset, 1–3 vowels, a legal final consonant)?"""
    return bool(_SYLLABLE.match(word))


@lru_cache(maxsize=50_000)
def untype(word: str) -> str:
    """A folded word freed of Telex or VNI keystrokes when it cannot be a syllable as typed and can be once they are
    removed (``nguyeenx`` → ``nguyen``, ``ddung`` → ``dung``, ``hoafng`` → ``hoang``, ``nguye6n4`` → ``nguyen``);
    otherwise the word unchanged (a typo is the fuzzy matcher's business)."""
    if is_syllable(word) or not word.isalnum():
        return word
    if _VNI.match(word):
        plain = re.sub(r"[0-9]", "", word)
        return plain if is_syllable(plain) else word
    first_vowel = next((i for i, c in enumerate(word) if c in "aeiouy"), None)
    if first_vowel is None:
        return word
    head, tail = word[:first_vowel], word[first_vowel:]
    tail = "".join(c for c in tail if c not in _TONE_KEYS)  # a tone key after the vowels
    head = head.replace("dd", "d")
    tail = re.sub(r"(aa|ee|oo)", lambda m: m.group(0)[0], tail)
    tail = tail.replace("w", "") if re.search(r"[aou]w", tail) else tail.replace("w", "u")
    plain = head + tail
    return plain if is_syllable(plain) else word


def untype_name(folded: str) -> str:
    """Each word of a folded name through :func:`untype`."""
    return " ".join(untype(w) for w in folded.split())


def name_orders(words: list[str]) -> list[list[str]]:
    """The orders a typed name may mean, family name first: as typed; given name typed first (``Hùng Nguyễn Văn``,
    the order of some forms) when the second word is a family name (not a middle name after a family name: ``Nguyễn
    Văn Hùng`` is not reordered); family name typed last (``Văn Hùng Nguyễn``)
    when the last word is one. At most three orders."""
    orders = [words]
    if len(words) >= 2 and words[1] in FAMILY_NAMES and not (words[0] in FAMILY_NAMES and words[1] in MIDDLE_NAMES):
        orders.append([*words[1:], words[0]])
    if len(words) >= 2 and words[-1] in FAMILY_NAMES and words[-1] != words[0]:
        orders.append([words[-1], *words[:-1]])
    return orders


def name_likeness(words: list[str]) -> float:
    """0–1: how much these folded words look like a personal name (syllables; a family name first, second — given
    name typed first — or last)."""
    if not words or len(words) > 6:
        return 0.0
    syllables = sum(is_syllable(w) for w in words) / len(words)
    family = any(w in FAMILY_NAMES for w in (words[0], words[-1], words[1] if len(words) > 1 else ""))
    return syllables * (1.0 if family or len(words) == 1 else 0.85)


__all__ = ["FAMILY_NAMES", "MIDDLE_NAMES", "is_syllable", "name_likeness", "name_orders", "untype", "untype_name"]
