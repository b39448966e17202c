"""Linkage quality on a synth estate with known truth: pairs and clusters, per noise type, blocking recall."""

from __future__ import annotations

import duckdb
import pytest
from tests.link.conftest import Built, Linked

from hopnhat.link import person_model
from hopnhat.link.evaluate import evaluate
from hopnhat.link.persons import load_features
from hopnhat.link.run import work_space


def _assignment(path, entity: str) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    rows = dict(con.execute(f"SELECT record_id, golden_id FROM {entity}").fetchall())
    con.close()
    return rows


def test_persons_pairs_and_clusters(linked: Linked) -> None:
    ev = evaluate(_assignment(linked.path, "person"), linked.truth.truth["person"], linked.truth.noises)
    print("person pairs", ev.pairs.as_dict(), "clusters", ev.clusters.as_dict())
    assert ev.pairs.actual > 100
    assert ev.pairs.f1 >= 0.99 and ev.clusters.f1 >= 0.99
    assert ev.pairs.precision >= 0.995


def test_persons_recall_per_noise_type(linked: Linked) -> None:
    ev = evaluate(_assignment(linked.path, "person"), linked.truth.truth["person"], linked.truth.noises)
    noises = {k: round(s.recall, 3) for k, s in ev.recall_by_noise.items()}
    print("recall by noise", noises)
    expected = {"diacritics_lost", "name_typo", "middle_dropped", "name_order", "upper_case", "day_month_swap",
                "year_only", "placeholder_0101", "id_other_kind", "id_typo", "id_missing", "stale_address"}
    assert expected <= set(noises)
    assert all(r >= 0.95 for r in noises.values()), noises


def test_organizations_head_office_and_branches(linked: Linked) -> None:
    ev = evaluate(_assignment(linked.path, "organization"), linked.truth.truth["organization"])
    assert ev.pairs.actual > 5 and ev.pairs.f1 == 1.0 and ev.clusters.f1 == 1.0


def test_parcels_are_not_merged_wrongly(linked: Linked) -> None:
    ev = evaluate(_assignment(linked.path, "parcel"), linked.truth.truth["parcel"])
    assert ev.pairs.precision == 1.0 and ev.pairs.recall == 1.0


def test_parcel_holders_link_to_the_right_person(linked: Linked) -> None:
    con = duckdb.connect(str(linked.path), read_only=True)
    person = dict(con.execute("SELECT record_id, golden_id FROM person").fetchall())
    rows = con.execute("SELECT p.record_id, g.holder_golden_id FROM parcel p JOIN golden_parcel g USING (golden_id)"
                       ).fetchall()
    con.close()
    goldens: dict[str, set[str]] = {}
    for rid, entity in linked.truth.truth["person"].items():
        goldens.setdefault(entity, set()).add(person[rid])
    right = sum(1 for rid, g in rows if g and g in goldens.get(linked.truth.holders[rid], set()))
    wrong = sum(1 for rid, g in rows if g and g not in goldens.get(linked.truth.holders[rid], set()))
    print(f"holders: {right} right, {wrong} wrong, {len(rows) - right - wrong} unlinked of {len(rows)}")
    assert right >= 0.95 * len(rows) and wrong <= 0.002 * len(rows)


def _blocked_recall(built: Built, rules: tuple[str, ...]) -> float:
    store = duckdb.connect(str(built.path), read_only=True)
    work = work_space(2, None)
    load_features(store, work)
    store.close()
    union = " UNION ".join(f"SELECT l.record_id AS a, r.record_id AS b FROM person_features l "
                           f"JOIN person_features r ON l.uid < r.uid AND ({rule})" for rule in rules)
    blocked = set(work.execute(union).fetchall())
    work.close()
    truth: dict[str, list[str]] = {}
    for rid, entity in built.truth.truth["person"].items():
        truth.setdefault(entity, []).append(rid)
    pairs = {tuple(sorted((a, b))) for m in truth.values() for i, a in enumerate(m) for b in m[i + 1:]}
    return len(pairs & blocked) / len(pairs)


def test_blocking_keeps_true_pairs(built: Built) -> None:
    assert _blocked_recall(built, person_model.BLOCKING) >= 0.995


@pytest.mark.parametrize("dropped", ["l.phone = r.phone"])
def test_blocking_without_phones_still_finds_most_pairs(built: Built, dropped: str) -> None:
    recall = _blocked_recall(built, tuple(r for r in person_model.BLOCKING if r != dropped))
    print("blocking recall without phones", recall)
    assert recall >= 0.97
