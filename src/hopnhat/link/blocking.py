"""Blocking recall: the share of true pairs that the blocking rules put in front of the model at all.

A pair no rule blocks is never scored, whatever the comparisons know; the issue's bar is 99.8 % of true pairs
compared. :func:`blocking_recall` evaluates the OR of the model's blocking rules (and the deterministic rule's join)
on given pairs of ``person_features`` rows — the same SQL Splink runs, on the same features.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from hopnhat.link import person_model


@dataclass(frozen=True)
class BlockingRecall:
    blocked: int
    pairs: int
    by_rule: dict[str, int]

    @property
    def recall(self) -> float:
        return self.blocked / self.pairs if self.pairs else 1.0


def blocking_recall(work: duckdb.DuckDBPyConnection, pairs: pa.Table,
                    rules: tuple[str, ...] = person_model.BLOCKING) -> BlockingRecall:
    """``pairs``: columns ``uid_l``, ``uid_r`` (uids of ``person_features`` in ``work``); how many any rule blocks."""
    work.register("_true_pairs", pairs)
    hits = ", ".join(f"coalesce(({rule}), false) AS r{i}" for i, rule in enumerate(rules))
    any_rule = " OR ".join(f"r{i}" for i in range(len(rules)))
    sums = ", ".join(f"count(*) FILTER (WHERE r{i})" for i in range(len(rules)))
    row = work.execute(f"""
        WITH h AS (SELECT {hits} FROM _true_pairs t
                   JOIN person_features l ON l.uid = t.uid_l JOIN person_features r ON r.uid = t.uid_r)
        SELECT count(*), count(*) FILTER (WHERE {any_rule}), {sums} FROM h""").fetchone() or (0, 0)
    work.unregister("_true_pairs")
    return BlockingRecall(row[1], row[0], {rule: row[2 + i] for i, rule in enumerate(rules)})


def blocked_pairs(work: duckdb.DuckDBPyConnection, pairs: pa.Table,
                  rules: tuple[str, ...] = person_model.BLOCKING) -> list[bool]:
    """For each row of ``pairs`` (``uid_l``, ``uid_r``), in order: does any rule compare it?"""
    work.register("_pairs_in", pairs.append_column("_k", pa.array(range(pairs.num_rows), pa.int64())))
    any_rule = " OR ".join(f"coalesce(({rule}), false)" for rule in rules)
    rows = work.execute(f"SELECT {any_rule} FROM _pairs_in t JOIN person_features l ON l.uid = t.uid_l "
                        "JOIN person_features r ON r.uid = t.uid_r ORDER BY t._k").fetchall()
    work.unregister("_pairs_in")
    return [bool(r[0]) for r in rows]


def candidate_pairs(work: duckdb.DuckDBPyConnection, rules: tuple[str, ...] = person_model.BLOCKING) -> int:
    """How many distinct pairs of ``person_features`` rows the rules put in front of the model: the DuckDB engine's
    own SQL (:meth:`hopnhat.link.engine.Backend.candidate_pairs`), one DISTINCT over every rule's join. A chain of
    ``UNION``s is planned as one DISTINCT per ``UNION`` (26 hash aggregates for 27 rules, each of up to 12 M pairs
    at 1 M people), which died natively inside DuckDB 1.4.1 in 3 of 5 runs at 1 M (see docs/linkage.md)."""
    from hopnhat.link.joins import candidate_joins
    from hopnhat.link.person_features import KEY_CODES

    row = work.execute(f"SELECT count(*) FROM ({candidate_joins('person_features', list(rules), KEY_CODES)})"
                       ).fetchone()
    return int(row[0]) if row else 0
