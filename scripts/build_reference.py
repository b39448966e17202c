"""Build hopnhat's shipped admin-unit reference tables from the vietnamadminunits 1.0.4 data files.

Run:  python scripts/build_reference.py   (after ``pip install vietnamadminunits==1.0.4``)

Only the package's data files are read (``data/dataset.db``, ``data/converter_2025.json``); the package is located
with importlib without being imported, so none of its code (and never its online geocoder) runs. Output goes to
``src/hopnhat/units/data/`` as sorted CSV so that a rebuild is byte-identical and a diff is reviewable.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import sqlite3
import sys
from pathlib import Path

SOURCE = "vietnamadminunits"
SOURCE_VERSION = "1.0.4"
OUT = Path(__file__).resolve().parents[1] / "src" / "hopnhat" / "units" / "data"


def package_dir() -> Path:
    spec = importlib.util.find_spec(SOURCE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{SOURCE}=={SOURCE_VERSION} is not installed: pip install {SOURCE}=={SOURCE_VERSION}")
    return Path(next(iter(spec.submodule_search_locations)))


def write_csv(name: str, header: list[str], rows: list[tuple]) -> None:
    with (OUT / name).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(sorted(rows))
    print(f"{name}: {len(rows)} rows")


def aliases(raw: str | None) -> str:
    return ";".join(sorted(set(json.loads(raw)))) if raw else ""


def legacy_rows(db: sqlite3.Connection) -> list[sqlite3.Row]:
    db.row_factory = sqlite3.Row
    return db.execute("SELECT * FROM admin_units_legacy").fetchall()


def build_old(rows: list[sqlite3.Row]) -> dict[str, str]:
    provinces, districts, communes = set(), set(), []
    for r in rows:
        provinces.add((r["provinceCode"], r["province"], aliases(r["provinceAlias"])))
        districts.add((r["provinceCode"], r["districtCode"], r["district"], r["districtType"], aliases(r["districtAlias"])))
        if r["wardCode"]:
            communes.append((r["provinceCode"], r["districtCode"], r["wardCode"], r["ward"], r["wardType"],
                             aliases(r["wardAlias"])))
    write_csv("old_provinces.csv", ["code", "name", "alias_keys"], list(provinces))
    write_csv("old_districts.csv", ["province_code", "code", "name", "type", "alias_keys"], list(districts))
    write_csv("old_communes.csv", ["province_code", "district_code", "code", "name", "type", "alias_keys"], communes)
    return {r["provinceKey"]: r["provinceCode"] for r in rows}


def build_new(db: sqlite3.Connection) -> tuple[dict[str, str], dict[tuple[str, str], str], dict[str, str]]:
    rows = db.execute("SELECT * FROM admin_units").fetchall()
    provinces = {(r["provinceCode"], r["province"], aliases(r["provinceAlias"])) for r in rows}
    communes = [(r["provinceCode"], r["wardCode"], r["ward"], r["wardType"]) for r in rows]
    write_csv("new_provinces.csv", ["code", "name", "alias_keys"], list(provinces))
    write_csv("new_communes.csv", ["province_code", "code", "name", "type"], communes)
    prov = {r["provinceKey"]: r["provinceCode"] for r in rows}
    ward = {(r["provinceKey"], r["wardKey"]): r["wardCode"] for r in rows}
    names = {r["wardCode"]: r["wardKey"] for r in rows}
    return prov, ward, names


def old_key_index(rows: list[sqlite3.Row]) -> dict[str, sqlite3.Row]:
    return {f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}": r for r in rows}


def build_conversion(conv: dict, rows: list[sqlite3.Row], new_ward: dict, new_names: dict) -> None:
    index = old_key_index(rows)
    pairs, no_commune = [], []
    for prov_key, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, olds in wards.items():
            new_code = new_ward[(prov_key, ward_key)]
            for old_key in olds:
                old = index[old_key]
                if not old["wardCode"]:
                    no_commune.append((old["districtCode"], old["district"], new_code))
                    continue
                if len(olds) > 1:
                    kind = "whole"
                elif old["wardKey"] == new_names[new_code]:
                    kind = "unchanged"
                else:
                    kind = "renamed"
                pairs.append((old["wardCode"], new_code, kind, ""))
    for prov_key, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in olds.items():
            old = index[old_key]
            for t in targets:
                default = "1" if t["isDefaultNewWard"] else "0"
                pairs.append((old["wardCode"], new_ward[(prov_key, t["newWardKey"])], "split", default))
    write_csv("conversion.csv", ["old_code", "new_code", "kind", "source_default"], pairs)
    write_csv("district_without_communes.csv", ["old_district_code", "old_district_name", "new_code"], no_commune)


def build_province_map(conv: dict, old_codes: dict, new_codes: dict) -> None:
    rows = [(old_codes[o], new_codes[n]) for n, olds in conv["DICT_PROVINCE"].items() for o in olds]
    write_csv("province_conversion.csv", ["old_code", "new_code"], rows)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_provenance(pkg: Path) -> None:
    files = ["data/dataset.db", "data/converter_2025.json"]
    licence = next(pkg.parent.glob(f"{SOURCE}-{SOURCE_VERSION}.dist-info/licenses/LICENSE"), None)
    if licence:
        (OUT / "LICENSE.vietnamadminunits.txt").write_text(licence.read_text(encoding="utf-8"), encoding="utf-8")
    provenance = {
        "source": f"{SOURCE}=={SOURCE_VERSION} (PyPI, MIT licence, author Hieu Tran)",
        "licence_file": "LICENSE.vietnamadminunits.txt",
        "files_read": {f: sha256(pkg / f) for f in files},
        "built_by": "scripts/build_reference.py",
        "old_structure_as_of": "2025-06-30",
        "new_structure_from": "2025-07-01",
        "legal_basis": ["Resolution 202/2025/QH15", "Law 72/2025/QH15", "Decision 19/2025/QĐ-TTg"],
        "history.csv": {
            "built_by": "scripts/build_history.py",
            "source": "the GSO (statistics office) administrative-unit list, public government data: 20 dated copies "
                      "2019-10-17 … 2025-02-18 read from the git history of github.com/daohoangson/dvhcvn "
                      "(data/dvhcvn.json; facts only, none of that repository's code), and these 30/6/2025 tables; "
                      "merged communes' successors from the former-name aliases of vietnamadminunits (MIT)",
            "resolutions_cited": ["175/2024/QH15 (Thành phố Huế, centrally run, from 2025-01-01)"],
        },
        "hand_curated": {
            "aliases_extra.csv": "aliases for units abolished in 2019-2024 rounds that the source lacks",
            "corrections.csv": "differences from the cross-check table, each with its reason",
        },
    }
    (OUT / "provenance.json").write_text(json.dumps(provenance, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    pkg = package_dir()
    OUT.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(f"file:{pkg / 'data' / 'dataset.db'}?mode=ro", uri=True)
    rows = legacy_rows(db)
    old_prov = build_old(rows)
    new_prov, new_ward, new_names = build_new(db)
    conv = json.loads((pkg / "data" / "converter_2025.json").read_text(encoding="utf-8"))
    build_conversion(conv, rows, new_ward, new_names)
    build_province_map(conv, old_prov, new_prov)
    write_provenance(pkg)


if __name__ == "__main__":
    main()
