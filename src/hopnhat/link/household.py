"""The household rule: records of one household that are two people, whatever the model says; and the CCCD slip
rule: records whose valid CCCDs are one keying slip apart and whose birth dates or names are two people's
(``kept_apart.rule = cccd_slip_other_person``, :func:`slip_apart`).

Records sharing a phone or an address (the new commune) are kept apart (``kept_apart.rule = household``) when

- their given names cannot be one name (more than one slip apart, not the same words in another order) and their
  birth years are two or more apart: siblings, parents and children; or
- they are **twins**: the same family name and birth date with two different given names that are both **real
  names** — frequent in the data (one record in :data:`FREQUENT_GIVEN` at least, and :data:`COMMON_GIVEN` records).
  A slip of a frequent name gives a rare string (``Hùnf``, ``Hugn``, ``Hảu``) that no twin is called, so two names
  more than a slip apart are twins only when one of them is real (two slips of one name — ``Hnưg`` / ``Hưnf`` — are
  one person), and two names a slip apart only when both are.

Which spelling is judged: when both records are written with diacritics, the given names *with* diacritics (``Hải``
is a real name, ``Hảu`` is not, though ``hau`` folds like the real ``Hậu``); two names that fold alike are twins
only when both carry marks (``Hùng`` / ``Hưng``; ``Hung`` beside ``Hùng`` is a mark lost). When either record has no
diacritics, a twin's name must be **witnessed**: some record of the same family name and birth date writes that
given name with diacritics, as a real name (``NGUYEN THI LAM`` beside ``Nguyễn Thị Lan`` is one person unless a
``Nguyễn Thị Lâm`` or ``Lam`` of that date is written somewhere — twins each have their own records, a slip has
none). Siblings (years apart) are judged on the folded names.

Two records one keying slip apart on the CCCD, or with the same CMND, are never kept apart by this rule; nor are two
whose names fold to the same words in any order (measured: keeping ``Hùng`` / ``Hưng`` twins apart lost more true
pairs than it saved false ones — 17 against 3 at 20,000 people); nor two whose names were split apart (all words a
slip or two apart, the middle names not the same: ``Diuệ Thị Thanh Lê`` read Lê | Diuệ Thị | Thanh beside Lê | Thị
Thanh | Diệu is one person, not twins Thanh and Diệu), nor a name without middle name whose two words are both in the
other's (``Huỳnh Anh`` beside ``Huỳnh Anh Hiếu``: a dropped name, :func:`hopnhat.link.person_model.within`).
"""

from __future__ import annotations

import re

import duckdb

from hopnhat.link import person_model
from hopnhat.link.person_features import COMMON_GIVEN, FREQUENT_GIVEN

# A given name is real — not a slip — when one record in FREQUENT_GIVEN carries it, and COMMON_GIVEN records at least
# (person_features: the same bar as the name comparison's).
_ALIASED = "{side}.{col}"

# The pairs scored at or above the review threshold that either rule reads: for the household rule those whose two
# records share a phone or an address (the new commune), for the slip rule those holding two valid CCCDs with the
# same first six digits (a slip SLIP_IN_SERIAL reads is in the last six; its edit distance is taken in ``slip_near``,
# on these only). One join of ``person_pairs`` with the features for both rules (session 21; each rule joined them
# itself before: 489,446 pairs at 1 M blind, twice).
_HOUSEHOLD_NEAR = ("(l.phone = r.phone OR l.k_addr = r.k_addr) AND l.k_giv IS NOT NULL AND r.k_giv IS NOT NULL "
                   "AND l.k_ns <> r.k_ns")
_SLIP_NEAR = ("l.cc_year IS NOT NULL AND r.cc_year IS NOT NULL AND l.cccd <> r.cccd "
              "AND substr(l.cccd, 1, 6) = substr(r.cccd, 1, 6)")
_TIED = f"""
tied AS MATERIALIZED (
  SELECT p.uid_l, p.uid_r, l.cccd AS cccd_l, r.cccd AS cccd_r, coalesce({_HOUSEHOLD_NEAR}, false) AS household,
         coalesce({_SLIP_NEAR}, false) AS slip
  FROM person_pairs p
  JOIN (SELECT uid, phone, k_addr, k_ns, k_giv, cccd, cc_year FROM person_features) l ON l.uid = p.uid_l
  JOIN (SELECT uid, phone, k_addr, k_ns, k_giv, cccd, cc_year FROM person_features) r ON r.uid = p.uid_r
  WHERE p.match_probability >= ? AND (({_HOUSEHOLD_NEAR}) OR ({_SLIP_NEAR}))
)"""

_HOUSEHOLD = """
total AS (SELECT greatest({common}, count(*) // {frequent}) AS n FROM person_features),
marked AS (SELECT giv_acc AS name FROM person_features WHERE giv_acc IS NOT NULL GROUP BY ALL
           HAVING count(*) >= (SELECT n FROM total)),
folded AS (SELECT giv AS name FROM person_features GROUP BY ALL HAVING count(*) >= (SELECT n FROM total)),
near AS MATERIALIZED (SELECT uid_l, uid_r FROM tied WHERE household),
candidates AS MATERIALIZED (
  SELECT p.uid_l, p.uid_r, l.fam = r.fam AND l.dob = r.dob AS twin_dates,
         damerau_levenshtein(l.giv, r.giv) AS slips, l.giv = r.giv AS same_folded,
         l.giv_acc IS NOT NULL AND r.giv_acc IS NOT NULL AS both_marked,
         coalesce(l.giv_acc, l.giv) <> coalesce(r.giv_acc, r.giv) AS other_given,
         l.giv_acc <> l.giv AND r.giv_acc <> r.giv AS both_toned, abs(l.byear - r.byear) AS years,
         al.name IS NOT NULL AS marked_l, ar.name IS NOT NULL AS marked_r,
         fl.name IS NOT NULL AS folded_l, fr.name IS NOT NULL AS folded_r,
         l.fam AS fam_l, l.dob AS dob_l, l.giv AS giv_l, r.fam AS fam_r, r.dob AS dob_r, r.giv AS giv_r
  FROM near p
  JOIN person_features l ON l.uid = p.uid_l JOIN person_features r ON r.uid = p.uid_r
  LEFT JOIN marked al ON al.name = l.giv_acc LEFT JOIN marked ar ON ar.name = r.giv_acc
  LEFT JOIN folded fl ON fl.name = l.giv LEFT JOIN folded fr ON fr.name = r.giv
  WHERE NOT coalesce(l.cccd = r.cccd, false) AND NOT coalesce(l.cmnd = r.cmnd, false)
    AND NOT coalesce(damerau_levenshtein(l.cccd, r.cccd) <= 1, false)
    AND CASE WHEN l.mid IS DISTINCT FROM r.mid
             THEN NOT coalesce(damerau_levenshtein(l.name_sorted, r.name_sorted) <= 2, false) ELSE true END
    AND NOT coalesce({within}, false)
),
keys AS (SELECT fam_l AS fam, dob_l AS dob, giv_l AS giv FROM candidates
         UNION SELECT fam_r, dob_r, giv_r FROM candidates),
witness AS (SELECT f.fam, f.dob, f.giv, bool_or(m.name IS NOT NULL) AS real FROM person_features f
            SEMI JOIN keys k ON k.fam = f.fam AND k.dob = f.dob AND k.giv = f.giv
            LEFT JOIN marked m ON m.name = f.giv_acc WHERE f.giv_acc IS NOT NULL AND f.dob IS NOT NULL GROUP BY ALL),
pairs AS (
  SELECT c.*, coalesce(wl.real, false) AS witnessed_l, coalesce(wr.real, false) AS witnessed_r FROM candidates c
  LEFT JOIN witness wl ON wl.fam = c.fam_l AND wl.dob = c.dob_l AND wl.giv = c.giv_l
  LEFT JOIN witness wr ON wr.fam = c.fam_r AND wr.dob = c.dob_r AND wr.giv = c.giv_r
), judged AS (
  SELECT *, CASE WHEN both_marked THEN marked_l WHEN twin_dates THEN witnessed_l ELSE folded_l END AS real_l,
            CASE WHEN both_marked THEN marked_r WHEN twin_dates THEN witnessed_r ELSE folded_r END AS real_r
  FROM pairs
),
household AS (
  SELECT uid_l AS a, uid_r AS b FROM judged
  WHERE (slips > 1 AND years >= 2)
     OR (twin_dates AND other_given
         AND ((slips > 1 AND (real_l OR real_r))
              OR (real_l AND real_r AND (NOT same_folded OR both_toned))))
)"""


# Two records whose valid CCCDs are one keying slip apart and whose names or full dates are two people's
# (person_model.OTHER_PERSON): kept apart as two valid CCCDs further apart are (cluster.py), so that a third record —
# a year alone, no date — cannot chain them (the model scores the pair itself as two different valid CCCDs). Only
# numbers a scored pair (at or above the review threshold) ties one slip apart are read: a CCCD has about one valid
# neighbour in its province, sex and birth year, and the records of two neighbours no pair ties never meet in a cluster.
# (only the records holding a number of such a pair are read)
_SLIP = """
slip_near AS (
  SELECT DISTINCT least(cccd_l, cccd_r) AS x, greatest(cccd_l, cccd_r) AS y FROM tied
  WHERE slip AND damerau_levenshtein(cccd_l, cccd_r) = 1
),
held AS (SELECT uid, cccd, cc_year, fg, name_sorted, dm, bday, bmonth, giv_acc_real FROM person_features
         WHERE cc_year IS NOT NULL AND cccd IN (SELECT x FROM slip_near UNION ALL SELECT y FROM slip_near)),
slipped AS (
  SELECT least(l.uid, r.uid) AS a, greatest(l.uid, r.uid) AS b
  FROM slip_near JOIN held l ON l.cccd = slip_near.x JOIN held r ON r.cccd = slip_near.y
  WHERE {other}
)"""
SLIP_SQL = f"WITH {_TIED}, {_SLIP}\nSELECT a, b FROM slipped ORDER BY 1, 2"
# both rules in one statement: the household rule's pairs (0), then the slip rule's (1), each in record order
APART_SQL = (f"WITH {_TIED}, {_HOUSEHOLD}, {_SLIP}\n"
             "SELECT a, b, 0 AS rule FROM household UNION ALL SELECT a, b, 1 FROM slipped ORDER BY rule, a, b")
SLIP_RULE = "cccd_slip_other_person"
_RULES = ("household", SLIP_RULE)


def apart_rules(work: duckdb.DuckDBPyConnection, review_threshold: float) -> list[tuple[int, int, str]]:
    """Pairs of ``person_pairs`` scored at or above ``review_threshold`` that the household rule keeps apart, then
    the pairs of records whose CCCDs are one slip apart on two people's records (:data:`SLIP_SQL`)."""
    within = f"{person_model.within('l', 'r', _ALIASED)} OR {person_model.within('r', 'l', _ALIASED)}"
    sql = APART_SQL.format(common=COMMON_GIVEN, frequent=FREQUENT_GIVEN, within=within, other=_other_person())
    return [(int(a), int(b), _RULES[rule]) for a, b, rule in work.execute(sql, [review_threshold]).fetchall()]


def slip_apart(work: duckdb.DuckDBPyConnection, review_threshold: float) -> list[tuple[int, int, str]]:
    """Pairs of records whose valid CCCDs are one keying slip apart, tied by a pair of ``person_pairs`` scored at or
    above ``review_threshold``, and whose names or dates are two people's."""
    rows = work.execute(SLIP_SQL.format(other=_other_person()), [review_threshold]).fetchall()
    return [(int(a), int(b), SLIP_RULE) for a, b in rows]


def _other_person() -> str:
    """:data:`hopnhat.link.person_model.SLIP_OTHER_PERSON` on the aliases ``l`` and ``r``."""
    return re.sub(r"\b(\w+)_([lr])\b", r"\2.\1", person_model.SLIP_OTHER_PERSON)
