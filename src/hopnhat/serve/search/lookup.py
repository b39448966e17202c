"""One search box: what the clerk typed is read every plausible way (:mod:`hopnhat.serve.search.readings`: identity
number, phone, dossier code, parcel, name with a birth year or date and/or a commune, address, organisation), the
most plausible readings are searched in the lookup index (unified records and legacy archives together, the user's
scope applied in the SQL), their results ranked together (score × plausibility of the reading) and grouped per
citizen / organisation / parcel — golden record first, the records and archive rows it came from under it.

Names are compared folded (no diacritics, any case, Telex/VNI keystrokes undone); a misspelt name is found by scoring
(rapidfuzz) the candidates of a few blocking keys (birth year + given name, birth year + initials, family + given
name, …, each also per commune) — see :mod:`hopnhat.load.lookup_index`. A name typed given-name first is also tried
family name first; a single word is a family or given name (the first screen of them).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from hopnhat.link.keystrokes import decode_name
from hopnhat.load.lookup_index import fold_name, read_doc, record_eid
from hopnhat.load.storedb import SQLiteReader
from hopnhat.serve.search.names import name_orders
from hopnhat.serve.search.readings import MAX_QUERY, WEAK, Query, reading_as, readings
from hopnhat.serve.search.vocabulary import NameVocabulary
from hopnhat.serve.security.mask import mask
from hopnhat.serve.security.scope import Scope
from hopnhat.text.normalize import accent_key, has_diacritics
from hopnhat.units.convert import convert_address
from hopnhat.units.reference import reference

MAX_SEARCHED = 3  # readings searched per query: the most plausible ones (more only while none found anyone)
CONVINCING = 90.0  # a hit this good makes the weak readings (WEAK) not worth searching
FETCH_CHUNK = 20  # entries fetched per point query (DuckDB index scans stay fast for short lists)
TIE_READ = 200  # candidates read at most when the diacritics typed may reorder tied ones
ACCENT_SPREAD = 5.0  # how far the diacritics move a score (+2 the spelling typed, -3 another)
CLOSE_NAMES = 25  # names of a full name's own block read beside it (a middle name misspelt), the closest first
EXACT = 99.0  # a name score this high is every word typed (in another order: 99)
SPELLED = 0.5  # a name reading at most this plausible (unit words typed) is read as typed: no word corrected
_YEAR = re.compile(r"(?<!\d)(19\d\d|20[0-4]\d)(?!\d)")
_DATE = re.compile(r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4}")


def classify(raw: str) -> Query:
    """The most plausible reading of the search box (all of them: :func:`hopnhat.serve.search.readings.readings`)."""
    return readings(raw)[0]


# ------------------------------------------------------------------------------------------------ results

@dataclass
class Hit:
    row: dict[str, Any]
    score: float
    why: str
    reading: str = ""  # slug of the reading that found it
    bearers: int = 0  # a full name alone: how many candidates bear this name (at equal score the rarer first)

    @property
    def unified(self) -> bool:
        return self.row["kind"] != "legacy"


@dataclass
class Group:
    """One citizen / organisation / dossier / parcel (or one archive row that became nothing) in the results."""

    entity: str
    key: str
    hits: list[Hit] = field(default_factory=list)

    @property
    def best(self) -> Hit:
        unified = [h for h in self.hits if h.unified]
        return max(unified or self.hits, key=lambda h: h.score)

    @property
    def score(self) -> float:
        return max(h.score for h in self.hits)

    @property
    def archive_only(self) -> bool:
        """Only legacy rows that became no record (quarantined, or of a table the pipeline does not map)."""
        return not any(h.unified or h.row.get("in_store") for h in self.hits)

    def link(self) -> str:
        r = self.best.row
        if r.get("golden_id"):
            return f"/record/{self.entity}/{r['golden_id']}"
        if r.get("record_id") and r.get("in_store"):
            return f"/record/{self.entity or r['kind']}/{r['record_id']}"
        return f"/archive/{r['legacy_table']}/{r['legacy_row']}"

    def view(self) -> dict[str, Any]:
        r = self.best.row
        sources = [{"kind": "store" if h.unified else "archive", "system": h.row.get("src_system") or "",
                    "table": h.row.get("legacy_table") if not h.unified else h.row.get("src_table"),
                    "province": h.row.get("src_province") or "", "record_id": h.row.get("record_id"),
                    "row": h.row.get("legacy_row"), "why": h.why} for h in self.hits]
        return {"entity": self.entity, "title": r.get("title") or r.get("code") or "", "birth": r.get("birth") or "",
                "ids": [mask(i) for i in (r.get("ids") or [])][:3], "code": r.get("code") or "",
                "address": r.get("address") or "", "old_commune": unit_label(r.get("old_commune"), "old"),
                "new_commune": unit_label(r.get("new_commune"), "new"),
                "candidates": [unit_label(c, "new") for c in (r.get("candidates") or "").split(";") if c],
                "detail": r.get("detail") or "", "score": round(self.score), "link": self.link(),
                "sources": sources, "archive_only": self.archive_only, "golden_id": r.get("golden_id"),
                "record_id": r.get("record_id"), "reading": self.best.reading}


@lru_cache(maxsize=8192)
def unit_label(code: str | None, version: str) -> str:
    if not code:
        return ""
    unit = reference().communes[version].get(code)  # type: ignore[index]
    return f"{unit.name} ({code})" if unit else code


def group_hits(hits: list[Hit], limit: int) -> list[Group]:
    """Merge hits of the same golden record / record; legacy rows join the record they became."""
    groups: dict[tuple[str, str], Group] = {}
    for h in hits:
        r = h.row
        entity = r.get("entity") or r["kind"]
        if r.get("golden_id"):
            key = (entity, "g:" + r["golden_id"])
        elif r.get("record_id") and r.get("in_store"):
            key = (entity, "r:" + r["record_id"])
        else:
            key = (entity, f"l:{r['legacy_table']}:{r['legacy_row']}")
        groups.setdefault(key, Group(entity, key[1])).hits.append(h)
    ranked = sorted(groups.values(), key=lambda g: (-round(g.score, 6), g.archive_only, not g.best.row.get("golden_id"),
                                                    g.best.bearers, g.best.row["eid"]))
    return ranked[:limit]


# ------------------------------------------------------------------------------------------------ search

def name_scores(name: str, candidates: list[str]) -> dict[str, float]:
    """Each distinct candidate name's similarity to ``name``: the best of ``ratio``, 0.95 × ``token_sort_ratio``
    (word order) and 0.9 × ``token_set_ratio`` (a missing middle name).

    One vectorised rapidfuzz call per measure over the distinct names (a block holds hundreds of candidates,
    many sharing a name), instead of three Python calls per candidate: the same scores, a fraction of the time."""
    distinct = list(dict.fromkeys(candidates))
    if not distinct:
        return {}
    best = process.cdist([name], distinct, scorer=fuzz.ratio, dtype=np.float64)[0]
    for weight, scorer in ((0.95, fuzz.token_sort_ratio), (0.9, fuzz.token_set_ratio)):
        best = np.maximum(best, weight * process.cdist([name], distinct, scorer=scorer, dtype=np.float64)[0])
    return dict(zip(distinct, best.tolist(), strict=True))


@dataclass
class Reading:
    """One reading as searched: the query, its hits (before grouping), whether it was searched at all."""

    query: Query
    hits: list[Hit] = field(default_factory=list)
    searched: bool = False

    @property
    def found(self) -> int:
        return len({(h.row.get("golden_id") or h.row.get("record_id") or h.row["eid"]) for h in self.hits})


@dataclass
class Found:
    """The answer to one search: the reading shown ("hiểu là"), every reading with its result count (the one-click
    switches), the grouped results."""

    query: Query
    readings: list[Reading]
    groups: list[Group]
    forced: bool = False  # the clerk chose the reading

    def others(self) -> list[Reading]:
        return [r for r in self.readings if r.query.slug != self.query.slug]


def _in_place(order: list[str], name: str, score: float) -> float:
    """One point more (at most 100) when the family and the given name typed are the name's first and last words:
    "Nguyễn Hùng" is Nguyễn Văn Hùng before Lê Nguyễn Hùng Anh (both hold the words typed, a mother's family name
    as middle name is common)."""
    if score >= 100.0:
        return score
    words = name.split()
    return min(100.0, score + 1.0) if words[0] == order[0] and words[-1] == order[-1] else score


def _typed_words(q: Query) -> Counter[str] | None:
    """The name's words as typed with their diacritics (keystrokes decoded: Telex "Hoaf" = Hòa), or None when the
    clerk typed none."""
    raw = _DATE.sub(" ", _YEAR.sub(" ", q.text))
    if q.place:
        raw = raw.replace(q.place, " ")
    raw = decode_name(" ".join(w for w in raw.split() if any(c.isalpha() for c in w)))
    if not has_diacritics(raw):
        return None
    return Counter(accent_key(w) for w in raw.split())


def _prefix_bounds(prefix: str) -> tuple[str, str]:
    """[low, high) of the keys starting with ``prefix`` (keys are ASCII; ``|`` + 1 = ``}``)."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


class Lookup:
    """Searches the lookup index; every query carries the user's scope as a parameterised SQL predicate."""

    def __init__(self, index: SQLiteReader, candidates: int, min_score: float, row_limit: int) -> None:
        self.index, self.candidates, self.min_score, self.row_limit = index, candidates, min_score, row_limit
        self.vocabulary = NameVocabulary(index)

    @staticmethod
    def _scope(scope: Scope) -> tuple[str, list[Any]]:
        """SQL true when a row's ``scope`` (``;48;20194;``) holds one of the user's codes — or the user sees all."""
        tests = " OR ".join("instr(scope, ?) > 0" for _ in scope.codes) or "0"
        return f"(? OR {tests})", [int(scope.unrestricted), *(f";{c};" for c in scope.codes)]

    def _visible(self, column: str, scope: Scope) -> tuple[str, list[Any]]:
        """``column`` when the row is in the user's scope, else NULL — decided in the SQL, so nothing of another
        commune leaves the engine, and the WHERE clause stays the bare key the B-tree reads."""
        cond, params = self._scope(scope)
        return f"CASE WHEN {cond} THEN {column} END", params

    @staticmethod
    def _communes(scope: Scope) -> list[str] | None:
        """The commune codes to read scoped name keys under; None when the province-wide keys apply."""
        if scope.unrestricted or any(len(c) != 5 for c in scope.codes):
            return None
        return list(scope.codes)

    def _key_eids(self, keys: list[str]) -> list[int]:
        marks = ", ".join("?" for _ in keys)
        return [r[0] for r in self.index.tuples(f"SELECT eid FROM key WHERE k IN ({marks}) LIMIT {self.row_limit}",
                                                keys)]

    def entries(self, eids: list[int], scope: Scope) -> list[dict[str, Any]]:
        """The result lines of these entries that are in the user's scope (out-of-scope ones come back NULL)."""
        column, params = self._visible("doc", scope)
        out: list[dict[str, Any]] = []
        unique = list(dict.fromkeys(eids))
        for i in range(0, len(unique), FETCH_CHUNK):
            chunk = unique[i:i + FETCH_CHUNK]
            rows = self.index.tuples(f"SELECT {column} FROM doc WHERE eid IN ({', '.join('?' for _ in chunk)})",
                                     [*params, *chunk])
            out += [read_doc(doc) for (doc,) in rows if doc is not None]
        return out

    def by_keys(self, keys: list[str], scope: Scope, why: str) -> list[Hit]:
        return [Hit(r, 100.0, why) for r in self.entries(self._key_eids(keys), scope)]

    # ------------------------------------------------------------------------------------------ names

    @staticmethod
    def _block_keys(words: list[str], year: int | None) -> tuple[list[str], list[str]]:
        """(exact keys, key prefixes) of the name blocks a name (family name first) falls in."""
        if len(words) == 1:
            word = words[0]
            if year:
                return [f"y|{year}|{word}"], [f"n|{word}|"]
            return [], [f"n|{word}|", f"g|{word}|"]
        fam, giv = words[0], words[-1]
        mid = words[1][0] if len(words) >= 3 else ""
        if year:
            return [f"y|{year}|{giv}", f"y|{year}|{fam[0]}{mid}{giv[0]}", f"u|{fam}|{mid}|{giv}"], []
        return [f"n|{fam}|{mid}|{giv}", f"g|{giv}|{fam[0]}", f"f|{fam}|{mid}{giv[0]}"], []

    def _name_rows(self, q: Query, words: list[str], scope: Scope,
                   first_block: bool = False) -> list[tuple[int, str, int | None, int | None]]:
        """(eid, folded name, birth year, birth month-day) of the blocks the name falls in — under the communes the
        query names, else the user's communes, else province-wide; with a year, only that year (or none);
        ``first_block``: the first block only (family + middle initial + given name, without a year)."""
        keys, prefixes = self._block_keys(words, q.year)
        if first_block:
            keys, prefixes = keys[:1], []
        if q.communes and len(words) == 2:
            prefixes.append(f"g|{words[-1]}|")  # "Anh Hòa, Tam Kỳ": middle + given name, in a commune's block
        communes = list(q.communes) or self._communes(scope)
        if communes is not None:
            keys = [f"c|{c}|{k}" for c in communes for k in keys]
            prefixes = [f"c|{c}|{p}" for c in communes for p in prefixes]
        column, params = self._visible("title_fold", scope)
        select = f"SELECT eid, {column}, birth_year, birth_day FROM names"
        parts, args = [], []
        for k in keys:
            parts.append(f"SELECT * FROM ({select} WHERE k = ? LIMIT {int(self.candidates)})")
            args += [*params, k]
        year = " AND (birth_year = ? OR birth_year IS NULL)" if q.year else ""
        for p in prefixes:
            parts.append(f"SELECT * FROM ({select} WHERE k >= ? AND k < ?{year} LIMIT {int(self.row_limit) * 4})")
            args += [*params, *_prefix_bounds(p), *([q.year] if q.year else [])]
        rows = self.index.tuples(" UNION ALL ".join(parts), args) if parts else []
        return [r for r in rows if r[1] is not None and (not q.year or r[2] in (q.year, None))]

    def _similarity(self, q: Query, orders: list[list[str]], names: list[str]) -> dict[str, float]:
        """Each candidate name's best similarity over the orders the query may mean (a reordered one 1 point
        lower); one word: 85 when it is one of the name's words (86 as the given name when a year is typed)."""
        if len(orders[0]) == 1:  # with a year, the given name first ("Lê 1947": Lê is also a given name)
            word, given = orders[0][0], 1.0 if q.year else 0.0
            return {n: (85.0 + (given if n.rsplit(" ", 1)[-1] == word else 0.0)) if word in n.split() else 0.0
                    for n in names}
        best: dict[str, float] = {}
        for i, order in enumerate(orders):
            for name, score in name_scores(" ".join(order), names).items():
                best[name] = max(best.get(name, 0.0), _in_place(order, name, score) - i)
        return best

    @staticmethod
    def _birth_adjust(q: Query, year: int | None, day: int | None) -> float:
        """A record without a birth year may be the one, after those of the right year; with a full date typed, a
        record of another day drops below a namesake without the middle name typed (``Nguyễn Thư 14/12/1961``:
        Nguyễn Thị Thư born that day before a Nguyễn Thư born another) — less when the day is unknown, 1 January
        (a placeholder for "year only") or the date typed with day and month swapped."""
        out = -8.0 if q.year and year is None else 0.0
        if q.day and day != q.day:
            swapped = (q.day % 100) * 100 + q.day // 100
            out += -2.0 if day is None or day == 101 else -4.0 if day == swapped else -12.0
        return out

    def _scored(self, q: Query, orders: list[list[str]],
                rows: dict[int, tuple[int, str, int | None, int | None]]) -> dict[int, float]:
        """entry → score (name similarity and birth), those at least ``min_score``."""
        similarity = self._similarity(q, orders, [r[1] for r in rows.values()])
        scored: dict[int, float] = {}
        for eid, name, year, day in rows.values():
            s = similarity[name] + self._birth_adjust(q, year, day)
            if s >= self.min_score:
                scored[eid] = s
        return scored

    def _exact_namesakes(self, q: Query, orders: list[list[str]], scope: Scope) -> dict[int, float] | None:
        """A full name alone (no year, no place) that more people bear than the results show: those people, read
        from its own block only. Only an identical folded name scores 100 and every such name is in that block, so
        the results are the ones all blocks would give (the other blocks, thousands of rows for a common given
        name, took tens of milliseconds); None when the name is rarer (or has a year or a place)."""
        if q.year or q.communes or len(orders[0]) < 2:
            return None
        scored = self._scored(q, orders[:1], {r[0]: r for r in self._name_rows(q, orders[0], scope, True)})
        exact = {e: v for e, v in scored.items() if v >= 100.0}
        return exact if len(exact) >= self.row_limit * 2 else None

    def by_name(self, q: Query, scope: Scope) -> list[Hit]:
        words = q.name.split()
        if not words:
            return []
        orders = name_orders(words)
        if len(words) >= 3 and not q.year and not q.communes:
            rows = {r[0]: r for r in self._full_name_rows(orders, scope, q.weight > SPELLED)}
            exact = {e: v for e, v in self._scored(q, orders[:1], rows).items() if v >= 100.0}
            scored = exact if len(exact) >= self.row_limit * 2 else self._scored(q, orders, rows)
            if max(scored.values(), default=0.0) < CONVINCING:  # a slip the names read did not undo ("Vuu")
                rows.update({r[0]: r for order in orders for r in self._name_rows(q, order, scope)
                             if r[0] not in rows})
                scored = self._scored(q, orders, rows)
        else:
            rows = self._pair_rows(q, words, scope)
            pair = self._scored(q, orders[:1], rows)
            if len(pair) < self.row_limit * 2:
                rows = {r[0]: r for order in orders for r in self._name_rows(q, order, scope)}
                pair = self._exact_namesakes(q, orders, scope) or self._scored(q, orders, rows)
            scored = pair
        # a full name typed alone: at equal score, the name borne by fewer comes first — a slip equally far from two
        # names ("nguyen thap linh": Thảo, Thái) shows the rarer one whole before the next screenful of the other;
        # a shorter query (no middle name, one word) says nothing of the names' other words: record order
        full = len(words) >= 3 and not q.year and not q.communes
        bearers = Counter(rows[e][1] for e in scored if e in rows) if full else Counter[str]()
        ranked = sorted(scored, key=lambda e: (-scored[e], bearers[rows[e][1]] if e in rows else 0, e))
        top = ranked[: self._read_count(q, ranked, scored)]
        hits = [Hit(r, scored[r["eid"]], "name", bearers=bearers[rows[r["eid"]][1]] if r["eid"] in rows else 0)
                for r in self.entries(top, scope)]
        return self._old_commune_adjust(q, self._accent_adjust(q, hits))

    # a full name alone -------------------------------------------------------------------------------------

    def _block_key(self, words: list[str], scope: Scope) -> list[str]:
        """The keys of a full name's own block (family + middle initial + given name), per commune for a user
        scoped to communes."""
        key = f"n|{words[0]}|{words[1][0] if len(words) >= 3 else ''}|{words[-1]}"
        communes = self._communes(scope)
        return [key] if communes is None else [f"c|{c}|{key}" for c in communes]

    def _full_name_rows(self, orders: list[list[str]], scope: Scope, correct: bool = True
                        ) -> list[tuple[int, str, int | None, int | None]]:
        """A full name alone (three words or more; no year, no place): candidates read by name, not by block.
        Every order's own name; for the order typed, the names of its block closest to it (a middle name misspelt
        keeps the block) and the names with the family or the given name corrected to a word of the index
        (:class:`hopnhat.serve.search.vocabulary.NameVocabulary`: ``nuyen phan hung``, ``nguyen truong chunng``).
        Each name is read whole from its block (``title_fold`` in the SQL): a name borne by few is no longer cut
        off by the thousands its block holds (Nguyễn T… Trang: 10,000 rows at 3 M; the first few thousand were
        read, in record order). A typed name borne by more people than two screens is read alone; ``correct``
        False (a name reading the text hardly supports: ``Phường Hải Châu, Thành phố Đà Nẵng``): no word corrected."""
        typed = orders[0]
        wanted: dict[str, dict[str, None]] = defaultdict(dict)  # block key → names read from it
        for order in orders:
            for key in self._block_key(order, scope):
                wanted[key][" ".join(order)] = None
        rows = self._read_names(wanted, scope)
        if sum(1 for r in rows if r[1] == " ".join(typed)) >= self.row_limit * 2:
            return rows
        wanted = defaultdict(dict)
        for key in self._block_key(typed, scope):
            for name in self._close_names(key, " ".join(typed), scope):
                wanted[key][name] = None
        for i, part in ((0, "f"), (len(typed) - 1, "g")) if correct else ():
            for word in self.vocabulary.corrections(typed[i], part):
                variant = [*typed[:i], word, *typed[i + 1:]]
                for key in self._block_key(variant, scope):
                    wanted[key][" ".join(variant)] = None
        seen = {r[0] for r in rows}
        return rows + [r for r in self._read_names(wanted, scope) if r[0] not in seen]

    def _close_names(self, key: str, name: str, scope: Scope) -> list[str]:
        """The distinct names of one block (in the user's scope) at least ``min_score`` like ``name``, the closest
        :data:`CLOSE_NAMES` (the block's rows are grouped in the SQL: a few hundred names for 10,000 rows)."""
        cond, params = self._scope(scope)
        names = [r[0] for r in self.index.tuples(
            f"SELECT title_fold FROM names WHERE k = ? AND {cond} GROUP BY title_fold", [key, *params])]
        scores = name_scores(name, names)
        close = sorted((n for n in names if scores[n] >= self.min_score and n != name), key=lambda n: -scores[n])
        return close[:CLOSE_NAMES]

    def _read_names(self, wanted: dict[str, dict[str, None]], scope: Scope
                    ) -> list[tuple[int, str, int | None, int | None]]:
        """(eid, folded name, birth year, birth day) of the bearers of these names in these blocks, at most two
        screens per name (a common one would crowd out the rest), in one statement."""
        column, params = self._visible("title_fold", scope)
        parts, args = [], []
        for key, names in wanted.items():
            marks = ", ".join("?" for _ in names)
            parts.append(f"SELECT eid, t, birth_year, birth_day FROM (SELECT eid, {column} AS t, birth_year, "
                         f"birth_day, row_number() OVER (PARTITION BY title_fold ORDER BY eid) AS n FROM names "
                         f"WHERE k = ? AND title_fold IN ({marks})) WHERE n <= {int(self.row_limit) * 2}")
            args += [*params, key, *names]
        rows = self.index.tuples(" UNION ALL ".join(parts), args) if parts else []
        return [r for r in rows if r[1] is not None]

    def _pair_rows(self, q: Query, words: list[str], scope: Scope) -> dict[int, tuple[int, str, int | None,
                                                                                    int | None]]:
        """A family and a given name alone (``Nguyễn Thúy``: the middle name left out): the bearers of both, as the
        first and the last word, read from the given name's block with the family name in the SQL — enough of them
        for the screens (and the spellings the diacritics typed may lift: :data:`TIE_READ`), or empty when the text
        is no such pair. When they fill two screens nobody else can come before them (any other name scores below:
        the words typed in place are one point up, :func:`_in_place`), and the rest of their blocks (two orders,
        thousands of rows at 3 M) need not be read."""
        if len(words) != 2 or q.year or q.communes:
            return {}
        fam, giv = words
        communes = self._communes(scope)
        column, params = self._visible("title_fold", scope)
        cap = TIE_READ if _typed_words(q) is not None else self.row_limit * 2
        parts, args = [], []
        for key in (f"n|{fam}||{giv}", f"g|{giv}|{fam[0]}"):  # the two-word name itself, then with a middle name
            for k in [key] if communes is None else [f"c|{c}|{key}" for c in communes]:
                parts.append(f"SELECT * FROM (SELECT eid, {column}, birth_year, birth_day FROM names WHERE k = ? "
                             f"AND substr(title_fold, 1, ?) = ? LIMIT {int(cap)})")
                args += [*params, k, len(fam) + 1, fam + " "]
        return {r[0]: r for r in self.index.tuples(" UNION ALL ".join(parts), args) if r[1] is not None}

    def _read_count(self, q: Query, ranked: list[int], scored: dict[int, float]) -> int:
        """How many of the ranked candidates to read: twice the screen; with diacritics typed, also those the
        spelling may still lift above the last of them (up to ``TIE_READ``) — only what is read is compared with
        diacritics, and "Ánh 1976" or "Nguyễn Văn Hùng" ties hundreds of folded namesakes (Anh, Ảnh; Hưng)."""
        n = self.row_limit * 2
        if len(ranked) <= n or _typed_words(q) is None:
            return n
        floor = scored[ranked[n - 1]] - ACCENT_SPREAD
        while n < min(len(ranked), TIE_READ) and scored[ranked[n]] >= floor:
            n += 1
        return n

    @staticmethod
    def _old_commune_adjust(q: Query, hits: list[Hit]) -> list[Hit]:
        """A place typed as an old commune (merged into a larger new one since) ranks those who lived in that old
        commune before the others of the new commune; a place that is a commune and an old district ranks the
        commune's residents before the district's."""
        old = q.old_commune
        if old:
            for h in hits:
                if h.row.get("old_commune") != old:
                    h.score -= 1.0 if h.row.get("old_commune") is None else 3.0
        named = set(q.communes) - set(q.wider)
        if q.wider:  # "Tam Kỳ": the new ward of that name first, then the rest of the old city
            for h in hits:
                if not named & {h.row.get("new_commune"), *(h.row.get("candidates") or "").split(";")}:
                    h.score -= 2.0
        return hits

    @staticmethod
    def _accent_adjust(q: Query, hits: list[Hit]) -> list[Hit]:
        """A query typed with diacritics (or their keystrokes) ranks the exact spelling first (Hòa before Hoa), never
        hides the other; the words are compared in any order (a name typed given name first), and a name typed
        without its middle name matches by the words typed (Nguyễn Hùng: Nguyễn Văn Hùng before Nguyễn Văn Hưng)."""
        want = _typed_words(q)
        if want is None:
            return hits
        for h in hits:
            title = Counter(accent_key(w) for w in (h.row.get("title") or "").split())
            match = not want - title  # every word typed is in the name, with its diacritics
            h.score = min(100.0, h.score + 2) if match else h.score - 3
        return hits

    # ------------------------------------------------------------------------------------------ others

    def by_org_name(self, q: Query, scope: Scope) -> list[Hit]:
        """Organisations whose folded name contains the query."""
        if len(q.name) < 4:
            return []
        cond, params = self._scope(scope)
        rows = self.index.rows(f"SELECT eid, title_fold FROM orgs WHERE instr(title_fold, ?) > 0 AND {cond}",
                               [q.name, *params], limit=self.row_limit)
        if not rows:
            return []
        scores = {r["eid"]: 60 + 40 * fuzz.partial_ratio(q.name, r["title_fold"]) / 100 for r in rows}
        return [Hit(r, scores[r["eid"]], "name") for r in self.entries(list(scores), scope)]

    def by_address(self, q: Query, scope: Scope) -> list[Hit]:
        conv = q.conversion or convert_address(q.place)
        if conv is None or conv.status in ("not_found", "invalid"):
            return []
        keys = [f"o:{conv.old_commune_code}"] if conv.old_commune_code else []
        keys += [f"n:{c}" for c in (conv.new_commune_code, *conv.candidates) if c]
        rest = fold_name(conv.rest)
        cond, params = self._scope(scope)
        sql = " UNION ALL ".join(f"SELECT * FROM (SELECT eid FROM addr WHERE k = ? AND instr(address_fold, ?) > 0 "
                                 f"AND {cond} LIMIT {int(self.row_limit)})" for _ in keys)
        rows = self.index.rows(sql, [a for k in keys for a in (k, rest, *params)]) if keys else []
        score = 90.0 if rest else 80.0
        return [Hit(r, score, "address") for r in self.entries([r["eid"] for r in rows][: self.row_limit], scope)]

    def _with_records(self, groups: list[Group], scope: Scope) -> list[Group]:
        """A citizen found only through an archive row (an old CMND: ``205 123 456``) is shown as they are now: the
        store record the row became (the CCCD they hold, where they live) heads the group, the archive row under it
        — read by its entry id, a function of the record (:func:`hopnhat.load.lookup_index.record_eid`), in the
        user's scope like any entry."""
        for g in groups:
            best = g.best.row
            if any(h.unified for h in g.hits) or not (best.get("golden_id") and best.get("record_id")):
                continue
            kinds = [g.entity] if g.entity in ("person", "civil_servant") else ["person", "civil_servant"]
            found = [r for r in self.entries([record_eid(k, best["record_id"]) for k in kinds], scope)
                     if r["record_id"] == best["record_id"] and r["kind"] != "legacy"]
            if found:
                g.hits += [Hit(r, g.score, "record", g.best.reading) for r in found]
                g.entity = found[0]["entity"] or found[0]["kind"]
        return groups

    def _hits(self, q: Query, scope: Scope) -> list[Hit]:
        if q.kind == "id":
            return self.by_keys([f"id|{q.key}"], scope, "id")
        if q.kind == "phone":
            return self.by_keys([f"tel|{q.key}", f"id|{q.key}"], scope, "phone")
        if q.kind == "dossier":
            return self.by_keys([f"dos|{q.key}"], scope, "dossier")
        if q.kind == "parcel":
            return self.by_keys([f"par|{c}|{q.sheet}|{q.parcel}" for c in dict.fromkeys(q.communes)], scope,
                                "parcel")
        if q.kind == "address":
            return self.by_address(q, scope)
        if q.kind == "org":
            return self.by_org_name(q, scope)
        if q.kind == "name":
            return self.by_name(q, scope)
        return []

    def _search(self, q: Query, scope: Scope, floor: float = 0.0) -> Reading:
        """Hits scored × the reading's weight; ``floor``: the weight of a name + place reading of the same text —
        a person whose name is every word typed (``Huỳnh Văn Duy Tiến Lộc``, not Huỳnh Văn Duy in Tiến Lộc) is
        no less plausible than that reading's people, and comes just before their equals (the whole text is their
        name; the others bear only its first words)."""
        hits = self._hits(q, scope)
        whole = max(q.weight, floor + 1e-4) if floor else q.weight
        for h in hits:
            h.score *= whole if h.score >= EXACT else q.weight
            h.reading = q.slug
        return Reading(q, hits, True)

    def find(self, raw: str, scope: Scope, as_reading: str | None = None) -> Found:
        """Search the most plausible readings (or the one the clerk chose) and rank their results together; the
        reading shown is the one that found the first result (else the most plausible)."""
        raw = raw[:MAX_QUERY]
        every = readings(raw, scope.province)
        chosen = reading_as(raw, as_reading, scope.province) if as_reading else None
        if chosen is not None:
            searched = [self._search(replace(chosen, weight=1.0), scope)]
            rest = [Reading(q) for q in every if q.slug != chosen.slug]
            groups = self._with_records(group_hits(searched[0].hits, self.row_limit), scope)
            return Found(searched[0].query, searched + rest, groups, forced=True)
        if every[0].kind == "empty":
            return Found(every[0], [], [])
        done: list[Reading] = []
        placed = max((q.weight for q in every if q.kind == "name" and q.communes), default=0.0)
        for i, q in enumerate(every):
            found_one = any(h.score >= CONVINCING for r in done for h in r.hits)
            weak = q.weight <= WEAK and found_one  # a stronger reading already found someone
            # past the most plausible readings only while none found anyone ("Vuu Hoa Phong": no Vuu in Hòa Phong,
            # no such address or organisation — the name with a typo is the fourth reading)
            more = i < MAX_SEARCHED or not any(r.hits for r in done)
            floor = placed if q.kind == "name" and not q.communes else 0.0
            done.append(self._search(q, scope, floor) if more and not weak else Reading(q))
        best: dict[int, Hit] = {}
        for h in (h for r in done for h in r.hits):  # an entry found by two readings counts once, at its best
            if h.row["eid"] not in best or h.score > best[h.row["eid"]].score:
                best[h.row["eid"]] = h
        groups = self._with_records(group_hits(list(best.values()), self.row_limit), scope)
        shown = every[0]
        if groups:
            shown = next(r.query for r in done if r.query.slug == groups[0].best.reading)
        return Found(shown, done, groups)

    def search(self, raw: str, scope: Scope, as_reading: str | None = None) -> tuple[Query, list[Group]]:
        """(the reading shown, the results): :meth:`find` for callers that need no alternatives."""
        found = self.find(raw, scope, as_reading)
        return found.query, found.groups
