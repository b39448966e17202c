"""Sampled field-level diffs: for a few records of each source table (chosen by a hash of their id, so the same ones
every run), each plainly mapped field's value as the source holds it beside the value the store holds."""

from __future__ import annotations

import duckdb

from hopnhat.load.store import LEGACY, legacy_name, one, quote
from hopnhat.project.config import Project

PER_TABLE = 3


def _pairs(con: duckdb.DuckDBPyConnection, project: Project, source: str, table: str) -> list[dict[str, object]]:
    spec = next(t for t in project.source(source).tables if t.name == table)
    fields = {name: c.column for name, c in spec.columns.items() if c.column is not None}
    if not fields or not one(con, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
                             [LEGACY, f"{source}__{table}"])[0]:
        return []  # nothing mapped, or the table never loaded (its load failed: see table_failures)
    legacy_cols = {r[0] for r in con.execute(f"DESCRIBE {legacy_name(source, table)}").fetchall()}
    fields = {f: c for f, c in fields.items() if c in legacy_cols}
    select = ", ".join(f"l.{quote(c)} AS {quote('s_' + f)}, CAST(e.{quote(f)} AS VARCHAR) AS {quote('t_' + f)}"
                       for f, c in fields.items())
    # the few records first (a top-N over one column), then their archived rows: not a join of the whole table
    sql = (f"WITH few AS (SELECT * FROM {quote(spec.maps_to)} WHERE src_source = ? AND src_table = ? "
           f"ORDER BY hash(record_id) LIMIT {PER_TABLE}) "
           f"SELECT e.record_id, {select} FROM few e JOIN {legacy_name(source, table)} l "
           f"ON l.record_id = e.record_id AND l._row = e.src_row ORDER BY hash(e.record_id)")
    out = []
    for row in con.execute(sql, [source, table]).fetchall():
        for i, f in enumerate(fields):
            out.append({"record_id": row[0], "field": f, "source_value": row[1 + 2 * i],
                        "store_value": row[2 + 2 * i]})
    return out


def field_samples(con: duckdb.DuckDBPyConnection, project: Project) -> list[dict[str, object]]:
    return [p for s in project.config.sources for t in s.tables for p in _pairs(con, project, s.name, t.name)]
