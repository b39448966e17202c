"""The test store: a synth estate migrated by the real pipeline (``hopnhat.run.runner.migrate``), plus — until the
linkage stage writes them — golden records and a review queue derived from the estate's truth.

Built once per source tree and cached (the key hashes the pipeline's code and this file), so a test session pays
the ~30 s migration only after the pipeline changed. When ``hopnhat.link`` produces ``golden_person`` and review
items itself, :func:`add_linkage_from_truth` sees them and does nothing.

The truth-derived linkage is what a perfect linker would output: ``golden_id`` = the true person/organisation/parcel,
survivor values from ``truth/<prov>/persons.csv`` with per-field provenance, and review items for the records a
probabilistic model would hesitate on (same person written differently; different people with the same name and
birth year; addresses whose new commune is ambiguous or split).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import json
import os
import shutil
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from rapidfuzz.distance import JaroWinkler

from hopnhat.catalog import api
from hopnhat.model.schema import Column, ddl, entity_columns
from hopnhat.project.config import load_project
from hopnhat.run.runner import migrate
from hopnhat.synth import SynthSettings, generate
from hopnhat.text.normalize import fold

SCALE, SEED = 0.002, 11
# The scope and review tests need several hesitant pairs, some straddling two communes; at this scale the linker
# is sure of almost every pair (one hesitant pair in the 2026-12 model), so the truth's hesitant pairs are added.
MIN_PAIRS = 5
GOLDEN = {"person": "golden_person", "organization": "golden_organization", "parcel": "golden_parcel"}
_LINEAGE = {"record_id", "src_source", "src_system", "src_province", "src_table", "src_key", "src_row", "row_hash",
            "run_id"}
_PERSON_KEYS = {"nhan_khau_tcvn3": "MaCongDan", "nhan_khau_vni": "MaCongDan", "nhan_khau_cp1258": "MaCongDan",
                "nhan_khau_utf8": "MaCongDan", "cong_dan": "id"}


# ------------------------------------------------------------------------------------------------ cache

def _code_key() -> str:
    root = Path(__file__).resolve().parents[2] / "src" / "hopnhat"
    h = hashlib.sha256(f"{SCALE}/{SEED}".encode())
    for path in sorted(root.rglob("*.py")):
        if "serve" not in path.relative_to(root).parts:
            h.update(path.read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


ESTATE_ENV = "HOPNHAT_TEST_ESTATE"


def cached_estate(cache_root: Path) -> Path:
    """The migrated estate for this code, built once (several pytest workers wait for the first). ``HOPNHAT_TEST_
    ESTATE`` names an estate already built (by :func:`build_estate`) to use instead, for work on the web app while
    the pipeline's code changes under it."""
    if os.environ.get(ESTATE_ENV):
        given = Path(os.environ[ESTATE_ENV])
        if not (given / "READY").exists():
            raise FileNotFoundError(f"{ESTATE_ENV}={given}: no finished estate there (READY missing)")
        return given
    folder = cache_root / f"estate-{_code_key()}"
    with _locked(cache_root / "build.lock"):
        if not (folder / "READY").exists():
            shutil.rmtree(folder, ignore_errors=True)
            build_estate(folder)
            (folder / "READY").write_text("ok")
            for old in cache_root.glob("estate-*"):
                if old != folder:
                    shutil.rmtree(old, ignore_errors=True)
    return folder


def build_estate(folder: Path) -> Path:
    """Synth estate → ``hopnhat migrate`` → linkage gaps from truth → the catalog (inventories, decisions, plan)."""
    generate(SynthSettings("danang", SCALE, SEED, folder))
    project = load_project(folder / "merger.yaml")
    migrate(project)
    add_linkage_from_truth(project.store_path, folder)
    catalog = folder / "catalog.duckdb"
    api.import_files(catalog, sorted(folder.rglob("inventory-*.xlsx")))
    api.run_evaluate(catalog)
    api.run_plan(catalog)
    return folder


# ------------------------------------------------------------------------------------------------ linkage truth

def _truth_entities(estate: Path) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """record_id → true person id, and the true persons."""
    record_entity: dict[str, str] = {}
    persons: dict[str, dict[str, str]] = {}
    for prov, source in (("quangnam", "quangnam_dancu"), ("danang", "danang_dancu")):
        for table, key in _PERSON_KEYS.items():
            path = estate / "truth" / prov / f"{table}.csv"
            if path.exists():
                with path.open(encoding="utf-8", newline="") as fh:
                    for row in csv.DictReader(fh):
                        record_entity[f"{source}/{table}/{row[key]}"] = row["entity"]
        with (estate / "truth" / prov / "persons.csv").open(encoding="utf-8", newline="") as fh:
            persons.update({r["entity"]: r for r in csv.DictReader(fh)})
    return record_entity, persons


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    types = {r[0]: r[1] for r in con.execute(f'DESCRIBE "{table}"').fetchall()}
    arrow = {"BIGINT": pa.int64(), "INTEGER": pa.int32(), "DOUBLE": pa.float64(), "DATE": pa.date32(),
             "TIMESTAMP": pa.timestamp("us")}
    cols = list(types)
    con.register("_rows", pa.table({c: pa.array([r.get(c) for r in rows], type=arrow.get(types[c], pa.string()))
                                    for c in cols}))
    try:
        con.execute(f'INSERT INTO "{table}" SELECT * FROM _rows')
    finally:
        con.unregister("_rows")


def _golden_ids(con: duckdb.DuckDBPyConnection, record_entity: dict[str, str]) -> None:
    con.register("_ge", pa.table({"record_id": list(record_entity), "gid": list(record_entity.values())}))
    con.execute("UPDATE person SET golden_id = _ge.gid FROM _ge WHERE person.record_id = _ge.record_id")
    con.unregister("_ge")
    con.execute("UPDATE person SET golden_id = 'P-' || record_id WHERE golden_id IS NULL")
    con.execute("UPDATE organization SET golden_id = 'ORG-' || coalesce(tax_code, record_id)")
    con.execute("UPDATE parcel SET golden_id = 'PAR-' || coalesce(commune_old_commune_code, commune) || '-' "
                "|| map_sheet || '-' || parcel_number")


def _golden_row(entity: str, gid: str, members: list[dict[str, Any]], truth: dict[str, str] | None) -> dict[str, Any]:
    fields = [c.name for c in entity_columns(entity) if c.name not in _LINEAGE and c.name != "golden_id"]
    row: dict[str, Any] = {"golden_id": gid}
    provenance: dict[str, str] = {}
    for name in fields:
        src = next((m for m in members if m.get(name) not in (None, "")), None)
        row[name] = src.get(name) if src else None
        if src is not None and "_" + name.rsplit("_", 1)[-1] not in ("_code", "_status", "_reason", "_kind",
                                                                     "_quality", "_raw", "_candidates", "_parent"):
            provenance[name] = src["record_id"]
    if truth:
        row.update({"full_name": truth["full_name"], "birth_date": date.fromisoformat(truth["birth_date"]),
                    "birth_date_quality": "exact"})
        same = [m for m in members if m.get("full_name") == truth["full_name"]]
        provenance["full_name"] = (same or members)[0]["record_id"]
        for true_id in (truth["cccd"], truth["cmnd"]):
            ids = [m for m in members if true_id and true_id in (m.get("id_number"), m.get("cccd"), m.get("cmnd"))]
            if ids:
                row["id_number"], provenance["id_number"] = true_id, ids[0]["record_id"]
                row["id_number_kind"] = {12: "cccd", 9: "cmnd"}.get(len(true_id))
                break
    row.update({"n_records": len(members), "sources": ";".join(sorted({m["src_source"] for m in members})),
                "provenance": json.dumps(provenance, ensure_ascii=False)})
    return row


def _golden_tables(con: duckdb.DuckDBPyConnection, persons: dict[str, dict[str, str]]) -> None:
    for entity, table in GOLDEN.items():
        cols = [c for c in entity_columns(entity) if c.name not in _LINEAGE]
        cols = [cols[-1], *cols[:-1], Column("n_records", "BIGINT", ""), Column("sources", "VARCHAR", ""),
                Column("provenance", "VARCHAR", "JSON field → record_id")]
        con.execute(ddl(table, cols))
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in _rows(con, f'SELECT * FROM "{entity}" ORDER BY src_source, src_row'):
            groups[r["golden_id"]].append(r)
        _insert(con, table, [_golden_row(entity, gid, members, persons.get(gid) if entity == "person" else None)
                             for gid, members in sorted(groups.items())])


def _unit_items(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    rows = _rows(con, "SELECT record_id, address, address_candidates, address_status, address_reason FROM person "
                      "WHERE address_status IN ('split', 'ambiguous') AND coalesce(address_candidates, '') <> '' "
                      "ORDER BY record_id")
    return [{"item_key": f"unit:{r['record_id']}:address", "entity": "person", "kind": "split_unit",
             "record_id_l": r["record_id"], "field": "address",
             "evidence": json.dumps({"address": r["address"], "status": r["address_status"],
                                     "reason": r["address_reason"]}, ensure_ascii=False),
             "candidates": r["address_candidates"], "scope_codes": r["address_candidates"], "run_id": run_id}
            for r in rows]


def match_evidence(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Evidence in the linkage stage's format (``hopnhat.link.evidence``): prior + one weight per comparison."""
    na, nb = fold(a["full_name"] or "").lower(), fold(b["full_name"] or "").lower()
    jw = JaroWinkler.similarity(na, nb)
    ida = a.get("id_number") or a.get("cccd") or a.get("cmnd")
    idb = b.get("id_number") or b.get("cccd") or b.get("cmnd")
    same_commune = a.get("address_new_commune_code") == b.get("address_new_commune_code")
    comparisons = [
        ("name", "same folded" if na == nb else f"Jaro-Winkler {jw:.2f}", 6.5 if na == nb else 3.0 if jw > .92 else -4.,
         -1.2 if na == nb else 0.0),
        ("birth_date", "exact" if a["birth_date"] == b["birth_date"] else "same year",
         5.8 if a["birth_date"] == b["birth_date"] else 1.2, 0.0),
        ("id_number", "exact" if ida and ida == idb else "null" if not (ida and idb) else "different",
         9.0 if ida and ida == idb else 0.0 if not (ida and idb) else -7.5, 0.0),
        ("sex", "exact" if a["sex"] == b["sex"] else "different", 0.9 if a["sex"] == b["sex"] else -5.0, 0.0),
        ("address", "same new commune" if same_commune else "other commune", 2.4 if same_commune else -1.3, 0.0),
    ]
    prior = -11.3
    total = prior + sum(c[2] + c[3] for c in comparisons)
    return {"prior": prior, "match_weight": round(total, 3), "rule": "model",
            "comparisons": [{"comparison": n, "level": lab, "weight": w, "tf_weight": tf}
                            for n, lab, w, tf in comparisons]}


def _pair_items(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    blocks: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(con, "SELECT * FROM person WHERE birth_date IS NOT NULL ORDER BY record_id"):
        words = fold(r["full_name"] or "").lower().split()
        if words:
            blocks[(words[-1], r["birth_date"].year)].append(r)
    items = []
    for members in blocks.values():
        for a, b in zip(members, members[1:]):
            if a["src_source"] == b["src_source"]:
                continue
            ev = match_evidence(a, b)
            prob = 1 / (1 + 2 ** -ev["match_weight"])
            if 0.2 < prob < 0.97:
                codes = {c for r in (a, b) for c in (r.get("address_new_commune_code"),
                                                     *(r.get("address_candidates") or "").split(";")) if c}
                items.append({"item_key": f"pair:person:{a['record_id']}|{b['record_id']}", "entity": "person",
                              "kind": "pair", "record_id_l": a["record_id"], "record_id_r": b["record_id"],
                              "match_probability": round(prob, 4), "evidence": json.dumps(ev, ensure_ascii=False),
                              "scope_codes": ";".join(sorted(codes)), "run_id": run_id})
    return items


def _new_pairs(con: duckdb.DuckDBPyConnection, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The truth's hesitant pairs the linker did not raise itself (neither its key nor the same two records)."""
    seen = {frozenset(r) for r in con.execute("SELECT record_id_l, record_id_r FROM review_items "
                                               "WHERE kind = 'pair'").fetchall()}
    return [i for i in items if frozenset((i["record_id_l"], i["record_id_r"])) not in seen]


def add_linkage_from_truth(store: Path, estate: Path) -> list[str]:
    """What the pipeline's linkage did not write (golden records, pair items at this small scale), from the truth.
    Returns what was added."""
    con = duckdb.connect(str(store))
    added = []
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main'").fetchall()}
        run_id = con.execute("SELECT max(run_id) FROM runs").fetchone()[0]
        if "golden_person" not in tables:
            record_entity, persons = _truth_entities(estate)
            _golden_ids(con, record_entity)
            _golden_tables(con, persons)
            added.append("golden")
        kinds = dict(con.execute("SELECT kind, count(*) FROM review_items GROUP BY kind").fetchall())
        if not kinds.get("split_unit"):
            _insert(con, "review_items", _unit_items(con, run_id))
            added.append("split_unit")
        if kinds.get("pair", 0) < MIN_PAIRS:
            _insert(con, "review_items", _new_pairs(con, _pair_items(con, run_id)))
            added.append("pair")
        con.execute("CHECKPOINT")
        return added
    finally:
        con.close()


__all__ = ["add_linkage_from_truth", "build_estate", "cached_estate", "match_evidence"]
