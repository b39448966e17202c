"""What a linkage run does with the review queue: apply earlier decisions, then raise this run's items.

Items of an entity are replaced on every run (the items of earlier runs are stale scores); ``review_decisions`` is
never touched, so a decision survives every rerun and is shown again with its item when the item comes back.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from hopnhat.link.review import UNIT_FIELDS, latest_decisions
from hopnhat.link.tables import columns_of, one
from hopnhat.units.reference import reference


def _units_table() -> pa.Table:
    communes = reference().communes["new"]
    codes = sorted(communes)
    return pa.table({"code": codes, "name": [communes[c].name for c in codes],
                     "province_code": [communes[c].province_code for c in codes]})


def _register_units(con: duckdb.DuckDBPyConnection) -> None:
    con.register("_new_units", _units_table())


def unit_fields(con: duckdb.DuckDBPyConnection, entity: str) -> list[str]:
    cols = columns_of(con, entity)
    return [f for f in UNIT_FIELDS.get(entity, ()) if {f"{f}_status", f"{f}_candidates",
                                                      f"{f}_new_commune_code"} <= cols]


def apply_unit_decisions(con: duckdb.DuckDBPyConnection, entity: str) -> int:
    """Set the new commune that people chose for split addresses of ``entity``; returns the rows changed."""
    decided = [(k, d) for k, d in latest_decisions(con, "unit:").items() if d.startswith("commune:")]
    if not decided:
        return 0
    changed = 0
    rows = pa.table({"item_key": [k for k, _ in decided], "code": [d[8:] for _, d in decided]})
    con.register("_unit_decisions", rows)
    _register_units(con)
    for field in unit_fields(con, entity):
        changed += one(con, f"""
            UPDATE "{entity}" SET {field}_new_commune_code = d.code, {field}_new_province_code = u.province_code,
                   {field}_status = 'decided',
                   {field}_reason = 'decided in the review queue: ' || d.code || ' ' || u.name
            FROM _unit_decisions d JOIN _new_units u ON u.code = d.code
            WHERE d.item_key = 'unit:' || "{entity}".record_id || ':{field}'
              AND "{entity}".{field}_status IN ('split', 'decided')
              AND instr(';' || "{entity}".{field}_candidates || ';', ';' || d.code || ';') > 0""")[0]
    con.unregister("_unit_decisions")
    con.unregister("_new_units")
    return changed


def _scope_expr(con: duckdb.DuckDBPyConnection, entity: str, alias: str) -> str:
    """SQL: the new province and commune codes of a record (for users scoped to a province or commune)."""
    parts = []
    for field in UNIT_FIELDS.get(entity, ()):
        for suffix in ("_new_province_code", "_new_commune_code", "_candidates"):
            if f"{field}{suffix}" in columns_of(con, entity):
                parts.append(f"{alias}.{field}{suffix}")
    return "concat_ws(';', " + ", ".join(parts) + ")" if parts else "NULL"


def raise_pair_items(con: duckdb.DuckDBPyConnection, entity: str, pairs: pa.Table, run_id: str) -> int:
    """Insert pair items (record_id_l, record_id_r, match_probability, evidence) of ``entity``; returns the count."""
    con.register("_pair_items", pairs)
    scope_l, scope_r = _scope_expr(con, entity, "l"), _scope_expr(con, entity, "r")
    con.execute(f"""
        INSERT INTO review_items (item_key, entity, kind, record_id_l, record_id_r, field, match_probability, evidence,
                                  candidates, scope_codes, run_id)
        SELECT 'pair:{entity}:' || p.record_id_l || '|' || p.record_id_r, '{entity}', 'pair', p.record_id_l,
               p.record_id_r, NULL, p.match_probability, p.evidence, NULL,
               nullif(array_to_string(list_sort(list_distinct(list_filter(
                   string_split(concat_ws(';', {scope_l}, {scope_r}), ';'), lambda x: x <> ''))), ';'), ''), ?
        FROM _pair_items p
        LEFT JOIN "{entity}" l ON l.record_id = p.record_id_l
        LEFT JOIN "{entity}" r ON r.record_id = p.record_id_r
        ORDER BY 1""", [run_id])
    con.unregister("_pair_items")
    return pairs.num_rows


def raise_unit_items(con: duckdb.DuckDBPyConnection, entity: str, run_id: str) -> int:
    """Insert one item per split-commune address of ``entity`` (decided ones too, so their decision stays visible)."""
    total = 0
    _register_units(con)
    for field in unit_fields(con, entity):
        value = f"e.{field}" if field in columns_of(con, entity) else "NULL"
        total += one(con, f"""
            INSERT INTO review_items (item_key, entity, kind, record_id_l, record_id_r, field, match_probability,
                                      evidence, candidates, scope_codes, run_id)
            SELECT 'unit:' || e.record_id || ':{field}', '{entity}', 'split_unit', e.record_id, NULL, '{field}', NULL,
                   json_object('value', {value}, 'reason', e.{field}_reason,
                               'candidates', (SELECT list(json_object('code', u.code, 'name', u.name) ORDER BY u.code)
                                              FROM _new_units u WHERE list_contains(
                                                  string_split(e.{field}_candidates, ';'), u.code)))::VARCHAR,
                   e.{field}_candidates,
                   (SELECT array_to_string(list_sort(list_distinct(list(u.province_code) || list(u.code))), ';')
                    FROM _new_units u WHERE list_contains(string_split(e.{field}_candidates, ';'), u.code)),
                   ?
            FROM "{entity}" e
            WHERE e.{field}_status IN ('split', 'decided') AND e.{field}_candidates IS NOT NULL
            ORDER BY e.record_id""", [run_id])[0]
    con.unregister("_new_units")
    return total


def clear_items(con: duckdb.DuckDBPyConnection, entity: str) -> None:
    con.execute("DELETE FROM review_items WHERE entity = ?", [entity])
