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

**The unchecked pairs** (session 14). The pairs decided on are those the CCCDs cannot check (one record or both
without a valid one), and one person's two records in two communes carry two CCCDs less often than two people's do
(the second record is often an old register's: a pre-merger address, an old CMND): the checked share understates
theirs. So every name + date pair of a stratum is counted — checked, or ``unchecked`` — and the two people among the
unchecked are taken as those the checked ones stand for: two people's records carry their CCCDs independently, at
the rate q of the records of their birth year and kind of date (full or vague), so each checked pair of two people
stands for 1 / (q_l·q_r) - 1 unchecked ones (``hidden``). A stratum's bound is the larger of the checked share's
(Wilson) and the unchecked share's (:meth:`Stratum.lower`). At 1 M independent people, realistic profile, names of
64–127 records alone with their date: 625 / 33 checked (0.930), 661 unchecked standing for 16.4 two-person pairs
(0.966; by the truth 644 / 17); harsh profile: no bound above 0.73.

**Alone** (session 14). Two people's records ``alone`` with their name and date are each a person's only record of
it, and such records carry a CCCD more often than the second records of people shown twice: for an ``alone`` pair q
is that of the records no other record shares the name and date (or year) with (of all records when fewer than
:data:`FEWEST`). At 1 M independent people, realistic profile, names alone with their date, the two people estimated
among the unchecked pairs with all records' q → with this one (by the truth): 64–127 records 16.4 → 9.0 (17),
128–255 44.0 → 28.6 (17), 256–511 39.2 → 21.4 (23), 512–1023 96.1 → 52.2 (50), 1024–2047 142.1 → 77.0 (71); harsh
profile 128–255 360.9 → 245.0 (175), every bound still at most 0.80.

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

# The name + date pairs: same family / middle / given name and birth year, the same date or one of them vague, another
# commune (or none), no phone in common; ``checked`` when both records carry a valid CCCD (cc_year). The dated and
# vague halves are two joins (a dateless record against every record of its name and year; two dated records on the
# exact date), so that a frequent name's block of a whole year is never formed; the pairs are counted where they are
# made (about 1.5 million at 1 M people on the harsh profile, whose common names are many times one year's namesakes).
# The records that may make a pair, beside the counts of their name with their date and with their year (``_COUNTS``,
# joined on the uid). Two records of one family, middle and given name (none missing: the join leaves such a record
# out) have the same sorted name words, so a pair's two records share their name and year with another record at
# least: only the records whose count of name and year is two or more are kept (session 17: kept here, not only
# filtered when the pairs are made — a table of a fraction of the 1.45 M records at 1 M people; the same pairs).
# A record makes a pair of the dated half only when it shares its name and date with another (``n_date > 1``), and
# one of the vague half only when a record of its name and year has no date (itself or the other: ``v_year > 0``,
# counted with ``n_year``); the others are left out too (session 22: at 1 M blind 1,129,350 -> 795,600 carriers,
# the estimate after the counts 1.26-1.77 -> 1.18-1.35 CPU-s on a loaded machine; the same pairs).
_CARRIERS = """
CREATE OR REPLACE TEMP TABLE _ns_carriers AS
SELECT f.uid, f.k_fam, f.k_mid, f.k_giv, f.byear, f.dob, f.cccd, f.cc_year IS NOT NULL AS checked, f.k_addr, f.phone,
       f.name_n, c.n_date, c.n_year
FROM person_features f JOIN _ns_counted c USING (uid)
WHERE f.byear IS NOT NULL AND c.n_year > 1 AND (c.n_date > 1 OR c.v_year > 0)
  AND f.k_fam IS NOT NULL AND f.k_mid IS NOT NULL AND f.k_giv IS NOT NULL
"""
# How often a record of each birth year, with a full date or a vague one, carries a valid CCCD (q; a vague date and a
# missing CCCD come from the same poorer registers), of all records and of those alone with their name and date (or
# year; ``_COUNTS``; every record with a birth year, read from the features): two people's records carry theirs
# independently, so a pair of
# two people is checked with odds q_l·q_r : 1 - q_l·q_r, and each checked pair of two people stands for
# 1 / (q_l·q_r) - 1 unchecked ones (computed in Python from these counts: the same sum on every run).
_SHOWN = """
SELECT byear, vague, coalesce(n_date, 1) = 1 AS single_date, coalesce(n_year, 1) = 1 AS single_year,
       count(*) FILTER (WHERE checked) AS carriers, count(*) AS records
FROM _ns_counted WHERE byear IS NOT NULL GROUP BY ALL
"""
# How many records carry each record's name with its birth date, and with its birth year (for ``alone``; and how
# many of those have no date, for the carriers), by uid:
# the name + date and name + year counts joined to the records once, read by the strata and by the estimate, beside
# what _SHOWN counts (so that it reads this table alone). Names, addresses are grouped and joined on their integer
# codes (person_features.KEY_CODES: equal exactly where the texts are, NULL where the text is), not on the texts
# (session 20: at 1 M blind people attach_strata 1.07 → 0.75 CPU-s, estimate 2.0 → 1.1; the same strata).
_COUNTS = """
CREATE OR REPLACE TEMP TABLE _ns_counted AS
WITH d AS (SELECT k_ns, dob, count(*) AS n FROM person_features
           WHERE k_ns IS NOT NULL AND dob IS NOT NULL GROUP BY ALL),
     y AS (SELECT k_ns, byear, count(*) AS n, count(*) FILTER (WHERE dob IS NULL) AS v FROM person_features
           WHERE k_ns IS NOT NULL AND byear IS NOT NULL GROUP BY ALL)
SELECT f.uid, f.byear, f.dob IS NULL AS vague, f.cc_year IS NOT NULL AS checked, d.n AS n_date, y.n AS n_year,
       y.v AS v_year
FROM person_features f
LEFT JOIN d ON d.k_ns = f.k_ns AND d.dob = f.dob
LEFT JOIN y ON y.k_ns = f.k_ns AND y.byear = f.byear
"""
# ``alone`` of a pair l, r (aliases of person_features rows): at most two records carry the name of either side with
# its date (two full dates) or its year (one date vague).
_ALONE_OF = """CASE WHEN l.dob IS NOT NULL AND r.dob IS NOT NULL
      THEN greatest(coalesce({dl}, 1), coalesce({dr}, 1))
      ELSE greatest(coalesce({yl}, 1), coalesce({yr}, 1)) END <= 2"""
_ALONE = _ALONE_OF.format(dl="cl.n_date", dr="cr.n_date", yl="cl.n_year", yr="cr.n_year")
# the same of two carriers (_CARRIERS: each record's counts beside it)
_ALONE_CARRIED = _ALONE_OF.format(dl="l.n_date", dr="r.n_date", yl="l.n_year", yr="r.n_year")
_COUNTED = "LEFT JOIN _ns_counted cl ON cl.uid = u.uid_l LEFT JOIN _ns_counted cr ON cr.uid = u.uid_r"
# One person (both records checked): the same number, one digit changed, or two neighbours swapped
# (cluster.slip_apart, in SQL). A CASE, so that the swap's list of eleven positions is made only for the pairs a
# hamming distance of 2 leaves (AND and OR evaluate both sides: the list for every one of the 1.5 M pairs of the harsh
# profile took 2 of the vague half's 2.5 CPU-s); a number missing leaves it unknown, as the AND did.
_ONE = ("CASE WHEN NOT (l.checked AND r.checked) THEN false WHEN l.cccd IS NULL OR r.cccd IS NULL THEN NULL "
        "WHEN l.cccd = r.cccd THEN true WHEN hamming(l.cccd, r.cccd) = 1 THEN true "
        "WHEN hamming(l.cccd, r.cccd) = 2 THEN len(list_filter(range(1, 12), lambda i: substr(l.cccd, i, 1) = "
        "substr(r.cccd, i + 1, 1) AND substr(l.cccd, i + 1, 1) = substr(r.cccd, i, 1) "
        "AND substr(l.cccd, i, 1) <> substr(r.cccd, i, 1))) > 0 ELSE false END")
_ESTIMATING = """
SELECT dates, names, alone, byear, vague_l, vague_r, count(*) FILTER (WHERE checked AND one) AS one,
       count(*) FILTER (WHERE checked AND NOT one) AS two, count(*) FILTER (WHERE NOT checked) AS unchecked
FROM (SELECT CASE WHEN l.dob IS NOT NULL AND r.dob IS NOT NULL THEN 'date' ELSE 'vague' END AS dates,
             greatest(1, floor(log2(l.name_n)))::INTEGER AS names, {alone} AS alone, l.byear,
             l.dob IS NULL AS vague_l, r.dob IS NULL AS vague_r, l.checked AND r.checked AS checked,
             {one} AS one
      FROM _ns_carriers l JOIN _ns_carriers r
        ON l.k_fam = r.k_fam AND l.k_mid = r.k_mid AND l.k_giv = r.k_giv AND l.byear = r.byear AND {on}
      WHERE l.k_addr IS DISTINCT FROM r.k_addr AND (l.phone IS NULL OR r.phone IS NULL OR l.phone <> r.phone))
GROUP BY ALL
"""
# two dated records of one name and date: each shares its name and date with another record (n_date > 1), so only
# those are joined (session 20: the dated half's join at 1 M blind 0.37 → 0.23 CPU-s; the same pairs)
_DATED = "l.dob = r.dob AND l.uid < r.uid AND l.n_date > 1 AND r.n_date > 1"
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
FEWEST = 100  # records of a birth year and kind of date alone with their name, below which all records' rate is taken
Z = NormalDist().inv_cdf(0.975)  # the Wilson interval's 95 % (1.95996…)


@dataclass(frozen=True)
class Stratum:
    """One stratum's name + date pairs: those both of whose records carry a valid CCCD, one person (``one``) or two
    people (``two``) by their numbers; ``unchecked``, the others (one record or both without a valid CCCD: the pairs
    decided on); ``hidden``, how many unchecked pairs of two people the ``two`` stand for (each (1 - q²) / q², q: how
    often a record of its birth year carries a valid CCCD); ``weights``, the same sum over every checked pair.

    ``alone``: no third record carries the name with the pair's date (or year, one date vague); None: the whole
    stratum of ``dates`` × ``names``, both parts."""

    dates: str
    names: int
    alone: bool | None
    one: int
    two: int
    hidden: float = 0.0
    weights: float = 0.0
    unchecked: int = 0

    @property
    def lower(self) -> float:
        """The lower bound of the one-person share of the unchecked pairs: the larger of two, each conservative under
        its own assumption — the checked pairs' share (Wilson), where one person's two records carry two valid CCCDs
        no more often than two people's do, and :meth:`_unchecked`, where two people's records carry theirs
        independently (0 without checked pairs)."""
        return max(self._wilson(-1.0, 0.0), self._unchecked(-1.0, 0.0))

    @property
    def upper(self) -> float:
        """The upper bound of the one-person share, likewise (1 without checked pairs: nothing is known)."""
        return max(self._wilson(1.0, 1.0), self._unchecked(1.0, 1.0))

    def _unchecked(self, side: float, empty: float) -> float:
        """1 - (two people among the unchecked pairs) / unchecked: the two-person share of the checked pairs, at the
        other bound of its Wilson 95 % interval, times the unchecked pairs each checked pair of two people stands for
        (``hidden / two``; the stratum's mean, ``weights / (one + two)``, when no checked pair is two people); the
        checked share's own bound when no pair is unchecked."""
        checked = self.one + self.two
        share = self._wilson(side, empty)
        if not checked or not self.unchecked:
            return share
        per_pair = self.hidden / self.two if self.two else self.weights / checked
        return min(1.0, max(0.0, 1.0 - (1.0 - share) * checked * per_pair / self.unchecked))

    def _wilson(self, side: float, empty: float) -> float:
        """A bound of the Wilson 95 % interval of the checked pairs' one-person share."""
        n = self.one + self.two
        if not n:
            return empty
        share = self.one / n
        centre = share + Z * Z / (2 * n)
        spread = Z * math.sqrt(share * (1 - share) / n + Z * Z / (4 * n * n))
        return (centre + side * spread) / (1 + Z * Z / n)

    def describe(self) -> str:
        """``exact date, name of 8–15 records, no third record of the name and date: 141 one person / 2 two by
        their CCCDs, 150 pairs unchecked (≥ 0.988)``."""
        dates = "exact date" if self.dates == "date" else "one date vague"
        low, high = 2 ** self.names, 2 ** (self.names + 1) - 1
        names = "name of at most 3 records" if self.names == 1 else f"name of {low}–{high} records"
        which = "date" if self.dates == "date" else "year"
        part = "" if self.alone is None else f", no third record of the name and {which}" if self.alone \
            else f", a third record of the name and {which}"
        return (f"{dates}, {names}{part}: {self.one} one person / {self.two} two by their CCCDs, "
                f"{self.unchecked} pairs unchecked (≥ {self.lower:.3f})")


Key = tuple[str, int, bool | None]  # (dates, names, alone); alone None: the whole stratum


def _order(key: Key) -> tuple[str, int, int]:
    return key[0], key[1], -1 if key[2] is None else int(key[2])


def estimate(work: duckdb.DuckDBPyConnection, counted: bool = False) -> dict[Key, Stratum]:
    """The one-person and two-person counts of every stratum, from ``person_features`` in ``work``; ``counted``:
    the name + date counts are there already (``attach_strata(work, keep=True)`` just before)."""
    if not counted:
        work.execute(_COUNTS)
    work.execute(_CARRIERS)
    shown = _shown(work.execute(_SHOWN).fetchall())
    rows = []
    for on in (_DATED, _VAGUE):
        rows += work.execute(_ESTIMATING.format(on=on, one=_ONE, alone=_ALONE_CARRIED)).fetchall()
    counts: dict[Key, list[float]] = {}
    for dates, names, alone, year, vague_l, vague_r, one, two, unchecked in sorted(rows):  # the same sums every run
        weight = _stands_for(shown[_kind(dates, alone)], int(year), vague_l, vague_r)
        for key in ((dates, int(names), bool(alone)), (dates, int(names), None)):
            tally = counts.setdefault(key, [0, 0, 0.0, 0.0, 0])
            tally[0] += one
            tally[1] += two
            tally[2] += two * weight
            tally[3] += (one + two) * weight
            tally[4] += unchecked
    for temp in ("_ns_carriers", "_ns_counted"):
        work.execute(f"DROP TABLE {temp}")
    return {key: _stratum(key, counts[key]) for key in sorted(counts, key=_order)}


def _kind(dates: str, alone: bool) -> str:
    """Whose CCCD rate a pair's records are judged by: ``all`` records, or for an ``alone`` pair the records that
    share their name and date (``date``; ``year`` when one date is vague) with no other record."""
    return "all" if not alone else "date" if dates == "date" else "year"


def _shown(rows: list[tuple[int, bool, bool, bool, int, int]]) -> dict[str, dict[tuple[int, bool], float]]:
    """The CCCD rate q per birth year and kind of date (full or vague) of all records (``all``) and of the records
    alone with their name and date (``date``) or year (``year``); a cell of fewer than :data:`FEWEST` records takes
    the rate of all records of its year and kind of date."""
    tally: dict[str, dict[tuple[int, bool], list[int]]] = {"all": {}, "date": {}, "year": {}}
    for year, vague, single_date, single_year, carriers, records in rows:
        for kind, counted in (("all", True), ("date", single_date), ("year", single_year)):
            if counted:
                t = tally[kind].setdefault((int(year), bool(vague)), [0, 0])
                t[0] += carriers
                t[1] += records
    rate = {key: c / n for key, (c, n) in tally["all"].items()}
    return {kind: {key: c / n if n >= FEWEST else rate[key] for key, (c, n) in sorted(t.items())}
            for kind, t in tally.items()}


def _stands_for(shown: dict[tuple[int, bool], float], year: int, vague_l: bool, vague_r: bool) -> float:
    """How many unchecked pairs of two people one checked pair of two people born in ``year`` stands for."""
    checked = shown.get((year, vague_l), 0.0) * shown.get((year, vague_r), 0.0)
    return 1.0 / checked - 1.0 if checked else 0.0


def _stratum(key: Key, tally: list[float]) -> Stratum:
    one, two, hidden, weights, unchecked = tally
    return Stratum(key[0], key[1], key[2], int(one), int(two), float(hidden), float(weights), int(unchecked))


def attach_strata(work: duckdb.DuckDBPyConnection, keep: bool = False) -> None:
    """Add each unanchored pair's stratum (``dates``, ``names``, ``alone``) to ``person_unanchored``; ``keep``: leave
    the name + date counts for :func:`estimate` (``counted=True``), which drops them (0.5 CPU-s at 1 M records)."""
    work.execute(_COUNTS)
    work.execute(_STRATA.format(alone=_ALONE, counted=_COUNTED))
    if not keep:
        work.execute("DROP TABLE _ns_counted")


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
