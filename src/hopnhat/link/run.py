"""``link_store``: link persons, organisations and parcels of the unified store, write golden records and the queue.

For each entity (persons first: parcels look their holders up among them):

1. decisions on split-commune addresses are applied to the entity table;
2. records → features in a private in-memory DuckDB (the *work* space: Splink's intermediate tables never reach the
   store; its memory is capped by ``linkage.memory_limit``);
3. pairs: deterministic rules + the Splink model (persons: trained on the run's own data; on Spark when
   ``linkage.engine`` says so);
4. clusters from pairs at or above ``match_threshold`` with people's ``same`` / ``different`` decisions;
5. stable golden ids; the entity's ``golden_id``, ``golden_ids``, ``golden_<entity>``, ``link_pairs`` and its review
   items are replaced in one transaction.

Same store + same decisions → identical tables (no randomness, no clock in any id or value).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from hopnhat.link import organizations, parcels, persons
from hopnhat.link.cluster import Clusters, cluster
from hopnhat.link.engine import Backend, open_backend
from hopnhat.link.golden import assign_ids, previous_ids, write_golden
from hopnhat.link.limits import within, work_space
from hopnhat.link.queue import apply_unit_decisions, clear_items, raise_pair_items, raise_unit_items
from hopnhat.link.review import latest_decisions
from hopnhat.link.spark_session import supervised
from hopnhat.link.tables import ensure_tables, one, table_exists
from hopnhat.project.config import LinkageSpec

ORDER = ("person", "organization", "parcel")
Progress = Callable[[str, str], None]  # (entity, step)


@dataclass
class EntityOutcome:
    """What linkage did to one entity table."""

    entity: str
    records: int = 0
    clusters: int = 0
    merged: dict[tuple[str, str], int] = field(default_factory=dict)  # (src_source, src_table) → non-representatives
    auto_linked: int = 0  # pairs at or above the match threshold (deterministic rules included)
    review_pairs: int = 0
    review_units: int = 0
    kept_apart: int = 0  # links skipped: a person decided "different", or a rule (two CCCDs, the household rule)
    engine: str = "duckdb"
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def merged_total(self) -> int:
        return sum(self.merged.values())


@dataclass
class LinkOutcome:
    run_id: str
    entities: dict[str, EntityOutcome] = field(default_factory=dict)

    def merged(self, source: str, table: str) -> int:
        """Rows of a source table merged into another record (read = loaded + merged + quarantined)."""
        return sum(e.merged.get((source, table), 0) for e in self.entities.values())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (for the run report)."""
        return {"run_id": self.run_id, "entities": {
            name: {"records": e.records, "clusters": e.clusters, "merged": e.merged_total,
                   "merged_by_table": {f"{s}/{t}": n for (s, t), n in sorted(e.merged.items())},
                   "auto_linked": e.auto_linked, "review_pairs": e.review_pairs, "review_units": e.review_units,
                   "kept_apart": e.kept_apart, "engine": e.engine, "notes": e.notes, "seconds": e.seconds}
            for name, e in self.entities.items()}}


def _noop(entity: str, step: str) -> None:
    return None


# --- per entity ----------------------------------------------------------------------------------------------------

def _load(con: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection, entity: str) -> int:
    loader = {"person": persons.load_features, "organization": organizations.load_features,
              "parcel": parcels.load_features}[entity]
    return loader(con, work)


def _pairs(work: duckdb.DuckDBPyConnection, entity: str, config: LinkageSpec, threads: int, spark: Any,
           outcome: EntityOutcome) -> None:
    if entity == "parcel":
        parcels.parcel_pairs(work)
        return
    engine = config.engine if entity == "person" else "duckdb"
    backend: Backend = open_backend(engine, work, threads, spark, config)
    outcome.engine = engine
    try:
        with supervised(getattr(backend, "run", None)):  # a Spark failure: one SparkFailure, the JVM ended
            if entity == "person":
                result = persons.person_pairs(work, backend, config.review_threshold)
            else:
                result = organizations.organization_pairs(work, backend, config.review_threshold)
        outcome.notes += result.notes
    finally:
        backend.close()


def _empty_pairs(work: duckdb.DuckDBPyConnection, entity: str) -> None:
    work.execute(f"""CREATE OR REPLACE TABLE {entity}_pairs (uid_l BIGINT, uid_r BIGINT, match_probability DOUBLE,
                     match_weight DOUBLE, rule VARCHAR, evidence VARCHAR)""")


def _decided(con: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection,
             entity: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """uid pairs people decided are the same / different (records no longer present are ignored)."""
    decisions = latest_decisions(con, f"pair:{entity}:")
    rows = []
    for key, decision in decisions.items():
        left, _, right = key[len(f"pair:{entity}:"):].partition("|")
        rows.append((left, right, decision))
    if not rows:
        return [], []
    work.register("_decisions", pa.table({"l": [r[0] for r in rows], "r": [r[1] for r in rows],
                                          "decision": [r[2] for r in rows]}))
    found = work.execute(f"""SELECT least(a.uid, b.uid), greatest(a.uid, b.uid), d.decision FROM _decisions d
                             JOIN {entity}_features a ON a.record_id = d.l JOIN {entity}_features b ON b.record_id = d.r
                             ORDER BY 1, 2""").fetchall()
    work.unregister("_decisions")
    same = [(a, b) for a, b, d in found if d == "same"]
    different = [(a, b) for a, b, d in found if d == "different"]
    return same, different


def _cluster(con: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection, entity: str, n: int,
             threshold: float, review: float = 0.6, unanchored: str = persons.UNANCHORED) -> Clusters:
    same, different = _decided(con, work, entity)
    links = work.execute(f"SELECT uid_l, uid_r, match_probability FROM {entity}_pairs "
                         f"WHERE match_probability >= ?", [threshold]).fetchall()
    if entity == "person" and n > 1 and table_exists(work, "person_pairs"):
        # two valid CCCDs more than a slip apart and the household rule keep records apart (cluster.py, persons.py)
        result = persons.person_clusters(work, n, links, threshold, review, same, different,
                                         unanchored_links=unanchored)
        persons.mark_unanchored(work, result.root, threshold)
    else:
        result = cluster(n, links, same, different)
    _mark_kept_apart(work, entity, result)
    _mark_only_candidates(work, entity, result)
    work.register("_roots", pa.table({"uid": pa.array(range(n), pa.int64()),
                                      "root": pa.array(result.root, pa.int64())}))
    work.execute(f"CREATE OR REPLACE TABLE {entity}_clusters AS SELECT * FROM _roots")
    work.unregister("_roots")
    _forced_pairs(work, entity, same)
    return result


_KEPT_SQL = """
CREATE OR REPLACE TEMP TABLE _kept_detail AS
SELECT k.uid_l, k.uid_r, k.rule, {mask_l} AS cccd_l, {mask_r} AS cccd_r FROM _kept k {joins}
"""
_KEPT_APART_SQL = """
UPDATE {e}_pairs p SET evidence = json_merge_patch(coalesce(p.evidence, '{{}}'), json_object('kept_apart',
    json_object('rule', k.rule, 'cccd_l', k.cccd_l, 'cccd_r', k.cccd_r)))::VARCHAR
FROM _kept_detail k WHERE p.uid_l = k.uid_l AND p.uid_r = k.uid_r
"""


def _mask(col: str) -> str:
    """A CCCD shown as its first six digits (province, century/sex, year) and last two: enough to see two differ."""
    return f"CASE WHEN {col} IS NOT NULL THEN substr({col}, 1, 6) || '****' || substr({col}, 11, 2) END"


def _mark_only_candidates(work: duckdb.DuckDBPyConnection, entity: str, result: Clusters) -> None:
    """Write ``"only_candidate": true`` into the evidence of each pair linked below the match threshold because its
    two clusters are each other's only candidate (:func:`hopnhat.link.persons.only_candidates`)."""
    if not result.only_candidates:
        return
    work.register("_only", pa.table({"uid_l": [a for a, _ in result.only_candidates],
                                     "uid_r": [b for _, b in result.only_candidates]}))
    work.execute(f"""UPDATE {entity}_pairs p SET evidence = json_merge_patch(coalesce(p.evidence, '{{}}'),
                     json_object('only_candidate', true))::VARCHAR FROM _only o
                     WHERE p.uid_l = o.uid_l AND p.uid_r = o.uid_r""")
    work.unregister("_only")


def _mark_kept_apart(work: duckdb.DuckDBPyConnection, entity: str, result: Clusters) -> None:
    """Write into each skipped pair's evidence why it was kept apart (``kept_apart``: the rule, and for persons the
    two records' CCCDs, masked), so the record page and the review queue show it beside the model's weights."""
    if not result.reasons:
        return
    rows = sorted(result.reasons.items())
    work.register("_kept", pa.table({"uid_l": [a for (a, _), _ in rows], "uid_r": [b for (_, b), _ in rows],
                                     "rule": [r for _, r in rows]}))
    if entity == "person":
        joins = ("LEFT JOIN person_features fl ON fl.uid = k.uid_l "
                 "LEFT JOIN person_features fr ON fr.uid = k.uid_r")
        work.execute(_KEPT_SQL.format(mask_l=_mask("fl.cccd"), mask_r=_mask("fr.cccd"), joins=joins))
    else:
        work.execute(_KEPT_SQL.format(mask_l="NULL::VARCHAR", mask_r="NULL::VARCHAR", joins=""))
    work.execute(_KEPT_APART_SQL.format(e=entity))
    work.execute("DROP TABLE _kept_detail")
    work.unregister("_kept")


def _forced_pairs(work: duckdb.DuckDBPyConnection, entity: str, same: list[tuple[int, int]]) -> None:
    """A pair decided ``same`` is a link even when the model did not score it: add it to the pairs table."""
    if not same:
        return
    work.register("_same", pa.table({"uid_l": [a for a, _ in same], "uid_r": [b for _, b in same]}))
    work.execute(f"""INSERT INTO {entity}_pairs SELECT s.uid_l, s.uid_r, 1.0, NULL, 'decision',
                     json_object('rule', 'decision')::VARCHAR FROM _same s
                     ANTI JOIN {entity}_pairs p ON p.uid_l = s.uid_l AND p.uid_r = s.uid_r""")
    work.unregister("_same")


_OUT_PAIRS = """
SELECT fl.record_id AS record_id_l, fr.record_id AS record_id_r, p.match_probability, p.match_weight, p.rule,
       cl.root = cr.root AS linked, p.evidence
FROM {e}_pairs p
JOIN {e}_features fl ON fl.uid = p.uid_l JOIN {e}_features fr ON fr.uid = p.uid_r
JOIN {e}_clusters cl ON cl.uid = p.uid_l JOIN {e}_clusters cr ON cr.uid = p.uid_r
ORDER BY 1, 2
"""


def _results(work: duckdb.DuckDBPyConnection, entity: str) -> tuple[pa.Table, pa.Table]:
    mapping = work.execute(f"""SELECT f.record_id, g.golden_id FROM {entity}_clusters c
                               JOIN {entity}_features f USING (uid) JOIN {entity}_gids g USING (root)
                               ORDER BY f.record_id""").fetch_arrow_table()
    pairs = work.execute(_OUT_PAIRS.format(e=entity)).fetch_arrow_table()
    return mapping, pairs


def _review_pairs(pairs: pa.Table, entity: str, config: LinkageSpec, decided: set[str]) -> pa.Table:
    con = duckdb.connect()
    con.register("p", pairs)
    con.register("d", pa.table({"item_key": pa.array(sorted(decided), pa.string())}))
    out = con.execute(f"""
        SELECT record_id_l, record_id_r, match_probability, evidence FROM p
        WHERE (rule = 'model' AND match_probability >= ? AND match_probability < ?)
           OR json_extract_string(evidence, '$.only_candidate') = 'true'
           OR (NOT linked AND json_extract_string(evidence, '$.kept_apart.rule') IS NOT NULL
               AND json_extract_string(evidence, '$.kept_apart.rule') <> 'decision')
           OR 'pair:{entity}:' || record_id_l || '|' || record_id_r IN (SELECT item_key FROM d)
        ORDER BY 1, 2""", [config.review_threshold, config.match_threshold]).fetch_arrow_table()
    con.close()
    return out


def _merged(work: duckdb.DuckDBPyConnection, entity: str) -> dict[tuple[str, str], int]:
    rows = work.execute(f"""SELECT f.src_source, f.src_table, count(*) FILTER (WHERE c.uid <> c.root)
                            FROM {entity}_clusters c JOIN {entity}_features f USING (uid)
                            GROUP BY ALL ORDER BY 1, 2""").fetchall()
    return {(s, t): n for s, t, n in rows}


class _Transaction:
    """BEGIN/COMMIT around the store writes of one entity, unless the caller already holds a transaction."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.own = con, False

    def __enter__(self) -> None:
        try:
            self.con.execute("BEGIN TRANSACTION")
            self.own = True
        except duckdb.TransactionException:
            self.own = False

    def __exit__(self, exc_type: object, *_: object) -> None:
        if self.own:
            self.con.execute("ROLLBACK" if exc_type else "COMMIT")


def _write(con: duckdb.DuckDBPyConnection, entity: str, mapping: pa.Table, pairs: pa.Table, review: pa.Table,
           config: LinkageSpec, run_id: str, outcome: EntityOutcome) -> None:
    con.register("_gid_map", mapping)
    con.register("_link_pairs", pairs)
    with _Transaction(con):
        con.execute(f'UPDATE "{entity}" SET golden_id = m.golden_id FROM _gid_map m '
                    f'WHERE "{entity}".record_id = m.record_id')
        con.execute("DELETE FROM golden_ids WHERE entity = ?", [entity])
        con.execute("INSERT INTO golden_ids SELECT ?, record_id, golden_id FROM _gid_map", [entity])
        write_golden(con, entity, config.survivorship, config.source_trust)
        if entity == "parcel":
            parcels.link_holders(con)
        con.execute("DELETE FROM link_pairs WHERE entity = ?", [entity])
        con.execute("""INSERT INTO link_pairs SELECT ?, record_id_l, record_id_r, match_probability, match_weight, rule,
                       linked, evidence, ? FROM _link_pairs""", [entity, run_id])
        clear_items(con, entity)
        outcome.review_pairs = raise_pair_items(con, entity, review, run_id)
        outcome.review_units = raise_unit_items(con, entity, run_id)
    con.unregister("_gid_map")
    con.unregister("_link_pairs")


def link_entity(con: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection, entity: str,
                config: LinkageSpec, run_id: str, threads: int = 2, spark: Any = None,
                progress: Progress = _noop) -> EntityOutcome:
    """Link one entity table of the store (see the module doc)."""
    start = time.perf_counter()
    outcome = EntityOutcome(entity)
    progress(entity, "decisions")
    apply_unit_decisions(con, entity)
    progress(entity, "features")
    n = outcome.records = _load(con, work, entity)
    progress(entity, "pairs")
    if config.enabled and n > 1:
        _pairs(work, entity, config, threads, spark, outcome)
    else:
        _empty_pairs(work, entity)
    progress(entity, "clusters")
    clusters = _cluster(con, work, entity, n, config.match_threshold, config.review_threshold, config.unanchored)
    outcome.clusters, outcome.kept_apart = clusters.count(), len(clusters.kept_apart)
    outcome.auto_linked = one(work, f"SELECT count(*) FROM {entity}_pairs WHERE match_probability >= ?",
                              [config.match_threshold])[0]
    assign_ids(work, entity, previous_ids(con, entity))
    mapping, pairs = _results(work, entity)
    outcome.merged = _merged(work, entity)
    progress(entity, "write")
    review = _review_pairs(pairs, entity, config, set(latest_decisions(con, f"pair:{entity}:")))
    _write(con, entity, mapping, pairs, review, config, run_id, outcome)
    for suffix in ("features", "pairs", "clusters", "gids"):
        work.execute(f"DROP TABLE IF EXISTS {entity}_{suffix}")
    outcome.seconds = round(time.perf_counter() - start, 3)
    return outcome


def link_store(con: duckdb.DuckDBPyConnection, config: LinkageSpec, run_id: str, threads: int = 2,
               progress: Progress = _noop, spark: Any = None) -> LinkOutcome:
    """Link every entity of ``config.entities`` present in the store; see the module doc."""
    ensure_tables(con)
    outcome = LinkOutcome(run_id)
    work = work_space(threads, config.memory_limit)
    try:
        with within(config.memory_limit):
            for entity in ORDER:
                if entity in config.entities and table_exists(con, entity):
                    outcome.entities[entity] = link_entity(con, work, entity, config, run_id, threads, spark,
                                                           progress)
    finally:
        work.close()
    return outcome
