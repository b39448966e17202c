"""The conversion engine for many addresses: each distinct value converted once, rows cached by the address ending
that decided them, on all cores.

:mod:`hopnhat.units.column` drives it for an Arrow column (``hopnhat units convert``); the pipeline and linkage call
:func:`convert_distinct` on Python values.
"""

from __future__ import annotations

import gc
import os
import pickle
import re
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from hopnhat.units.cache import outlive
from hopnhat.units.convert import Conversion, SplitEvidence, convert_address, decide, invalid_reason
from hopnhat.units.fuzzy import load_edits
from hopnhat.units.index import indexes
from hopnhat.units.parse import Parsed, parse, parse_segments
from hopnhat.units.reference import Unit
from hopnhat.units.tokens import prepared_segments

RESULT_COLUMNS = ("status", "new_province_code", "new_commune_code", "candidates", "reason")
_PARALLEL_MIN = 20_000
_CHUNK = 2_000

Row = tuple[str, str | None, str | None, str, str]
EMPTY_ROW: Row = ("", "", "", "", "")  # one empty string per result column


def _as_row(r: Conversion) -> Row:
    return r.status, r.new_province_code, r.new_commune_code, ";".join(r.candidates), r.reason


def row_numbers(rows: list[Row], numbers: dict[Row, int]) -> list[int]:
    """Each row's number in ``numbers``, where a row not numbered yet gets the next number. Rows repeat as the same
    objects (a row is remembered per decision; a child's rows come back through one pickle, which keeps them
    shared): each object is numbered once, by identity, and looked up by value (a tuple of five strings hashed) only
    the first time. (Here, compiled, rather than in :mod:`hopnhat.units.column`: a loop over every converted value.)"""
    by_object: dict[int, int] = {}
    ids: list[int] = []
    for row in rows:
        key = id(row)
        found = by_object.get(key)
        if found is None:
            found = by_object[key] = numbers.setdefault(row, len(numbers))
        ids.append(found)
    return ids


ENDING_SEGMENTS = 3  # segments parsed at first


class _Suffixes:
    """Rows cached by the part of the address their conversion depended on.

    The parser reads right to left, one segment (between commas, or dashes before a type word) per unit, and reports
    the first segment it looked at
    (:attr:`hopnhat.units.parse.Parsed.first_segment`): the result is a function of the text from that segment on,
    and of whether any word comes before it.
    Any other address ending with the same segments converts to the same row, whatever house, street or hamlet comes
    before, so ``12 Lê Lợi, Tổ 3, Phường Phước Ninh, Quận Hải Châu, Đà Nẵng`` and ``40 Trần Phú, Tổ 9, Phường Phước
    Ninh, Quận Hải Châu, Đà Nẵng`` are parsed once. A key with no word before it is marked: with nothing before
    it, a lone province name is read differently. Only the last :data:`ENDING_SEGMENTS` segments are parsed at
    first (a commune, a district and a province); the whole address only when the parser ran out of text.
    """

    def __init__(self, endings_repeat: bool = True) -> None:
        self.rows: dict[tuple[object, ...], Row] = {}
        self.lengths = 0  # which sizes of key :attr:`rows` holds (see _may_hold)
        self.raw: dict[str, Row] = {}
        # whether rows are remembered by raw ending (:meth:`entry`): not when the values seldom share one (a
        # column's distinct endings), where that memo is never read and only grows (43,000 raw endings and their
        # text on 100,000 whole-country addresses: about 4 % of the command's CPU, development timing)
        self.by_raw = endings_repeat
        self.decisions: dict[tuple[object, ...], Row] = {}
        self.idx = indexes()

    def _decided(self, parsed: Parsed) -> Row:
        """The row of a parse, remembered by what :func:`hopnhat.units.convert.decide` reads of it (without split
        evidence the row depends on nothing else: not on the text, nor on the rest before the units)."""
        key = _decision_key(parsed)
        row = self.decisions.get(key)
        if row is None:
            row = self.decisions[key] = _as_row(decide(parsed, self.idx, None))
        return row

    def row(self, value: object) -> Row:
        return self.entry(value)[0]

    def entry(self, value: object) -> tuple[Row, bool]:
        """The row, and whether it holds for every address with the same raw ending (:func:`raw_ending`)."""
        if not isinstance(value, str) or invalid_reason(value) is not None:
            return _as_row(convert_address(value)), False
        raw_key = raw_ending(value)
        if raw_key is None:
            return self._row(value)[0], False
        row = self.raw.get(raw_key) if self.by_raw else None
        if row is None:
            ending = prepared_segments(raw_key)  # "" first: the text before its comma
            row = self._ending_row(ending)
            if row is None:  # the parser ran out of the ending's segments: the whole address
                row, used = self._row(value)
                if used > len(ending) - 1:
                    return row, False
            if self.by_raw:
                self.raw[raw_key] = row
        return row, True

    def _ending_row(self, ending: list[str]) -> Row | None:
        """The row of an address read from its raw ending's prepared segments alone (``ending``: the empty segment
        before its comma first), or None when the parser ran out of them.

        What :meth:`_row` does for the address, without preparing the pieces before its ending (house numbers,
        streets: a third of the pieces prepared, most of them met once) nor looking up the keys that hold them: a
        row is kept under more segments than the ending holds only when the parse of its last
        :data:`ENDING_SEGMENTS` segments ran out of text, and then this one's runs out too (the same segments), and
        :meth:`_row` reads the address whole. A word comes before the ending (:func:`raw_ending` found a letter), so
        no key of these segments is marked as having none."""
        rows, pieces = self.rows, tuple(ending)
        count = len(pieces)
        for first in range(count - 1, 0, -1):
            if self._may_hold(count - first, False):
                row = rows.get(_suffix_key(pieces, first, False))
                if row is not None:
                    return row
        first = count - ENDING_SEGMENTS
        parsed = parse_segments(ending[first:], self.idx)
        if parsed.exhausted:
            return None
        row = self._decided(parsed)
        self._keep(_suffix_key(pieces, first + parsed.first_segment, False), row)
        return row

    def _row(self, value: str) -> tuple[Row, int]:
        """The row, and how many segments from the end decided it (more than any address has when no word came
        before them).

        Rows are kept under the segments that decided them, as a tuple (whether no word came before them, the
        first one without its leading spaces, the others as they are): a tuple of segments that no comma can be
        in stands for their text joined by commas, and its hash is made of theirs, which the province and district
        pieces (the prepared pieces are remembered: the same strings recur) carry already. Joining the text of
        every suffix and hashing it cost a tenth of a distinct ending."""
        segments = prepared_segments(value)  # prepared once: the parse reads these segments as they are
        rows, count, pieces = self.rows, len(segments), tuple(segments)
        lead = _first_worded(segments)
        for k in range(1, count + 1):
            first = count - k
            if self._may_hold(k, first <= lead):
                row = rows.get(_suffix_key(pieces, first, first <= lead))
                if row is not None:
                    return row, _WHOLE_USED if first <= lead else k
        first = max(count - ENDING_SEGMENTS, 0)
        parsed = parse_segments(segments[first:], self.idx)
        if parsed.exhausted and first > lead:
            first, parsed = 0, parse(value, self.idx)
        row = self._decided(parsed)
        first += parsed.first_segment
        whole = first <= lead
        self._keep(_suffix_key(pieces, first, whole), row)
        return row, _WHOLE_USED if whole else count - first

    def _may_hold(self, segments: int, whole: bool) -> bool:
        """Whether :attr:`rows` may hold a key of this many segments (``whole``: no word before them): False when it
        has never held one, so that the key need not be made nor looked up. Rows are kept under the segments that
        decided them, almost always the last :data:`ENDING_SEGMENTS` (of 180,000 keys looked up in 60,000
        whole-country conversions, only those of three segments ever held a row)."""
        bit = 2 * segments + whole
        return bit >= _LENGTH_BITS or (self.lengths >> bit) & 1 == 1

    def _keep(self, key: tuple[object, ...], row: Row) -> None:
        """``rows[key] = row``, its size noted for :meth:`_may_hold`."""
        bit = 2 * (len(key) - 1) + (key[0] is True)
        if bit < _LENGTH_BITS:
            self.lengths |= 1 << bit
        self.rows[key] = row


_LENGTH_BITS = 62  # keys of up to 30 segments are noted by size; longer ones are always looked up


def _suffix_key(segments: tuple[str, ...], first: int, whole: bool) -> tuple[object, ...]:
    """The key of the segments from ``first`` on (``whole``: no word comes before them): see :meth:`_Suffixes._row`."""
    return (whole, _lstripped(segments[first])) + segments[first + 1 :]


def _lstripped(segment: str) -> str:
    """``segment.lstrip()``: the same test of each character (compiled, a loop in C instead of a method call, which
    cost a third of a suffix key; a key is made for every suffix tried)."""
    n = len(segment)
    i = 0
    while i < n and segment[i].isspace():
        i += 1
    return segment[i:] if i else segment


def _ids(units: list[Unit]) -> tuple[int, ...]:
    if not units:
        return ()  # most lists of a parse are empty
    if len(units) == 1:
        return (id(units[0]),)  # and most of the others hold one unit
    return tuple([id(u) for u in units])  # the units live as long as the indexes that hold them (and the cache)


def _decision_key(parsed: Parsed) -> tuple[object, ...]:
    """Every field of a parse that :func:`hopnhat.units.convert.decide` reads (``rest`` aside: a row has none)."""
    return (_ids(parsed.provinces), _ids(parsed.districts), _ids(parsed.old_communes), _ids(parsed.new_communes),
            parsed.commune_outside_district, tuple(parsed.notes), tuple(parsed.doubts), _ids(parsed.doubt_units),
            _ids(parsed.doubt_communes))


_WHOLE_USED = 1 << 30
_WORD_CHAR = re.compile(r"[^\W_]")  # what every token of the tokenizer holds


def _first_worded(segments: list[str]) -> int:
    """The index of the first segment holding a word (the number of segments when none does): segments before it
    are invisible to the parser (``, Quảng Nam`` reads like ``Quảng Nam``)."""
    for i, segment in enumerate(segments):
        if segment[:1].isalnum() or _WORD_CHAR.search(segment):  # [^\W_] is what str.isalnum() accepts
            return i
    return len(segments)


# A letter for certain (Latin, with Vietnamese diacritics): a raw ending is used only after one. Written out, not
# \w, so that Python and Arrow's RE2 agree on it.
LETTER_CLASS = "[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u017f\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]"
_LETTER_BEFORE = re.compile(LETTER_CLASS)


def raw_ending(value: str) -> str | None:
    """The raw text from the comma before the last :data:`ENDING_SEGMENTS` comma segments on, comma included; None
    with fewer commas, with a ``;``, ``|`` or new line, or with no letter before that comma.

    Preparing only composes characters and glues ``T.P`` within a segment, and dashes only add segment breaks
    inside it, so the segments of this text are the last segments of the address: when the row was decided by no
    more of them than the ending holds (its prepared segments, the empty one before its comma aside), any address
    with the same raw ending and a word before it converts to the same row. Looking it up costs a few ``rfind``
    instead of preparing and splitting the whole address. :func:`hopnhat.units.column.raw_endings` computes the same
    for a whole Arrow column.

    An address of fewer segments has none: its ending would hold the district and the province only, and the
    commune before them decides (``Xã A, Huyện B, Tỉnh C``), so the addresses sharing it would all be converted
    again one by one after the first round, in one process; read whole, each distinct one is converted once in
    the first round, on all cores.
    """
    if ";" in value or "|" in value or "\n" in value:
        return None  # rare: the general path
    pos = len(value)
    for _ in range(ENDING_SEGMENTS):
        found = value.rfind(",", 0, pos)
        if found < 0:
            return None  # fewer segments: read whole
        pos = found
    first = value[:1]
    if not ("a" <= first <= "z" or "A" <= first <= "Z" or _LETTER_BEFORE.search(value, 0, pos)):
        return None  # (most addresses begin with a letter of A-Z: no need to search)
    return value[pos:]


# The memos of the last conversion (rows by ending and by decision): kept until the next conversion, and past the
# interpreter's finalization (``cache.outlive``), so that a process that converts one column and exits (``hopnhat
# units convert``, its forked children) does not free them entry by entry (about 0.01 CPU-s per 30,000 endings).
_LAST: list[_Suffixes] = []
outlive(_LAST)


def _rows(values: Sequence[object], evidence: SplitEvidence | None = None,
          progress: Callable[[int], None] | None = None, endings_repeat: bool = True) -> tuple[list[Row], bytearray]:
    """Convert values in order, reporting progress every :data:`_CHUNK`; returns the rows and, for each, 1 when it
    holds for every address with the same raw ending. With split evidence every address is read whole (its hamlet
    may decide). ``endings_repeat``: see :func:`convert_entries`."""
    convert: Callable[[object], tuple[Row, bool]]
    if evidence is not None:
        convert = lambda value: (_as_row(convert_address(value, evidence)), False)
    else:
        suffixes = _Suffixes(endings_repeat)
        _LAST[:] = [suffixes]  # (the one before is freed now)
        convert = suffixes.entry
    rows: list[Row] = []
    shared = bytearray()
    with _gc_paused():
        for i in range(0, len(values), _CHUNK):
            chunk = values[i : i + _CHUNK]
            for value in chunk:
                row, holds = convert(value)
                rows.append(row)
                shared.append(holds)
            if progress:
                progress(len(chunk))
    return rows, shared


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused: conversion makes no cycles (a test checks it), yet its allocations would
    trigger collections that walk every object of the indexes (a tenth of the time of a large column). What it
    made meanwhile (rows and the caches of endings, pieces and matches) is frozen before the collector resumes:
    else the next allocation starts a collection that walks all of it (0.3 s for 20,000 distinct endings)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)), 8))


def _last_piece(value: object) -> str:
    """What ends the address after its last comma or dash (the province, usually): two addresses with the same
    cached ending end with the same piece."""
    if not isinstance(value, str):
        return ""
    text = value
    last = text.rfind(",")  # a ";" or "-" can only come last after it: searched in what follows it alone
    begin = max(last, text.rfind(";", last + 1), text.rfind("-", last + 1)) + 1
    end = len(text)
    while begin < end and text[begin].isspace():  # .strip() without a method call (compiled: a loop in C)
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    return text[begin:end]


_OWN_SHARE = 0.93  # this process also draws the progress bar and gathers the results: it takes a little less


def _shares(values: Sequence[object], shares: int) -> list[list[int]]:
    """Positions of the values split into ``shares`` groups of about the same work (the first, this process's, a
    little smaller), never splitting a last piece between two, so that each process's cache of endings serves all
    the addresses it could serve."""
    by_piece: dict[str, list[int]] = {}
    for i, value in enumerate(values):
        piece = _last_piece(value)
        found = by_piece.get(piece)
        if found is None:
            found = by_piece[piece] = []
        found.append(i)
    groups: list[list[int]] = [[] for _ in range(shares)]
    capacity = [_OWN_SHARE] + [1.0] * (shares - 1)
    for piece in sorted(by_piece, key=lambda k: -len(by_piece[k])):
        emptiest = min(range(shares), key=lambda g: len(groups[g]) / capacity[g])
        groups[emptiest].extend(by_piece[piece])
    return groups


# set before forking: the children read their group (the split evidence, whether endings repeat) from here, not from
# a pipe
_groups: list[list[object]] = []
_group_evidence: SplitEvidence | None = None
_group_endings_repeat = True
_FORKING = threading.Lock()


def convert_entries(values: Sequence[object], evidence: SplitEvidence | None = None,
                    progress: Callable[[int], None] | None = None,
                    endings_repeat: bool = True) -> tuple[list[Row], bytearray]:
    """Convert distinct values (in order): their rows, and 1 for each row that holds for every address with the
    same raw ending (:func:`raw_ending`).

    ``endings_repeat=False`` says that the values seldom share a raw ending (one value per ending, as
    :mod:`hopnhat.units.column` converts them): rows are then not remembered by raw ending. The rows are the same
    either way: that memo only spares preparing an ending met before and looking up its suffixes.

    With many values and more than one core, the values are shared out by their ending: this process converts one
    share while forked children convert the others.
    """
    indexes()  # load before forking so that children share it
    gc.freeze()  # and keep them out of later collections (and their pages unwritten in the children)
    shares = _workers() if len(values) >= _PARALLEL_MIN else 1
    if shares == 1:
        done = _rows(values, evidence, progress, endings_repeat)
    else:
        load_edits()  # a large column holds a typo somewhere: imported once here, not in each process
        with _FORKING:  # one forked conversion at a time: the children read the module's globals
            done = _convert_shared(values, shares, evidence, progress, endings_repeat)
    gc.freeze()  # the caches filled meanwhile too: no collection walks them again, not even the one at exit
    return done


Child = tuple[int, int]  # a forked child's process id, and the pipe its share's result comes back through


def _convert_shared(values: Sequence[object], shares: int, evidence: SplitEvidence | None,
                    progress: Callable[[int], None] | None, endings_repeat: bool) -> tuple[list[Row], bytearray]:
    global _groups, _group_evidence, _group_endings_repeat
    positions = _shares(values, shares)
    _groups, _group_evidence = [[values[i] for i in group] for group in positions], evidence
    _group_endings_repeat = endings_repeat
    rows: list[Row] = [EMPTY_ROW] * len(values)
    shared = bytearray(len(values))
    children: list[Child] = []  # forked and not waited for yet
    try:
        for i in range(1, shares):
            children.append(_fork_share(i))
        results = [_rows(_groups[0], evidence, progress, endings_repeat)]
        for i in range(1, shares):
            done = _share_result(children.pop(0))
            if done is None:  # the child died (memory, a signal) or failed: its share is converted here
                done = _rows(_groups[i], evidence, None, endings_repeat)
            results.append(done)
            if progress:
                progress(len(_groups[i]))
    finally:
        _groups, _group_evidence, _group_endings_repeat = [], None, True
        _reap(children)
    for group, (group_rows, group_shared) in zip(positions, results):
        for i, row, holds in zip(group, group_rows, group_shared):
            rows[i], shared[i] = row, holds
    return rows, shared


def _fork_share(i: int) -> Child:
    """Fork a child that converts share ``i`` and sends back its rows, pickled, through a pipe. The child leaves by
    ``os._exit`` as soon as they are sent: it runs no exit handler, flushes no stream of the parent's and frees
    nothing one by one (its memos, about 0.01 CPU-s)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read)
            done = pickle.dumps(_rows(_groups[i], _group_evidence, None, _group_endings_repeat),
                                protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as pipe:
                pipe.write(done)
            code = 0
        finally:
            os._exit(code)  # never back into the parent's code, whatever happened
    os.close(write)
    return pid, read


def _share_result(child: Child) -> tuple[list[Row], bytearray] | None:
    """What a child sent (read to the end before the child is waited for: it blocks on a full pipe until then), or
    None when it did not exit cleanly."""
    pid, read = child
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    done: tuple[list[Row], bytearray] = pickle.loads(data)  # what the child pickled: its _rows
    return done


def _reap(children: list[Child]) -> None:
    """Children not waited for (this process's share failed, or reading a result did): stopped, and waited for."""
    for pid, read in children:
        os.close(read)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def convert_distinct(values: Sequence[object], evidence: SplitEvidence | None = None,
                     progress: Callable[[int], None] | None = None) -> dict[object, Row]:
    """Convert each distinct value once; returns value → result row."""
    distinct = list(dict.fromkeys(values))
    return dict(zip(distinct, convert_entries(distinct, evidence, progress)[0]))


def convert_many(values: Sequence[object], evidence: SplitEvidence | None = None) -> list[Conversion]:
    """Python objects for a (small) list of addresses, repeated strings converted once."""
    cache: dict[object, Conversion] = {}
    return [cache.setdefault(v, convert_address(v, evidence)) if isinstance(v, str) else convert_address(v, evidence)
            for v in values]
