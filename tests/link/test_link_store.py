"""link_store on a store: golden ids everywhere, golden tables with provenance, evidence, reconciliation counts,
identical results for identical input, ids that survive reruns and new rows."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from tests.link.conftest import Linked, copy_of

from hopnhat.link import link_store
from hopnhat.link.tables import one
from hopnhat.project.config import LinkageSpec

PERSONS = LinkageSpec(entities=["person"])


def _checksum(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    return con.execute(f"SELECT md5(string_agg(CAST(t AS VARCHAR), '|' ORDER BY CAST(t AS VARCHAR))) FROM ({sql}) t"
                       ).fetchone()[0]


_TABLES = ("SELECT record_id, golden_id FROM person", "SELECT * FROM golden_person",
           "SELECT * EXCLUDE (run_id) FROM link_pairs", "SELECT * FROM golden_ids",
           "SELECT * EXCLUDE (run_id) FROM review_items", "SELECT * FROM golden_organization",
           "SELECT * FROM golden_parcel")


def test_every_record_has_a_golden_record(linked_con: duckdb.DuckDBPyConnection) -> None:
    for entity in ("person", "organization", "parcel"):
        rows, missing, golden, total = one(linked_con, f"""
            SELECT count(*), count(*) FILTER (WHERE golden_id IS NULL), count(DISTINCT golden_id),
                   (SELECT sum(n_records) FROM golden_{entity}) FROM {entity}""")
        assert missing == 0 and rows == total
        assert golden == linked_con.execute(f"SELECT count(*) FROM golden_{entity}").fetchone()[0]


def test_merged_counts_match_the_books(linked: Linked, linked_con: duckdb.DuckDBPyConnection) -> None:
    """merged = rows whose record is not its golden record's representative (its smallest record id)."""
    for entity, outcome in linked.outcome.entities.items():
        books = dict(((s, t), n) for s, t, n in linked_con.execute(f"""
            SELECT src_source, src_table, count(*) FILTER (WHERE record_id <> rep) FROM (
              SELECT *, min(record_id) OVER (PARTITION BY golden_id) AS rep FROM {entity}) GROUP BY ALL""").fetchall())
        assert outcome.merged == books
        assert outcome.records - outcome.clusters == outcome.merged_total
    assert linked.outcome.merged("danang_dancu", "cong_dan") == linked.outcome.entities["person"].merged[
        ("danang_dancu", "cong_dan")] > 0


def test_provenance_names_the_record_that_gave_each_value(linked_con: duckdb.DuckDBPyConnection) -> None:
    rows = linked_con.execute("SELECT golden_id, full_name, birth_date, phone, provenance FROM golden_person "
                              "WHERE n_records > 1 ORDER BY golden_id LIMIT 50").fetchall()
    assert rows
    for gid, name, born, phone, provenance in rows:
        prov = json.loads(provenance)
        record = linked_con.execute("SELECT golden_id, full_name, birth_date, phone FROM person WHERE record_id = ?",
                                    [prov["full_name"]]).fetchone()
        assert record[0] == gid and record[1] == name
        assert linked_con.execute("SELECT birth_date FROM person WHERE record_id = ?",
                                  [prov["birth_date"]]).fetchone()[0] == born
        assert linked_con.execute("SELECT phone FROM person WHERE record_id = ?",
                                  [prov["phone"]]).fetchone()[0] == phone


def test_golden_name_prefers_diacritics(linked_con: duckdb.DuckDBPyConnection) -> None:
    """'complete' survivorship: a cluster with both forms keeps the name written with diacritics."""
    bad = linked_con.execute("""
        SELECT count(*) FROM golden_person g WHERE g.full_name = strip_accents(g.full_name)
          AND EXISTS (SELECT 1 FROM person p WHERE p.golden_id = g.golden_id
                                                AND p.full_name <> strip_accents(p.full_name))
        """).fetchone()[0]
    assert bad == 0


def test_evidence_is_a_waterfall_that_adds_up(linked_con: duckdb.DuckDBPyConnection) -> None:
    rows = linked_con.execute("SELECT match_weight, evidence, rule FROM link_pairs WHERE entity = 'person' AND "
                              "match_weight IS NOT NULL").fetchall()
    assert rows
    for weight, evidence, rule in rows:
        ev = json.loads(evidence)
        assert ev["rule"] == rule
        total = ev["prior"] + sum(c["weight"] + c["tf_weight"] for c in ev["comparisons"])
        assert abs(total - weight) < 0.05
        assert {c["comparison"] for c in ev["comparisons"]} == {"name", "middle", "birth_date", "sex", "id", "phone",
                                                                "address"}


def test_link_pairs_hold_only_pairs_above_review_threshold(linked_con: duckdb.DuckDBPyConnection) -> None:
    low = linked_con.execute("SELECT count(*) FROM link_pairs WHERE match_probability < 0.6").fetchone()[0]
    assert low == 0
    rules = {r[0] for r in linked_con.execute("SELECT DISTINCT rule FROM link_pairs").fetchall()}
    assert {"model", "same_valid_cccd", "same_tax_code"} <= rules


def test_same_input_same_tables(linked: Linked, built, tmp_path: Path) -> None:
    """A crashed-then-resumed run gives identical checksums: linking a fresh copy again gives the same tables."""
    fresh = copy_of(built.path, tmp_path)
    link_store(fresh, LinkageSpec(), "run-1")
    first = duckdb.connect(str(linked.path), read_only=True)
    for sql in _TABLES:
        assert _checksum(fresh, sql) == _checksum(first, sql), sql
    first.close()
    fresh.close()


def test_rerun_keeps_ids_and_a_new_row_renumbers_nobody(linked_con: duckdb.DuckDBPyConnection) -> None:
    before = dict(linked_con.execute("SELECT record_id, golden_id FROM person").fetchall())
    twin = linked_con.execute("SELECT record_id, golden_id FROM person WHERE src_table = 'cong_dan' "
                              "ORDER BY record_id LIMIT 1").fetchone()
    linked_con.execute("""INSERT INTO person SELECT * REPLACE ('danang_dancu/cong_dan/new-1' AS record_id,
                          'new-1' AS src_key, NULL AS golden_id) FROM person WHERE record_id = ?""", [twin[0]])
    link_store(linked_con, PERSONS, "run-2")
    after = dict(linked_con.execute("SELECT record_id, golden_id FROM person").fetchall())
    assert {r: after[r] for r in before} == before
    assert after["danang_dancu/cong_dan/new-1"] == twin[1]


def test_a_split_cluster_keeps_the_id_with_the_bigger_part(linked_con: duckdb.DuckDBPyConnection) -> None:
    gid, = one(linked_con, "SELECT golden_id FROM golden_person WHERE n_records = 2 ORDER BY golden_id LIMIT 1")
    members = [r[0] for r in linked_con.execute("SELECT record_id FROM person WHERE golden_id = ? ORDER BY 1",
                                                [gid]).fetchall()]
    linked_con.execute("INSERT INTO review_items (item_key, kind) VALUES (?, 'pair')",
                       [f"pair:person:{members[0]}|{members[1]}"])
    from hopnhat.link.review import decide

    decide(linked_con, f"pair:person:{members[0]}|{members[1]}", "different", "tester")
    link_store(linked_con, PERSONS, "run-2")
    ids = dict(linked_con.execute("SELECT record_id, golden_id FROM person WHERE record_id IN (?, ?)",
                                  members).fetchall())
    assert ids[members[0]] == gid and ids[members[1]] != gid  # tie: the part holding the smaller record id wins


def test_empty_and_missing_tables() -> None:
    from hopnhat.model.schema import ddl, entity_columns

    con = duckdb.connect()
    con.execute(ddl("person", entity_columns("person")))  # no organization, no parcel table
    out = link_store(con, LinkageSpec(), "r1")
    assert list(out.entities) == ["person"] and out.entities["person"].records == 0
    assert con.execute("SELECT count(*) FROM golden_person").fetchone()[0] == 0
