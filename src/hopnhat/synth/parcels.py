"""Land parcels (commune + map sheet + parcel number + area + holder), as the land system exports them.

Map sheets are laid out by hamlet (sheets 5h+1 … 5h+5 cover hamlet h), so for a split commune the sheet number tells
which new commune a parcel went to: that sheet → new commune table is published as ``split_map_sheets.csv``.
"""

from __future__ import annotations

import random
from pathlib import Path

from hopnhat.synth.addresses import hamlets_with_assignment
from hopnhat.synth.people import Assignment, new_commune_of
from hopnhat.synth.population import Population
from hopnhat.synth.tables import CsvTable, TableInfo

COLUMNS = ["ma_thua", "ma_xa", "ten_xa", "so_to", "so_thua", "dien_tich", "loai_dat", "xu_dong", "chu_su_dung",
           "so_giay_to_chu", "so_gcn"]
TRUTH = ("holder_entity", "address_new_commune")
LAND_USE = ("ONT", "ODT", "LUC", "CLN", "BHK", "NTS", "RSX", "TMD")
SHEETS_PER_HAMLET = 5


def sheet_of(hamlet_index: int, rng: random.Random) -> int:
    return hamlet_index * SHEETS_PER_HAMLET + 1 + int(rng.random() * SHEETS_PER_HAMLET)


def write_parcels(pop: Population, assignment: Assignment, seed: int, estate: Path, truth: Path) -> CsvTable:
    """About 0.4 parcels per person; holders are adults of the province, named by ID number."""
    rng = random.Random(f"parcels:{seed}:{pop.side.slug}")
    decimal_comma = not pop.side.register_in_db
    table = CsvTable(TableInfo("dat_dai", "thua_dat", "ma_thua", COLUMNS, (), TRUTH), truth / pop.side.slug /
                     "thua_dat.csv", f"{seed}:{pop.side.slug}", estate / pop.side.slug / "dat_dai" / "thua_dat.csv")
    adults = pop.adults()
    next_parcel: dict[tuple[str, int], int] = {}
    for _ in range(int(len(pop) * 0.4)):
        holder = int(adults[int(rng.random() * len(adults))])
        commune = pop.communes[int(pop.commune[holder])]
        hamlets = hamlets_with_assignment(commune, assignment)
        h = int(rng.random() * len(hamlets))
        sheet = sheet_of(h, rng)
        number = next_parcel[(commune.code, sheet)] = next_parcel.get((commune.code, sheet), 0) + 1
        area = round(50 + rng.random() ** 2 * 3000, 1)
        number_id = pop.cccd(holder) if rng.random() < 0.85 else (pop.cmnd(holder) or pop.cccd(holder))
        table.add({"ma_thua": f"{commune.code}-{sheet}-{number}", "ma_xa": commune.code, "ten_xa": commune.name,
                   "so_to": str(sheet), "so_thua": str(number),
                   "dien_tich": f"{area:.1f}".replace(".", ",") if decimal_comma else f"{area:.1f}",
                   "loai_dat": LAND_USE[int(rng.random() * len(LAND_USE))], "xu_dong": hamlets[h],
                   "chu_su_dung": pop.name(holder), "so_giay_to_chu": number_id,
                   "so_gcn": f"C{'ABDEHK'[int(rng.random() * 6)]} {int(rng.random() * 1e6):06d}"},
                  {"holder_entity": pop.entity_id(holder),
                   "address_new_commune": new_commune_of(commune, hamlets[h], assignment)})
    table.close()
    return table


def split_map_sheets(pop: Population, assignment: Assignment) -> list[tuple[str, int, str]]:
    """(old commune, map sheet, new commune) for every sheet of every split commune of the province."""
    rows = []
    for commune in pop.communes:
        if not any(code == commune.code for code, _ in assignment):
            continue
        for h, hamlet in enumerate(hamlets_with_assignment(commune, assignment)):
            rows += [(commune.code, h * SHEETS_PER_HAMLET + s, assignment[(commune.code, hamlet)])
                     for s in range(1, SHEETS_PER_HAMLET + 1)]
    return rows
