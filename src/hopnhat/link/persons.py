"""Person linkage: features, the deterministic CCCD rule, then the Splink model (trained on the run's own data).

Output, in the work connection: ``person_pairs`` (uid_l < uid_r, match_probability, match_weight, rule, evidence) for
every pair at or above the review threshold. A pair the deterministic rule links gets probability 1 and keeps the
model's waterfall (when the model scored it too) so the evidence is always shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from hopnhat.link import person_model as model
from hopnhat.link.engine import Backend, ModelSpec, TrainedModel, score, train
from hopnhat.link.pairs import combine, rule_pairs
from hopnhat.link.person_features import build_person_features, source_sql
from hopnhat.link.tables import columns_of

SPEC = ModelSpec("person", "person_features", model.settings, model.TRAINING, model.PRIOR_RULES, model.PRIOR_RECALL)


@dataclass
class PairsResult:
    model: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def load_features(con: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection, table: str = "person") -> int:
    """Read the person records of ``con`` into ``work`` as features; returns the record count."""
    rows = con.execute(source_sql(table, columns_of(con, table))).fetch_arrow_table()
    return build_person_features(work, rows)


def person_pairs(work: duckdb.DuckDBPyConnection, backend: Backend, review_threshold: float,
                 trained: TrainedModel | None = None) -> PairsResult:
    """Deterministic rule + trained Splink model → ``person_pairs`` in ``work``."""
    rule_pairs(work, "person", "l.cccd = r.cccd", model.DETERMINISTIC)
    source = backend.input(SPEC.features)
    records = work.execute("SELECT count(*) FROM person_features").fetchone()[0]
    trained = trained or train(backend, source, SPEC, records)
    score(backend, source, trained, review_threshold, "person_scored")
    combine(work, "person", trained.settings, "same_valid_cccd")
    return PairsResult(trained.settings, trained.notes)
