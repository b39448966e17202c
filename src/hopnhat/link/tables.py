"""The store tables linkage writes, beside the entity tables (whose ``golden_id`` it sets).

- ``golden_ids``: record → golden id, kept across runs so ids never get renumbered (:mod:`hopnhat.link.golden`);
- ``golden_person`` / ``golden_organization`` / ``golden_parcel``: one row per real-world entity, the surviving value
  of every field, ``n_records``, ``sources`` and ``provenance`` (JSON: field → the record that gave the value);
- ``link_pairs``: every scored pair at or above the review threshold, with its evidence (JSON waterfall);
- ``review_items`` / ``review_decisions`` (schema in :data:`hopnhat.model.schema.HOUSEKEEPING`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from hopnhat.model.schema import HOUSEKEEPING, Column, ddl

GOLDEN_IDS = (
    Column("entity", "VARCHAR", "person | organization | parcel"),
    Column("record_id", "VARCHAR", "record"),
    Column("golden_id", "VARCHAR", "its golden record"),
)
LINK_PAIRS = (
    Column("entity", "VARCHAR", "person | organization | parcel"),
    Column("record_id_l", "VARCHAR", "first record (the smaller id)"),
    Column("record_id_r", "VARCHAR", "second record"),
    Column("match_probability", "DOUBLE", "probability the two records are the same entity"),
    Column("match_weight", "DOUBLE", "log2 Bayes factor, prior included"),
    Column("rule", "VARCHAR", "model | deterministic rule name | decision"),
    Column("linked", "BOOLEAN", "the two records ended in the same golden record"),
    Column("evidence", "VARCHAR", "JSON: prior and each comparison's level and weight (waterfall)"),
    Column("run_id", "VARCHAR", "run"),
)
_COMMON_GOLDEN = (
    Column("n_records", "BIGINT", "records merged into this golden record"),
    Column("sources", "VARCHAR", "source/table of the records, ';'-joined"),
    Column("provenance", "VARCHAR", "JSON: field → record_id that gave the value"),
)
GOLDEN_FIELDS: dict[str, tuple[Column, ...]] = {
    "person": (
        Column("full_name", "VARCHAR", ""), Column("birth_date", "DATE", ""),
        Column("birth_date_quality", "VARCHAR", ""), Column("sex", "VARCHAR", ""), Column("cccd", "VARCHAR", ""),
        Column("cmnd", "VARCHAR", ""), Column("phone", "VARCHAR", ""), Column("address", "VARCHAR", ""),
        Column("address_new_province_code", "VARCHAR", ""), Column("address_new_commune_code", "VARCHAR", ""),
        Column("address_status", "VARCHAR", ""), Column("address_candidates", "VARCHAR", ""),
    ),
    "organization": (
        Column("tax_code", "VARCHAR", "head-office tax code"), Column("name", "VARCHAR", ""),
        Column("legal_form", "VARCHAR", ""), Column("registered_date", "DATE", ""),
        Column("address", "VARCHAR", ""), Column("address_new_province_code", "VARCHAR", ""),
        Column("address_new_commune_code", "VARCHAR", ""), Column("address_status", "VARCHAR", ""),
        Column("representative_name", "VARCHAR", ""), Column("representative_id", "VARCHAR", ""),
        Column("status", "VARCHAR", ""), Column("branches", "VARCHAR", "branch tax codes, ';'-joined"),
    ),
    "parcel": (
        Column("commune_old_commune_code", "VARCHAR", "old commune (the parcel's old identifier)"),
        Column("map_sheet", "VARCHAR", "old map sheet"), Column("parcel_number", "VARCHAR", "old parcel number"),
        Column("commune_new_commune_code", "VARCHAR", "new commune"), Column("commune_status", "VARCHAR", ""),
        Column("commune_candidates", "VARCHAR", ""), Column("area_m2", "DOUBLE", ""),
        Column("land_use", "VARCHAR", ""), Column("hamlet", "VARCHAR", ""), Column("holder_name", "VARCHAR", ""),
        Column("holder_id", "VARCHAR", ""), Column("certificate_no", "VARCHAR", ""),
        Column("holder_entity", "VARCHAR", "person | organization: which golden table holder_golden_id is in"),
        Column("holder_golden_id", "VARCHAR", "the holder's golden record"),
    ),
}


def golden_columns(entity: str) -> tuple[Column, ...]:
    return (Column("golden_id", "VARCHAR", "golden id"), *GOLDEN_FIELDS[entity], *_COMMON_GOLDEN)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the linkage and review tables when missing (never drops: decisions must survive every run)."""
    con.execute(ddl("golden_ids", GOLDEN_IDS))
    con.execute(ddl("link_pairs", LINK_PAIRS))
    con.execute(ddl("review_items", HOUSEKEEPING["review_items"]))
    con.execute(ddl("review_decisions", HOUSEKEEPING["review_decisions"]))


def one(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
    """The one row of a query that always returns one (an aggregate): never None.

    ``link`` sits below ``load`` (tests/test_architecture.py), so this mirrors :func:`hopnhat.load.store.one`.
    """
    row = con.execute(sql, list(params)).fetchone()
    if row is None:
        raise RuntimeError(f"no row from a query that always returns one: {sql[:80]}")
    return row


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(one(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
                         "AND table_schema = current_schema()", [name])[0])


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()}
