"""Extract the two old provinces of the new Hưng Yên (Hưng Yên 33 + Thái Bình 34, merged 1 July 2025) from the
government tables in ``../shared/data/admin-units`` into ``units.csv`` (committed; the generator reads only that).

Run from the repository root: ``.venv/bin/python bench/blind/make_units.py``.
One row per (old commune, new commune): an old commune split among several new ones ("Nhập một phần") has one row
per new commune. Old communes of 2025-01-04 missing from the conversion table (merged again before 1 July) are
dropped and counted on stdout.
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent.parent / "shared" / "data" / "admin-units"
PROVINCES = {"Tỉnh Hưng Yên": "33", "Tỉnh Thái Bình": "34"}
FIELDS = ("old_province", "old_province_code", "old_district", "old_commune", "old_code", "level", "new_commune",
          "new_code", "part")


def old_units() -> list[dict[str, str]]:
    with (SHARED / "communes_old_2025-01-04.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    return [{"old_province": r[0], "old_province_code": r[1], "old_district": r[2], "old_commune": r[4],
             "old_code": r[5], "level": r[6]} for r in rows if r[0] in PROVINCES]


def conversion() -> dict[str, list[tuple[str, str, str]]]:
    """old code → [(new commune, new code, note)] for the new Hưng Yên (33)."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    with (SHARED / "conversion_2025.csv").open(encoding="utf-8") as fh:
        for r in csv.reader(fh):
            if len(r) > 7 and r[0].startswith("Tỉnh Hưng Yên (33)"):
                out.setdefault(r[4].strip(), []).append((r[1].strip(), r[2].strip(), r[5].strip()))
    return out


def main() -> None:
    table, rows, dropped = conversion(), [], 0
    for unit in old_units():
        targets = table.get(unit["old_code"])
        if not targets:
            dropped += 1
            continue
        for name, code, note in sorted(set(targets)):
            rows.append({**unit, "new_commune": name, "new_code": code, "part": "1" if "một phần" in note else "0"})
    with (HERE / "units.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows, {len({r['old_code'] for r in rows})} old communes, dropped {dropped}")


if __name__ == "__main__":
    main()
