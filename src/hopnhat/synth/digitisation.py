"""Digitisation status of civil-status books per old commune (digitised vs total; some communes below 1 %)."""

from __future__ import annotations

import random
from pathlib import Path

from hopnhat.synth.population import Population
from hopnhat.units.reference import reference

COLUMNS = ["ma_xa", "ten_xa", "ten_huyen", "tong_so_so_ho_tich", "so_so_da_so_hoa", "ty_le_phan_tram"]


def write_digitisation(pop: Population, seed: int, estate: Path) -> Path:
    """One row per old commune; the absorbed province lags (many communes low, some under 1 %)."""
    rng = random.Random(f"digitisation:{seed}:{pop.side.slug}")
    lagging = not pop.side.register_in_db
    path = estate / pop.side.slug / "so_hoa" / "so_hoa_ho_tich.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(COLUMNS) + "\n")
        for commune in pop.communes:
            total = 200 + int(rng.random() * 1800)
            share = rng.betavariate(0.6, 1.4) if lagging else rng.betavariate(4, 1.2)
            if lagging and rng.random() < 0.08:
                share = rng.random() * 0.009
            done = int(total * share)
            district = reference().districts[commune.district_code or ""].name
            fh.write(f"{commune.code},{commune.name},{district},{total},{done},{100 * done / total:.2f}\n")
    return path
