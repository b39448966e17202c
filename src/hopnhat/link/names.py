"""Vietnamese personal names as linkage keys: họ (family) / tên đệm (middle) / tên (given), on folded text.

A name is written family first (``Nguyễn Văn Hùng``). Legacy registers lose diacritics (``Nguyen Van Hung``), use the
old tone placement (``Hoà`` for ``Hòa``), upper-case everything, drop the middle name (``Nguyễn Hùng``) or write the
name in Western order (``Văn Hùng Nguyễn``). :func:`split_name` gives parts that survive all of these:

- every part is *folded* (no diacritics, ``Đ`` → ``d``, lower case), so diacritics, case and tone placement vanish;
- ``accent`` keeps the diacritics with tone placement unified (``Hoà`` = ``Hòa``), so two records written with
  diacritics can agree more strongly than two that merely fold alike (``Hưng`` and ``Hùng`` fold alike);
- a name whose last word is a known family name and whose first word is not (or is a common middle name such as
  ``Văn``/``Thị``/``Quang``/``Kim`` that is a rarer family name) is turned back to family-first order; a last word
  one typo away from a family name (``Văn Hùng Nguyễ``) counts, and the family name is read as the one it is
  closest to;
- two-word family names (``Tôn Nữ``, ``Tôn Thất``, ``Nguyễn Phúc``, ``Âu Dương`` …) stay one family name;
- a name typed with the input method off (Telex ``Nguyeenx``, VNI ``Nguye6n4``, VIQR ``Nguye^~n``) is decoded back
  first (:mod:`hopnhat.link.keystrokes`).

Family names form a short closed list (:data:`FAMILY_NAMES`), which is what makes the order repair safe.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from hopnhat.link.keystrokes import decode_word, syllable_shaped
from hopnhat.text.normalize import fold, official_tones

# Family names (folded), roughly most frequent first. Public knowledge; the long tail matters less than the head.
FAMILY_ORDER: tuple[str, ...] = tuple(dict.fromkeys("""
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh truong luong doan mai cao lam chau to
thai ha luu kieu ta phung ton quach van nong khuc trinh dao lai vuong thach la tang giang quan tieu khong ong kim
thieu chu nghiem bach diep hua an au banh bien cai cam can cu dam dau dieu dong du han hau hinh khuu kha khong lac
lo long luc ma mac man mach nghi ngan ninh ong phi phu phuong quang sam son tat thang thi thieu tong trieu trang tu
u uong ung vi vien vuu y yen be lo loc deo quach luu hoang ksor siu nie rmah kpa hmok rah lang giap chau
""".split()))
FAMILY_NAMES: frozenset[str] = frozenset(FAMILY_ORDER)
# Two-word family names (folded) that must not be split into family + middle.
COMPOUND_FAMILY: frozenset[tuple[str, str]] = frozenset({
    ("ton", "nu"), ("ton", "that"), ("nguyen", "phuc"), ("au", "duong"), ("cong", "ton"), ("tu", "ma"),
    ("gia", "cat"), ("hoang", "phu"), ("ha", "ho"), ("thai", "thuc"),
})
# Middle names so common that, written first, they show the name is in Western order.
ORDER_MARKERS: frozenset[str] = frozenset({"van", "thi"})
# Common middle names that are also (rarer) family names: written first, they rather show a Western order.
MIDDLE_NAMES: frozenset[str] = frozenset(
    "van thi duc minh huu quang thanh cong dinh xuan ngoc anh tan ba trong duy quoc gia hoang kim thu hong phuong "
    "bao my khanh anh hoai dieu quynh thuy nhu".split())
# Common given names that are also family names: written last, they do not show a Western order.
GIVEN_NAMES: frozenset[str] = frozenset(
    "ha mai lam chau thai hoang quang kim hong thanh phuong giang an cam ngan hang lan vy my khanh".split())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class NameParts:
    """Folded parts of one name; ``None`` where the name has no such part."""

    family: str | None
    middle: str | None
    given: str | None
    given_accent: str | None  # given name with diacritics (tone placement unified); None if the name has none
    sorted_key: str | None  # all folded words sorted: equal for any word order
    reordered: bool  # the name was written given-first and turned back


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _accent_words(text: str) -> list[str]:
    return [unicodedata.normalize("NFC", w) for w in _WORD.findall(official_tones(text).lower())]


@lru_cache(maxsize=200_000)
def _token_words(token: str, decode: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of one whitespace-free piece of a name, with diacritics (tone placement unified) and folded; the
    piece decoded from its keystrokes first when ``decode`` (the whole name is ASCII)."""
    accent = tuple(_accent_words(decode_word(token) if decode else token))
    return accent, tuple(fold(w) for w in accent)


def _split_words(text: str) -> tuple[list[str], list[str]]:
    """The words of a name with diacritics and folded: ``_accent_words(decode_name(text))`` for an ASCII name, else
    ``_accent_words(text)``, and each folded — a piece at a time, as pieces repeat across names far more than names
    do (nothing in the normalisation, tone placement, lower case or the word pattern reaches across white space)."""
    decode = text.isascii()
    accent: list[str] = []
    folded: list[str] = []
    for token in text.split():
        token_accent, token_folded = _token_words(token, decode)
        accent.extend(token_accent)
        folded.extend(token_folded)
    return accent, folded


def _one_edit(a: str, b: str) -> bool:
    """Damerau distance ≤ 1 (one letter deleted, added, changed, or two neighbours swapped)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


_FAMILY_LETTERS = {f: frozenset(f) for f in FAMILY_ORDER}


@lru_cache(maxsize=50_000)
def family_near(word: str, loose: bool = False) -> str | None:
    """The family name ``word`` is, or the one a single typo away (same first letter first — it is rarely the one
    mistyped —, then the most frequent), else None.

    Short words are close to too much: a two-letter word or a two-letter family name needs ``loose`` (the name is
    surely in Western order) or a doubled letter (``Võõ`` → Võ).
    """
    if word in FAMILY_NAMES:
        return word
    if len(word) < 2 or (len(word) < 3 and not loose):
        return None
    # (lengths and letters first: a single edit changes the length by one at most, and two letters of the set)
    letters = set(word)
    near = [f for f in FAMILY_ORDER if abs(len(f) - len(word)) <= 1 and (len(f) >= 3 or loose or word == f + f[-1])
            and len(letters ^ _FAMILY_LETTERS[f]) <= 2 and _one_edit(word, f)]
    return min(near, key=lambda f: (f[0] != word[0], FAMILY_ORDER.index(f))) if near else None


# Long, frequent family names whose one-letter slips are no other name (``Nguễn``, ``Ngyuen``, ``Huynhh``)
_TYPO_SAFE = ("nguyen", "huynh", "hoang", "duong")


# given and middle names one letter from those family names: never read as a slip
_NOT_TYPOS = frozenset("quynh huyen nguyet uyen khuyen thuyen tuyen duyen chuong cuong vuong luong huong thuong "
                       "tuong khuong nhuong suong nuong hoanh thoang".split())


@lru_cache(maxsize=50_000)
def family_typo(word: str) -> str | None:
    """The frequent family name a first word is a slip of (``nguen`` → nguyen), else None. Only long, frequent names
    are read through a slip, and never a word that is a family, middle or given name itself."""
    if len(word) < 5 or word in FAMILY_NAMES or word in MIDDLE_NAMES or word in GIVEN_NAMES or word in _NOT_TYPOS:
        return None
    return next((f for f in _TYPO_SAFE if _one_edit(word, f)), None)


# Frequent given names that are rare family names or one letter from a short one (Trang, Lan ← Lâm, Tuấn ← Trần,
# Dũng ← Đặng): written first before a frequent family name they show a given-first order ("Trang Huỳnh"), written
# last after Văn/Thị they stay the given name ("Văn Minh Lan")
_COMMON_GIVEN = frozenset("trang lan tuan dung hung hang lam ha mai chau thanh hoa son".split())
_FREQUENT_FAMILIES = 20  # the first twenty family names (Nguyễn … Trương) carry about 95 % of people
# Frequent family names written with diacritics that no given name is written like (Nguyên, Lệ, Phấn, Trân, Đăng are
# given names that fold alike; Vũ is both): written last after a rare family name, they are the family name
_SURE_FAMILY = frozenset("nguyễn trần lê phạm huỳnh võ đặng".split())
_SURE_FOLDED = frozenset("huynh pham vo".split())  # ... and those of them no given name folds like


def _doubled(word: str) -> bool:
    """A family name with its last letter doubled (``Lêê``, ``Võõ``, ``Hồồ``): a slip only a family name shows here."""
    return len(word) > 2 and word[:-1] in FAMILY_NAMES and word[-1] == word[-2]


def _rank(family: str) -> int:
    return FAMILY_ORDER.index(family) if family in FAMILY_NAMES else len(FAMILY_ORDER)


def _reorder(folded: list[str], accent_last: str | None = None) -> str | None:
    """The family name to put first when the name is written given-first (its last word), else None.

    Rotated when the last word is (nearly) a family name and the first word is not a family name, or is ``Văn`` /
    ``Thị``, or is a common middle name that is a rarer family name than the last word — unless the last word is a
    common given name (``Kim Thị Hà`` stays: Hà is a given name too). ``accent_last``: the last word with its
    diacritics, when the name was written with them.
    """
    if len(folded) < 2:
        return None
    first, last = folded[0], folded[-1]
    family = family_near(last, loose=first in ORDER_MARKERS)
    if family is None:
        return None
    if first in ORDER_MARKERS:
        # "Văn Minh Lan": a frequent given name only a letter from a short family name (lan/lâm) is the given name
        return family if last in FAMILY_NAMES or family in _TYPO_SAFE or last not in _COMMON_GIVEN else None
    if first not in FAMILY_NAMES:
        if _doubled(first):
            return None  # "Võõ Hồng Sương", "Hồồ Hoàng Hậu": a family name with its last letter doubled comes first
        # a first word one typo from a family name ("Nguễn Thị Mai") is that family name: the order is right; so is
        # one that no Vietnamese syllable can be before a last word that is a family name ("Trn Yến", "Tean Thị Hà")
        near = family_typo(first) or (family_near(first) if (last not in FAMILY_NAMES or not syllable_shaped(first))
                                      and first not in _NOT_TYPOS and first not in MIDDLE_NAMES
                                      and first not in GIVEN_NAMES else None)
        # ... unless the last word is a slip of a long frequent family name and the first only near a short one
        # ("Dung Quang Nguyn": dung is a letter from dang, nguyn from nguyen)
        if last not in FAMILY_NAMES and family_typo(last) is None and first not in MIDDLE_NAMES:
            return None  # a given name only a letter from a family name ("Phmaj Xuân Hiệp": hiep / diep)
        if near is not None and near not in _TYPO_SAFE and last not in FAMILY_NAMES:
            return family
        return None if near is not None and (last not in FAMILY_NAMES or last in GIVEN_NAMES
                                             or _rank(near) < _rank(family)) else family
    # a frequent family name first and a last word only NEAR a family name: the last word is a given name ("Hoàng
    # Hữu Tuấn", "Đinh Quang Dũng": tuan is a letter from tran, dung from dang), unless it is a slip of a long
    # frequent one ("… Nguyễ"); a rarer one first ("Quang Hùng Đonh") is rather a middle name
    if first in _COMMON_GIVEN and last == family and _rank(family) < min(_rank(first), _FREQUENT_FAMILIES):
        return family  # "Trang Huỳnh": a frequent given name before a frequent family name written exactly
    sure = accent_last in _SURE_FAMILY or (accent_last is None and last in _SURE_FOLDED)
    if sure and _rank(first) >= _FREQUENT_FAMILIES:
        return family  # "Thắng Đức Nguyễn", "Lộc Nguyễn": a rare family name (a given name too) before a top one
    if (first in MIDDLE_NAMES and last not in GIVEN_NAMES and _rank(family) < _rank(first)
            and (last in FAMILY_NAMES or family in _TYPO_SAFE or _rank(first) >= _FREQUENT_FAMILIES)):
        return family
    return None


def _family_width(folded: list[str]) -> int:
    return 2 if len(folded) >= 3 and (folded[0], folded[1]) in COMPOUND_FAMILY else 1


def split_name(text: str | None) -> NameParts:
    """Family / middle / given of a full name (folded), with order repaired; empty parts are ``None``."""
    return NameParts(*split_parts(text))


Parts = tuple[str | None, str | None, str | None, str | None, str | None, bool]
_NO_PARTS: Parts = (None, None, None, None, None, False)


def split_parts(text: str | None) -> Parts:
    """:func:`split_name` as a plain tuple (family, middle, given, given_accent, sorted_key, reordered), for the
    features table's hundreds of thousands of names."""
    if not text:
        return _NO_PARTS
    accent, folded = _split_words(text)
    if not folded:
        return _NO_PARTS
    family = _reorder(folded, accent[-1] if folded != accent else None)
    reordered = family is not None
    if family is not None:
        folded, accent = [family] + folded[:-1], accent[-1:] + accent[:-1]
        if len(folded) == 3 and folded[2] in MIDDLE_NAMES and folded[1] not in MIDDLE_NAMES:
            # given name first, family last ("Lan Thị Phan", "Linh Ngọc Phạm"): the rotation left the middle name
            # ("Thị", "Ngọc") as the given name
            folded, accent = [folded[0], folded[2], folded[1]], [accent[0], accent[2], accent[1]]
    elif len(folded) > 1 and family_typo(folded[0]):
        folded = [family_typo(folded[0]), *folded[1:]]  # type: ignore[list-item]
    elif len(folded) > 1 and _doubled(folded[0]):
        folded = [folded[0][:-1], *folded[1:]]  # a doubled last letter: "Lêê", "Võõ"
    # an accent-level agreement means something only when the record was written with diacritics at all
    given_accent = accent[-1] if folded != accent else None
    if len(folded) == 1:
        return None, None, folded[0], given_accent, folded[0], reordered
    width = _family_width(folded)
    middle = " ".join(folded[width:-1]) or None
    return " ".join(folded[:width]), middle, folded[-1], given_accent, " ".join(sorted(folded)), reordered
