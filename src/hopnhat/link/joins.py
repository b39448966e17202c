"""Blocking rules as joins DuckDB runs fast: the same pairs, computed with fewer and smaller join candidates.

A blocking rule is a join condition on two records ``l`` and ``r``. DuckDB hashes the equalities between an
expression of ``l`` and one of ``r`` (``l.fam = r.fam``) and checks the rest of the condition on every candidate the
hash join gives; a filter on one record alone (``l.byear IS NULL``) runs before the join. A condition that ORs such
parts — ``(l.byear IS NULL OR r.byear IS NULL OR l.byear = r.byear)`` — is neither: the join runs on the other
equalities alone and the OR is checked on every candidate (at a million records, family + given name + hamlet with a
birth date missing on either side: 1.4 CPU-s of candidates for 0.36 M pairs).

:func:`expanded` rewrites such a rule as several rules, one per part of the OR: ``(A OR B) AND C`` holds exactly when
``A AND C`` or ``B AND C`` holds (SQL's NULLs included: a join keeps a pair when its condition is TRUE), so the union
of their pairs is the rule's pairs, each rule now with a filter or a hashed equality of its own. The rules' text is
not changed (the model, the blocking recall and the docs read the rules as written); only the joins that compute the
candidate pairs are.

:func:`coded` hashes a key's exact integer code where the table carries one (``l.fam = r.fam`` → ``l.k_fam =
r.k_fam``: :data:`hopnhat.link.person_features.KEY_CODES`): the same pairs, for less.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

MAX_RULES = 12  # rules one rule may become (the product of its ORs' parts)
_SIDE = re.compile(r"\b([lr])\.")


def split_top(text: str, word: str) -> list[str]:
    """``text`` split at ``word`` (`` AND ``, `` OR ``, `` = ``) outside parentheses and quotes."""
    parts, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch in "()":
            depth += 1 if ch == "(" else -1
        elif not quoted and depth == 0 and text.startswith(word, i):
            parts.append(text[start:i].strip())
            start = i = i + len(word)
            continue
        i += 1
    parts.append(text[start:].strip())
    return parts


def _unwrapped(text: str) -> str:
    """``text`` without parentheses that enclose all of it."""
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth == 0 and i < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def _sides(text: str) -> set[str]:
    return set(_SIDE.findall(text))


def _equality(part: str) -> bool:
    """``part`` is an equality of an expression of one record and one of the other (``l.byear = r.byear``)."""
    sides = split_top(_unwrapped(part), " = ")
    return len(sides) == 2 and all(len(_sides(s)) == 1 for s in sides) and _sides(sides[0]) != _sides(sides[1])


def expanded(rule: str) -> list[str]:
    """``rule`` as one rule per combination of the parts of its ORs of filters on one record and equalities of the
    two records (``(l.byear IS NULL OR r.byear IS NULL OR l.byear = r.byear)``: each rule then filters one side
    before its join, or hashes one more equality), or ``[rule]`` when it has no such OR, when a filter of one record
    already runs before its join (``l.vague AND …``: two joins as large would cost more), when it contains
    ``BETWEEN`` (whose ``AND`` is not a conjunction) or when the rules would be more than :data:`MAX_RULES`.

    The equalities: at 1 M people (1.45 M records) the hamlet rule on the family name (family name, hamlet and
    initial hashed; the years equal or one missing, the middle names equal or one missing) gave 28.9 M rows on its
    hash keys, of which its ORs kept 0.57 M; with the year and the middle name hashed in the parts where they are
    equal, the candidate pairs cost ~0.8 CPU-s less of ~10 (lane 1, paired; docs/linkage.md). At 100,000 people
    they cost ~0.1 CPU-s more than the OR: the blocks there are small."""
    if re.search(r"\bBETWEEN\b", rule, re.IGNORECASE):
        return [rule]
    conjuncts = split_top(_unwrapped(rule), " AND ")
    if any(len(split_top(c, " OR ")) > 1 for c in conjuncts):  # an OR outside parentheses: read as it is
        return [rule]
    if any(len(_sides(c)) == 1 for c in conjuncts):  # a filter of one record already runs before the join
        return [rule]
    choices = []
    for conjunct in conjuncts:
        parts = split_top(_unwrapped(conjunct), " OR ")
        if len(parts) > 1 and all(len(_sides(p)) == 1 or _equality(p) for p in parts):
            choices.append(parts)
        else:
            choices.append([conjunct])
    if all(len(c) == 1 for c in choices) or len(list(itertools.product(*choices))) > MAX_RULES:
        return [rule]
    return [" AND ".join(f"({part})" for part in combo) for combo in itertools.product(*choices)]


def _swapped(rule: str) -> str:
    return _SIDE.sub(lambda m: ("r" if m.group(1) == "l" else "l") + ".", rule)


def _canonical(part: str) -> str:
    """``part`` of a rule written one way whatever the order of its ANDs, its ORs and the two sides of its ``=``."""
    part = _unwrapped(part)
    for word in (" AND ", " OR "):
        pieces = split_top(part, word)
        if len(pieces) > 1:
            return f"{word.strip()}({'|'.join(sorted(_canonical(p) for p in pieces))})"
    sides = split_top(part, " = ")
    return " = ".join(sorted(sides)) if len(sides) == 2 else part


def mirrored(rules: list[str]) -> list[tuple[str, bool]]:
    """``rules`` with each rule that is another's mirror (``l`` and ``r`` swapped: ``l.byear + 1 = r.byear`` beside
    ``r.byear + 1 = l.byear``) dropped, and that other marked: its join, on every ordered pair of two records,
    gives both rules' pairs at once (the pair ``(l, r)`` where the rule holds, ``(r, l)`` where the mirror does) —
    one join where there were two (the same number of candidates; one hash table built, not two). A rule the same
    either way round (``l.fam = r.fam``) is its own mirror and stays as it is."""
    canon = [_canonical(rule) for rule in rules]
    out: list[tuple[str, bool]] = []
    dropped: set[int] = set()
    for i, rule in enumerate(rules):
        if i in dropped:
            continue
        mirror = _canonical(_swapped(rule))
        partner = next((j for j in range(i + 1, len(rules))
                        if j not in dropped and canon[j] == mirror and mirror != canon[i]), None)
        if partner is not None:
            dropped.add(partner)
        out.append((rule, partner is not None))
    return out


def _coded_equality(part: str, codes: Mapping[str, str]) -> str | None:
    """``l.{code} = r.{code}`` for ``part`` an equality of one expression of each record (``substr(l.giv, 1, 1) =
    substr(r.giv, 1, 1)``) that has a code in ``codes`` (the expression without its record's alias → the code's
    column); None for any other part."""
    sides = split_top(_unwrapped(part), " = ")
    if len(sides) != 2 or not _equality(part):
        return None
    keys = [_SIDE.sub("", side) for side in sides]
    if keys[0] != keys[1] or keys[0] not in codes:
        return None
    aliases = [_SIDE.search(side).group(1) for side in sides]  # type: ignore[union-attr]
    return f"{aliases[0]}.{codes[keys[0]]} = {aliases[1]}.{codes[keys[1]]}"


def coded(rule: str, codes: Mapping[str, str]) -> str:
    """``rule`` with each equality of a key of the two records that has a code (``codes``: the key written without
    its record's alias → the column of its exact integer code) an equality of the codes, at any depth of its ANDs and
    ORs. A code is equal exactly where its key is and NULL exactly where its key is, so the rule holds for exactly the
    same pairs — and the join hashes integers instead of texts, and cuts no substring out of every record again."""
    if not codes:
        return rule
    inner = _unwrapped(rule)
    for word in (" AND ", " OR "):
        parts = split_top(inner, word)
        if len(parts) > 1:
            return "(" + word.join(coded(part, codes) for part in parts) + ")"
    return _coded_equality(inner, codes) or rule


@dataclass(frozen=True)
class Keys:
    """A join's condition read as keys (:meth:`Join.keys`): the pairs (``l``, ``r``) where every equality of
    ``equal`` holds (an expression of ``l`` and one of ``r``, written without their aliases: ``("byear + 1",
    "byear")``), every filter of ``left`` holds on ``l`` and of ``right`` on ``r`` (``vague``, ``mid IS NULL``), and
    each of ``any_of`` holds: an OR of such parts, each part a filter of one record (``("l", "vague")``), an
    equality (``("=", "k_mid", "k_mid")``) or a distance of two numbers at most k (``abs(l.byear - r.byear) <= 1``:
    ``("~", "byear", "byear", "1")``)."""

    equal: tuple[tuple[str, str], ...]
    left: tuple[str, ...]
    right: tuple[str, ...]
    any_of: tuple[tuple[tuple[str, ...], ...], ...]


@dataclass(frozen=True)
class Join:
    """One join of the candidate pairs: the pairs of records ``l`` and ``r`` of a table where ``condition`` holds;
    ``both``: either way round (a rule and its mirror in one join: :func:`mirrored`), each pair as (least uid,
    greatest uid) — else the pairs where it holds with ``l.uid < r.uid``."""

    condition: str
    both: bool

    def sql(self, table: str) -> str:
        """SQL: the join's pairs (``a``, ``b``: uids of ``table``, ``a`` < ``b``); a pair twice where ``both`` and
        the condition holds either way round."""
        if self.both:
            return (f"SELECT least(l.uid, r.uid) AS a, greatest(l.uid, r.uid) AS b FROM {table} l JOIN {table} r "
                    f"ON {self.condition} AND l.uid <> r.uid")
        return f"SELECT l.uid AS a, r.uid AS b FROM {table} l JOIN {table} r ON {self.condition} AND l.uid < r.uid"

    def keys(self) -> Keys | None:
        """The condition as :class:`Keys`, or None when it is not a conjunction of such parts (a ``BETWEEN``, an
        expression of both records that is neither an equality nor a distance of one expression of each:
        ``l.byear + r.byear = 3``), or has no equality to join on."""
        if re.search(r"\bBETWEEN\b", self.condition, re.IGNORECASE):
            return None
        equal: list[tuple[str, str]] = []
        left: list[str] = []
        right: list[str] = []
        any_of: list[tuple[tuple[str, ...], ...]] = []
        for atom in _conjuncts(self.condition):
            part = _key_part(atom)
            if part is None:
                parts = [_key_part(p) for p in split_top(atom, " OR ")]
                if len(parts) < 2 or any(p is None for p in parts):
                    return None
                any_of.append(tuple(p for p in parts if p is not None))
            elif part[0] == "=":
                equal.append((part[1], part[2]))
            elif part[0] == "~":
                any_of.append((part,))
            else:
                (left if part[0] == "l" else right).append(part[1])
        return Keys(tuple(equal), tuple(left), tuple(right), tuple(any_of)) if equal else None


def _conjuncts(condition: str) -> list[str]:
    """The parts of ``condition``'s ANDs at any depth of parentheses (``(a AND (b AND c))`` → a, b, c); an OR outside
    parentheses is one part (``a AND b OR c`` is ``(a AND b) OR c``)."""
    inner = _unwrapped(condition)
    if len(split_top(inner, " OR ")) > 1:
        return [inner]
    parts = split_top(inner, " AND ")
    return [inner] if len(parts) == 1 else [c for part in parts for c in _conjuncts(part)]


_NEAR = re.compile(r"abs\(([lr]\.[a-z_][a-z_0-9]*) - ([lr]\.[a-z_][a-z_0-9]*)\) <= ([0-9]+)")  # of two columns


def _key_part(atom: str) -> tuple[str, ...] | None:
    """``("l", filter)`` / ``("r", filter)`` for a condition of one record, ``("=", expression of l, expression of
    r)`` for an equality of one expression of each, ``("~", expression of l, expression of r, k)`` for their
    distance at most ``k`` (aliases dropped), None for anything else."""
    atom = _unwrapped(atom)
    sides = _sides(atom)
    if len(sides) == 1 and len(split_top(atom, " OR ")) == 1:
        return (sides.pop(), _SIDE.sub("", atom))
    if any(len(split_top(atom, word)) > 1 for word in (" OR ", " AND ")):  # (``l.x = r.x OR r.f`` is no equality)
        return None
    near = _NEAR.fullmatch(atom)
    if near and _sides(near.group(1)) != _sides(near.group(2)):
        one, other = near.group(1), near.group(2)
        if _sides(one) == {"r"}:
            one, other = other, one
        return ("~", _SIDE.sub("", one), _SIDE.sub("", other), near.group(3))
    if not _equality(atom):
        return None
    one, other = split_top(_unwrapped(atom), " = ")
    if _sides(one) == {"r"}:
        one, other = other, one
    return ("=", _SIDE.sub("", one), _SIDE.sub("", other))


def joins_of(rules: list[str], codes: Mapping[str, str] | None = None) -> list[Join]:
    """The joins of the pairs of ``rules`` (a rule and its mirror in one join: :func:`mirrored`; a rule with ORs as
    several: :func:`expanded`), the keys of ``codes`` (columns of the table: :func:`coded`) joined on their codes. A
    pair comes once from each join that gives it."""
    codes = codes or {}
    return [Join(coded(rule, codes), both)
            for rule, both in mirrored([r for original in rules for r in expanded(original)])]


def rule_joins(table: str, rules: list[str], codes: Mapping[str, str] | None = None) -> list[str]:
    """SQL, one query per join of :func:`joins_of`: the pairs (``a`` < ``b``, uids of ``table``) of each."""
    return [join.sql(table) for join in joins_of(rules, codes)]


def candidate_joins(table: str, rules: list[str], codes: Mapping[str, str] | None = None) -> str:
    """SQL: every pair (``a`` < ``b``, uids of ``table``) that any of ``rules`` holds, once (:func:`rule_joins`,
    unioned and made distinct)."""
    return f"SELECT DISTINCT a, b FROM ({' UNION ALL '.join(rule_joins(table, rules, codes))})"
