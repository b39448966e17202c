"""Land parcels: one parcel = one (old commune, map sheet, parcel number); its holder linked to a person or a firm.

A parcel keeps its OLD identifiers (old commune code, sheet and number as the land register wrote them) beside the
new commune: sheets get renumbered after communes merge, and the old triple is what the paper certificates say.
Records with the same triple (leading zeros ignored) are one parcel (rule ``same_parcel_identifiers``).

Holders: the holder's ID number is looked up among person records (CCCD, CMND) and, when it is a tax code, among
organisations; the golden record it belongs to becomes ``holder_golden_id`` of the golden parcel. When one number
leads to several golden persons, the one whose folded name is the holder's name is taken. A number that matches no
record (the register kept the holder's CMND, the land office the CCCD) falls back to the name: the one golden person
with the holder's folded name living in the parcel's new commune and, for a CCCD, born in the year and of the sex its
digits say. Otherwise the parcel keeps no holder link rather than a guess.
"""

from __future__ import annotations

import duckdb

from hopnhat.link.persons import PairsResult
from hopnhat.link.tables import columns_of, one, table_exists

_SOURCE = ("record_id", "src_source", "src_table", "commune_old_commune_code", "commune", "map_sheet",
           "parcel_number")


def _trimmed(col: str) -> str:
    return f"nullif(ltrim(trim(CAST({col} AS VARCHAR)), '0'), '')"


def load_features(con: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection, table: str = "parcel") -> int:
    present = columns_of(con, table)
    select = ", ".join(f'"{c}"' if c in present else f"NULL::VARCHAR AS {c}" for c in _SOURCE)
    work.register("parcel_arrow", con.execute(f'SELECT {select} FROM "{table}"').fetch_arrow_table())
    work.execute(f"""
        CREATE OR REPLACE TABLE parcel_features AS
        SELECT row_number() OVER (ORDER BY record_id) - 1 AS uid, record_id, src_source, src_table,
               CASE WHEN coalesce(commune_old_commune_code, commune) IS NOT NULL AND {_trimmed('map_sheet')} IS NOT NULL
                         AND {_trimmed('parcel_number')} IS NOT NULL
                    THEN coalesce(commune_old_commune_code, commune) || '|' || {_trimmed('map_sheet')} || '|'
                         || {_trimmed('parcel_number')} END AS pkey
        FROM parcel_arrow ORDER BY uid""")
    work.unregister("parcel_arrow")
    return int(one(work, "SELECT count(*) FROM parcel_features")[0])


def parcel_pairs(work: duckdb.DuckDBPyConnection) -> PairsResult:
    work.execute("""
        CREATE OR REPLACE TABLE parcel_pairs AS
        SELECT l.uid AS uid_l, r.uid AS uid_r, 1.0 AS match_probability, CAST(NULL AS DOUBLE) AS match_weight,
               'same_parcel_identifiers' AS rule,
               json_object('rule', 'same_parcel_identifiers', 'identifiers', l.pkey)::VARCHAR AS evidence
        FROM parcel_features l JOIN parcel_features r ON l.pkey = r.pkey AND l.uid < r.uid
        ORDER BY 1, 2""")
    return PairsResult(None, [])


_FOLD = "lower(strip_accents(replace(replace({x}, 'Đ', 'D'), 'đ', 'd')))"
_PERSON_IDS = """
SELECT id, golden_id, {name} AS name FROM (
  SELECT regexp_replace(coalesce(cccd, ''), '[^0-9]', '', 'g') AS id, golden_id, full_name FROM person
  UNION ALL SELECT regexp_replace(coalesce(cmnd, ''), '[^0-9]', '', 'g'), golden_id, full_name FROM person
  UNION ALL SELECT regexp_replace(coalesce(id_number, ''), '[^0-9]', '', 'g'), golden_id, full_name FROM person
) WHERE id <> '' AND golden_id IS NOT NULL
"""


_BY_NAME = """
UPDATE golden_parcel SET holder_entity = 'person', holder_golden_id = h.golden_id
FROM (
  SELECT g.golden_id AS parcel, min(p.golden_id) AS golden_id
  FROM (SELECT *, regexp_replace(coalesce(holder_id, ''), '[^0-9]', '', 'g') AS hid FROM golden_parcel
        WHERE holder_golden_id IS NULL) g
  JOIN golden_person p ON {fold_p} = {fold_g} AND p.address_new_commune_code = g.commune_new_commune_code
  WHERE length(g.hid) <> 12 OR (
        year(p.birth_date) = 1900 + 100 * (CAST(g.hid[4] AS INTEGER) // 2) + CAST(g.hid[5:6] AS INTEGER)
        AND (p.sex IS NULL OR (p.sex = 'F') = (CAST(g.hid[4] AS INTEGER) % 2 = 1)))
  GROUP BY g.golden_id HAVING count(DISTINCT p.golden_id) = 1
) h WHERE golden_parcel.golden_id = h.parcel
"""


def link_holders(con: duckdb.DuckDBPyConnection) -> int:
    """Fill ``holder_entity`` / ``holder_golden_id`` of ``golden_parcel``; returns how many parcels got a holder."""
    con.execute("UPDATE golden_parcel SET holder_entity = NULL, holder_golden_id = NULL")
    if table_exists(con, "person") and {"cccd", "cmnd", "id_number", "golden_id"} <= columns_of(con, "person"):
        con.execute(f"""
            UPDATE golden_parcel SET holder_entity = 'person', holder_golden_id = h.golden_id
            FROM (
              SELECT g.golden_id AS parcel, arg_min(p.golden_id, (p.name <> {_FOLD.format(x='g.holder_name')},
                                                                  p.golden_id)) AS golden_id
              FROM golden_parcel g JOIN ({_PERSON_IDS.format(name=_FOLD.format(x='full_name'))}) p
                ON p.id = regexp_replace(g.holder_id, '[^0-9]', '', 'g')
              GROUP BY g.golden_id
              HAVING count(DISTINCT p.golden_id) = 1 OR bool_or(p.name = {_FOLD.format(x='g.holder_name')})
            ) h WHERE golden_parcel.golden_id = h.parcel""")
    if table_exists(con, "golden_person"):
        con.execute(_BY_NAME.format(fold_g=_FOLD.format(x="g.holder_name"), fold_p=_FOLD.format(x="p.full_name")))
    if table_exists(con, "golden_organization"):
        con.execute("""
            UPDATE golden_parcel SET holder_entity = 'organization', holder_golden_id = o.golden_id
            FROM golden_organization o
            WHERE golden_parcel.holder_golden_id IS NULL
              AND o.tax_code = left(regexp_replace(golden_parcel.holder_id, '[^0-9]', '', 'g'), 10)
              AND length(regexp_replace(golden_parcel.holder_id, '[^0-9]', '', 'g')) IN (10, 13)""")
    return int(one(con, "SELECT count(holder_golden_id) FROM golden_parcel")[0])
