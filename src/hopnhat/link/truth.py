"""Link-ready store tables built from a ``hopnhat synth`` estate's truth files, and the true entity of every record.

The truth files (``OUT/truth/<province>/<table>.csv``) hold, for every legacy row, its raw columns as written (noise
included, legacy encodings already decoded) and the true entity. Tests and ``bench/link.py`` use them to build the
``person`` / ``organization`` / ``parcel`` tables the pipeline would load (same columns, values parsed the same way)
without running the pipeline, and to score linkage against the truth (:mod:`hopnhat.link.evaluate`).

Rows the pipeline quarantines (``truncated`` lines, ``duplicate_key`` rows) are left out, as the pipeline leaves them
out of the entity tables.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from hopnhat.link.parse import parse_people
from hopnhat.model.schema import ddl, entity_columns
from hopnhat.units.bulk import Row, convert_distinct
from hopnhat.units.reference import reference
from hopnhat.values import parse_column

QUARANTINED = ("truncated", "duplicate_key")


@dataclass(frozen=True)
class PersonSource:
    """Where one person table's columns are in its truth file."""

    province: str
    table: str
    source: str
    key: str
    name: str
    dob: str
    sex: str
    ids: tuple[str, ...]
    phone: str
    address: str


PERSON_SOURCES: tuple[PersonSource, ...] = tuple(
    PersonSource("quangnam", f"nhan_khau_{enc}", "quangnam_dancu", "MaCongDan", "HoTen", "NgaySinh", "GioiTinh",
                 ("SoCMND_CCCD",), "DienThoai", "NoiThuongTru")
    for enc in ("tcvn3", "vni", "cp1258", "utf8")
) + (PersonSource("danang", "cong_dan", "danang_dancu", "id", "ho_ten", "ngay_sinh", "gioi_tinh",
                  ("so_cccd", "so_cmnd"), "so_dien_thoai", "dia_chi_thuong_tru"),)
ORG_SOURCES = (("quangnam", "quangnam_doanh_nghiep"), ("danang", "danang_doanh_nghiep"))
PARCEL_SOURCES = (("quangnam", "quangnam_dat_dai"), ("danang", "danang_dat_dai"))


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("defects") not in QUARANTINED:
                yield row


def person_rows(root: Path) -> pa.Table:
    """Every person row of the estate, raw: record_id, lineage, the six CLI columns (``id_number`` is whichever number
    the row has), ``cccd`` / ``cmnd`` for a table that keeps them apart, entity and noises."""
    cols: dict[str, list[object]] = {k: [] for k in ("record_id", "src_source", "src_table", "src_key", "src_row",
                                                      "full_name", "dob", "sex", "id_number", "phone", "address",
                                                      "entity", "noises", "cccd", "cmnd")}
    for spec in PERSON_SOURCES:
        path = root / "truth" / spec.province / f"{spec.table}.csv"
        for row in _rows(path):
            key = row[spec.key]
            values = (f"{spec.source}/{spec.table}/{key}", spec.source, spec.table, key, int(row["row_number"]),
                      row[spec.name], row[spec.dob], row[spec.sex], next((row[c] for c in spec.ids if row[c]), ""),
                      row[spec.phone], row[spec.address], row["entity"], row["noises"],
                      row[spec.ids[0]] if len(spec.ids) == 2 else None,
                      row[spec.ids[1]] if len(spec.ids) == 2 else None)
            for name, value in zip(cols, values):
                cols[name].append(value)
    return pa.table(cols)


def _conversions(addresses: list[str | None]) -> dict[object, Row]:
    return convert_distinct([a for a in addresses if a])


def person_table(raw: pa.Table) -> pa.Table:
    """Store columns of ``person`` for raw rows (values parsed, addresses converted to new communes)."""
    parsed = {k: v.to_pylist() for k, v in parse_people(raw).items()}
    apart = [c is not None for c in raw.column("cccd").to_pylist()]  # the table keeps CCCD and CMND apart
    for name in ("cccd", "cmnd"):
        parsed[name] = list(parse_column("id_number", raw.column(name).to_pylist()).values)
    for name in ("id_number", "id_number_kind"):
        parsed[name] = [None if a else v for a, v in zip(apart, parsed[name])]
    conv = _conversions(raw.column("address").to_pylist())
    addr = raw.column("address").to_pylist()
    out: dict[str, list[object]] = {c.name: [None] * raw.num_rows for c in entity_columns("person")}
    for name in ("record_id", "src_source", "src_table", "src_key", "src_row"):
        out[name] = raw.column(name).to_pylist()
    out.update(parsed)
    out["address"] = addr
    for i, a in enumerate(addr):
        status, prov, code, cands, reason = conv.get(a, ("invalid", None, None, "", "empty")) if a else (
            None, None, None, "", None)
        out["address_status"][i], out["address_new_province_code"][i] = status, prov
        out["address_new_commune_code"][i], out["address_candidates"][i] = code, cands or None
        out["address_reason"][i] = reason
    return _typed("person", out)


def _typed(entity: str, columns: dict[str, list[object]]) -> pa.Table:
    con = duckdb.connect()
    con.execute(ddl("t", entity_columns(entity)))
    names = [c.name for c in entity_columns(entity)]
    con.register("src", pa.table({n: pa.array(columns[n]) if any(v is not None for v in columns[n])
                                  else pa.nulls(len(columns[n]), pa.string()) for n in names}))
    con.execute(f"INSERT INTO t SELECT {', '.join(f'src.{n!s}' for n in names)} FROM src")
    return con.execute("SELECT * FROM t").fetch_arrow_table()


def _org_table(root: Path) -> tuple[pa.Table, dict[str, str]]:
    rows, truth = [], {}
    for province, source in ORG_SOURCES:
        for row in _rows(root / "truth" / province / "doanh_nghiep.csv"):
            rid = f"{source}/doanh_nghiep/{row['ma_so_thue']}"
            truth[rid] = row["organization_entity"]
            rows.append((rid, source, row))
    conv = _conversions([r["dia_chi"] for _, _, r in rows])
    out: dict[str, list[object]] = {c.name: [None] * len(rows) for c in entity_columns("organization")}
    for i, (rid, source, row) in enumerate(rows):
        status, prov, code, cands, reason = conv[row["dia_chi"]]
        digits = "".join(ch for ch in row["ma_so_thue"] if ch.isdigit())
        values = {"record_id": rid, "src_source": source, "src_table": "doanh_nghiep", "src_key": row["ma_so_thue"],
                  "src_row": int(row["row_number"]), "tax_code": digits,
                  "tax_code_parent": digits[:10] if len(digits) == 13 else None, "name": row["ten_doanh_nghiep"],
                  "legal_form": row["loai_hinh"], "address": row["dia_chi"], "address_status": status,
                  "address_new_province_code": prov, "address_new_commune_code": code,
                  "address_candidates": cands or None, "address_reason": reason,
                  "representative_name": row["nguoi_dai_dien"], "representative_id": row["so_giay_to_nguoi_dai_dien"],
                  "status": row["trang_thai"]}
        for k, v in values.items():
            out[k][i] = v
    return _typed("organization", out), truth


def _parcel_table(root: Path) -> tuple[pa.Table, dict[str, str], dict[str, str]]:
    ref, rows, truth, holders = reference(), [], {}, {}
    for province, source in PARCEL_SOURCES:
        for row in _rows(root / "truth" / province / "thua_dat.csv"):
            rid = f"{source}/thua_dat/{row['ma_thua']}"
            truth[rid] = f"{row['ma_xa']}-{row['so_to']}-{row['so_thua']}"
            holders[rid] = row["holder_entity"]
            rows.append((rid, source, row))
    out: dict[str, list[object]] = {c.name: [None] * len(rows) for c in entity_columns("parcel")}
    for i, (rid, source, row) in enumerate(rows):
        targets = sorted({link.new_code for link in ref.new_communes_of(row["ma_xa"])})
        values = {"record_id": rid, "src_source": source, "src_table": "thua_dat", "src_key": row["ma_thua"],
                  "src_row": int(row["row_number"]), "commune": row["ma_xa"], "commune_old_commune_code": row["ma_xa"],
                  "commune_status": "converted" if len(targets) == 1 else "split",
                  "commune_new_commune_code": targets[0] if len(targets) == 1 else None,
                  "commune_candidates": ";".join(targets) if len(targets) > 1 else None,
                  "map_sheet": row["so_to"], "parcel_number": row["so_thua"],
                  "area_m2": float(row["dien_tich"].replace(",", ".")), "land_use": row["loai_dat"],
                  "hamlet": row["xu_dong"], "holder_name": row["chu_su_dung"], "holder_id": row["so_giay_to_chu"],
                  "certificate_no": row["so_gcn"]}
        for k, v in values.items():
            out[k][i] = v
    return _typed("parcel", out), truth, holders


@dataclass
class TruthStore:
    """The entity tables written into a store, and record_id → true entity for each."""

    truth: dict[str, dict[str, str]]  # entity → record_id → true entity
    noises: dict[str, str]  # person record_id → the noises of the copy (';'-joined)
    holders: dict[str, str] = field(default_factory=dict)  # parcel record_id → the holder's true person entity


def build_store(con: duckdb.DuckDBPyConnection, root: Path, entities: tuple[str, ...] = ("person", "organization",
                                                                                          "parcel")) -> TruthStore:
    """Create (replace) the entity tables of ``con`` from the estate under ``root``."""
    truth: dict[str, dict[str, str]] = {}
    noises: dict[str, str] = {}
    holders: dict[str, str] = {}
    if "person" in entities:
        raw = person_rows(root)
        _write(con, "person", person_table(raw))
        ids = raw.column("record_id").to_pylist()
        truth["person"] = dict(zip(ids, raw.column("entity").to_pylist()))
        noises = dict(zip(ids, raw.column("noises").to_pylist()))
    if "organization" in entities:
        table, truth["organization"] = _org_table(root)
        _write(con, "organization", table)
    if "parcel" in entities:
        table, truth["parcel"], holders = _parcel_table(root)
        _write(con, "parcel", table)
    return TruthStore(truth, noises, holders)


def _write(con: duckdb.DuckDBPyConnection, entity: str, table: pa.Table) -> None:
    con.execute(f'DROP TABLE IF EXISTS "{entity}"')
    con.execute(ddl(entity, entity_columns(entity)))
    con.register("_truth_rows", table)
    con.execute(f'INSERT INTO "{entity}" SELECT * FROM _truth_rows')
    con.unregister("_truth_rows")

