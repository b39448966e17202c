"""How often two records tied only by the name and the birth date are one person — estimated from the run's own data.

An unanchored pair (:data:`hopnhat.link.persons.UNANCHORED`: another commune or none, no comparable number, no phone
in common) shows exactly what a namesake born the same day in another commune shows. Whether such a pair is more
often one person or two depends on the population — how varied its names are, how many namesakes it holds — so the
linker does not decide it with a fixed policy: it measures it. Among the pairs that agree on family, middle and given
name and birth year (the same date, or one date vague), in another commune with no phone in common, where **both**
records carry a valid 12-digit CCCD, the CCCDs settle the question: the same number (or one keying slip apart) is one
person, two numbers more than a slip apart are two. Their share is Fellegi–Sunter's u of the name + date agreement
among such pairs, counted on the data instead of assumed, per **stratum**:

- ``dates``: ``date`` when both records hold a full date, ``vague`` when one holds a year alone (a 01/01
  placeholder, a year, a date read from the CCCD) — a year is shared by 365 times more namesakes;
- ``names``: ⌊log2⌋ of how many records carry the name (``name_n``, the larger of the two; at least 1) — namesakes
  grow with the name's frequency, a name carried by three records rarely has one.

A stratum is **linkable** when the lower bound of the Wilson 95 % interval of its one-person share reaches the match
threshold: the same bar as any link, with the uncertainty of a small count against it. An unanchored pair of a
linkable stratum is linked as any clear best is (:func:`hopnhat.link.persons.only_candidates`); elsewhere it stays
apart, raised for review, its evidence saying why. No truth is read: only the records' own numbers.

Measured (session 12, 100,000 independent people): the estimate's one/two counts equal the truth on every estimating
pair of both profiles (the CCCDs never mislead); harsh profile, every stratum's lower bound below 0.6 (made
namesakes: 1 % of people), realistic profile (public name pool, no made namesakes) 0.99 / 0.98 / 0.95 for the exact
date and names of 2–7 records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import duckdb

# The estimating pairs: both records with a valid CCCD (cc_year), same family / middle / given name and birth year,
# the same date or one of them vague, another commune (or none), no phone in common. The dated and vague halves are
# two joins (a dateless record against every record of its name and year; two dated records on the exact date), so
# that a frequent name's block of a whole year is never formed; the pairs are counted where they are made (a million
# of them at 1 M people on the harsh profile, whose common names are many times one year's namesakes).
_CARRIERS = """
CREATE OR REPLACE TEMP TABLE _ns_carriers AS
SELECT uid, fam, mid, giv, byear, dob, cccd, addr, phone, name_n FROM person_features
WHERE cc_year IS NOT NULL AND fam IS NOT NULL AND mid IS NOT NULL AND giv IS NOT NULL AND byear IS NOT NULL
"""
# One person: the same number, one digit changed, or two neighbours swapped (cluster.slip_apart, in SQL).
_ONE = ("(l.cccd = r.cccd OR hamming(l.cccd, r.cccd) = 1 OR (hamming(l.cccd, r.cccd) = 2 AND len(list_filter("
        "range(1, 12), i -> substr(l.cccd, i, 1) = substr(r.cccd, i + 1, 1) "
        "AND substr(l.cccd, i + 1, 1) = substr(r.cccd, i, 1) AND substr(l.cccd, i, 1) <> substr(r.cccd, i, 1))) > 0))")
_ESTIMATING = """
SELECT CASE WHEN l.dob IS NOT NULL AND r.dob IS NOT NULL THEN 'date' ELSE 'vague' END AS dates,
       greatest(1, floor(log2(l.name_n)))::INTEGER AS names,
       count(*) FILTER (WHERE {one}) AS one, count(*) FILTER (WHERE NOT {one}) AS two
FROM _ns_carriers l JOIN _ns_carriers r
  ON l.fam = r.fam AND l.mid = r.mid AND l.giv = r.giv AND l.byear = r.byear AND {on}
WHERE l.addr IS DISTINCT FROM r.addr AND (l.phone IS NULL OR r.phone IS NULL OR l.phone <> r.phone)
GROUP BY ALL
"""
_DATED = "l.dob = r.dob AND l.uid < r.uid"
_VAGUE = "l.dob IS NULL AND (r.dob IS NOT NULL OR l.uid < r.uid)"
# The stratum of each unanchored pair (persons._UNANCHORED_SQL), beside it.
_STRATA = """
CREATE OR REPLACE TABLE person_unanchored AS
SELECT u.uid_l, u.uid_r,
       CASE WHEN l.dob IS NOT NULL AND r.dob IS NOT NULL THEN 'date' ELSE 'vague' END AS dates,
       greatest(1, floor(log2(greatest(coalesce(l.name_n, 1), coalesce(r.name_n, 1)))))::INTEGER AS names
FROM person_unanchored u JOIN person_features l ON l.uid = u.uid_l JOIN person_features r ON r.uid = u.uid_r
ORDER BY 1, 2
"""
Z = NormalDist().inv_cdf(0.975)  # the Wilson interval's 95 % (1.95996…)


@dataclass(frozen=True)
class Stratum:
    """One stratum's count of estimating pairs that are one person (``one``) and two people (``two``)."""

    dates: str
    names: int
    one: int
    two: int

    @property
    def lower(self) -> float:
        """The lower bound of the Wilson 95 % interval of the one-person share (0 without pairs)."""
        n = self.one + self.two
        if not n:
            return 0.0
        share = self.one / n
        centre = share + Z * Z / (2 * n)
        spread = Z * math.sqrt(share * (1 - share) / n + Z * Z / (4 * n * n))
        return (centre - spread) / (1 + Z * Z / n)

    def describe(self) -> str:
        """``exact date, name of 8–15 records: 141 one person / 2 two (≥ 0.950)``."""
        dates = "exact date" if self.dates == "date" else "one date vague"
        low, high = 2 ** self.names, 2 ** (self.names + 1) - 1
        names = "name of at most 3 records" if self.names == 1 else f"name of {low}–{high} records"
        return f"{dates}, {names}: {self.one} one person / {self.two} two (≥ {self.lower:.3f})"


def estimate(work: duckdb.DuckDBPyConnection) -> dict[tuple[str, int], Stratum]:
    """The one-person and two-person counts of every stratum, from ``person_features`` in ``work``."""
    work.execute(_CARRIERS)
    counts: dict[tuple[str, int], list[int]] = {}
    for on in (_DATED, _VAGUE):
        for dates, names, one, two in work.execute(_ESTIMATING.format(on=on, one=_ONE)).fetchall():
            tally = counts.setdefault((dates, int(names)), [0, 0])
            tally[0] += int(one)
            tally[1] += int(two)
    work.execute("DROP TABLE _ns_carriers")
    return {key: Stratum(key[0], key[1], one, two) for key, (one, two) in sorted(counts.items())}


def attach_strata(work: duckdb.DuckDBPyConnection) -> None:
    """Add each unanchored pair's stratum (``dates``, ``names``) to ``person_unanchored``."""
    work.execute(_STRATA)


def linkable(strata: dict[tuple[str, int], Stratum], threshold: float) -> set[tuple[str, int]]:
    """The strata whose one-person share is at least ``threshold`` (the match threshold) at its lower bound."""
    return {key for key, s in strata.items() if s.lower >= threshold}


def notes(strata: dict[tuple[str, int], Stratum]) -> list[str]:
    """One line per stratum, for the run's notes: the estimate (its unanchored pairs are linked as the clear best
    when the lower bound reaches the match threshold)."""
    return [f"namesakes: {s.describe()}" for s in strata.values()]
