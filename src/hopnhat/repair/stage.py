"""The repair engine: legacy encodings → NFC Unicode, per source column, originals kept.

One engine for ``hopnhat migrate`` (the pipeline's map stage feeds it batches) and ``hopnhat repair`` (the file
readers feed it whole columns, through :mod:`hopnhat.repair.columns`): the same column gives the same cells.

A column's encoding is the one the merger file declares (table ``encoding`` or ``column_encodings``) or, when none is
declared, the one detected on its first batch. Legacy estates are rarely clean — a register typed over years on
different machines, a row pasted from another system, mojibake in a database — so each distinct cell is judged:

1. its reading in the column's encoding is taken when every word of it is Vietnamese and no junk character is left;
2. otherwise every reading of the cell (as it is, TCVN3, VNI, Windows-1258, VISCII, mojibake) is scored — foreign
   words and junk characters against syllables, then everyday syllables (:func:`hopnhat.text.legacy.quality`) —
   and the best one is taken only when it is strictly better than the cell as it is: a cell is never made worse, a
   tie keeps the cell, and the column's reading stays when it has more everyday syllables (``Xã``, ``Thị``) than
   the better-formed one with as many foreign words, or more everyday words than foreign ones (``VŨ THỊ ỸN``) —
   TCVN3 read as VISCII is often well formed and means nothing — but a reading with more foreign words and no more
   everyday ones than foreign (``Chọo Lỏo Lã`` beside ``Chảo Láo Lở``) does not stay on its everyday words,
   counted where the two readings differ (``Lý`` in both ``Lý A Mí Chớ`` and ``Lý A MÝ Chí`` is no evidence); between
   readings that still tie the least marked wins (fewer forms only the minority alphabets write, then fewer tone
   marks: VISCII ``VÀNG A PÁO`` is not TCVN3 ``VẮNG A PẦO``), and the cell as it is keeps a tie unless the column is
   a legacy table that shows no Unicode text (VNI ``Siu Thơm`` shown as ``Siu Thôm``); a column whose legacy table
   the merger file declares takes that table's flawless reading of every cell (TCVN3 ``Ẩn`` shows as ``Ân``);
   since session 26 a reading of a legacy table the column's census finds no cells of gives way, before the marks
   and the everyday words, to an as well formed one of a table it uses (TCVN3 ``Pờ Gò Xá`` is not VISCII ``Pê Gư
   Xị`` in a column of Unicode and TCVN3 cells), and so does the cell as it is in a legacy column that shows no
   Unicode text (VNI ``Ơn`` shown as ``Ôn``); since session 27, in such a column with few cells that are flawless
   both as they are and in one of its tables (at most one in ten: a register's share), a tie between the cell as it
   is and its table goes to the table before the tone marks (TCVN3 ``Ya Gụ`` shows as ``Ya Gô``); the column's own
   syllables, voted among the tables its census found, also decide a tie when the cell as it is reads flawlessly —
   where the column shows Unicode text only back to what the cell shows (VISCII ``Danh Út`` is not TCVN3 ``Danh
   Ết``; a clean ``Danh Út`` stays);
3. a plain-ASCII cell is read as VIQR only on marks plain text does not make (any mark in a VIQR column).

A cell that no reading makes Vietnamese is kept as it was and reported. ``strict`` (the source's ``strictness``)
also reports — and keeps as it was — a cell repaired against its column's encoding that still holds a foreign word.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from hopnhat.i18n import tr
from hopnhat.text.legacy import (
    READINGS,
    Detection,
    Scored,
    common_apart,
    detect,
    family_first,
    has_junk,
    legacy_looking,
    marked,
    reading,
    readings,
    scored,
    scores_of,
    viqr_reading,
)

_SAMPLE = 300  # distinct cells the column's encoding is detected on
_ALIASES = {"utf8": "utf-8", "utf-8-sig": "utf-8", "windows-1258": "cp1258", "vni-windows": "vni", "abc": "tcvn3"}
# The capitals VISCII (Ẳ Ẵ Ẫ Ỷ Ỹ Ỵ) and TCVN3's VN1 level (Ú Ụ Ừ Ử Ữ Ứ Ự Ỳ Ỷ Ỹ Ý Ỵ) put on C0 controls
_LEGACY_C0 = "\x01\x02\x04\x05\x06\x11\x12\x13\x14\x15\x16\x17\x19\x1e"
_HINT = re.compile(r"[aeiouyAEIOUY][(^+'`?~.]|[dD][dD]|\\|[" + _LEGACY_C0 + "]")  # ASCII worth a look
_VIQR_CELLS = 3  # VIQR cells in a column's sample that make its other ASCII cells worth reading as VIQR
_PREFERENCE = ("utf-8", "cp1258", "mojibake", "tcvn3", "vni", "viscii")  # after the column's own encoding


@dataclass(frozen=True)
class CellRepair:
    """One cell whose text changed (``kind`` = the encoding it was read in) or could not be repaired (``problem``)."""

    index: int
    original: str
    repaired: str
    kind: str
    problem: str | None = None


def canonical_encoding(name: str | None) -> str | None:
    if not name:
        return None
    low = name.strip().lower()
    return _ALIASES.get(low, low)


def _family(encoding: str | None) -> str:
    if not encoding or encoding == "ascii":
        return "utf-8"
    return "cp1258" if encoding.startswith("cp1258") else encoding


@lru_cache(maxsize=65_536)
def _vote(cell: str) -> str:
    """The encoding in which a cell reads flawlessly and better than in any other ("" for none): a cell's vote in
    :func:`_census`, the same in every column (remembered)."""
    scores = []
    for name in READINGS[1:]:  # every table but the cell as it is; a reading with a junk character is not clean
        text = reading(cell, name)
        if text is not None and not has_junk(text) and (entry := scored(cell, name)) is not None and \
                entry[1].bad == 0:
            scores.append((entry[2], name))
    scores.sort()
    return scores[0][1] if scores and (len(scores) == 1 or scores[0][0] != scores[1][0]) else ""


_WORD = re.compile(r"\w+")
_WORDS_OF: dict[str, list[str]] = {}  # reading → its non-ASCII words, lower case (see _syllables)


def _syllables(text: str) -> list[str]:
    """The non-ASCII words of a reading, lower case (the words that tell tables apart; remembered)."""
    known = _WORDS_OF.get(text)
    if known is None:
        if len(_WORDS_OF) >= 65_536:
            _WORDS_OF.clear()
        known = _WORDS_OF[text] = [w.lower() for w in _WORD.findall(text) if not w.isascii() and len(w) > 1]
    return known


def _hits(words: frozenset[str], text: str) -> int:
    """How many of a reading's non-ASCII words (:func:`_syllables`) are among ``words``."""
    hits = 0
    for word in _syllables(text):
        if word in words:
            hits += 1
    return hits


def _vote_among(cell: str, tables: Sequence[str]) -> str:
    """:func:`_vote` among ``tables`` only (the column's census): the table a cell reads flawlessly and best in, ""
    for none or a tie."""
    vote = _vote(cell)
    if vote in tables:
        return vote
    scores = []
    for name in tables:
        entry = scored(cell, name)
        if entry is not None and entry[2][0] == 0 and not entry[1].junk:
            scores.append((entry[2], name))
    scores.sort()
    return scores[0][1] if scores and (len(scores) == 1 or scores[0][0] != scores[1][0]) else ""


def _vocabulary(sample: Sequence[str], present: frozenset[str]) -> frozenset[str]:
    """The syllables of the sample cells that read flawlessly in one table only — since session 27, one of the tables
    the column uses only (``present``, its census: TCVN3 ``Mỵ`` also reads as the VISCII ``Mợ``, and in a column of
    TCVN3 and VNI cells it is TCVN3's): what this column's texts say."""
    words: set[str] = set()
    tables = sorted(present)
    for cell in sample:
        vote = _vote_among(cell, tables)
        if vote:
            words.update(_syllables(readings(cell, (vote,))[vote]))
    return frozenset(words)


_TWINS_SHARE = 0.1  # of a column's non-ASCII sample cells that are twins (see _few_twins): a register's at most


def _twin(cell: str, tables: frozenset[str]) -> bool:
    """Whether a cell is flawless clean text as it is and reads flawlessly, as another text, in one of ``tables``
    (TCVN3 ``Ẩn`` shows as ``Ân``: TCVN3 keeps Ẩ on ``0xC2``, Windows-1252's Â)."""
    own = scored(cell, "utf-8")
    if own is None or own[2][0] != 0 or own[1].junk:
        return False
    for name in tables:
        entry = scored(cell, name)
        if entry is not None and entry[2][0] == 0 and not entry[1].junk and entry[0] != own[0]:
            return True
    return False


def _few_twins(sample: Sequence[str], tables: frozenset[str]) -> bool:
    """Whether at most :data:`_TWINS_SHARE` of a column's non-ASCII sample cells are twins (:func:`_twin`). A register
    typed in a legacy table shows few: TCVN3 puts its toneless letters ă â ê ô ơ ư đ on symbol bytes (``¨ © ª « ¬``),
    and nearly every Vietnamese text holds one (0–5 % of the distinct lines of each hand-written list are twins);
    more twins than that are likelier Unicode cells typed into the column."""
    twins = 0
    for cell in sample:
        if _twin(cell, tables):
            twins += 1
    return twins <= _TWINS_SHARE * len(sample)


_NAMES_SHARE = 0.5  # of a mixed column's voting sample cells starting with a family name: a column of names
_NAMES_VOTES = 10  # voting cells a column needs before it is judged a column of names


def _names_column(sample: Sequence[str]) -> bool:
    """Whether a column holds people's names: most of the sample cells that read flawlessly in one table only start
    with a Kinh family name in that reading (``Nguyễn Văn An``; an address or a phrase does not)."""
    votes = hits = 0
    for cell in sample:
        vote = _vote(cell)
        if vote:
            votes += 1
            hits += family_first(readings(cell, (vote,))[vote])
    return votes >= _NAMES_VOTES and hits >= _NAMES_SHARE * votes


def _family_reading(options: dict[str, Scored], present: frozenset[str], chosen: str) -> str:
    """In a column of names, between readings that score the same, the one of a table the column uses whose first
    word is a family name when the chosen one's is not (VNI ``Hồ Văn An`` is Windows-1258 ``Hoà Văn An``)."""
    names = _SORTED.get(present)
    if names is None:
        names = _SORTED[present] = sorted(present)
    rank = options[chosen][2]
    for name in names:  # the first words looked at only beside a reading that scores the same (a few cells)
        if name != chosen and name in options:
            other = options[name]
            tie = other[2]
            if tie[0] == rank[0] and tie[1] == rank[1] and tie[2] <= rank[2] and family_first(other[0]) and \
                    not family_first(options[chosen][0]):
                return name
    return chosen


def _census(sample: Sequence[str]) -> frozenset[str]:
    """The encodings a mixed column uses: those in which some sample cells — at least 2, and 2 % — read flawlessly
    and better than in any other encoding (more syllables, then more everyday ones)."""
    votes: Counter[str] = Counter(_vote(cell) for cell in sample)
    votes.pop("", None)
    least = max(2, 0.02 * len(sample))
    return frozenset(n for n, v in votes.items() if v >= least)


def _best(cell: str, memo: dict[str, Scored | None], options: dict[str, Scored], column: str, flawless: bool,
          others: tuple[str, ...], order: dict[str, int]) -> str:
    """Adds a cell's readings in ``others`` to ``options`` (the column's own reading may be there already) and names
    the best: the best rank, then the first in the tie-break ``order``. Beside a flawless reading of the column a
    reading with a junk character can be neither the best nor count, so it is not scored. (Compiled: the ranks are
    compared as C integers, the entries read as tuples.)"""
    for name in others:
        if name in memo:
            entry = memo[name]
            if entry is None or (flawless and entry[1].junk):
                continue
        elif flawless:
            text = reading(cell, name)
            if text is None or has_junk(text):
                continue
            entry = scored(cell, name)
        else:
            entry = scored(cell, name)
        if entry is not None:
            options[name] = entry
    best = column
    found = False
    key0 = key1 = key2 = place = 0
    for name in options:
        rank = options[name][2]  # (bad, -good, -common)
        r0, r1, r2, where = rank[0], rank[1], rank[2], order[name]
        if not found or r0 < key0 or r0 == key0 and (r1 < key1 or r1 == key1 and (  # (r0, r1, r2, where) < key
                r2 < key2 or r2 == key2 and where < place)):
            best, found = name, True
            key0, key1, key2, place = r0, r1, r2, where
    return best


_SORTED: dict[frozenset[str], list[str]] = {}  # a column's encodings (a few) → sorted, made once per set


def _familiar(words: frozenset[str], present: frozenset[str], options: dict[str, Scored], chosen: str,
              shown: str | None = None) -> str:
    """See :meth:`ColumnRepairer._familiar` (a module function: compiled, a C call; ``present`` sorted once). With
    ``shown`` (the cell as it is, flawless: session 27) only a reading that gives that text back can win: the
    column's syllables then bring a cell back to what it shows, never move it elsewhere."""
    names = _SORTED.get(present)
    if names is None:
        names = _SORTED[present] = sorted(present)
    rank = options[chosen][2]
    best, most = chosen, _hits(words, options[chosen][0])
    for name in names:
        if name != chosen and name != "utf-8" and name in options and options[name][2] == rank and (
                shown is None or options[name][0] == shown):
            hits = _hits(words, options[name][0])
            if hits > most:
                best, most = name, hits
    return best


def _least_marked(options: dict[str, Scored], chosen: str, used: frozenset[str] | None = None,
                  unused: frozenset[str] = frozenset(), tables_first: bool = False) -> str:
    """Between readings without junk that score the same as the chosen one (as many foreign words, syllables and
    everyday words), the least marked (:func:`hopnhat.text.legacy.marked`): fewer words only a minority alphabet
    writes, then fewer tone marks; the chosen one when none is less marked. Each legacy table keeps its toneless
    letters (ă â ê ô ơ ư đ) on a few bytes that the other tables give toned letters (VNI ``ơ`` is TCVN3 ``ụ``,
    TCVN3 ``ê`` VISCII ``ế``), and the national orthography's syllables outnumber those only the minority alphabets
    write, so a misreading that stays well formed is the more marked one (VISCII ``PÁO`` as TCVN3 ``PẦO``).
    With ``used`` (a column that shows no Unicode text: see :attr:`ColumnRepairer._as_is`), among the least marked
    a reading of a table the column uses wins over the cell as it is.
    Before the marks (session 26), a reading of a table in ``unused`` — a legacy table no cell of the column's sample
    reads in alone (:func:`_census`), in a column whose census found some — loses to the others: TCVN3 ``Pờ Gò Xá``
    in a column of UTF-8 and TCVN3 cells reads as the VISCII ``Pê Gư Xị``, one tone mark instead of three. A column
    whose own reading is flawless never looks at those tables (:meth:`ColumnRepairer._plan`); this gives the same
    weight to the census when its own reading is not (a UTF-8 column with legacy cells). The cell as it is is no
    table, and keeps its place. With ``tables_first`` (a register of legacy tables: see
    :attr:`ColumnRepairer._tables_first`, session 27) the cell as it is gives way to a table the column uses before
    the tone marks: TCVN3 ``Ya Gụ`` shows as the flawless ``Ya Gô``, one tone mark fewer."""
    rank = options[chosen][2]
    text = options[chosen][0]
    best = chosen
    least: tuple[int, ...] | None = None  # the chosen reading's marks, counted once another one ties
    for name in options:
        entry = options[name]
        if name != chosen and entry[2] == rank and not entry[1].junk and (used is not None or entry[0] != text):
            if least is None:
                least = _mark(options, chosen, used, unused, tables_first)
            key = _mark(options, name, used, unused, tables_first)
            if key < least:
                best, least = name, key
    return best


def _used_instead(options: dict[str, Scored], best: str, unused: frozenset[str], order: dict[str, int]) -> str:
    """The best reading of a table the column uses (or the cell as it is) with as many foreign words and syllables as
    ``best``, a reading of a table the column's census found no cells of (session 26): everyday words do not bring in
    a table the column does not use (TCVN3 ``Ẳng Cang`` in a column of UTF-8 and TCVN3 cells read as the VISCII
    ``Ứng Cang``, ``Ứng`` a given name); ``best`` when there is none. The same for the cell as it is in a legacy
    column that shows no Unicode text (see :attr:`ColumnRepairer._as_is`), where a tie already goes to the table:
    VNI ``Ơn`` alone shows as ``Ôn``, a family name of the list, and is the VNI reading."""
    rank = options[best][2]
    found = best
    key: tuple[int, int] | None = None
    for name in options:
        entry = options[name]
        tie = entry[2]
        if name not in unused and tie[0] == rank[0] and tie[1] == rank[1] and not entry[1].junk:
            mine = (tie[2], order[name])
            if key is None or mine < key:
                found, key = name, mine
    return found


def _mark(options: dict[str, Scored], name: str, used: frozenset[str] | None, unused: frozenset[str],
          tables_first: bool = False) -> tuple[int, int, int, int, int, int]:
    """1 for a reading of a table in ``unused``, then the forms of :func:`hopnhat.text.legacy.marked`, then 1 for a
    reading with a word on a small non-ASCII letter among capitalised ones, or alone (session 26:
    :func:`_small_among_capitals`), then its tone marks, then 1 for a reading of no table in ``used`` (0 without) —
    counted before the tone marks with ``tables_first`` (session 27)."""
    text = options[name][0]
    rare, tones = marked(text)
    other = 0 if used is None or name in used else 1
    return 1 if name in unused else 0, rare, _small_among_capitals(text), other if tables_first else 0, tones, \
        0 if tables_first else other


def _small_among_capitals(text: str) -> int:
    """1 when a reading is one word on a small non-ASCII letter, or has one such word after capitalised ones and no
    other small word: VISCII keeps its toned capitals on the bytes TCVN3 gives small letters (``0xC0``–``0xDF``:
    VISCII ``Ửng``, ``Ng. V. Ửng`` are TCVN3 ``ẳng``, ``Ng. V. ẳng``), and a register writes a name's words with
    capitals. A phrase in small letters (``ẩn danh``) or a small type word first (``ấp Tân Hoà``) is no such case."""
    small = words = 0
    lead = False
    for word in _WORD.findall(text):  # a loop: compiled
        first = word[0]
        if first.islower():
            if small or first < "\x80":
                return 0
            small, lead = 1, words == 0
        elif first.isupper():
            words += 1
    return 0 if lead and words else small


def _viqr_register(hinted: Iterable[str]) -> bool:
    """Whether at least :data:`_VIQR_CELLS` of a column's sample cells read as VIQR on their own (looked at until
    that many are found)."""
    found = 0
    for cell in hinted:
        if viqr_reading(cell) is not None:
            found += 1
            if found >= _VIQR_CELLS:
                return True
    return False


def _plain(cell: str) -> bool:
    """ASCII without the C0 controls VISCII and TCVN3 put capitals on (compiled, a loop over code points in C)."""
    if not cell.isascii():
        return False
    for char in cell:
        if char in "\x01\x02\x04\x05\x06\x11\x12\x13\x14\x15\x16\x17\x19\x1e":  # _LEGACY_C0 (a C switch)
            return False
    return True


class Reading(NamedTuple):
    """The engine's answer for one distinct cell."""

    text: str
    kind: str
    problem: str | None = None


_new_tuple = tuple.__new__


def _reading(text: str, kind: str, problem: str | None = None) -> Reading:
    """``Reading(text, kind, problem)`` made as the tuple it is, without the named tuple's Python-level ``__new__``
    (one is made per distinct cell of a column)."""
    return _new_tuple(Reading, (text, kind, problem))


@dataclass
class ColumnRepairer:
    """Repairs the cells of one source column batch after batch, with the same column encoding throughout."""

    column: str
    encoding: str | None = None
    strict: bool = False
    _cache: dict[str, Reading] = field(default_factory=dict)
    _detection: Detection | None = None
    _present: frozenset[str] = frozenset()  # encodings some sample cells read flawlessly in and no other
    _viqr_seen: bool = False  # cells of the sample read as VIQR on their own: a register partly typed in VIQR
    _plans: dict[bool, tuple[tuple[str, ...], dict[str, int], frozenset[str], frozenset[str]]] = field(
        default_factory=dict)  # see _plan
    _words: frozenset[str] = frozenset()  # the column's own syllables: see _vocabulary
    _names: bool = False  # a mixed column of people's names: see _names_column
    # whether the cell as it is counts as a reading of the column in a tie: unless the column's encoding was detected
    # as a legacy table and every non-ASCII cell of its sample has a Windows-1252 byte for each character (no ơ ư ă
    # đ ạ… that only Unicode text holds): then a cell whose letters are all Latin-1 (VNI Thơm shown as Thôm) is far
    # more often legacy bytes than Unicode, and a tie goes to the table the column uses
    _as_is: bool = True
    _declared: bool = False  # the merger file declared a legacy table for the column: its flawless reading is taken
    _unused: frozenset[str] = frozenset()  # legacy tables the census found no cells of (none without a census)
    # a column that shows no Unicode text (not _as_is) and few twins (see _few_twins): a register of its tables, where
    # a tie between the cell as it is and a table it uses goes to the table before the tone marks (session 27)
    _tables_first: bool = False

    def __post_init__(self) -> None:
        self._declared = _family(self.encoding) != "utf-8"

    def settle(self, cells: Sequence[str | None]) -> None:
        """See a batch's cells without repairing them: a delta run repairs only the changed rows of a batch, yet the
        column's encoding must be read from the whole batch, as a full run reads it."""
        self._settle(cells)

    def _settle(self, cells: Sequence[str | None]) -> None:
        if self.encoding not in (None, "ascii"):
            return
        distinct = [c for c in dict.fromkeys(cells) if c]  # first-seen order, so every batching gives one sample
        legacy = list(islice((c for c in distinct if not _plain(c)), _SAMPLE))
        sample = legacy or distinct[:_SAMPLE]
        hinted = islice((c for c in distinct if c.isascii() and _HINT.search(c)), _SAMPLE)
        self._viqr_seen = _viqr_register(hinted)
        self._present = _census(legacy)
        self._words = _vocabulary(legacy, self._present) if len(self._present) > 1 else frozenset()
        self._plans.clear()
        if sample:
            self._detection = detect(sample)
            if legacy or self._detection.encoding == "viqr" or self.encoding is None:
                self.encoding = self._detection.encoding
        self._unused = frozenset(READINGS[1:]) - self._present - {_family(self.encoding)} if self._present else \
            frozenset()
        self._as_is = _family(self.encoding) == "utf-8" or not self._present or \
            not all(legacy_looking(c) for c in legacy)
        self._tables_first = not self._as_is and _few_twins(legacy, (self._present | {_family(self.encoding)}) -
                                                            {"utf-8"})
        # a column of names whose cells come in a table other than its own (VNI cells in a UTF-8 register too)
        self._names = bool(self._present - {_family(self.encoding)}) and _names_column(legacy)

    @property
    def detection(self) -> Detection:
        """What the column's encoding rests on (declared encodings carry no evidence)."""
        if self._detection is not None and self._detection.encoding == self.encoding:
            return self._detection
        return Detection(self.encoding or "ascii", 1.0)

    def _ascii(self, cell: str) -> Reading:
        text = viqr_reading(cell, column=self.encoding == "viqr" or self._viqr_seen)
        return _reading(text, "viqr") if text is not None else _reading(cell, "ascii")

    def _unreadable(self, cell: str, kind: str) -> Reading:
        reason = tr(f"không đọc được như tiếng Việt ở bảng mã nào (cột: {kind})",
                    f"not readable as Vietnamese in any encoding (column: {kind})")
        return _reading(cell, kind, reason)

    def _order(self, column: str, flawless: bool) -> list[str]:
        """Tie-break order: the column's reading when it is flawless (or mojibake, whose pattern was found), else
        the cell as it is; then the encodings by how well they read the column's sample (a mixed column's others).
        So a foreign name in a legacy column (``Zürich``) stays, and ``Âu Cõ ð`` in a Windows-1258 column is read."""
        first = [column, "utf-8"] if flawless or column == "mojibake" else ["utf-8", column]
        scores = self._detection.scores if self._detection else {}
        rest = sorted((e for e in _PREFERENCE if e not in first), key=lambda e: -scores.get(e, 0.0))
        return first + rest

    def _plan(self, column: str, flawless: bool) -> tuple[tuple[str, ...], dict[str, int], frozenset[str],
                                                          frozenset[str]]:
        """The other encodings worth decoding a cell in, the tie-break order (encoding → its first place), the
        readings a flawless one of the column does not give way to on everyday words alone, and the readings the
        column's own syllables decide between (none unless the column mixes tables): the same for every cell of the
        column whose own reading is (not) flawless, so made once."""
        plan = self._plans.get(flawless)
        if plan is None:
            # A flawless reading gives way only to an equally flawless one of a table the column uses (or the cell
            # as it is, with more syllables): only those are worth decoding.
            others = ("utf-8", *sorted(self._present)) if flawless else READINGS
            order = self._order(column, flawless)
            familiar = frozenset((column, *self._present)) - {"utf-8"} if self._words else frozenset()
            plan = self._plans[flawless] = (tuple(e for e in dict.fromkeys(others) if e != column),
                                            {name: order.index(name) for name in order},
                                            frozenset((column, "utf-8", *self._present)), familiar)
        return plan

    def _read(self, cell: str) -> Reading:
        """The reading of one distinct non-ASCII cell (see the module doc and :func:`_decide`)."""
        return _decide(self, cell)

    def _familiar(self, options: dict[str, Scored], chosen: str) -> str:
        """Between flawless readings of a cell in two tables the column uses that score the same (VISCII bytes read
        as TCVN3: ``Tạ Quang Bửu`` / ``Tế Quang Bỉu``), the one with more of the column's own syllables; the
        reading chosen so far when none has more (:func:`_familiar`)."""
        return _familiar(self._words, self._present, options, chosen)

    def read(self, cell: str) -> Reading:
        """The reading of one cell (remembered per distinct value)."""
        known = self._cache.get(cell)
        if known is None:
            if len(self._cache) > 200_000:
                self._cache.clear()
            known = self._cache[cell] = self._ascii(cell) if _plain(cell) else _decide(self, cell)
        return known

    def changed(self, cells: Sequence[str | None]) -> dict[str | None, Reading]:
        """The readings of the distinct cells that change or cannot be repaired (the others stay as they are)."""
        self._settle(cells)
        found: dict[str | None, Reading] = {}
        cache, hint = self._cache, _HINT.search  # bound once, not per cell
        for cell in set(cells):  # each distinct value once
            if cell is None or (cell.isascii() and hint(cell) is None):
                continue
            reading = cache.get(cell)
            if reading is None:
                reading = self.read(cell)
            if reading[2] is not None or reading[0] != cell:  # .problem, .text
                found[cell] = reading
        return found

    def repair(self, cells: Sequence[str | None]) -> tuple[list[str | None], list[CellRepair]]:
        """Repaired cells (same length) and the cells that changed or could not be repaired."""
        found = self.changed(cells)
        if not found:
            return list(cells), []
        out: list[str | None] = []
        changes: list[CellRepair] = []
        for i, cell in enumerate(cells):
            reading = found.get(cell)
            if reading is None:
                out.append(cell)
                continue
            out.append(reading.text)
            changes.append(CellRepair(i, cell or "", reading.text, reading.kind, reading.problem))
        return out, changes


# Session 27: VISCII and Windows-1258 keep Đ and đ on the bytes 0xD0 and 0xF0, where Windows-1252 and Latin-1 have the
# Icelandic eth (Ð ð), so a VISCII cell ``Tàu cá NĐ-90345-TS`` whose other bytes are Latin-1 letters too shows as
# ``Tàu cá NÐ-90345-TS``, as well formed as its reading (NĐ and NÐ are no syllables). Vietnamese writes đ only at a
# syllable's start; Icelandic and Faroese never begin a word with ð, and write it after a vowel or r (Guðrún,
# Sigurður). So an eth that begins a word, or follows only consonants in its word (an abbreviation: NĐ, TNĐ), is
# the đ of a column that uses one of those tables, when that table's reading is the cell with only such eths changed.
_ETH_TABLES = ("viscii", "cp1258")
_DYET = str.maketrans("Ðð", "Đđ")
_INITIAL_ETH = re.compile(r"(?<![^\W\d_])[^\W\d_aeiouyAEIOUYà-ÿÀ-ß]*?[Ðð]")


def _eth_table(options: dict[str, Scored], best: str, tables: frozenset[str]) -> str:
    """The reading of a table in ``tables`` that keeps 0xD0/0xF0 as Đ/đ when it is the cell as it is (``best``)
    with each eth turned into Đ/đ and every eth stands where Vietnamese writes đ (see above); ``best`` otherwise."""
    shown = options[best][0]
    if sum(1 for m in _INITIAL_ETH.finditer(shown)) != shown.count("Ð") + shown.count("ð"):
        return best
    wanted = shown.translate(_DYET)
    for name in _ETH_TABLES:
        if name in tables and name in options and options[name][0] == wanted and not options[name][1].junk:
            return name
    return best


def _decide(engine: ColumnRepairer, cell: str) -> Reading:
    """The reading of one distinct non-ASCII cell in ``engine``'s column (see the module doc): a module function so
    that, compiled, it is called as a C function. A scored reading is ``(text, quality, rank)`` with rank
    ``(bad, -good, -common)`` (:data:`hopnhat.text.legacy.Scored`): the counts are read from the rank, a plain tuple
    (compiled, read in C), the junk from the quality."""
    encoding = engine.encoding
    column = _family(encoding)
    memo = scores_of(cell)  # this value's scored readings, shared by all columns
    own = memo[column] if column in memo else scored(cell, column)
    flawless = own is not None and own[2][0] == 0
    if flawless and own is not None and (engine._declared or not legacy_looking(cell)):
        # (declared: the user's word outweighs a tie — TCVN3 Ẩn shows as the flawless Windows-1252 Ân, and in a column
        # declared TCVN3 it is Ẩn; detected columns weigh the tie below)
        return _reading(own[0], encoding or column)
    plans = engine._plans
    plan = plans.get(flawless)
    others, order, stays, familiar = plan if plan is not None else engine._plan(column, flawless)
    options: dict[str, Scored] = {} if own is None else {column: own}
    best = _best(cell, memo, options, column, flawless, others, order)
    if best in engine._unused:
        best = _used_instead(options, best, engine._unused, order)
    elif best == "utf-8" and not engine._as_is:
        best = _used_instead(options, best, engine._unused | {"utf-8"}, order)
    rank = options[best][2]
    if own is not None:
        mine = own[2]
        # more everyday words (rank: -common), and as many foreign ones or more everyday than foreign words, counted
        # where the two readings differ (a word both have is no evidence: TCVN3 Lý Mí Chớ shown as Lý MÝ Chí)
        if not own[1].junk and mine[2] < rank[2] and (mine[0] == rank[0] or -mine[2] > mine[0] and
                                                      common_apart(own[0], options[best][0]) > mine[0]):
            best = column  # a better-formed reading with fewer everyday words: the usual cross-table accident
        elif mine[0] == 0 and best not in stays and rank[0] == mine[0] and rank[1] == mine[1]:
            best = column  # everyday words alone do not move a flawless reading to a table the column does not use
        rank = options[best][2]
    if rank[0] == 0 and (best != "utf-8" or not engine._as_is):  # a tie keeps the cell as it is (if Unicode is
        # what the column shows), between other readings the least marked wins
        best = _least_marked(options, best, None if engine._as_is else stays - {"utf-8"}, engine._unused,
                             engine._tables_first)
        rank = options[best][2]
    if familiar and rank[0] == 0 and best in familiar:
        # the cell as it is flawless (and rewritten) in a column that shows Unicode: only its own text can come back
        # (VISCII Danh Út, TCVN3 Danh Ết); a column that shows none asks its syllables as for any cell (VNI Nay Hơn)
        shown = options["utf-8"] if "utf-8" in options else None
        if shown is None or shown[2][0] or shown[1].junk or not engine._as_is:
            best = _familiar(engine._words, engine._present, options, best)
        elif shown[0] != options[best][0]:
            best = _familiar(engine._words, engine._present, options, best, shown[0])
        rank = options[best][2]
    if engine._names and rank[0] == 0:
        best = _family_reading(options, engine._present, best)
        rank = options[best][2]
    if options[best][1].junk or (best != "utf-8" and -rank[1] < rank[0]):  # junk, or fewer syllables than not
        return engine._unreadable(cell, encoding or column)
    if engine.strict and best not in ("utf-8", column) and rank[0] != 0:
        return _reading(cell, best, tr(f"đọc ở bảng mã {best} vẫn còn từ lạ (chế độ nghiêm ngặt)",
                                      f"read as {best} it still has foreign words (strict mode)"))
    if best == "utf-8" and ("Ð" in cell or "ð" in cell):
        best = _eth_table(options, best, engine._present | {column})
    return _reading(options[best][0], encoding if best == column and encoding else best)
