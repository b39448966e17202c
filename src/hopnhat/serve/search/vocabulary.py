"""The family and given names the lookup index holds (folded), and the ones a misspelt word may stand for.

A full name typed with a slip in the family or the given name (``nuyen phan hung``, ``nguyen truong chunng``) falls
in no name block of its own, and the blocks it shares with the person meant (family + initials, given name + family
initial) hold tens of thousands of rows at 3 M persons: reading a few thousand of them found the person only by
chance. Instead the word is corrected against the words the index really holds — one edit away (a neighbour key, a
letter dropped, doubled or two swapped: optimal string alignment distance 1) — and each corrected full name is read
from its own block like a name typed right.

The words are read from the index's own keys (``g|<given>|…``, ``f|<family>|…``) by skipping from one word to the
next (one B-tree seek per distinct word: ~450 given and ~150 family names, ~30 ms once per index file).
"""

from __future__ import annotations

import threading

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from hopnhat.load.storedb import SQLiteReader

MAX_CORRECTIONS = 12  # corrected spellings tried per word at most (a short word has many neighbours)


class NameVocabulary:
    """The distinct folded given and family names of one lookup index, read on first use."""

    def __init__(self, index: SQLiteReader) -> None:
        self._index = index
        self._words: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def _read(self, part: str) -> frozenset[str]:
        """Every word ``w`` of the keys ``<part>|w|…``: seek the first key, skip past its word's keys, repeat."""
        low, high, out = f"{part}|", f"{part}}}", list[str]()
        while True:
            row = self._index.tuples("SELECT k FROM names WHERE k >= ? AND k < ? ORDER BY k LIMIT 1", [low, high])
            if not row:
                return frozenset(out)
            word = str(row[0][0]).split("|")[1]
            out.append(word)
            low = f"{part}|{word}}}"  # past every key of this word ("|" + 1 = "}")

    def words(self, part: str) -> frozenset[str]:
        """``part``: ``g`` (given names) or ``f`` (family names)."""
        if part not in self._words:
            with self._lock:
                if part not in self._words:
                    self._words[part] = self._read(part)
        return self._words[part]

    def corrections(self, word: str, part: str) -> list[str]:
        """The words of the index one edit away from ``word`` (not ``word`` itself, which may be a slip too: ``tranh``
        for ``trang``), at most :data:`MAX_CORRECTIONS`: a letter dropped or doubled before a letter changed (the
        similarity of the name scoring: ``tang`` is ``trang`` before ``bang``), then alphabetically (the index keeps
        no word counts)."""
        found = process.extract(word, self.words(part), scorer=OSA.distance, score_cutoff=1, limit=None)
        found = [f for f in found if f[0] != word]
        found.sort(key=lambda f: (f[1], -fuzz.ratio(word, f[0]), f[0]))
        return [w for w, _d, _ in found][:MAX_CORRECTIONS]


__all__ = ["MAX_CORRECTIONS", "NameVocabulary"]
