"""Organisation linkage: the tax code decides; names and addresses link what has no usable tax code.

- A valid tax code (10 digits with the check digit; 13 for a branch = its head office's 10 + 3) links every record of
  one head office and its branches (deterministic rule ``same_tax_code``): the golden organisation is the legal entity,
  its branches listed in ``branches``.
- Otherwise a small Splink model with *fixed*, documented parameters (organisations are too few for EM) compares the
  normalised name (legal form words like "Công ty TNHH", "CTY TNHH MTV", "DNTN", "Chi nhánh" removed, folded), the
  address on the NEW commune, the representative's ID and the tax code (two different valid codes are strong evidence
  of two organisations). Pairs are blocked on name + commune, name + representative and tax code.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import duckdb
import pyarrow as pa

from hopnhat.link.engine import Backend, ModelSpec, TrainedModel, score
from hopnhat.link.ids import digits, mst_parent
from hopnhat.link.pairs import combine, rule_pairs
from hopnhat.link.persons import PairsResult
from hopnhat.link.tables import columns_of, one
from hopnhat.text.normalize import fold

# Legal-form words, folded, longest first (they are removed from names before comparing).
LEGAL_FORMS = (
    "cong ty trach nhiem huu han mot thanh vien", "cong ty trach nhiem huu han hai thanh vien tro len",
    "cong ty trach nhiem huu han", "cong ty tnhh mot thanh vien", "cong ty tnhh mtv", "cty tnhh mtv", "cong ty tnhh",
    "cty tnhh", "tnhh mtv", "tnhh", "mot thanh vien", "mtv", "cong ty co phan", "cty co phan", "cty cp", "ctcp",
    "co phan", "doanh nghiep tu nhan", "dntn", "hop tac xa", "htx", "chi nhanh", "van phong dai dien", "cong ty",
    "cty",
)
_FORMS = re.compile(r"\b(" + "|".join(re.escape(f) for f in LEGAL_FORMS) + r")\b")
_NON_WORD = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=100_000)
def name_key(name: str | None) -> str | None:
    """``Công ty TNHH MTV Xây dựng An Phát`` → ``xay dung an phat`` (legal form gone, folded)."""
    if not name:
        return None
    text = _NON_WORD.sub(" ", fold(name).lower().replace("-", " "))
    text = _SPACES.sub(" ", _FORMS.sub(" ", _SPACES.sub(" ", text))).strip()
    return text or None


_SOURCE = ("record_id", "src_source", "src_table", "tax_code", "tax_code_parent", "name", "address_new_commune_code",
           "representative_id")


def _features(rows: pa.Table) -> pa.Table:
    cols = {c: rows.column(c).to_pylist() for c in _SOURCE}
    order = sorted(range(rows.num_rows), key=lambda i: cols["record_id"][i])
    taxes = [mst_parent(cols["tax_code"][i]) or mst_parent(cols["tax_code_parent"][i]) for i in order]
    return pa.table({
        "uid": pa.array(range(len(order)), pa.int64()),
        "record_id": [cols["record_id"][i] for i in order],
        "src_source": [cols["src_source"][i] for i in order],
        "src_table": [cols["src_table"][i] for i in order],
        "tax": pa.array(taxes, pa.string()),
        "nkey": pa.array([name_key(cols["name"][i]) for i in order], pa.string()),
        "addr": pa.array([cols["address_new_commune_code"][i] for i in order], pa.string()),
        "rep": pa.array([digits(cols["representative_id"][i]) for i in order], pa.string()),
    })


def load_features(con: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection,
                  table: str = "organization") -> int:
    present = columns_of(con, table)
    select = ", ".join(f'"{c}"' if c in present else f"NULL::VARCHAR AS {c}" for c in _SOURCE)
    work.register("org_arrow", _features(con.execute(f'SELECT {select} FROM "{table}"').fetch_arrow_table()))
    work.execute("CREATE OR REPLACE TABLE organization_features AS SELECT * FROM org_arrow ORDER BY uid")
    work.unregister("org_arrow")
    return int(one(work, "SELECT count(*) FROM organization_features")[0])


def _lvl(sql: str, label: str, m: float | None = None, u: float | None = None, null: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        out["is_null_level"] = True
    else:
        out.update(m_probability=m, u_probability=u)
    return out


# Fixed parameters: m = share of true pairs at the level, u = share of random pairs (a few hundred thousand firms).
MODEL: dict[str, Any] = {
    "link_type": "dedupe_only",
    "unique_id_column_name": "uid",
    "probability_two_random_records_match": 1e-4,
    "retain_matching_columns": True,
    "retain_intermediate_calculation_columns": True,
    "blocking_rules_to_generate_predictions": [
        "l.tax = r.tax", "l.nkey = r.nkey AND l.addr = r.addr", "l.nkey = r.nkey AND l.rep = r.rep"],
    "comparisons": [
        {"output_column_name": "tax_code", "comparison_levels": [
            _lvl("tax_l IS NULL OR tax_r IS NULL", "missing", null=True),
            _lvl("tax_l = tax_r", "same head-office tax code", 0.95, 1e-6),
            _lvl("ELSE", "different tax codes", 0.05, 0.999999)]},
        {"output_column_name": "name", "comparison_levels": [
            _lvl("nkey_l IS NULL OR nkey_r IS NULL", "missing", null=True),
            _lvl("nkey_l = nkey_r", "same name (legal form removed)", 0.9, 1e-4),
            _lvl("levenshtein(nkey_l, nkey_r) <= 2", "name two edits", 0.07, 1e-3),
            _lvl("ELSE", "different", 0.03, 0.9989)]},
        {"output_column_name": "address", "comparison_levels": [
            _lvl("addr_l IS NULL OR addr_r IS NULL", "missing", null=True),
            _lvl("addr_l = addr_r", "same new commune", 0.7, 0.01),
            _lvl("ELSE", "different", 0.3, 0.99)]},
        {"output_column_name": "representative", "comparison_levels": [
            _lvl("rep_l IS NULL OR rep_r IS NULL", "missing", null=True),
            _lvl("rep_l = rep_r", "same representative ID", 0.8, 1e-5),
            _lvl("ELSE", "different", 0.2, 0.99999)]},
    ],
}
SPEC = ModelSpec("organization", "organization_features", lambda prior: MODEL, (), (), 1.0, fixed_model=MODEL)

def organization_pairs(work: duckdb.DuckDBPyConnection, backend: Backend, review_threshold: float) -> PairsResult:
    """Same head-office tax code (deterministic) + the fixed model → ``organization_pairs`` in ``work``."""
    rule_pairs(work, "organization", "l.tax = r.tax")
    score(backend, backend.input(SPEC.features), TrainedModel(MODEL), review_threshold, "organization_scored")
    combine(work, "organization", MODEL, "same_tax_code")
    return PairsResult(MODEL, [])
