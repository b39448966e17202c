"""Why two records were linked: each comparison's level and match weight (Splink's waterfall data), as JSON.

``{"prior": -15.3, "match_weight": 21.4, "rule": "model", "comparisons": [{"comparison": "name", "level": "same
folded", "weight": 7.68, "tf_weight": -1.2}, …]}`` — weights are log2 Bayes factors: the prior plus every comparison's
weight (term-frequency adjustment included) is the pair's match weight. The record page and the review queue render
this; nothing is recomputed there.
"""

from __future__ import annotations

import json
import math
from typing import Any


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def level_labels(comparison: dict[str, Any]) -> dict[int, str]:
    """Comparison vector value (Splink's gamma) → level label: null levels are -1, the others count down to 0."""
    levels = comparison["comparison_levels"]
    counter = sum(1 for lvl in levels if not lvl.get("is_null_level")) - 1
    out: dict[int, str] = {}
    for lvl in levels:
        label = lvl.get("label_for_charts") or lvl["sql_condition"]
        if lvl.get("is_null_level"):
            out[-1] = label
        else:
            out[counter] = label
            counter -= 1
    return out


def prior_weight(model: dict[str, Any]) -> float:
    p = model.get("probability_two_random_records_match") or 1e-4
    return math.log2(p / (1 - p))


def evidence_sql(model: dict[str, Any], columns: set[str], rule: str = "'model'") -> str:
    """A DuckDB expression building the evidence JSON of a scored pair (columns of Splink's prediction table)."""
    parts = []
    for comp in model["comparisons"]:
        name = comp["output_column_name"]
        cases = " ".join(f"WHEN {g} THEN {_quote(lbl)}" for g, lbl in level_labels(comp).items())
        tf = f"round(coalesce(mw_tf_adj_{name}, 0), 3)" if f"mw_tf_adj_{name}" in columns else "0"
        parts.append(f"json_object('comparison', {_quote(name)}, 'level', CASE gamma_{name} {cases} END, "
                     f"'weight', round(mw_{name}, 3), 'tf_weight', {tf})")
    return (f"json_object('prior', {round(prior_weight(model), 3)}, 'match_weight', round(match_weight, 3), "
            f"'rule', {rule}, 'comparisons', json_array({', '.join(parts)}))::VARCHAR")


def rule_evidence(rule: str, detail: dict[str, Any] | None = None) -> str:
    """Evidence of a pair linked by a deterministic rule or a person's decision (no model weights)."""
    return json.dumps({"rule": rule, **(detail or {})}, ensure_ascii=False, sort_keys=True)
