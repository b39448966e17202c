"""Parse a free-text address into its admin units, right to left: province, then district, then commune.

Each level is matched on the folded words at the end of what is left, scoped to the parent found before (so fuzzy
matching only ever compares a handful of names), and accepted only if a type word in front of it (``phường``,
``huyện``…) does not say it is another level. Old (3-tier) and new (2-tier) readings are both kept: deciding
between them is the converter's job.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hopnhat.text.normalize import accent_key, has_diacritics
from hopnhat.units.cache import outlive
from hopnhat.units.fuzzy import Marked, marked, nearest, score
from hopnhat.units.index import Indexes, KeyIndex, accent_key_of, indexes, name_key_of, narrow_by_accents
from hopnhat.units.reference import Unit, strip_type
from hopnhat.units.tokens import (
    TWO_WORD_TYPE_FIRST,
    TYPE_FIRST_WORDS,
    TYPE_WORDS,
    Token,
    ends_type_word,
    prepare,
    segment_starts,
    segment_tokens,
    segments,
    type_entry,
    type_word_before,
)

_NOISE_TAIL = ("vietnam", "vn")
TYPE_WORDS_BY_KEY = {"".join(words): words for words in TYPE_WORDS}
_FUZZY_MIN_LEN = 5
_EMPTY: KeyIndex = {}
_SHORT_FUZZY_LEN = 3
_SHORT_TWO_SLIPS = 4
T = TypeVar("T")


class Match:
    """Units named by the words ``start:end`` of a token list. Never changed once made (a remembered match is
    shared). Compiled, an extension type with C fields (``parse.pxd``): matches are made for every address."""

    __slots__ = ("units", "start", "end", "written", "typed", "fuzzy")

    def __init__(self, units: list[Unit], start: int, end: int, written: str, typed: bool = False,
                 fuzzy: bool = False) -> None:
        self.units = units
        self.start = start  # first token of the match (type word included)
        self.end = end
        self.written = written
        self.typed = typed
        self.fuzzy = fuzzy


def _match(units: list[Unit], start: int, end: int, written: str, typed: bool, fuzzy: bool) -> Match:
    """A match made without a Python call (compiled: its fields set as C fields)."""
    m = Match.__new__(Match)
    m.units = units
    m.start = start
    m.end = end
    m.written = written
    m.typed = typed
    m.fuzzy = fuzzy
    return m


class Parsed:
    """What was recognised in one address. Lists hold every unit the text can mean. An extension type when
    compiled, as :class:`Match` is; the lists of units are replaced, never changed, so that they may be shared with
    matches."""

    __slots__ = ("text", "rest", "first_segment", "exhausted", "provinces", "districts", "district_typed",
                 "old_communes", "new_communes", "commune_outside_district", "notes", "doubts", "doubt_units",
                 "doubt_communes", "read_to_start")

    def __init__(self, text: str) -> None:
        self.text = text
        self.rest = ""
        self.first_segment = 0  # the conversion depends on the text from this comma segment on, nothing before
        self.exhausted = False  # a search reached the start of the text: with more text before, it would look there
        self.provinces: list[Unit] = []
        self.districts: list[Unit] = []
        self.district_typed = False
        self.old_communes: list[Unit] = []
        self.new_communes: list[Unit] = []
        self.commune_outside_district = False
        self.notes: list[str] = []
        self.doubts: list[str] = []  # why the text may mean more than what was found: never certain
        self.doubt_units: list[Unit] = []  # the other units it may mean (old districts)
        self.doubt_communes: list[Unit] = []  # and old communes
        self.read_to_start = False  # an answer depended on nothing coming before the text read (_unread_before)


def _written(text: str, tokens: list[Token], start: int, end: int) -> str:
    """The text of the tokens ``start:end`` (of one segment)."""
    first, last = tokens[start], tokens[end - 1]
    base = _starts(text, tokens)[first.segment]
    return text[base + first.start : base + last.end]


_starts_of: list[object] = [None, None]  # the token list last read, and where its segments begin in its text
_pieces_of: list[object] = [None, None]  # the token list being parsed, and its segments' text (_parse_pieces)


def _starts(text: str, tokens: list[Token]) -> list[int]:
    """Where each segment of ``tokens`` begins in ``text`` (a token's place is counted in its segment): set by the
    parse for its token list, else found again from the text (the list is held here, so another cannot take its
    identity)."""
    if _starts_of[0] is not tokens:
        _starts_of[0], _starts_of[1] = tokens, segment_starts(segments(text))
    return _starts_of[1]  # type: ignore[return-value]


def _lookup(indexes_: list[KeyIndex], key: str) -> list[Unit]:
    if len(indexes_) == 1:
        return list(indexes_[0].get(key, ()))  # one scope holds each unit once
    found: list[Unit] = []
    for idx in indexes_:
        found.extend(idx.get(key, ()))
    return list(dict.fromkeys(found))


def _keys_ending(tokens: list[Token], end: int, longest: int) -> list[tuple[int, str]]:
    """(start, key) of the names of 1 to ``longest`` words ending at ``end`` in its segment, longest first."""
    t = tokens[end - 1]
    segment = t.segment
    out: list[tuple[int, str]] = []
    key = ""
    for start in range(end - 1, max(end - longest, 0) - 1, -1):
        t = tokens[start]
        if t.segment != segment:
            break
        key = t.key + key
        out.append((start, key))
    out.reverse()
    return out


def _accept(tokens: list[Token], start: int, level: str) -> tuple[int, str] | None:
    """Where the match starts (its type word included) and the type word written (``""`` when none), or None when
    the type word names another level."""
    typed = type_word_before(tokens, start)
    if typed is None:
        return start, ""
    first, levels, type_key = typed
    return (first, type_key) if level in levels else None


def _same_type(units: list[Unit], type_key: str, written: str = "") -> list[Unit]:
    """``Xã Hòa Bình`` is not ``Phường Hòa Bình``: keep the units of the written type. A legacy record may carry a
    type changed in an earlier round (Xã → Phường), so old units of another type are kept when none agree; new units
    never are."""
    if not type_key:
        return units
    keep = [u for u in units if u.type_key == type_key or _formerly_typed(u, type_key, written)]
    if keep or any(u.version == "new" for u in units):
        return keep
    return units


def match_exact(text: str, tokens: list[Token], end: int, scopes: list[KeyIndex], level: str,
                max_words: int) -> Match | None:
    """Longest name ending at ``end`` (same segment) found in ``scopes``, not contradicted by a type word."""
    if end <= 0:
        return None
    for start, key in _keys_ending(tokens, end, max_words):
        units = _lookup(scopes, key)
        if not units:
            continue
        if len(units) > 1:
            units = _current_first(units, key)
        accepted = _accept(tokens, start, level)
        if accepted is None:
            continue
        leading = _leading_type(tokens, start, end)
        accepted = (accepted[0], accepted[1] or leading)
        name_start = start + (len(TYPE_WORDS_BY_KEY[leading]) if leading else 0)
        written = _written(text, tokens, name_start, end)
        weak = _contradicted(units, written, accepted[1])
        if weak and level != "commune" and not accepted[1] and _inside_part(tokens, start):
            continue  # "Xã Nhân Huệ" does not end with the province Huế
        units = _same_type(narrow_by_accents(units, written), accepted[1], written)
        if not units:
            continue
        if weak:  # "Xã Thanh Hả" is neither Thị trấn Thanh Hà nor surely Xã Thanh Hải: keep every near name
            as_written = marked(written) if _marked_from(tokens, start) else None
            name = "".join([t.key for t in tokens[name_start:end]])  # compared without its type word
            scored = [(score(u, name, 0, as_written, accepted[1]), u) for u in units]
            scored += _scored(_neighbours(name, scopes, accepted[1]), scopes, as_written, accepted[1])
            return _match(nearest(scored), accepted[0], end, written, bool(accepted[1]), True)
        return _match(units, accepted[0], end, written, bool(accepted[1]), False)
    return None


def _current_first(units: list[Unit], key: str) -> list[Unit]:
    """A name in use on 30/6/2025 is read before a former name (an alias: a unit renamed or merged earlier):
    ``Xã Bình Minh`` is the commune of that name, not also every commune that once absorbed a Bình Minh."""
    current = [u for u in units if key in u.name_keys]
    if not current or len(current) == len(units):
        return units
    parents = {u.district_code if u.level == "commune" else u.province_code for u in current}
    # within one district (or province) the record may predate the rename: both stay (Xã Hoàng Liên, Sa Pa)
    return current + [u for u in units if u not in current
                      and (u.district_code if u.level == "commune" else u.province_code) in parents]


def _marked_from(tokens: list[Token], start: int) -> bool:
    """The address, from the segment of ``start`` on, is written with diacritics (``Xã Vinh Quang`` is: Vinh is
    meant as written). Only what follows counts, so that a conversion depends on the units' part of the text alone."""
    t = tokens[start]
    segment = t.segment
    first = start
    while first > 0:
        t = tokens[first - 1]
        if t.segment != segment:
            break
        first -= 1
    return _marks_after(tokens)[first]


_marks_of: list[object] = [None, None]  # the token list last asked about, and its marks from each token on


def _marks_after(tokens: list[Token]) -> list[bool]:
    """For each position (and the end), whether a token from there on is written with diacritics: computed once per
    token list (the list is held here, so another cannot take its identity)."""
    if _marks_of[0] is not tokens:
        marks = [False] * (len(tokens) + 1)
        seen = False
        for i in range(len(tokens) - 1, -1, -1):
            if not seen:  # Token.has_marks, written out (a property call per token cost more than the test)
                t = tokens[i]
                seen = t.key != t.accented and not t.expanded and not t.key.isdigit()
            marks[i] = seen
        _marks_of[0], _marks_of[1] = tokens, marks
    return _marks_of[1]  # type: ignore[return-value]


def _inside_part(tokens: list[Token], start: int) -> bool:
    if start <= 0:
        return False
    a, b = tokens[start - 1], tokens[start]
    return a.part == b.part


def _contradicted(units: list[Unit], written: str, type_key: str) -> bool:
    """The letters match but what else was written does not: its diacritics agree with no unit's name, or its type
    word (Xã) with no unit's type (Thị trấn). Then the match may be a typo of a neighbour."""
    if not _named_as_written(units, written) and _has_marks(written):
        key = accent_key_of(written)
        for u in units:  # loops, not any(): a generator costs a frame and a closure in the compiled module
            if key in u.spellings:  # (Unit.spellings: kept with the cached tables)
                break
        else:
            return True
    if not type_key:
        return False
    for u in units:
        if u.type_key == type_key or _formerly_typed(u, type_key, written):
            return False
    return True


def _named_as_written(units: list[Unit], written: str) -> bool:
    """The text is a unit's name or short name exactly (most addresses with diacritics): then its accent key is one
    of that unit's spellings (which hold the accent keys of both), and need not be computed."""
    for u in units:
        if written == u.short_name or written == u.name:
            return True
    return False


_MARKS: dict[str, bool] = {}


def _has_marks(written: str) -> bool:
    """:func:`hopnhat.text.normalize.has_diacritics`, remembered (the same names are written in many addresses)."""
    found = _MARKS.get(written)
    if found is None:
        if len(_MARKS) >= _MEMO_SIZE:
            _MARKS.clear()
        found = _MARKS[written] = not written.isascii() and has_diacritics(written)  # (ASCII folds to itself)
    return found


def _formerly_typed(unit: Unit, type_key: str, written: str = "") -> bool:
    """The unit once bore this type with this name (history.csv: Xã → Phường, Thị xã → Thành phố, Tỉnh Thừa Thiên
    Huế → Thành phố Huế): ``Huyện Yên Dũng`` names exactly what is now part of Thành phố Bắc Giang."""
    return (type_key + (name_key_of(written) if written else unit.name_keys[1])) in unit.alias_keys


def _neighbours(key: str, scopes: list[KeyIndex], type_key: str) -> list[tuple[str, float, int]]:
    """Keys one edit from ``key`` of units of the written type (when one was written), as rapidfuzz hits."""
    if len(key) < _FUZZY_MIN_LEN:
        return []
    keys = _typed_keys(scopes, type_key)
    return [h for h in _extract(key, keys, 1, 10) if h[1] == 1]


def _extract(key: str, keys: list[str], cutoff: int, limit: int) -> list[tuple[str, float, int]]:
    """rapidfuzz's nearest ``keys`` by Damerau–Levenshtein distance. rapidfuzz is imported by the first search for a
    typo (:func:`hopnhat.units.fuzzy.load_edits`): most columns need none (a province's 100,000 addresses), and its
    import was a third of the parser's."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    found: Any = process.extract(key, keys, scorer=DamerauLevenshtein.distance, score_cutoff=cutoff, limit=limit)
    return found


_TYPED_KEYS: dict[tuple[tuple[int, ...], str], tuple[list[KeyIndex], list[str]]] = {}


def _typed_keys(scopes: list[KeyIndex], type_key: str) -> list[str]:
    """The keys of these scopes naming a unit of the written type (all keys when no type was written), once per
    set of scopes and type (the scopes are kept alongside, as in :func:`_scope_keys`)."""
    ident = (tuple(id(scope) for scope in scopes), type_key)
    found = _TYPED_KEYS.get(ident)
    if found is None:
        keys = list(dict.fromkeys(k for idx in scopes for k in idx
                                  if not type_key or any(u.type_key == type_key for u in idx[k])))
        found = _TYPED_KEYS[ident] = (list(scopes), keys)
    return found[1]


def match_numbered(text: str, tokens: list[Token], end: int, idx: Indexes, scopes: list[str]) -> Match | None:
    """``Phường 1`` / ``P.01``: a number right after a commune type word."""
    if end <= 0 or not tokens[end - 1].key.isdigit():
        return None
    typed = type_word_before(tokens, end - 1)
    if typed is None or "commune" not in typed[1]:
        return None
    units = [u for s in scopes for u in idx.numbered.get((s, tokens[end - 1].key), ())]
    units = _same_type(units, typed[2])
    if not units:
        return None
    if not units:
        return None
    return Match(units, typed[0], end, _written(text, tokens, typed[0], end), True)


def match_fuzzy(text: str, tokens: list[Token], end: int, scopes: list[KeyIndex], level: str,
                narrow: bool = False) -> Match | None:
    """One or two typos (a swap of neighbours counts as one), within the names of the parent unit only.

    Two typos need a name of 8 letters, or 6 within a ``narrow`` scope (the communes of one district), or 4 there
    after its type word; a name of 3 letters is forgiven one typo only after its type word in a narrow scope
    (``X. Bva`` → Xã Ba). Candidates are scored by :mod:`hopnhat.units.fuzzy`, diacritics included: every name less
    than one slip above the best is kept. When they are different communes the match holds them all, and the
    converter answers *ambiguous* with all their new communes instead of guessing. A province or district must be
    clearly ahead of the others.
    """
    if end <= 0:
        return None
    keys = _scope_keys(scopes)
    segment = tokens[end - 1].segment
    for n in range(min(5, end), 0, -1):
        start = end - n
        if tokens[start].segment != segment:
            continue
        key = "".join([t.key for t in tokens[start:end]])
        if len(key) < _SHORT_FUZZY_LEN or key.isdigit() or _starts_with_type(tokens, start, end):
            continue
        accepted = _accept(tokens, start, level)
        if accepted is None or len(key) < (_SHORT_FUZZY_LEN if narrow and accepted[1] else _FUZZY_MIN_LEN):
            continue
        limit = 1 if len(key) < (_SHORT_TWO_SLIPS if narrow and accepted[1] else 6 if narrow else 8) else 2
        hits = _extract(key, keys, limit + 2, 20)
        best = min([h[1] for h in hits], default=limit + 1)
        if best > limit or best == 0 or not _fuzzy_allowed(tokens, start, level, accepted):
            continue
        written = _written(text, tokens, start, end)
        as_written = marked(written) if _marked_from(tokens, start) else None
        units = _same_type(nearest(_scored(hits, scopes, as_written, accepted[1])),
                           accepted[1])
        if not units or (len({u.code for u in units}) != 1 and level != "commune"):
            continue
        return Match(units, accepted[0], end, written, bool(accepted[1]), fuzzy=True)
    return None


_KEYS: dict[tuple[int, ...], tuple[list[KeyIndex], list[str]]] = {}


def _scope_keys(scopes: list[KeyIndex]) -> list[str]:
    """Every key of these scopes, once (kept per set of scopes: fuzzy matching compares a name with all of them).
    The scopes are kept alongside, so that their ids cannot be reused by other dictionaries."""
    ident = tuple(id(scope) for scope in scopes)
    found = _KEYS.get(ident)
    if found is None:
        found = _KEYS[ident] = (list(scopes), list(dict.fromkeys(k for idx in scopes for k in idx)))
    return found[1]


def _scored(hits: Sequence[tuple[str, float, int]], scopes: list[KeyIndex], written_marked: Marked | None,
            type_key: str) -> list[tuple[float, Unit]]:
    return [(score(u, k, int(d), written_marked, type_key), u) for k, d, _ in hits for idx in scopes
            for u in idx.get(k, ())]


def _leading_type(tokens: list[Token], start: int, end: int) -> str:
    """The type word the words ``start:end`` begin with (``phuong`` in ``phuong hai chau``), or ``""``. Written
    with other diacritics, or right after another type word, it is a name: ``Quán Toan`` and ``Phường Quan Trung``
    do not begin with ``Quận``."""
    t = tokens[start]
    if t.key not in TYPE_FIRST_WORDS or ends_type_word(tokens, start):
        return ""
    for n in (2, 1):
        if n == 2 and t.key not in TWO_WORD_TYPE_FIRST:
            continue  # (no two-word type begins so: type_entry would say None)
        words = tokens[start : start + n]
        if start + n < end and type_entry(words) is not None:
            return "".join([t.key for t in words])
    return ""


def _starts_with_type(tokens: list[Token], start: int, end: int) -> bool:
    """The words compared by fuzzy matching must be a name, not a type word and a name."""
    return bool(_leading_type(tokens, start, end))


def _fuzzy_allowed(tokens: list[Token], start: int, level: str, accepted: tuple[int, str]) -> bool:
    """A typo is forgiven only where the text says a unit is: after a type word, or as a whole segment (or dash part)
    (for a province: not the whole address)."""
    if accepted[1]:
        return True
    whole = not _inside_part(tokens, start)
    return whole and (level != "province" or start > 0)


def _find(text: str, tokens: list[Token], end: int, scopes: list[KeyIndex], level: str, idx: Indexes,
          fuzzy: bool, narrow: bool = False) -> Match | None:
    """The unit named by the words ending at ``end``: an exact name, else (``fuzzy``) a near one.

    What is found depends only on the words of that segment up to ``end``, on whether other words come before the
    segment and whether diacritics follow it: the answer is remembered under those, so that ``Tỉnh Quảng Nam`` or
    ``Huyện Thăng Bình`` is looked up once however many addresses end with it. A commune is not remembered: its
    piece seldom recurs without the rest of its ending, which the bulk converter remembers whole (in 30,000
    whole-country conversions, 440 of 25,900 commune searches would be found again; keeping them cost a key and a
    shifted match each).
    """
    if end <= 0:
        return None
    if level == "commune":
        found = match_exact(text, tokens, end, scopes, level, idx.max_words)
        return match_fuzzy(text, tokens, end, scopes, level, narrow) if found is None and fuzzy else found
    first = end - 1
    t = tokens[first]
    segment = t.segment
    while first > 0:
        t = tokens[first - 1]
        if t.segment != segment:
            break
        first -= 1
    key = _find_key(text, tokens, first, end, scopes, level, fuzzy, narrow)
    memo = _memo(idx)
    known = memo.get(key, _UNSEEN)
    if known is not _UNSEEN:
        return _shifted(known, first)  # type: ignore[arg-type]
    found = match_exact(text, tokens, end, scopes, level, idx.max_words)
    if found is None and fuzzy:
        found = match_fuzzy(text, tokens, end, scopes, level, narrow)
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[key] = _shifted(found, -first)
    return found


def _find_key(text: str, tokens: list[Token], first: int, end: int, scopes: list[KeyIndex], level: str, fuzzy: bool,
              narrow: bool) -> tuple[object, ...]:
    """What :func:`_find` depends on. Inside a parse, the segment's text as it was split (the same string object
    for a province or district piece that recurs: its hash is kept) and how many of its words are read, instead of
    the words' text cut out of the address: the words of a segment are a function of its text, so this key is finer
    than the text read and never joins two searches that one would part (its length tells the two kinds apart)."""
    # one scope (most searches): its id alone, an int, which never equals the tuple of ids of several
    ids = id(scopes[0]) if len(scopes) == 1 else tuple([id(scope) for scope in scopes])
    marks = _marks_after(tokens)[end]
    if _pieces_of[0] is tokens:
        pieces: Sequence[str] = _pieces_of[1]  # type: ignore[assignment]
        t = tokens[first]
        return (pieces[t.segment], end - first, first > 0, marks, level, fuzzy, narrow, ids)
    return (_written(text, tokens, first, end), first > 0, marks, level, fuzzy, narrow, ids)


def _shifted(match: Match | None, by: int) -> Match | None:
    if match is None or by == 0:
        return match  # a match is never changed once made: the same one may serve where it needs no shift
    ident = (id(match), by)
    shifts = _SHIFTS
    found = shifts.get(ident)
    if found is None or found[0] is not match:  # remembered with the match itself, so that its id stays its own
        if len(shifts) >= _MEMO_SIZE:
            shifts.clear()
        found = shifts[ident] = (match, _match(match.units, match.start + by, match.end + by, match.written,
                                                match.typed, match.fuzzy))
    return found[1]


_SHIFTS: dict[tuple[int, int], tuple[Match, Match]] = {}  # (a remembered match, a shift) → the match shifted


_MEMO_SIZE = 100_000
_UNSEEN = object()  # a memo entry may be None (nothing found): one lookup tells the two apart
# (segment text and how many of its words, or the words' text; words before it, diacritics after it, level, fuzzy,
# narrow, ids of the scopes)
_MemoKey = tuple[object, ...]  # see _find_key
_memos: list[tuple[Indexes, dict[_MemoKey, Match | None]]] = []


def _memo(idx: Indexes) -> dict[_MemoKey, Match | None]:
    """The remembered matches of these indexes (the key holds the ids of their scopes, valid while they live)."""
    if not _memos or _memos[0][0] is not idx:
        _memos[:] = [(idx, {})]
    return _memos[0][1]


def _strip_noise(tokens: list[Token]) -> int:
    end = len(tokens)
    while end:
        t = tokens[end - 1]
        if not (t.key in _NOISE_TAIL or t.key.isdigit() and len(t.key) >= 5):
            break
        end -= 1
    if end >= 2:
        a, t = tokens[end - 2], tokens[end - 1]
        if a.key == "viet" and t.key == "nam":
            end -= 2
    return end


_Scopes = tuple[set[str] | None, set[str] | None]
_scope_memos: list[tuple[Indexes, dict[tuple[int, ...], tuple[list[Unit], _Scopes]], dict[str, list[str]]]] = []
_derived: dict[tuple[str, int], tuple[set[str], object]] = {}  # (what, id of a remembered scope) → (scope, value)
# id of a list of provinces (a remembered match's) → (the list, the indexes, its scopes)
_SCOPES_BY_LIST: dict[int, tuple[list[Unit], Indexes, _Scopes]] = {}


def _scopes(idx: Indexes, provinces: list[Unit]) -> _Scopes:
    """The old and the new province codes the provinces read stand for (remembered per set of provinces: the same
    few recur in every address; the sets are shared, never changed)."""
    if not provinces:
        return None, None
    if not _scope_memos or _scope_memos[0][0] is not idx:
        olds: dict[str, list[str]] = {}
        for o, n in idx.ref.province_map.items():
            olds.setdefault(n, []).append(o)
        _scope_memos[:] = [(idx, {}, olds)]
        _derived.clear()
    _, memo, olds = _scope_memos[0]
    same = _SCOPES_BY_LIST.get(id(provinces))
    if same is not None and same[0] is provinces and same[1] is idx:
        return same[2]  # the same list of a remembered match: its scopes (its id is its own while it is kept here)
    ident = tuple(map(id, provinces))
    found = memo.get(ident)
    if found is None:
        found = memo[ident] = (provinces, _scopes_of(provinces, olds))  # the units kept: their ids stay theirs
    if len(_SCOPES_BY_LIST) >= _MEMO_SIZE:
        _SCOPES_BY_LIST.clear()
    _SCOPES_BY_LIST[id(provinces)] = (provinces, idx, found[1])
    return found[1]


def _derived_from(what: str, scope: set[str], build: Callable[[Indexes, set[str]], T], idx: Indexes) -> T:
    """``build(idx, scope)``, remembered for a scope :func:`_scopes` returned (such sets live as long as its memo;
    a module function, not a lambda: a closure would be made at every call)."""
    ident = (what, id(scope))
    found = _derived.get(ident)
    if found is None or found[0] is not scope:
        found = _derived[ident] = (scope, build(idx, scope))
    return found[1]  # type: ignore[return-value]


def _districts_of(idx: Indexes, scope: set[str]) -> list[KeyIndex]:
    return [idx.districts_by_province.get(p, _EMPTY) for p in sorted(scope)]


def _old_communes_of(idx: Indexes, scope: set[str]) -> list[KeyIndex]:
    return [idx.old_by_province.get(p, _EMPTY) for p in sorted(scope)]


def _old_numbered_of(idx: Indexes, scope: set[str]) -> list[str]:
    return [f"old:{d}" for p in sorted(scope) for d in idx.province_districts.get(p, ())]


def _new_communes_of(idx: Indexes, scope: set[str]) -> list[KeyIndex]:
    return [idx.new_by_province.get(p, _EMPTY) for p in sorted(scope)]


def _new_numbered_of(idx: Indexes, scope: set[str]) -> list[str]:
    return [f"new:{p}" for p in sorted(scope)]


def _scopes_of(provinces: list[Unit], olds: dict[str, list[str]]) -> _Scopes:
    old, new = set(), set()
    for p in provinces:
        if p.version == "old":
            old.add(p.code)  # an abolished province (Quảng Nam) rules out a new-structure reading
        else:
            new.add(p.code)
            old.update(olds.get(p.code, ()))
    return old, new


def _note_fuzzy(parsed: Parsed, match: Match | None, level: str) -> None:
    if match is not None and match.fuzzy:
        names = " / ".join(dict.fromkeys(u.name for u in match.units))
        parsed.notes.append(f"fuzzy {level}: '{match.written}' → {names}")


def parse(text: str, idx: Indexes | None = None, prepared: bool = False) -> Parsed:
    """Recognise province, district and commune (old and new readings) in one address (``prepared``: the text is
    :func:`hopnhat.units.tokens.prepare`-d already)."""
    idx = idx or indexes()
    text = text if prepared else prepare(text)
    pieces = segments(text)
    return _parse_pieces(text, pieces, idx)


def parse_segments(pieces: Sequence[str], idx: Indexes) -> Parsed:
    """:func:`parse` of ``",".join(pieces)``, segments from :func:`hopnhat.units.tokens.prepared_segments`."""
    return _parse_pieces(",".join(pieces), pieces, idx)


def _parse_pieces(text: str, pieces: Sequence[str], idx: Indexes) -> Parsed:
    """:func:`_parse_tokens` of the segments ``pieces`` of ``text`` (separated by one character each)."""
    tokens = segment_tokens(pieces)
    _starts_of[0], _starts_of[1] = tokens, segment_starts(pieces)
    _pieces_of[0], _pieces_of[1] = tokens, pieces
    try:
        return _parse_tokens(text, tokens, idx)
    finally:
        _pieces_of[0] = _pieces_of[1] = None


def _parse_tokens(text: str, tokens: list[Token], idx: Indexes) -> Parsed:
    parsed = Parsed(text)
    end = _strip_noise(tokens)
    province = _find(text, tokens, end, [idx.provinces], "province", idx, fuzzy=True)
    if province and province.fuzzy and _names_a_unit(tokens, province, idx):
        province = None  # "Số 5, Hải Châu" names a ward exactly; it is not a typo of the province Lai Châu
    _note_fuzzy(parsed, province, "province")
    if province:
        parsed.provinces, end = province.units, province.start
    old_scope, new_scope = _scopes(idx, parsed.provinces)
    after, reach = _parse_old(parsed, text, tokens, end, idx, old_scope)
    if not parsed.districts:
        after = _communes_without_district(parsed, text, tokens, end, idx, old_scope, new_scope)
    if after > 0:
        t = tokens[after - 1]
        parsed.rest = text[: _starts(text, tokens)[t.segment] + t.end].strip(" ,;-")
    reach = 0 if parsed.read_to_start else min(reach, end)  # each search looked only at its ``end``'s segment
    if reach > 0:
        t = tokens[reach - 1]
        parsed.first_segment = t.segment
    parsed.exhausted = reach == 0
    return parsed


def _names_a_unit(tokens: list[Token], match: Match, idx: Indexes) -> bool:
    """The words of ``match`` (its type word aside) are exactly the name of a district or a commune."""
    start = match.start + len(TYPE_WORDS_BY_KEY.get(_leading_type(tokens, match.start, match.end), ()))
    key = "".join(t.key for t in tokens[start : match.end])
    return key in idx.districts or key in idx.old_communes or key in idx.new_communes


def _communes_without_district(parsed: Parsed, text: str, tokens: list[Token], end: int, idx: Indexes,
                               old_scope: set[str] | None, new_scope: set[str] | None) -> int:
    """Old and new readings of a commune named without its district: exact names first; a typo is forgiven only
    when neither reading has an exact name (and only within a named province)."""
    old = _old_commune(text, tokens, end, idx, old_scope, fuzzy=False)
    new = _new_commune(text, tokens, end, idx, new_scope, fuzzy=False)
    if old is None and new is None:
        old = _old_commune(text, tokens, end, idx, old_scope, fuzzy=old_scope is not None)
        new = _new_commune(text, tokens, end, idx, new_scope, fuzzy=new_scope is not None)
    if old and new and old.typed != new.typed:
        old, new = (old, None) if old.typed else (None, new)  # "Xã Sơn Cẩm Hà" is not "... Cẩm Hà"
    if old and new and _marked_from(tokens, min(old.start, new.start)):
        old, new = _as_written(old, new)
    for match in (old, new):
        if match is not None and match.fuzzy:
            _doubt_district_named(parsed, match, tokens, idx, old_scope)
    _note_fuzzy(parsed, old, "old commune")
    _note_fuzzy(parsed, new, "new commune")
    parsed.old_communes = old.units if old else []
    parsed.new_communes = new.units if new else []
    return min(m.start for m in (old, new, Match([], end, end, "")) if m is not None)


def _spelt_as_written(match: Match) -> bool:
    """The match is exact and at least one of its units has the diacritics written (``Vinh`` is not ``Vĩnh``)."""
    key = accent_key_of(match.written)
    return not match.fuzzy and any(key in u.spellings for u in match.units)


def _as_written(old: Match, new: Match) -> tuple[Match | None, Match | None]:
    """In a text written with diacritics, an old reading spelt exactly as written rules out a new one that is not
    (``Xã Vinh Quang`` is not new ``Xã Vĩnh Quang``; ``Điện Quang`` is not ``Điền Quang``), and the other way round."""
    old_ok, new_ok = _spelt_as_written(old), _spelt_as_written(new)
    if old_ok and not new_ok:
        return old, None
    if new_ok and not old_ok:
        return None, new
    return old, new


def _district_scopes(idx: Indexes, old_scope: set[str] | None) -> list[KeyIndex]:
    if old_scope is None:
        return [idx.districts]
    return _derived_from("districts", old_scope, _districts_of, idx)


def _parse_old(parsed: Parsed, text: str, tokens: list[Token], end: int, idx: Indexes,
               old_scope: set[str] | None) -> tuple[int, int]:
    """The old reading with a district; returns where the rest ends and the earliest end searched. Leaves
    ``parsed.districts`` empty when the text names no district (or an untyped district name with no commune before
    it: maybe a new commune's name)."""
    district = _find(text, tokens, end, _district_scopes(idx, old_scope), "district", idx, fuzzy=old_scope is not None)
    if district is None and old_scope is not None:
        district = match_bare_district(text, tokens, end, idx, old_scope)
    if district is None:
        return end, end
    return _commune_in(parsed, text, tokens, end, idx, old_scope, district), district.start


def _commune_in(parsed: Parsed, text: str, tokens: list[Token], end: int, idx: Indexes, old_scope: set[str] | None,
                district: Match) -> int:
    """The commune written before ``district``: in it, or typed and elsewhere in the province (never certain)."""
    scopes, numbered = _in_districts(idx, district.units)
    commune = match_numbered(text, tokens, district.start, idx, numbered) or _find(
        text, tokens, district.start, scopes, "commune", idx, fuzzy=True, narrow=True)
    if commune is None and not district.typed:
        commune = match_bare_number(text, tokens, district.start, idx, numbered)
    if commune is None:
        commune = _outside_district(parsed, text, tokens, district.start, idx, old_scope)
    if commune is None and not district.typed:
        unread, opening = _unread_before(text, tokens, district.start)
        parsed.read_to_start = opening  # with words before it, the part would be read otherwise: say so
        if unread:  # "14 - Gò Vấp - …" with no Phường 14 there: neither the new Phường Gò Vấp nor surely old
            parsed.doubts.append(f"'{unread}' before '{district.written}' is not read (it may be a commune of "
                                 f"{_unit_names(district.units)})")
            parsed.doubt_units = list(district.units)
        return end
    if commune is not None and commune.fuzzy:  # another commune of the district's own province, not of its merger
        _doubt_district_named(parsed, commune, tokens, idx, old_scope, {d.province_code for d in district.units})
    _note_fuzzy(parsed, district, "district")
    _note_fuzzy(parsed, commune, "commune")
    parsed.districts, parsed.district_typed = district.units, district.typed
    if commune is None:
        return district.start
    parsed.old_communes = commune.units
    return commune.start


_IN_DISTRICTS: dict[int, tuple[list[Unit], Indexes, list[KeyIndex], list[str]]] = {}
outlive(_MARKS, _TYPED_KEYS, _KEYS, _SHIFTS, _memos, _scope_memos, _derived, _SCOPES_BY_LIST, _IN_DISTRICTS)


def _in_districts(idx: Indexes, districts: list[Unit]) -> tuple[list[KeyIndex], list[str]]:
    """The commune indexes and the numbered-ward scopes of these districts, remembered by the identity of their list
    (a remembered match's: the same district piece gives the same list; it is kept here, so its id stays its own).
    Never changed by their users."""
    found = _IN_DISTRICTS.get(id(districts))
    if found is None or found[0] is not districts or found[1] is not idx:
        if len(_IN_DISTRICTS) >= _MEMO_SIZE:
            _IN_DISTRICTS.clear()
        found = _IN_DISTRICTS[id(districts)] = (districts, idx,
                                                [idx.old_by_district.get(d.code, _EMPTY) for d in districts],
                                                [f"old:{d.code}" for d in districts])
    return found[2], found[3]


_STREET_OR_HAMLET = frozenset({"thon", "ap", "to", "khu", "kp", "xom", "ban", "duong", "so", "ngo", "hem", "kiet",
                               "ngach", "lo", "toa", "nha", "can", "phong", "tdp", "lang", "buon", "plei", "doi",
                               "cum", "khom", "soc", "pho", "ql", "tl", "dt", "km"})


def match_bare_number(text: str, tokens: list[Token], end: int, idx: Indexes, scopes: list[str]) -> Match | None:
    """A number alone in its part right before an untyped district (``14 - Gò Vấp``, ``3, Sóc Trăng``): the ward
    of that number when the district has one. Without a type word it is read only there, never in a wider scope."""
    if end <= 0 or not tokens[end - 1].key.isdigit() or (end >= 2 and tokens[end - 2].part == tokens[end - 1].part):
        return None
    units = [u for s in scopes for u in idx.numbered.get((s, tokens[end - 1].key), ())]
    if not units:
        return None
    return Match(units, end - 1, end, _written(text, tokens, end - 1, end))


def match_bare_district(text: str, tokens: list[Token], end: int, idx: Indexes, old_scope: set[str]) -> Match | None:
    """A number alone in its segment before the province (``13, 3, Hồ Chí Minh``): the district of that number
    (Quận 3) in a province that has numbered districts. Read only as a whole segment, and only as a district."""
    if end <= 0 or not tokens[end - 1].key.isdigit() or (
            end >= 2 and tokens[end - 2].segment == tokens[end - 1].segment):
        return None
    table = idx.numbered_districts
    units = [d for p in sorted(old_scope) for d in table.get((p, tokens[end - 1].key), ())]
    return Match(units, end - 1, end, _written(text, tokens, end - 1, end)) if units else None


def _unread_before(text: str, tokens: list[Token], start: int) -> tuple[str, bool]:
    """The part right before ``start`` when it is neither a house number, a street nor a hamlet and no unit was
    read in it: a bare number (``14 - Gò Vấp``), or a lone name opening the address (``Tân Hòa - Gò Vấp``); and
    whether the answer depended on that part opening the text (then the caller must have read the whole address)."""
    if start <= 0 or _inside_part(tokens, start):
        return "", False
    first = start - 1
    while first > 0 and _inside_part(tokens, first):
        first -= 1
    words = tokens[first:start]
    if len(words) == 1 and words[0].key.isdigit() and len(words[0].key) <= 2:
        return _written(text, tokens, first, start), False
    if any(t.key.isdigit() or t.key in _STREET_OR_HAMLET or t.expanded for t in words) \
            or type_word_before(tokens, start) is not None:
        return "", False
    return (_written(text, tokens, first, start) if first == 0 else ""), True


def _unit_names(units: list[Unit]) -> str:
    return " / ".join(dict.fromkeys(u.name for u in units))


def _doubt_district_named(parsed: Parsed, commune: Match, tokens: list[Token], idx: Indexes,
                          old_scope: set[str] | None, communes_of: set[str] | None = None) -> None:
    """A commune read through a typo never wins over an exact reading of another unit: ``Tân An`` near Xã Tân Ân
    but exactly Thành phố Tân An (a district in scope) is not certain."""
    start = commune.start + (len(TYPE_WORDS_BY_KEY[t]) if (t := _leading_type(tokens, commune.start, commune.end))
                             else 0)
    key = "".join(t.key for t in tokens[start : commune.end])
    exact = _lookup(_district_scopes(idx, old_scope), key)
    provinces = communes_of if communes_of is not None else old_scope
    if provinces is not None:  # or a commune elsewhere in the province (communes moved between districts)
        exact += [c for c in _lookup([idx.old_by_province.get(p, _EMPTY) for p in sorted(provinces)], key)
                  if c not in commune.units]
    if has_diacritics(commune.written):
        written = accent_key(strip_type(commune.written))
        exact = [u for u in exact if written == u.accent_keys[1] or written in u.former_accents
                 or u.name_keys[1] != key and not u.former_accents]
    if exact:
        parsed.doubts.append(f"'{commune.written}' is only near {_unit_names(commune.units)} but exactly names "
                             f"{_unit_names(exact)}")
        parsed.doubt_units = [u for u in exact if u.level == "district"]
        parsed.doubt_communes = [u for u in exact if u.level == "commune"]


def _outside_district(parsed: Parsed, text: str, tokens: list[Token], end: int, idx: Indexes,
                      old_scope: set[str] | None) -> Match | None:
    if old_scope is None:
        return None
    scopes = _old_by_province(idx, old_scope)
    found = match_exact(text, tokens, end, scopes, "commune", idx.max_words)
    if found and found.typed:
        parsed.commune_outside_district = True
        return found
    return None


def _old_by_province(idx: Indexes, old_scope: set[str]) -> list[KeyIndex]:
    return _derived_from("old", old_scope, _old_communes_of, idx)


def _old_commune(text: str, tokens: list[Token], end: int, idx: Indexes, old_scope: set[str] | None,
                 fuzzy: bool) -> Match | None:
    if old_scope is None:
        scopes, numbered = [idx.old_communes], []
    else:
        scopes = _old_by_province(idx, old_scope)
        numbered = _derived_from("numbered", old_scope, _old_numbered_of, idx)
    return match_numbered(text, tokens, end, idx, numbered) or _find(text, tokens, end, scopes, "commune", idx, fuzzy)


def _new_commune(text: str, tokens: list[Token], end: int, idx: Indexes, new_scope: set[str] | None,
                 fuzzy: bool) -> Match | None:
    if new_scope is None:
        scopes, numbered = [idx.new_communes], []
    else:
        scopes = _derived_from("new", new_scope, _new_communes_of, idx)
        numbered = _derived_from("new numbered", new_scope, _new_numbered_of, idx)
    return match_numbered(text, tokens, end, idx, numbered) or _find(text, tokens, end, scopes, "commune", idx, fuzzy)
