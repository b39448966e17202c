"""Survivorship rules on a hand-made store: trusted, complete, recent, source:<name>; provenance; bad rules."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
import pytest
from pydantic import ValidationError

from hopnhat.link import link_store
from hopnhat.model.schema import ddl, entity_columns
from hopnhat.project.config import LinkageSpec

CCCD = "048085123456"  # man born 1985, registered in Đà Nẵng
ROWS = [
    # source, row, name, birth, quality, phone, address status, new commune, run
    ("dancu", 1, "NGUYEN VAN HUNG", dt.date(1985, 1, 1), "year_only", "0905111222", "split", None, "r1"),
    ("tthc", 7, "Nguyễn Văn Hùng", dt.date(1985, 3, 12), "exact", "0905111333", "converted", "20257", "r1"),
    ("datdai", 3, "Nguyen Van Hung", dt.date(1985, 3, 12), "exact", None, "converted", "20260", "r2"),
]


def _store(rows=ROWS) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(ddl("person", entity_columns("person")))
    con.execute("CREATE TABLE runs (run_id VARCHAR, started_at TIMESTAMP)")
    con.execute("INSERT INTO runs VALUES ('r1', '2025-07-01 08:00'), ('r2', '2025-07-02 08:00')")
    for src, row, name, born, quality, phone, status, commune, run in rows:
        con.execute("""INSERT INTO person (record_id, src_source, src_table, src_row, full_name, birth_date,
                       birth_date_quality, sex, id_number, id_number_kind, phone, address, address_status,
                       address_new_commune_code, address_candidates, run_id)
                       VALUES (?, ?, 'people', ?, ?, ?, ?, 'M', ?, 'cccd', ?, 'somewhere', ?, ?, ?, ?)""",
                    [f"{src}/people/{row}", src, row, name, born, quality, CCCD, phone, status, commune,
                     "20194;20197" if status == "split" else None, run])
    return con


def _golden(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    cur = con.execute("SELECT * FROM golden_person")
    rows = cur.fetchall()
    assert len(rows) == 1, "the three records share a valid CCCD: one person"
    return dict(zip([c[0] for c in cur.description], rows[0]))


def test_complete_is_the_default() -> None:
    con = _store()
    link_store(con, LinkageSpec(entities=["person"]), "r3")
    g = _golden(con)
    assert g["full_name"] == "Nguyễn Văn Hùng"  # diacritics and mixed case beat the others
    assert (g["birth_date"], g["birth_date_quality"]) == (dt.date(1985, 3, 12), "exact")
    assert g["address_status"] == "converted" and g["n_records"] == 3
    assert g["sources"] == "dancu/people;datdai/people;tthc/people"
    prov = json.loads(g["provenance"])
    assert prov["full_name"] == "tthc/people/7" and prov["birth_date"] == prov["birth_date_quality"]


def test_trusted_source_order() -> None:
    con = _store()
    link_store(con, LinkageSpec(entities=["person"], source_trust=["datdai", "tthc", "dancu"]), "r3")
    g = _golden(con)
    assert g["full_name"] == "Nguyen Van Hung" and g["address_new_commune_code"] == "20260"
    assert g["phone"] == "0905111333"  # the most trusted source has no phone: the next one gives it


def test_recent_and_named_source_per_field() -> None:
    con = _store()
    spec = LinkageSpec(entities=["person"], survivorship={"phone": "recent", "person.full_name": "source:dancu",
                                                          "*": "complete"})
    link_store(con, spec, "r3")
    g = _golden(con)
    assert g["full_name"] == "NGUYEN VAN HUNG"
    assert g["phone"] == "0905111333"  # r2's record has no phone; of r1's two, the later row
    assert json.loads(g["provenance"])["phone"] == "tthc/people/7"


def test_unknown_rule_is_a_config_error() -> None:
    with pytest.raises(ValidationError):
        LinkageSpec(survivorship={"full_name": "loudest"})


def test_disabled_linkage_gives_one_golden_record_per_row() -> None:
    con = _store()
    out = link_store(con, LinkageSpec(enabled=False, entities=["person"]), "r3")
    assert out.entities["person"].clusters == 3 and out.entities["person"].merged_total == 0
    assert con.execute("SELECT count(DISTINCT golden_id) FROM person").fetchone()[0] == 3
