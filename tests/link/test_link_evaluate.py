"""The quality metrics themselves, on hand-made assignments."""

from hopnhat.link.evaluate import evaluate


def test_perfect_and_partial() -> None:
    truth = {"a": "1", "b": "1", "c": "1", "d": "2", "e": "3", "f": "3"}
    assert evaluate(truth, truth).pairs.f1 == 1.0
    predicted = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "z", "f": "z"}
    ev = evaluate(predicted, truth, {"c": "name_typo"})
    # true pairs: ab ac bc ef; predicted: ab cd ef
    assert (ev.pairs.true_positive, ev.pairs.predicted, ev.pairs.actual) == (2, 3, 4)
    assert ev.clusters.true_positive == 1 and ev.clusters.predicted == 3 and ev.clusters.actual == 2
    assert ev.recall_by_noise["name_typo"].recall == 0.0 and ev.recall_by_noise["clean"].recall == 1.0
    assert ev.false_pairs == [("c", "d")] and ev.missed_pairs == [("a", "c"), ("b", "c")]


def test_missing_predictions_are_singletons() -> None:
    ev = evaluate({}, {"a": "1", "b": "1"})
    assert ev.pairs.recall == 0.0 and ev.pairs.precision == 1.0
