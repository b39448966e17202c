"""Person linkage: features, the deterministic CCCD rule, then the Splink model (trained on the run's own data).

Output, in the work connection: ``person_pairs`` (uid_l < uid_r, match_probability, match_weight, rule, evidence) for
every pair at or above the review threshold. A pair the deterministic rule links gets probability 1 and keeps the
model's waterfall (when the model scored it too) so the evidence is always shown.

Clusters (:func:`person_clusters`): the pairs at or above the match threshold, the rules that keep records apart
(conflicting CCCDs or CMNDs, the household rule), then the pairs whose clusters are each other's only candidate
(:func:`only_candidates`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from hopnhat.link import person_model as model
from hopnhat.link.cluster import Clusters, Links, add_links, cluster, keys_of
from hopnhat.link.engine import Backend, ModelSpec, TrainedModel, score
from hopnhat.link.household import apart_rules
from hopnhat.link.namesakes import Key, Stratum, attach_strata, estimate, linkable, notes
from hopnhat.link.pairs import combine, rule_pairs
from hopnhat.link.person_features import KEY_CODES, build_person_features, source_sql
from hopnhat.link.shipped import (
    SMALL_EM_PAIRS,
    SMALL_RECORDS,
    TINY_RECORDS,
    with_shipped_m,
    with_shipped_m_and_u,
)
from hopnhat.link.tables import columns_of, one
from hopnhat.link.training import train

SPEC = ModelSpec("person", "person_features", model.settings, model.TRAINING, model.PRIOR_RULES, model.PRIOR_RECALL,
                 training_fallback=model.TRAINING_FALLBACK, prior_fallback=model.PRIOR_FALLBACK,
                 shipped_m=with_shipped_m, small_pairs=SMALL_EM_PAIRS, small_records=SMALL_RECORDS,
                 shipped_mu=with_shipped_m_and_u, tiny_records=TINY_RECORDS)


# Each record's valid CCCD (12 digits, a real province, readable year) and 9-digit CMND: cluster.py keeps two clusters
# apart when they hold two CCCDs, or two CMNDs of one issuing province, more than a keying slip apart.
_IDENTITY_SQL = ("SELECT CASE WHEN cc_year IS NOT NULL THEN cccd END, CASE WHEN length(cmnd) = 9 THEN cmnd END "
                 "FROM person_features ORDER BY uid")
# Soft vetoes: a level of these comparisons may not weigh less than this (log2): sex is the field registers get
# wrong most often, and alone it must never keep two records apart.
# The same commune with another hamlet or street never counts against a pair: registers write the part below the
# commune in many ways (a house number, the hamlet's old name), however consistent a population may look in training.
MIN_WEIGHT = {("sex", "different"): -2.0, ("address", "same new commune"): 0.0}


@dataclass
class PairsResult:
    model: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def load_features(con: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection, table: str = "person") -> int:
    """Read the person records of ``con`` into ``work`` as features; returns the record count."""
    rows = con.execute(source_sql(table, columns_of(con, table))).fetch_arrow_table()
    return build_person_features(work, rows)


def person_pairs(work: duckdb.DuckDBPyConnection, backend: Backend, review_threshold: float,
                 trained: TrainedModel | None = None, evidence_below: float = 2.0) -> PairsResult:
    """Deterministic rule + trained Splink model → ``person_pairs`` in ``work`` (the evidence of the pairs below
    ``evidence_below``: all by default)."""
    rule_pairs(work, "person", "l.cccd = r.cccd", model.DETERMINISTIC)
    source = backend.input(SPEC.features)
    records = int(one(work, "SELECT count(*) FROM person_features")[0])
    trained = trained or soften(train(backend, source, SPEC, records))
    score(backend, source, trained, min(review_threshold, RIVALS_FROM), "person_scored", KEY_CODES)
    find_unanchored(work)
    attach_strata(work, keep=True)  # the name + date counts: once for both
    strata = estimate(work, counted=True)
    _keep_strata(work, strata)
    combine(work, "person", trained.settings, "same_valid_cccd", evidence_below)
    return PairsResult(trained.settings, trained.notes + notes(strata))


def _keep_strata(work: duckdb.DuckDBPyConnection, strata: dict[Key, Stratum]) -> None:
    """``person_namesakes``: the run's namesake estimate (:mod:`hopnhat.link.namesakes`), one row a stratum."""
    rows = list(strata.values())
    work.register("_strata", pa.table({"dates": pa.array([s.dates for s in rows], pa.string()),
                                       "names": pa.array([s.names for s in rows], pa.int32()),
                                       "alone": pa.array([s.alone for s in rows], pa.bool_()),
                                       "one": pa.array([s.one for s in rows], pa.int64()),
                                       "two": pa.array([s.two for s in rows], pa.int64()),
                                       "hidden": pa.array([s.hidden for s in rows], pa.float64()),
                                       "weights": pa.array([s.weights for s in rows], pa.float64()),
                                       "unchecked": pa.array([s.unchecked for s in rows], pa.int64()),
                                       "lower": pa.array([s.lower for s in rows], pa.float64()),
                                       "upper": pa.array([s.upper for s in rows], pa.float64())}))
    work.execute("CREATE OR REPLACE TABLE person_namesakes AS SELECT * FROM _strata "
                 "ORDER BY dates, names, alone NULLS FIRST")
    work.unregister("_strata")


def linkable_unanchored(work: duckdb.DuckDBPyConnection, threshold: float) -> set[tuple[int, int]]:
    """The unanchored pairs of the strata whose one-person share reaches ``threshold`` at its lower bound
    (:mod:`hopnhat.link.namesakes`): linked as any clear best is; the others stay apart."""
    if not one(work, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'person_namesakes'")[0]:
        return set()
    strata = {}
    for d, k, c, *counts in work.execute("SELECT dates, names, alone, one, two, hidden, weights, unchecked "
                                          "FROM person_namesakes").fetchall():
        key: Key = (d, int(k), None if c is None else bool(c))
        strata[key] = Stratum(*key, int(counts[0]), int(counts[1]), float(counts[2]), float(counts[3]),
                              int(counts[4]))
    keys = linkable(strata, threshold)
    rows = work.execute("SELECT uid_l, uid_r, dates, names, alone FROM person_unanchored").fetchall()
    return {(int(a), int(b)) for a, b, d, k, c in rows if (d, int(k), bool(c)) in keys}


def soften(trained: TrainedModel) -> TrainedModel:
    """The trained model with :data:`MIN_WEIGHT` applied (m raised so that m/u ≥ 2^min), rounded as engine does."""
    from hopnhat.link.engine import _round

    for comp in trained.settings["comparisons"]:
        for lvl in comp["comparison_levels"]:
            floor = MIN_WEIGHT.get((comp["output_column_name"], lvl.get("label_for_charts")))
            m, u = lvl.get("m_probability"), lvl.get("u_probability")
            if floor is not None and m is not None and u and m / u < 2 ** floor:
                lvl["m_probability"] = _round(u * 2 ** floor)
    return trained


def identity_table(work: duckdb.DuckDBPyConnection) -> pa.Table:
    """Each record's (valid CCCD, CMND) by uid as an Arrow table, for :func:`hopnhat.link.cluster.cluster` (which
    reads a record's numbers as Python strings only when a rule may need them)."""
    return work.execute(_IDENTITY_SQL).fetch_arrow_table()


# Only candidates: a pair the model scored between UNIQUE_FROM and the match threshold is linked when its two clusters
# are each other's only candidate (no pair scored at UNIQUE_FROM or above leads either of them anywhere else) and
# nothing in the pair speaks against it but the address or the sex (a stale address, a slipped sex). A record with
# a name, a birth date and another commune is one person's record when nobody else in the data fits it; beside a
# namesake it stays apart. Measured at 100,000 independent people: pair recall 0.966 → 0.982 (from 0.6); from 0.4 with
# a tenth of the planted namesakes 155 more true pairs for 18 false ones (precision 0.9986 → 0.9983; from 0.3: 0.9978,
# from 0.1: 0.9953 — below 0.4 a namesake is as likely as the person). Session 10, with unanchored pairs never linked
# (UNANCHORED): at 1 M people a namesake in the same hamlet — same name, a date missing or a year alone — is each
# other's only candidate far more often than at 100,000 (false pairs per floor at 1 M: 0.4: 1,111, 0.5: 990, 0.6:
# 860, 0.8: 725; recall 0.9626, 0.9617, 0.9608, 0.9573); 0.5 is the lowest floor with precision ≥ 0.998 there.
UNIQUE_FROM = 0.5
# Session 11: "only candidate" is read as "the clear best": every scored pair (from RIVALS_FROM, the scoring floor)
# counts as a rival, and a pair wins when its match weight is at least MARGIN bits above every other pair that leads
# either of its clusters elsewhere (an equal rival, or one a few bits below, keeps it apart as before). A record with
# a name, a hamlet and no birth date or number — the commonest miss at 1 M — scores below UNIQUE_FROM (nothing but
# the name and the hamlet) yet is plainly its neighbour's record when no one else of that name lives there: from
# HAMLET_FROM such a pair is linked when the two records are in the same hamlet (or street) and one side is a record
# on its own (one doubtful record joins a person, never two people's records). At 1 M independent people (harsh
# profile, after the hamlet fix of person_features.addr_old; net true / false pairs added): margin 3 bits from 0.1
# +1,163 / +197 (P 0.99850 → 0.99817, R 0.96449 → 0.96653); from 0.05 +1,296 / +270; margin 5 bits +870 / +127;
# without the same-hamlet condition +1,216 / +746; two clusters allowed to join: +104 false, no true.
RIVALS_FROM = 0.05
HAMLET_FROM = 0.1
MARGIN = 3.0
_HAMLET_LEVEL = "same new commune, same hamlet or street"
# Unanchored pairs: nothing ties the two records but the name and the birth date (and sex) — another commune or none,
# no comparable number, no phone in common. That is exactly what a namesake born the same day in another commune looks
# like (the false merges): at 1 M independent people 12,729 true pairs and 8,849 pairs of two people show only
# the name, middle name and exact date (harsh profile; 12,294 against 1,010 on the realistic one). Such a pair is
# therefore never linked by the model alone (``UNANCHORED = "review"``, the default: ``kept_apart.rule = unanchored``,
# raised in the review queue when scored at the match threshold) — precision first: at 1 M people 3,891 → 1,147 false
# pairs for a recall of 0.977 → 0.962 — but, since session 12, as the clear best (:func:`only_candidates`, from
# UNIQUE_FROM) where the run's own data shows such pairs to be one person at the match threshold (namesakes.py: the
# CCCDs of the name + date pairs that carry two, per stratum; realistic profile at 1 M R 0.9679 → 0.9786, P 0.9988;
# harsh: no stratum passes). A record with a number, a phone or a commune in common with the person's other records
# still joins them, and through them the rest. ``"only_candidate"`` links every such pair that is the clear best:
# recall first (at 1 M P 0.9926, R 0.9773). Levels (Splink's gamma): address different (0) or missing (-1), id no
# comparable number (-1), phone different (0) or missing (-1).
_UNANCHORED_SQL = """
CREATE OR REPLACE TABLE person_unanchored AS
WITH u AS (SELECT least(uid_l, uid_r) AS uid_l, greatest(uid_l, uid_r) AS uid_r, match_probability AS p
           FROM person_scored
           WHERE match_probability >= {low} AND gamma_address <= 0 AND gamma_id = -1 AND gamma_phone <= 0)
SELECT u.uid_l, u.uid_r FROM u JOIN person_features l ON l.uid = u.uid_l JOIN person_features r ON r.uid = u.uid_r
WHERE u.p >= {floor} OR (l.fam = r.fam AND l.mid = r.mid AND l.giv = r.giv AND l.byear = r.byear
                         AND (l.dob = r.dob OR l.dob IS NULL OR r.dob IS NULL) AND coalesce(l.female = r.female, true))
ORDER BY 1, 2
"""
UNANCHORED = "review"
# Session 18: unanchored pairs from UNANCHORED_FROM (HAMLET_FROM), not only from UNIQUE_FROM. Below 0.5 a pair of one
# family, middle and given name, birth year and date (or one date vague) and sex, in another commune with no number
# — exactly the pairs the namesake estimate counts — was left apart by the same-hamlet condition whatever its
# stratum (the model takes such a pair of a frequent name below 0.5, its other commune weighing more than the name).
# It now takes its stratum's estimate as the pairs from UNIQUE_FROM do, and where the stratum passes it is linked as
# the clear best, one side a record alone (as every pair below UNIQUE_FROM). Other pairs below 0.5 (a name or date
# that is not the same, a middle name missing, another sex) are not what the estimate measures and stay out: at 1 M
# realistic people, with them +428 true / +100 false pairs, without them +11 / 0; blind +118 / 0, harsh 0 / 0.
UNANCHORED_FROM = HAMLET_FROM
UNANCHORED_RULE = "unanchored"
_SOFT = frozenset({"address", "sex"})
# Session 18: from UNIQUE_FROM a different phone weighs against the clear best no more than the address does: people
# change their numbers and registers write a relative's (the blind population's `phone_other`), and where a population
# keeps one number for life the model's own weight of "different" already keeps such a pair below 0.5. Below
# UNIQUE_FROM, where a record on its own joins on the name and the hamlet alone, it still counts. Replayed at 1 M
# people: blind +215 true / +11 false pairs (three links, each two namesakes), realistic and harsh 0 / 0; as soft below
# 0.5 too, harsh +0 / +2 (twins in one hamlet, `Thảo`/`Thắm`, two numbers).
_SOFT_FROM_UNIQUE = _SOFT | {"phone"}


_LOOSE_NAME = "all words, any order, one or two slips"  # the name level too loose to lean on (1 true in 5 at 100 k)
# The id level of two records carrying one number: a person's own number, so a pair the model scored below the match
# threshold because its names, dates or addresses differ (a name mistyped and swapped, a lunar year, a middle name
# dropped) is still one person's when it is the clear best. At 1 M independent people such pairs left apart, scored
# from 0.4: realistic 51 true / 0 false, harsh 32 / 0.
_SAME_NUMBER = "same number"


def _nothing_against(evidence: str | None, strong: bool = False) -> bool:
    """True when no comparison but the address or the sex (``strong``, a pair from UNIQUE_FROM: or the phone,
    :data:`_SOFT_FROM_UNIQUE`) weighs against the pair (its waterfall, evidence.py) and the names agree better than
    :data:`_LOOSE_NAME` — or when the two records carry one number (:data:`_SAME_NUMBER`: a CMND, or a CCCD the
    deterministic rule did not link), whatever else differs."""
    comparisons = json.loads(evidence or "{}").get("comparisons", [])
    if any(c["comparison"] == "id" and c.get("level") == _SAME_NUMBER for c in comparisons):
        return True
    soft = _SOFT_FROM_UNIQUE if strong else _SOFT
    return not any((c["weight"] + c.get("tf_weight", 0.0) < 0 and c["comparison"] not in soft)
                   or (c["comparison"] == "name" and c.get("level") == _LOOSE_NAME) for c in comparisons)


def find_unanchored(work: duckdb.DuckDBPyConnection) -> None:
    """``person_unanchored`` (uid_l < uid_r) from ``person_scored`` and ``person_features``: the pairs only the name and
    birth date tie, from UNIQUE_FROM; from UNANCHORED_FROM those of one name, date and sex (:data:`_UNANCHORED_SQL`)."""
    work.execute(_UNANCHORED_SQL.format(low=UNANCHORED_FROM, floor=UNIQUE_FROM))


def unanchored(work: duckdb.DuckDBPyConnection) -> set[tuple[int, int]]:
    """The scored pairs (uid_l < uid_r) that only the name and birth date tie (:data:`_UNANCHORED_SQL`); none when
    the pairs did not come from :func:`person_pairs` (a store without person pairs)."""
    if not one(work, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'person_unanchored'")[0]:
        return set()
    return {(int(a), int(b)) for a, b in work.execute("SELECT uid_l, uid_r FROM person_unanchored").fetchall()}


def _weight(probability: float) -> float:
    """The match weight (log2 odds) of a probability; a rule's 1.0 is infinitely strong."""
    return math.inf if probability >= 1.0 else math.log2(probability / (1.0 - probability))


def _leads(p: np.ndarray, root_a: np.ndarray, root_b: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each cluster's two strongest leads elsewhere (one per other cluster: the probability of its strongest pair;
    -1 when none), from the pairs' probabilities ``p`` and their records' roots; compared as match weights
    (:func:`_lead_weights`), which rise with the probability."""
    cross = root_a != root_b
    low, high, prob = np.minimum(root_a, root_b)[cross], np.maximum(root_a, root_b)[cross], p[cross]
    order = np.lexsort((prob, high, low))
    low, high, prob = low[order], high[order], prob[order]
    last = np.ones(len(low), bool)  # the strongest pair of two clusters: the last of its run
    last[:-1] = (low[1:] != low[:-1]) | (high[1:] != high[:-1])
    cluster, strength = np.concatenate([low[last], high[last]]), np.concatenate([prob[last], prob[last]])
    order = np.lexsort((-strength, cluster))
    cluster, strength = cluster[order], strength[order]
    head = np.ones(len(cluster), bool)
    head[1:] = cluster[1:] != cluster[:-1]
    runner = np.zeros(len(cluster), bool)
    runner[1:] = head[:-1] & ~head[1:]
    first, second = np.full(n, -1.0), np.full(n, -1.0)
    first[cluster[head]] = strength[head]
    second[cluster[runner]] = strength[runner]
    return first, second


def _lead_weights(first: float, second: float) -> tuple[float, float]:
    """A cluster's two leads (:func:`_leads`) as match weights (-inf when none)."""
    return (-math.inf if first < 0 else _weight(first)), (-math.inf if second < 0 else _weight(second))


def _clear_best(w: float, lead: tuple[float, float]) -> bool:
    """True when ``w`` is the cluster's strongest lead and MARGIN bits above its next."""
    return w >= lead[0] and w - lead[1] >= MARGIN


def only_candidates(work: duckdb.DuckDBPyConnection, root: Sequence[int] | np.ndarray, threshold: float,
                    scored: Sequence[tuple[int, int, float]] | Links | None = None,
                    weak: AbstractSet[tuple[int, int]] = frozenset(),
                    weak_links: AbstractSet[tuple[int, int]] = frozenset()) -> list[tuple[int, int]]:
    """Pairs below ``threshold`` linked as the clear best of both their clusters (see :data:`UNIQUE_FROM`,
    :data:`MARGIN`), given the clusters ``root``; ``weak`` (unanchored) pairs never, but those of ``weak_links`` at
    any probability (below UNIQUE_FROM, as every pair there, with one side a record alone, but in any commune);
    ``scored``: the rows of ``person_pairs`` (uid_l, uid_r, match_probability) when the caller holds them already."""
    rows = Links.of(scored) if scored is not None else Links.of_table(work.execute(
        "SELECT uid_l, uid_r, match_probability FROM person_pairs ORDER BY 1, 2").fetch_arrow_table())
    roots = np.asarray(root, np.int64)
    n = len(roots)
    root_a, root_b, p = roots[rows.a], roots[rows.b], rows.p
    first, second = _leads(p, root_a, root_b, n)
    size = np.bincount(roots, minlength=n)
    keys = rows.a * n + rows.b
    is_weak, is_allowed = np.isin(keys, keys_of(weak, n)), np.isin(keys, keys_of(weak_links, n))
    maybe = ((HAMLET_FROM <= p) & (root_a != root_b)
             & ((~is_weak & (p < threshold)) | is_allowed)
             & ((p >= UNIQUE_FROM) | (size[root_a] == 1) | (size[root_b] == 1)))
    found = []
    for i in np.flatnonzero(maybe).tolist():
        w, ra, rb = _weight(float(p[i])), int(root_a[i]), int(root_b[i])
        if (_clear_best(w, _lead_weights(float(first[ra]), float(second[ra])))
                and _clear_best(w, _lead_weights(float(first[rb]), float(second[rb])))):
            found.append((int(rows.a[i]), int(rows.b[i])))
    del first, second
    if not found:
        return []
    # the waterfalls of these few pairs only (a million pairs' JSON would not fit beside the rest)
    work.register("_only", pa.table({"uid_l": [a for a, _ in found], "uid_r": [b for _, b in found]}))
    evidence = work.execute("SELECT p.uid_l, p.uid_r, p.match_probability, p.evidence FROM person_pairs p "
                            "JOIN _only o ON o.uid_l = p.uid_l AND o.uid_r = p.uid_r ORDER BY 1, 2").fetchall()
    work.unregister("_only")
    return [(a, b) for a, b, prob, ev in evidence
            if _nothing_against(ev, prob >= UNIQUE_FROM)
            and (prob >= UNIQUE_FROM or _in_hamlet(ev) or (a, b) in weak_links)]


def _in_hamlet(evidence: str | None) -> bool:
    """True when the pair's address comparison says the same hamlet or street (its waterfall, evidence.py)."""
    return any(c["comparison"] == "address" and c.get("level") == _HAMLET_LEVEL
               for c in json.loads(evidence or "{}").get("comparisons", []))


def _ahead(query: Callable[..., Any], cursor: duckdb.DuckDBPyConnection, *args: Any) -> Future[Any]:
    """``query(cursor, *args)`` started now in a thread, on ``cursor`` (its own connection to the work space: DuckDB
    runs it beside the caller's statements and Python); the future's result is what it returned, or raises what it
    raised. Nothing else writes to the tables it reads meanwhile: the same result as run in turn.

    Tried and not kept (session 17): the namesake estimate, which reads the features only, run this way beside the
    rule pairs and the training. On the shared machine (load 4–5) it was still running when scoring started, and
    `_linked` took 1.8 CPU-s more than without it (three pairs of runs at 1 M realistic)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hopnhat-ahead")
    try:
        return pool.submit(query, cursor, *args)
    finally:
        pool.shutdown(wait=False)  # the thread ends with its one task


def _rows(found: Future[Any]) -> Iterator[Any]:
    """The rows of a query run ahead, read when first asked for (waiting for them then)."""
    yield from found.result()


def person_clusters(work: duckdb.DuckDBPyConnection, n: int, links: list[tuple[int, int, float]] | Links,
                    threshold: float, review: float, same: Sequence[tuple[int, int]] = (),
                    different: Sequence[tuple[int, int]] = (),
                    scored: Sequence[tuple[int, int, float]] | Links | None = None,
                    unanchored_links: str = UNANCHORED) -> Clusters:
    """Clusters of the person records: links at or above ``threshold`` but the unanchored pairs (:data:`UNANCHORED`,
    ``unanchored_links``: ``review`` or ``only_candidate``), the conflicting-number and household rules (cluster.py),
    then the pairs that are each other's only candidate (:func:`only_candidates`)."""
    cursor = work.cursor()
    household = _ahead(apart_rules, cursor, review)  # its query runs while the components are found
    try:
        weak = unanchored(work)
        allowed = weak if unanchored_links == "only_candidate" else linkable_unanchored(work, threshold)
        links = Links.of(links)
        is_weak = np.isin(links.a * n + links.b, keys_of(weak, n))
        result = cluster(n, links.take(~is_weak), same, different, ids=identity_table(work), apart=_rows(household))
    finally:
        wait([household])  # never close the cursor under a running query
        cursor.close()
    extra = only_candidates(work, result.roots(), threshold, scored, weak, allowed)
    if extra:  # after every link at the threshold, under the same rules
        result = add_links(result, [(a, b, threshold) for a, b in extra])
        result.only_candidates = [pair for pair in extra if pair not in result.reasons]
    root = result.roots()
    # an unanchored pair at the threshold left apart: its evidence and the queue say why
    for a, b, _ in links.take(is_weak & (root[links.a] != root[links.b])).rows():
        if (a, b) not in result.reasons:
            result.reasons[(a, b)] = UNANCHORED_RULE
            result.kept_apart.append((a, b))
    result._uf = None  # its sets of numbers are a few hundred MB at a million records
    _drop_weak(work, review, result.only_candidates)
    return result


_MARK_SQL = """
UPDATE person_pairs p SET evidence = json_merge_patch(coalesce(p.evidence, '{{}}'), json_object('namesakes',
    json_object('dates', u.dates, 'names_from', CASE WHEN u.names = 1 THEN 1 ELSE 2 ** u.names END,
                'alone', u.alone, 'one', coalesce(s.one, 0), 'two', coalesce(s.two, 0),
                'unchecked', coalesce(s.unchecked, 0), 'two_unchecked', round(coalesce(s.hidden, 0), 1),
                'one_person_at_least', round(coalesce(s.lower, 0), 4),
                'one_person_at_most', round(coalesce(s.upper, 1), 4),
                'stratum', json_object('one', coalesce(w.one, 0), 'two', coalesce(w.two, 0),
                                       'one_person_at_least', round(coalesce(w.lower, 0), 4)),
                'needed', {threshold}, 'linked', c.root IS NOT DISTINCT FROM d.root)))::VARCHAR
FROM person_unanchored u LEFT JOIN person_namesakes s USING (dates, names, alone)
LEFT JOIN person_namesakes w ON w.dates = u.dates AND w.names = u.names AND w.alone IS NULL
LEFT JOIN _roots c ON c.uid = u.uid_l LEFT JOIN _roots d ON d.uid = u.uid_r
WHERE p.uid_l = u.uid_l AND p.uid_r = u.uid_r
"""


def mark_unanchored(work: duckdb.DuckDBPyConnection, root: Sequence[int], threshold: float) -> None:
    """Write into each unanchored pair's evidence the run's namesake estimate of its stratum (``namesakes``: full
    dates or one vague, the name's count from ``names_from``, ``alone``: no third record of the name and date, the
    estimating pairs of that part that were one person and two and the lower and upper bounds of the one-person
    share, the same for the whole ``stratum``, the bar the part or its whole had to reach (a whole carries a part
    whose upper bound reaches it), and whether the pair was linked), so the
    review queue and the record page show why such a pair was linked or kept apart
    (:mod:`hopnhat.link.namesakes`)."""
    if not one(work, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'person_namesakes'")[0]:
        return
    work.register("_roots", pa.table({"uid": pa.array(range(len(root)), pa.int64()),
                                      "root": pa.array(root, pa.int64())}))
    work.execute(_MARK_SQL.format(threshold=float(threshold)))
    work.unregister("_roots")


def _drop_weak(work: duckdb.DuckDBPyConnection, review: float, kept: Sequence[tuple[int, int]]) -> None:
    """Remove the model pairs below the review threshold from ``person_pairs`` (scored for :func:`only_candidates`
    only) but those it linked."""
    work.register("_kept", pa.table({"uid_l": pa.array([a for a, _ in kept], pa.int64()),
                                     "uid_r": pa.array([b for _, b in kept], pa.int64())}))
    work.execute("DELETE FROM person_pairs p WHERE p.match_probability < ? AND p.rule = 'model' AND NOT EXISTS "
                 "(SELECT 1 FROM _kept k WHERE k.uid_l = p.uid_l AND k.uid_r = p.uid_r)", [review])
    work.unregister("_kept")
