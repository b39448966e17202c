"""The review queue: pairs with their match-weight chart, split-commune addresses with their candidates; decisions
recorded (outbox + audit) and applied to the store by the next run."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import duckdb
from tests.serve.conftest import csrf_of

from hopnhat.load.review_outbox import apply_pending
from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.security import audit
from hopnhat.serve.security.scope import Scope


def _first(ctx, kind: str, scope: Scope | None = None):
    items = ctx.review.items(scope or Scope(("48",), "48"), "open", kind)
    assert items, f"no open {kind} item"
    return items[0]


def test_queue_lists_items_in_scope(ctx, client_as, subjects) -> None:
    page = client_as("reviewer").get("/review")
    assert page.status_code == 200 and 'id="review-items"' in page.text
    everyone = ctx.review.items(Scope(("48",), "48"), "all")
    commune = ctx.review.items(Scope((subjects.commune_a,), "48"), "all")
    assert len(commune) < len(everyone)
    assert all(subjects.commune_a in i.scope_codes for i in commune)


def test_pair_item_has_a_match_weight_chart(ctx, client_as) -> None:
    item = _first(ctx, "pair")
    page = client_as("reviewer").get("/review/item", params={"key": item.item_key})
    assert page.status_code == 200
    evidence = page.text.split('id="evidence"')[1]
    assert "<svg" in evidence and "prior" in evidence
    assert 'value="same"' in page.text and 'value="different"' in page.text


def test_deciding_a_pair_is_recorded_and_audited(ctx, client_as, db: AppDB) -> None:
    item = _first(ctx, "pair")
    client = client_as("reviewer")
    page = client.get("/review/item", params={"key": item.item_key})
    response = client.post("/review/decide", data={"item_key": item.item_key, "decision": "different",
                                                   "note": "khác số CCCD", "csrf_token": csrf_of(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303
    assert item.item_key not in {i.item_key for i in ctx.review.items(Scope(("48",), "48"), "open", "pair")}
    decided = ctx.review.get(item.item_key, Scope(("48",), "48"))
    assert decided.decision["decision"] == "different" and decided.pending
    entry = audit.entries(db, "reviewer", "review_decision", 1)[0]
    assert entry["detail"]["item_key"] == item.item_key


def test_choosing_a_commune_for_a_split_address(ctx, client_as) -> None:
    item = _first(ctx, "split_unit")
    client = client_as("reviewer")
    page = client.get("/review/item", params={"key": item.item_key})
    assert f'value="commune:{item.candidates[0]}"' in page.text
    bad = client.post("/review/decide", data={"item_key": item.item_key, "decision": "commune:99999",
                                              "csrf_token": csrf_of(page.text)})
    assert bad.status_code == 400
    ok = client.post("/review/decide", data={"item_key": item.item_key, "decision": f"commune:{item.candidates[0]}",
                                             "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert ok.status_code == 303


def test_clerk_and_out_of_scope_reviewer_cannot_decide(ctx, client_as, subjects) -> None:
    item = next(i for i in ctx.review.items(Scope(("48",), "48"), "open", "split_unit")
                if subjects.commune_b not in i.scope_codes)
    clerk = client_as("clerk_b")
    token = csrf_of(clerk.get("/lookup").text)
    data = {"item_key": item.item_key, "decision": f"commune:{item.candidates[0]}", "csrf_token": token}
    assert clerk.post("/review/decide", data=data).status_code == 403
    assert ctx.review.get(item.item_key, Scope((subjects.commune_b,), "48")) is None
    assert client_as("reviewer").get(f"/review/item?key={quote('nope')}").status_code == 404


def test_pending_decisions_are_applied_by_the_next_run(ctx, project, tmp_path: Path) -> None:
    item = _first(ctx, "split_unit")
    ctx.review.decide(item, f"commune:{item.candidates[-1]}", "reviewer", "thôn thuộc xã mới")
    store = tmp_path / "store.duckdb"
    shutil.copy(project.store_path, store)
    con = duckdb.connect(str(store))
    try:
        applied = apply_pending(project.app_db_path, con)
        assert applied >= 1
        row = con.execute("SELECT decision, decided_by, note FROM review_decisions WHERE item_key = ?",
                          [item.item_key]).fetchall()
        assert row and row[-1] == (f"commune:{item.candidates[-1]}", "reviewer", "thôn thuộc xã mới")
        assert apply_pending(project.app_db_path, con) == 0  # each decision is applied once
    finally:
        con.close()
