"""The DuckDB engine's own predict (engine.predict_sql) scores the candidate pairs exactly as Splink's predict does."""

from __future__ import annotations

from tests.link.conftest import Built, features_backend

from hopnhat.link import persons
from hopnhat.link.engine import Backend, TrainedModel, _linker
from hopnhat.link.training import U_SEED, estimate_u_sql, train


def _splink_predict(backend: Backend, source: object, model: TrainedModel, pairs: str, threshold: float) -> str:
    """Splink's own predict of the same candidate pairs (registered as blocked pairs), as a work table."""
    linker = _linker(backend, source, model.settings)
    backend.work.execute(f"CREATE OR REPLACE TABLE _splink_pairs AS SELECT '0' AS match_key, * FROM {pairs}")
    linker.table_management.register_blocked_pairs_for_predict(backend.api.register("_splink_pairs"))
    backend.to_work(linker.inference.predict(threshold_match_probability=threshold, warning_mode="never"),
                    "splink_scored")
    return "splink_scored"


def test_own_predict_equals_splinks_to_the_bit(built: Built) -> None:
    work, backend, source, n = features_backend(built)
    model = persons.soften(train(backend, source, persons.SPEC, n))
    rules = [r if isinstance(r, str) else r["blocking_rule"]
             for r in model.settings["blocking_rules_to_generate_predictions"]]
    backend.predict(_linker(backend, source, model.settings), source, rules, 0.01, "own_scored")
    pairs = backend.candidate_pairs("person_features", rules)
    theirs = _splink_predict(backend, source, model, pairs, 0.01)
    own_cols = [c for c, *_ in work.execute("DESCRIBE own_scored").fetchall() if c != "match_key"]
    their_cols = {c for c, *_ in work.execute(f"DESCRIBE {theirs}").fetchall()}
    assert {"match_weight", "match_probability", "gamma_name", "mw_name", "mw_tf_adj_name"} <= set(own_cols)
    assert set(own_cols) <= their_cols  # the compared values (name_l, name_r …) are left out, nothing else
    select = ", ".join(own_cols)
    rows = work.execute("SELECT count(*) FROM own_scored").fetchone()
    assert rows and rows[0] > 100
    for a, b in (("own_scored", theirs), (theirs, "own_scored")):
        found = work.execute(f"SELECT count(*) FROM (SELECT {select} FROM {a} EXCEPT ALL SELECT {select} FROM {b})"
                             ).fetchone()
        assert found == (0,), f"{a} holds rows {b} has not"
    backend.close()
    work.close()


def test_u_from_one_join_of_the_sample_equals_splinks(built: Built) -> None:
    """training.estimate_u_sql (every comparison on one join of Splink's sample) gives Splink's u, level by level."""
    work, backend, source, n = features_backend(built)
    found = []
    for own in (True, False):
        linker = _linker(backend, source, persons.SPEC.settings(None))
        if own:
            estimate_u_sql(work, linker, "person_features", 5e4, seed=U_SEED)
        else:
            linker.training.estimate_u_using_random_sampling(max_pairs=5e4, seed=U_SEED, min_count_per_level=None,
                                                             num_chunks=1)
        model = linker.misc.save_model_to_json()
        found.append([[lvl.get("u_probability") for lvl in comp["comparison_levels"]] for comp in model["comparisons"]])
    assert n > 3000 and found[0] == found[1]
    assert sum(isinstance(u, float) and 0 < u < 1 for levels in found[0] for u in levels) > 20
    backend.close()
    work.close()
