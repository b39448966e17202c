"""Linkage quality against a known truth: precision, recall and F1 of pairs and of clusters, recall per noise type.

- **pairs**: the record pairs put in one cluster vs the pairs that are truly one entity;
- **clusters**: exact-match of clusters with two records or more (a predicted cluster counts when some true entity
  has exactly its records; singletons are left out, they would make every score near 1);
- **per noise**: recall of the true pairs involving a record that carries that noise (the synth truth names them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Score:
    true_positive: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.actual if self.actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 5), "recall": round(self.recall, 5), "f1": round(self.f1, 5),
                "true_positive": self.true_positive, "predicted": self.predicted, "actual": self.actual}


@dataclass
class Evaluation:
    pairs: Score
    clusters: Score
    recall_by_noise: dict[str, Score] = field(default_factory=dict)
    false_pairs: list[tuple[str, str]] = field(default_factory=list)
    missed_pairs: list[tuple[str, str]] = field(default_factory=list)


def _groups(assignment: Mapping[str, str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for record, group in assignment.items():
        groups[group].append(record)
    return groups


def _pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for members in groups.values():
        members = sorted(members)
        out.update((a, b) for i, a in enumerate(members) for b in members[i + 1:])
    return out


def evaluate(predicted: Mapping[str, str], truth: Mapping[str, str],
             noises: Mapping[str, str] | None = None) -> Evaluation:
    """``predicted`` and ``truth``: record id → cluster / entity id (the records of ``truth`` are scored)."""
    predicted = {r: predicted.get(r, f"_single:{r}") for r in truth}
    pred_groups, true_groups = _groups(predicted), _groups(truth)
    pred_pairs, true_pairs = _pairs(pred_groups), _pairs(true_groups)
    pairs = Score(len(pred_pairs & true_pairs), len(pred_pairs), len(true_pairs))
    pred_sets = {frozenset(m) for m in pred_groups.values() if len(m) > 1}
    true_sets = {frozenset(m) for m in true_groups.values() if len(m) > 1}
    clusters = Score(len(pred_sets & true_sets), len(pred_sets), len(true_sets))
    by_noise: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a, b in true_pairs:
        kinds = {k for r in (a, b) for k in (noises or {}).get(r, "").split(";") if k} or {"clean"}
        for kind in kinds:
            by_noise[kind][1] += 1
            by_noise[kind][0] += (a, b) in pred_pairs
    return Evaluation(pairs, clusters, {k: Score(tp, tp, n) for k, (tp, n) in sorted(by_noise.items())},
                      sorted(pred_pairs - true_pairs), sorted(true_pairs - pred_pairs))
