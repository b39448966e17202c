"""Scored pairs + pairs a deterministic rule links → the entity's pairs table in the work connection.

``{entity}_pairs`` (uid_l < uid_r, match_probability, match_weight, rule, evidence): a pair the rule links gets
probability 1 and the rule's name, and keeps the model's waterfall when the model scored it too, so its evidence can
always be shown; a pair only the model found keeps the model's probability.
"""

from __future__ import annotations

from typing import Any

import duckdb

from hopnhat.link.evidence import evidence_sql
from hopnhat.link.tables import columns_of, one

_RULE_SQL = """
CREATE OR REPLACE TABLE {e}_rule_pairs AS
SELECT l.uid AS uid_l, r.uid AS uid_r
FROM {e}_features l JOIN {e}_features r ON {join} AND l.uid < r.uid
WHERE {where}
"""

_PAIRS_SQL = """
CREATE OR REPLACE TABLE {e}_pairs AS
SELECT coalesce(s.uid_l, d.uid_l) AS uid_l, coalesce(s.uid_r, d.uid_r) AS uid_r,
       CASE WHEN d.uid_l IS NOT NULL THEN 1.0 ELSE s.match_probability END AS match_probability,
       s.match_weight,
       CASE WHEN d.uid_l IS NOT NULL THEN '{rule}' ELSE 'model' END AS rule,
       CASE WHEN s.uid_l IS NOT NULL THEN json_merge_patch(s.evidence, json_object('rule',
                 CASE WHEN d.uid_l IS NOT NULL THEN '{rule}' ELSE 'model' END))::VARCHAR
            ELSE json_object('rule', '{rule}')::VARCHAR END AS evidence
FROM (SELECT least(uid_l, uid_r) AS uid_l, greatest(uid_l, uid_r) AS uid_r, match_probability, match_weight,
             CASE WHEN match_probability < {below} THEN {evidence} END AS evidence FROM {e}_scored) s
FULL JOIN {e}_rule_pairs d ON s.uid_l = d.uid_l AND s.uid_r = d.uid_r
ORDER BY 1, 2
"""


def rule_pairs(work: duckdb.DuckDBPyConnection, entity: str, join: str, where: str = "true") -> int:
    """Pairs a deterministic rule links.

    ``join`` is an equality the rule needs (for a fast join), ``where`` the rest.
    """
    work.execute(_RULE_SQL.format(e=entity, join=join, where=where))
    return int(one(work, f"SELECT count(*) FROM {entity}_rule_pairs")[0])


def combine(work: duckdb.DuckDBPyConnection, entity: str, model: dict[str, Any], rule: str,
            evidence_below: float = 2.0) -> None:
    """``{entity}_scored`` (Splink's predictions) + ``{entity}_rule_pairs`` → ``{entity}_pairs``; drops both.
    A model pair's evidence is written when its probability is below ``evidence_below`` (every pair by default; a
    list linked on its own, which shows no evidence, needs it only below the match threshold)."""
    evidence = evidence_sql(model, columns_of(work, f"{entity}_scored"))
    work.execute(_PAIRS_SQL.format(e=entity, rule=rule, evidence=evidence, below=float(evidence_below)))
    work.execute(f"DROP TABLE IF EXISTS {entity}_scored")
    work.execute(f"DROP TABLE IF EXISTS {entity}_rule_pairs")
