"""Clusters → golden records: stable golden ids, survivorship of every field, per-field provenance.

**Stable ids.** ``golden_ids`` keeps record → golden id from the previous run. A cluster takes the previous id most
of its records had (the biggest claim wins; ties go to the cluster holding the smallest record id); a cluster with no
claim gets a new id derived from its smallest record id (``P-`` + 14 hex digits of a SHA-1), re-derived with a counter
in the rare case it is taken. So a rerun with one new source row renumbers nobody, and the same input always gives the
same ids (no counters, clocks or randomness).

**Survivorship** (``linkage.survivorship`` in the merger file; key ``field`` or ``entity.field``, ``"*"`` for the
default): ``trusted`` (the source earliest in ``linkage.source_trust``), ``complete`` (the best-quality value: a name
with diacritics over one without, an exact date over a year, a converted address over a split one …), ``recent`` (the
record of the latest run, then the later row of its table: a re-registration comes after the original) or
``source:<name>`` (that source when it has a value). Ties are broken by the other criteria, then by record id. Empty
values never win. Fields that belong together (a date and its quality, an address and its codes) come from one record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from hopnhat.link.tables import golden_columns, one, table_exists
from hopnhat.model.schema import ddl

PREFIX = {"person": "P", "organization": "O", "parcel": "L"}


# --- stable ids ----------------------------------------------------------------------------------------------------

def new_id(entity: str, first_record: str, attempt: int = 0) -> str:
    seed = f"{entity}:{first_record}" + (f"#{attempt}" if attempt else "")
    return f"{PREFIX[entity]}-{hashlib.sha1(seed.encode()).hexdigest()[:14].upper()}"


_CLAIMS_SQL = """
CREATE OR REPLACE TEMP TABLE gid_claims AS
SELECT c.root, p.golden_id, count(*) AS n
FROM {e}_clusters c JOIN {e}_features f USING (uid) JOIN gid_previous p USING (record_id)
GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE gid_won AS
SELECT root, golden_id FROM (
  SELECT root, golden_id, n, row_number() OVER (PARTITION BY golden_id ORDER BY n DESC, root) AS rank_in_gid
  FROM gid_claims) WHERE rank_in_gid = 1
QUALIFY row_number() OVER (PARTITION BY root ORDER BY n DESC, golden_id) = 1;
CREATE OR REPLACE TEMP TABLE gid_fresh AS
SELECT r.root, f.record_id AS first_record, '{prefix}-' || upper(sha1('{e}:' || f.record_id)[1:14]) AS golden_id
FROM (SELECT DISTINCT root FROM {e}_clusters) r JOIN {e}_features f ON f.uid = r.root
WHERE r.root NOT IN (SELECT root FROM gid_won);
"""


def assign_ids(work: duckdb.DuckDBPyConnection, entity: str, previous: pa.Table) -> None:
    """Golden id of every cluster into work table ``{entity}_gids`` (root → golden_id); see the module doc.

    Needs work tables ``{entity}_clusters`` (uid, root: the cluster's smallest uid, whose record id is the smallest)
    and ``{entity}_features`` (uid, record_id); ``previous`` is the store's record_id → golden_id of the last run.
    """
    work.register("gid_previous_arrow", previous)
    work.execute("CREATE OR REPLACE TEMP TABLE gid_previous AS SELECT * FROM gid_previous_arrow")
    work.unregister("gid_previous_arrow")
    work.execute(_CLAIMS_SQL.format(e=entity, prefix=PREFIX[entity]))
    clashes = work.execute("""
        SELECT root, first_record FROM gid_fresh
        WHERE golden_id IN (SELECT golden_id FROM gid_previous UNION ALL SELECT golden_id FROM gid_won)
           OR golden_id IN (SELECT golden_id FROM gid_fresh GROUP BY golden_id HAVING count(*) > 1)
        ORDER BY first_record""").fetchall()
    if clashes:
        _resolve_clashes(work, entity, clashes)
    work.execute(f"""CREATE OR REPLACE TABLE {entity}_gids AS
        SELECT root, golden_id FROM gid_won UNION ALL SELECT root, golden_id FROM gid_fresh""")
    for temp in ("gid_previous", "gid_claims", "gid_won", "gid_fresh"):
        work.execute(f"DROP TABLE IF EXISTS {temp}")


def _resolve_clashes(work: duckdb.DuckDBPyConnection, entity: str, clashes: list[tuple[int, str]]) -> None:
    """Re-derive ids that are taken (a 56-bit hash clash, or a retired id), in record order: deterministic."""
    clashing = {root for root, _ in clashes}
    used = {r[0] for r in work.execute("SELECT golden_id FROM gid_previous UNION SELECT golden_id FROM gid_won "
                                       "UNION SELECT golden_id FROM gid_fresh WHERE root NOT IN "
                                       "(SELECT unnest(?))", [sorted(clashing)]).fetchall()}
    for root, first_record in clashes:
        attempt, gid = 1, new_id(entity, first_record, 1)
        while gid in used:
            attempt += 1
            gid = new_id(entity, first_record, attempt)
        used.add(gid)
        work.execute("UPDATE gid_fresh SET golden_id = ? WHERE root = ?", [gid, root])


def previous_ids(con: duckdb.DuckDBPyConnection, entity: str) -> pa.Table:
    return con.execute("SELECT record_id, golden_id FROM golden_ids WHERE entity = ?", [entity]).fetch_arrow_table()


# --- survivorship --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Group:
    """Golden columns taken together from one record, and how good a record's value is (higher is better)."""

    name: str
    columns: tuple[tuple[str, str], ...]  # (golden column, SQL over the entity table)
    quality: str = "1"


_ADDRESS_QUALITY = ("CASE address_status WHEN 'converted' THEN 4 WHEN 'already_new' THEN 4 WHEN 'decided' THEN 4 "
                    "WHEN 'split' THEN 2 WHEN 'ambiguous' THEN 1 ELSE 0 END")
_ADDRESS = Group("address", (("address", "address"), ("address_new_province_code", "address_new_province_code"),
                             ("address_new_commune_code", "address_new_commune_code"),
                             ("address_status", "address_status"), ("address_candidates", "address_candidates")),
                 _ADDRESS_QUALITY)
_HEAD_OFFICE = "CASE WHEN tax_code_parent IS NULL OR tax_code_parent = tax_code THEN 1 ELSE 0 END"
GROUPS: dict[str, tuple[Group, ...]] = {
    "person": (
        Group("full_name", (("full_name", "full_name"),),
              "(CASE WHEN full_name <> strip_accents(full_name) THEN 2 ELSE 0 END)"
              " + (CASE WHEN full_name <> upper(full_name) THEN 1 ELSE 0 END)"),
        Group("birth_date", (("birth_date", "birth_date"), ("birth_date_quality", "birth_date_quality")),
              "CASE WHEN birth_date_quality = 'exact' OR birth_date_quality IS NULL THEN 2 ELSE 1 END"),
        Group("sex", (("sex", "sex"),)),
        Group("cccd", (("cccd", "coalesce(cccd, CASE WHEN id_number_kind = 'cccd' THEN id_number END)"),)),
        Group("cmnd", (("cmnd", "coalesce(cmnd, CASE WHEN id_number_kind = 'cmnd' THEN id_number END)"),)),
        Group("phone", (("phone", "phone"),)),
        _ADDRESS,
    ),
    "organization": (
        Group("tax_code", (("tax_code", "coalesce(tax_code_parent, tax_code)"),), _HEAD_OFFICE),
        Group("name", (("name", "name"),), _HEAD_OFFICE),
        Group("legal_form", (("legal_form", "legal_form"),), _HEAD_OFFICE),
        Group("registered_date", (("registered_date", "registered_date"),), _HEAD_OFFICE),
        Group("address", _ADDRESS.columns[:4], f"{_HEAD_OFFICE} * 10 + {_ADDRESS_QUALITY}"),
        Group("representative", (("representative_name", "representative_name"),
                                 ("representative_id", "representative_id")), _HEAD_OFFICE),
        Group("status", (("status", "status"),), _HEAD_OFFICE),
    ),
    "parcel": (
        Group("identifiers", (("commune_old_commune_code", "commune_old_commune_code"), ("map_sheet", "map_sheet"),
                              ("parcel_number", "parcel_number"))),
        Group("commune", (("commune_new_commune_code", "commune_new_commune_code"),
                          ("commune_status", "commune_status"), ("commune_candidates", "commune_candidates")),
              "CASE WHEN commune_new_commune_code IS NOT NULL THEN 1 ELSE 0 END"),
        Group("area_m2", (("area_m2", "area_m2"),)),
        Group("land_use", (("land_use", "land_use"),)),
        Group("hamlet", (("hamlet", "hamlet"),)),
        Group("holder", (("holder_name", "holder_name"), ("holder_id", "holder_id"))),
        Group("certificate_no", (("certificate_no", "certificate_no"),)),
    ),
}


def _rule(entity: str, group: str, survivorship: dict[str, str], trust: Sequence[str]) -> str:
    for key in (f"{entity}.{group}", group, f"{entity}.*", "*"):
        if key in survivorship:
            return survivorship[key]
    return "trusted" if trust else "complete"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _order(rule: str, quality: str, trust: Sequence[str]) -> str:
    trust_rank = ("CASE src_source " + " ".join(f"WHEN {_q(s)} THEN {i}" for i, s in enumerate(trust))
                  + f" ELSE {len(trust)} END") if trust else "0"
    recent = "_run_rank DESC, src_row DESC"
    if rule == "trusted":
        keys = [trust_rank, f"{quality} DESC"]
    elif rule == "recent":
        keys = [recent, f"{quality} DESC", trust_rank]
    elif rule.startswith("source:"):
        keys = [f"CASE WHEN src_source = {_q(rule[7:])} THEN 0 ELSE 1 END", f"{quality} DESC", trust_rank]
    else:
        keys = [f"{quality} DESC", trust_rank]
    return ", ".join(keys + ["record_id"])


def _group_sql(entity: str, group: Group, survivorship: dict[str, str], trust: Sequence[str]) -> tuple[list[str], str]:
    order = _order(_rule(entity, group.name, survivorship, trust), group.quality, trust)
    present = " AND ".join(f"({expr}) IS NOT NULL" for _, expr in group.columns[:1])
    cols = [f"first({expr} ORDER BY {order}) FILTER (WHERE {present})" for _, expr in group.columns]
    prov = f"first(record_id ORDER BY {order}) FILTER (WHERE {present})"
    return cols, prov


def _ranked_source(con: duckdb.DuckDBPyConnection, entity: str) -> str:
    """The entity table with ``_run_rank``: the order of the run that loaded each record (for ``recent``)."""
    if not table_exists(con, "runs"):
        return f'(SELECT *, 0 AS _run_rank FROM "{entity}")'
    return (f'(SELECT e.*, coalesce(r._run_rank, 0) AS _run_rank FROM "{entity}" e LEFT JOIN '
            f"(SELECT run_id, row_number() OVER (ORDER BY started_at, run_id) AS _run_rank FROM runs) r "
            f"ON r.run_id = e.run_id)")


def _select_parts(entity: str, survivorship: dict[str, str],
                  trust: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """The aggregate of each golden column, the column names, and each column's provenance aggregate."""
    selects, names, provenance = [], [], []
    for group in GROUPS[entity]:
        cols, prov = _group_sql(entity, group, survivorship, trust)
        selects += cols
        names += [name for name, _ in group.columns]
        provenance += [f"'{name}', {prov}" for name, _ in group.columns]
    if entity == "organization":
        selects.append("string_agg(DISTINCT tax_code, ';' ORDER BY tax_code) FILTER (WHERE tax_code_parent IS NOT "
                       "NULL AND tax_code_parent <> tax_code)")
        names.append("branches")
    return selects, names, provenance


def _golden_select(entity: str, survivorship: dict[str, str], trust: Sequence[str],
                   source: str) -> tuple[list[str], str]:
    """The golden columns (after ``golden_id``, before n_records, sources, provenance) and the query over
    ``source`` (the entity's records with ``_run_rank``) that builds one golden row per golden id."""
    selects, names, provenance = _select_parts(entity, survivorship, trust)
    sql = f"""
        SELECT golden_id, {", ".join(selects)}, count(*),
               string_agg(DISTINCT src_source || '/' || src_table, ';' ORDER BY src_source || '/' || src_table),
               json_object({", ".join(provenance)})::VARCHAR
        FROM {source}
        WHERE golden_id IS NOT NULL
        GROUP BY golden_id ORDER BY golden_id"""
    return names, sql


def write_golden(con: duckdb.DuckDBPyConnection, entity: str, survivorship: dict[str, str],
                 trust: Sequence[str]) -> int:
    """(Re)build ``golden_<entity>`` from the entity table's golden ids; returns the number of golden records."""
    names, select = _golden_select(entity, survivorship, trust, _ranked_source(con, entity))
    table = f"golden_{entity}"
    con.execute(f'DROP TABLE IF EXISTS "{table}"')
    con.execute(ddl(table, golden_columns(entity)))
    con.execute(f"""
        INSERT INTO "{table}" (golden_id, {", ".join(names)}, n_records, sources, provenance)
        {select}""")
    return int(one(con, f'SELECT count(*) FROM "{table}"')[0])


# --- survivorship over a subset of a golden record's members (a user's scope) ---------------------------------------

def _over(members: pa.Table, sql: str) -> list[tuple[Any, ...]]:
    """``sql`` over the table ``members`` in a private in-memory DuckDB."""
    con = duckdb.connect(config={"threads": 1})
    try:
        con.register("members", members)
        return con.execute(sql).fetchall()
    finally:
        con.close()


def survive(members: pa.Table, entity: str, survivorship: dict[str, str], trust: Sequence[str]) -> list[dict[str, Any]]:
    """Golden rows built from ``members`` alone (rows of the entity table plus ``_run_rank``, the order of the run
    that loaded each), by the same rules as :func:`write_golden`; ``provenance`` as a dict."""
    names, select = _golden_select(entity, survivorship, trust, "members")
    cols = ["golden_id", *names, "n_records", "sources", "provenance"]
    rows = [dict(zip(cols, row, strict=True)) for row in _over(members, select)]
    for row in rows:
        row["provenance"] = json.loads(row["provenance"] or "{}")
    return rows


def group_values(members: pa.Table, entity: str) -> dict[str, dict[str, Any]]:
    """Each member's value of every golden column (record_id → column → value), as the golden build reads them."""
    names = [name for group in GROUPS[entity] for name, _ in group.columns]
    exprs = ", ".join(expr for group in GROUPS[entity] for _, expr in group.columns)
    return {str(row[0]): dict(zip(names, row[1:], strict=True))
            for row in _over(members, f"SELECT record_id, {exprs} FROM members")}
