"""Dossiers in flight at the cut-over: open then, with their new receiving unit, deadline and days left.

Open = received before the cut-over, not finished, and not in a final national status (3 refused, 7 withdrawn,
8 stopped, 9 processed, 10 returned). Days left are counted from ``as_of`` (the cut-over by default); overdue first.
"""

from __future__ import annotations

from datetime import date

import duckdb

from hopnhat.load.store import one

FINAL = (3, 7, 8, 9, 10)
COLUMNS = ("record_id", "code", "procedure_name", "applicant_name", "receiving_unit", "receiving_unit_name",
           "new_province_code", "new_commune_code", "candidates", "unit_status", "received_at", "due_at", "status",
           "days_left")


def in_flight_sql(scope_filter: str = "") -> str:
    return f"""
        SELECT record_id, code, procedure_name, applicant_name, receiving_unit, receiving_unit_name,
               receiving_unit_new_province_code, receiving_unit_new_commune_code, receiving_unit_candidates,
               receiving_unit_status, received_at, due_at, status,
               date_diff('day', CAST(? AS DATE), CAST(due_at AS DATE)) AS days_left
        FROM dossier
        WHERE received_at < CAST(? AS TIMESTAMP) AND finished_at IS NULL
          AND (status IS NULL OR status NOT IN {FINAL}) {scope_filter}
        ORDER BY days_left NULLS FIRST, due_at, code
    """


def in_flight(con: duckdb.DuckDBPyConnection, cutover: date, as_of: date | None = None,
              limit: int | None = None) -> list[dict[str, object]]:
    sql = in_flight_sql() + (f" LIMIT {int(limit)}" if limit else "")
    rows = con.execute(sql, [as_of or cutover, cutover]).fetchall()
    return [dict(zip(COLUMNS, r)) for r in rows]


def in_flight_summary(con: duckdb.DuckDBPyConnection, cutover: date) -> dict[str, int]:
    """How many are in flight, overdue at the cut-over, and without a certain new receiving unit."""
    sql = (f"SELECT count(*), count(*) FILTER (WHERE days_left < 0), count(*) FILTER (WHERE receiving_unit_status "
           f"IS NULL OR receiving_unit_status NOT IN ('converted', 'already_new')) FROM ({in_flight_sql()})")
    total, overdue, unassigned = one(con, sql, [cutover, cutover])
    return {"in_flight": total, "overdue": overdue, "needs_unit": unassigned}
