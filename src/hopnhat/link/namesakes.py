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
  grow with the name's frequency, a name carried by three records rarely has one;
- ``alone``: no third record carries the name with the pair's date (``date``: the same name and birth date; ``vague``:
  the same name and birth year), counted on each side, the larger — a term frequency of the name and date together.
  Where two records are all that carry a name and a date, they are one person's two records or two people's one
  each; where a third carries them, two people are likelier. At 1 M independent people (realistic profile) names
  of 32–63 records with a full date: 661 one person / 10 two when alone (lower bound 0.973), 351 / 48 with a third
  record (0.831); together 1,012 / 58 (0.931).

A stratum is **linkable** when the lower bound of the Wilson 95 % interval of its one-person share reaches the match
threshold: the same bar as any link, with the uncertainty of a small count against it — the stratum of ``dates`` ×
``names`` (session 12), or its part ``alone`` or not. The part has fewer pairs to count, so its bound is wider: at
100,000 people it passes less often than the whole (recall 0.9845 → 0.9825 when only parts were asked), at 1 M it
passes where the whole does not (above). An unanchored pair of a linkable stratum is linked as any clear best is
(:func:`hopnhat.link.persons.only_candidates`); elsewhere it stays apart, raised for review, its evidence saying why.
No truth is read: only the records' own numbers.

Measured (session 12, 100,000 independent people, before ``alone``): the estimate's one/two counts equal the truth
on every estimating pair of both profiles (the CCCDs never mislead); harsh profile, every stratum's lower bound
below 0.6 (made namesakes: 1 % of people), realistic profile (public name pool, no made namesakes) 0.99 / 0.98 / 0.95
for the exact date and names of 2–7 records.
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
SELECT uid, fam, mid, giv, byear, dob, cccd, addr, phone, name_n, name_sorted FROM person_features
WHERE cc_year IS NOT NULL AND fam IS NOT NULL AND mid IS NOT NULL AND giv IS NOT NULL AND byear IS NOT NULL
"""
# How many records carry each name with each birth date, and with each birth year (for ``alone``).
_COUNTS = """
CREATE OR REPLACE TEMP TABLE _ns_dated AS
SELECT name_sorted, dob, count(*) AS n FROM person_features WHERE name_sorted IS NOT NULL AND dob IS NOT NULL
GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE _ns_yearly AS
SELECT name_sorted, byear, count(*) AS n FROM person_features WHERE name_sorted IS NOT NULL AND byear IS NOT NULL
GROUP BY ALL
"""
# ``alone`` of a pair l, r (aliases of person_features rows): at most two records carry the name of either side with
# its date (two full dates) or its year (one date vague).
_ALONE = """CASE WHEN l.dob IS NOT NULL AND r.dob IS NOT NULL
      THEN greatest(coalesce(dl.n, 1), coalesce(dr.n, 1))
      ELSE greatest(coalesce(yl.n, 1), coalesce(yr.n, 1)) END <= 2"""
_COUNTED = """LEFT JOIN _ns_dated dl ON dl.name_sorted = l.name_sorted AND dl.dob = l.dob
LEFT JOIN _ns_dated dr ON dr.name_sorted = r.name_sorted AND dr.dob = r.dob
LEFT JOIN _ns_yearly yl ON yl.name_sorted = l.name_sorted AND yl.byear = l.byear
LEFT JOIN _ns_yearly yr ON yr.name_sorted = r.name_sorted AND yr.byear = r.byear"""
# One person: the same number, one digit changed, or two neighbours swapped (cluster.slip_apart, in SQL).
_ONE = ("(l.cccd = r.cccd OR hamming(l.cccd, r.cccd) = 1 OR (hamming(l.cccd, r.cccd) = 2 AND len(list_filter("
        "range(1, 12), lambda i: substr(l.cccd, i, 1) = substr(r.cccd, i + 1, 1) "
        "AND substr(l.cccd, i + 1, 1) = substr(r.cccd, i, 1) AND substr(l.cccd, i, 1) <> substr(r.cccd, i, 1))) > 0))")
_ESTIMATING = """
SELECT CASE WHEN l.dob IS NOT NULL AND r.dob IS NOT NULL THEN 'date' ELSE 'vague' END AS dates,
       greatest(1, floor(log2(l.name_n)))::INTEGER AS names, {alone} AS alone,
       count(*) FILTER (WHERE {one}) AS one, count(*) FILTER (WHERE NOT {one}) AS two
FROM _ns_carriers l JOIN _ns_carriers r
  ON l.fam = r.fam AND l.mid = r.mid AND l.giv = r.giv AND l.byear = r.byear AND {on}
{counted}
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
       greatest(1, floor(log2(greatest(coalesce(l.name_n, 1), coalesce(r.name_n, 1)))))::INTEGER AS names,
       {alone} AS alone
FROM person_unanchored u JOIN person_features l ON l.uid = u.uid_l JOIN person_features r ON r.uid = u.uid_r
{counted}
ORDER BY 1, 2
"""
Z = NormalDist().inv_cdf(0.975)  # the Wilson interval's 95 % (1.95996…)


@dataclass(frozen=True)
class Stratum:
    """One stratum's count of estimating pairs that are one person (``one``) and two people (``two``).

    ``alone``: no third record carries the name with the pair's date (or year, one date vague); None: the whole
    stratum of ``dates`` × ``names``, both parts."""

    dates: str
    names: int
    alone: bool | None
    one: int
    two: int

    @property
    def lower(self) -> float:
        """The lower bound of the Wilson 95 % interval of the one-person share (0 without pairs)."""
        return self._wilson(-1.0, 0.0)

    @property
    def upper(self) -> float:
        """The upper bound of the Wilson 95 % interval of the one-person share (1 without pairs: nothing is known)."""
        return self._wilson(1.0, 1.0)

    def _wilson(self, side: float, empty: float) -> float:
        n = self.one + self.two
        if not n:
            return empty
        share = self.one / n
        centre = share + Z * Z / (2 * n)
        spread = Z * math.sqrt(share * (1 - share) / n + Z * Z / (4 * n * n))
        return (centre + side * spread) / (1 + Z * Z / n)

    def describe(self) -> str:
        """``exact date, name of 8–15 records, no third record of the name and date: 141 one person / 2 two
        (≥ 0.950)``."""
        dates = "exact date" if self.dates == "date" else "one date vague"
        low, high = 2 ** self.names, 2 ** (self.names + 1) - 1
        names = "name of at most 3 records" if self.names == 1 else f"name of {low}–{high} records"
        which = "date" if self.dates == "date" else "year"
        part = "" if self.alone is None else f", no third record of the name and {which}" if self.alone \
            else f", a third record of the name and {which}"
        return f"{dates}, {names}{part}: {self.one} one person / {self.two} two (≥ {self.lower:.3f})"


Key = tuple[str, int, bool | None]  # (dates, names, alone); alone None: the whole stratum


def _order(key: Key) -> tuple[str, int, int]:
    return key[0], key[1], -1 if key[2] is None else int(key[2])


def estimate(work: duckdb.DuckDBPyConnection) -> dict[Key, Stratum]:
    """The one-person and two-person counts of every stratum, from ``person_features`` in ``work``."""
    work.execute(_CARRIERS)
    work.execute(_COUNTS)
    counts: dict[Key, list[int]] = {}
    for on in (_DATED, _VAGUE):
        sql = _ESTIMATING.format(on=on, one=_ONE, alone=_ALONE, counted=_COUNTED)
        for dates, names, alone, one, two in work.execute(sql).fetchall():
            for key in ((dates, int(names), bool(alone)), (dates, int(names), None)):
                tally = counts.setdefault(key, [0, 0])
                tally[0] += int(one)
                tally[1] += int(two)
    for temp in ("_ns_carriers", "_ns_dated", "_ns_yearly"):
        work.execute(f"DROP TABLE {temp}")
    return {key: Stratum(key[0], key[1], key[2], *counts[key]) for key in sorted(counts, key=_order)}


def attach_strata(work: duckdb.DuckDBPyConnection) -> None:
    """Add each unanchored pair's stratum (``dates``, ``names``, ``alone``) to ``person_unanchored``."""
    work.execute(_COUNTS)
    work.execute(_STRATA.format(alone=_ALONE, counted=_COUNTED))
    work.execute("DROP TABLE _ns_dated")
    work.execute("DROP TABLE _ns_yearly")


def linkable(strata: dict[Key, Stratum], threshold: float) -> set[Key]:
    """The strata whose one-person share is at least ``threshold`` (the match threshold) at its lower bound: a part
    (``alone`` or not) when it reaches it, or when its whole stratum does and the part's own count does not show it
    below the bar (its upper bound reaches ``threshold``): a part too small to judge rides on its whole, a part that
    is measurably worse than its whole does not."""
    def passes(key: Key) -> bool:
        return key in strata and strata[key].lower >= threshold

    def carried(key: Key) -> bool:
        return passes((key[0], key[1], None)) and strata[key].upper >= threshold

    return {key for key in strata if passes(key) or carried(key)}


def notes(strata: dict[Key, Stratum]) -> list[str]:
    """One line per stratum, for the run's notes: the estimate (its unanchored pairs are linked as the clear best
    when the lower bound reaches the match threshold)."""
    return [f"namesakes: {s.describe()}" for s in strata.values()]
