"""What the lookup knows about Vietnamese personal names: family names (and those that are mostly middle names),
which words can be a Vietnamese syllable, the orders a typed name may mean, and the folded words of a name typed
with the input method off.

Names are compared folded (lower case, no diacritics: :func:`hopnhat.load.lookup_index.fold_name`).
"""

from __future__ import annotations

import re

from hopnhat.link.keystrokes import decode_name
from hopnhat.load.lookup_index import fold_name

# The common Vietnamese family names, folded (facts: the surnames of the population registers; ~99 % of people).
FAMILY_NAMES = frozenset("""
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dao doan dinh lam luong mai trinh truong ta
cao chau chu ha kieu la lac lai luu ong quach thai than thach tong trieu vuong nong au diep giang khuc kim lo lu
mac nghiem phung quan tang tieu to ton tu ung vi banh bach bao can cu dam dien dong du dung gia giap hua khong khuu
lieu linh loc luc man mau nghi ninh phi phu quang sam son tiet tran trac uong van vien yen hong hua nhu thieu
""".split())

# family names that are far more often middle names after a family name (Nguyễn Văn …, Lê Đình …)
MIDDLE_NAMES = frozenset("van dinh quang kim hong duc minh ngoc xuan thanh cong quoc huu ba tan dang mai".split())
# the family names of nine people in ten: one of them first is surely the family name (a rarer one — Yến, Mai,
# Quang — is as often a given name, so "Yến Đặng Thu" may be Đặng Thu Yến typed given name first)
COMMON_FAMILY_NAMES = frozenset("nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly".split())

_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
_SYLLABLE = re.compile(rf"^{_ONSET}[aeiouy]{{1,3}}(?:ng|nh|ch|[cmnpt])?$")


def is_syllable(word: str) -> bool:
    """Can this folded word be one Vietnamese syllable (onset, 1–3 vowels, a legal final consonant)?"""
    return bool(_SYLLABLE.match(word))


def plain_words(text: str) -> list[str]:
    """The folded words of a typed name, keystrokes typed with the input method off (Telex ``Nguyeenx``, VNI
    ``Nguye6n4``, VIQR ``Nguye^~n``) turned back into letters first (:func:`hopnhat.link.keystrokes.decode_name`)."""
    return fold_name(decode_name(text)).split()


def name_orders(words: list[str]) -> list[list[str]]:
    """The orders a typed name may mean, family name first: as typed; then given name typed first (``Hùng Nguyễn
    Văn``, the order of some forms) and family name typed last (``Văn Hùng Nguyễn``) — the likelier of the two first
    (given name first when the second word is a family name and the first is not a common one). Both are always
    tried: a rare family name (Trát, Doãn) or one that is also a middle name (Đặng / Đăng) is no sign against them,
    and a wrong order costs only a few empty name blocks; the scores keep the order typed ahead (one point per
    order). Two family names typed last (a father's and a mother's) are a fourth order."""
    if len(words) < 2:
        return [words]
    given_first, family_last = [*words[1:], words[0]], [words[-1], *words[:-1]]
    likely_given_first = words[1] in FAMILY_NAMES and not (
        words[0] in COMMON_FAMILY_NAMES and words[1] in MIDDLE_NAMES)  # "Nguyễn Văn Hùng" is as typed
    if words[-1] in FAMILY_NAMES and not likely_given_first:
        given_first, family_last = family_last, given_first
    orders = [words]
    double_last = [*words[-2:], *words[:-2]]  # "Thủy Hằng Nguyễn Phạm": a father's and a mother's family name last
    for order in (given_first, family_last, *([double_last] if len(words) >= 4 and words[-2] in FAMILY_NAMES
                                               and words[-1] in FAMILY_NAMES else [])):
        if order not in orders:
            orders.append(order)
    return orders


def name_likeness(words: list[str]) -> float:
    """0–1: how much these folded words look like a personal name (syllables; a family name first, second — given
    name typed first — or last)."""
    if not words or len(words) > 6:
        return 0.0
    syllables = sum(is_syllable(w) for w in words) / len(words)
    family = any(w in FAMILY_NAMES for w in (words[0], words[-1], words[1] if len(words) > 1 else ""))
    return syllables * (1.0 if family or len(words) == 1 else 0.85)


__all__ = ["COMMON_FAMILY_NAMES", "FAMILY_NAMES", "MIDDLE_NAMES", "is_syllable", "name_likeness", "name_orders",
           "plain_words"]
