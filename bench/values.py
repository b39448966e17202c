"""Benchmark: typed value parsers (hopnhat.values.parse_column) on 1 M cells per kind with realistic repetition.

Run from the repository root::

    .venv/bin/python bench/values.py [--n 1000000] [--distinct 50000] [--seed 7]

What it does
------------
For each kind it builds a pool of distinct legacy-looking cells (synth generators where they exist: CCCD/CMND,
phones, tax codes; dates in the mixed renderings a register has, with ~1 % noise: year-only, impossible, swapped,
placeholders) and draws ``--n`` cells from it with a Zipf-like skew (a few values very frequent, a long tail), so a
column has about ``--distinct`` distinct values. Two scenarios:

* **repeated**: every kind with ``--distinct`` distinct values (the target case: 1 M rows, 50 k distinct);
* **realistic**: each kind with the distinct count a real column has — IDs and phones ~90 % distinct, date-times
  ~50 %, birth dates 30 k, statuses 10, sex 6.

Each run is timed *cold* (parse cache cleared: every distinct value parsed) and *warm* (same options again: the
cache kept between calls serves it). Prints cells/s per kind and writes ``bench/out/values.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from hopnhat.synth import ids
from hopnhat.values import clear_cache, parse_column

OUT = Path(__file__).parent / "out" / "values.json"
Maker = Callable[[random.Random, int], str]


def _date(rng: random.Random, i: int) -> str:
    day = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(0, 34_000))
    r = rng.random()
    if r < 0.004:
        return str(day.year)
    if r < 0.006:
        return f"31/02/{day.year}"
    if r < 0.008:
        return "01/01/1900"
    if r < 0.010 and day.day <= 12:
        return day.strftime("%m/%d/%Y")
    return day.strftime("%d/%m/%Y") if r < 0.8 else f"{day.day}/{day.month}/{day.year}"


def _datetime(rng: random.Random, i: int) -> str:
    t = dt.datetime(2024, 6, 1, 7, 30) + dt.timedelta(seconds=rng.randrange(0, 390 * 86400))
    return t.strftime("%d/%m/%Y %H:%M") if i % 2 else t.strftime("%Y-%m-%dT%H:%M:%S+07:00")


def _id(rng: random.Random, i: int) -> str:
    year = rng.randrange(1930, 2024)
    province = rng.choice(("48", "49", "51", "62", "01", "79"))
    if rng.random() < 0.2:
        return ids.cmnd(rng.choice(("201", "205", "212")), rng.randrange(1_000_000))
    number = ids.cccd(province, year, rng.random() < 0.5, rng.randrange(1_000_000))
    return number if rng.random() < 0.97 else number[1:]  # Excel lost the zero


def _tax(rng: random.Random, i: int) -> str:
    check = None
    while check is None:
        body = f"{rng.choice(('40', '04', '01'))}{rng.randrange(1, 10**7):07d}"
        check = ids.mst_check_digit(body)
    parent = f"{body}{check}"
    return parent if rng.random() < 0.7 else ids.branch_mst(parent, rng.randrange(1, 30))


def _phone(rng: random.Random, i: int) -> str:
    if rng.random() < 0.05:
        return f"0168{rng.randrange(10**7):07d}"
    return ids.phone(rng.randrange(97), rng.randrange(10**7), rng.randrange(5))


MAKERS: dict[str, tuple[Maker, dict, int]] = {  # kind → (maker, options, realistic distinct count)
    "date": (_date, {"formats": ["dd/mm/yyyy", "yyyy", "excel_serial"]}, 30_000),
    "datetime": (_datetime, {"formats": ["dd/mm/yyyy HH:MM", "iso8601"]}, 500_000),
    "id_number": (_id, {}, 900_000),
    "tax_code": (_tax, {}, 200_000),
    "phone": (_phone, {}, 900_000),
    "sex": (lambda rng, i: ("Nam", "Nữ", "nam", "NỮ", "1", "0")[i % 6], {}, 6),
    "status": (lambda rng, i: ("TiepNhan", "DangXuLy", "ChoBoSung", "DaCoKetQua", "DaTraKetQua", "TuChoi", "RutHoSo",
                               "TamDung", "dangxuly", "DaXuLy")[i % 10],
               {"values": {"TiepNhan": 2, "DangXuLy": 4, "ChoBoSung": 5, "DaCoKetQua": 9, "DaTraKetQua": 10,
                           "TuChoi": 3, "RutHoSo": 7, "TamDung": 8}}, 10),
    "decimal": (lambda rng, i: f"{rng.randrange(20, 5000)},{rng.randrange(10)}", {"decimal": ","}, 50_000),
    "integer": (lambda rng, i: f"{rng.randrange(1, 10**6):,}", {"decimal": "."}, 50_000),
    "text": (lambda rng, i: f"Thôn {rng.randrange(1, 40)}, Xã Bình {rng.choice('ABCDEFGH')}{i}", {}, 50_000),
}


def column(kind: str, n: int, distinct: int, seed: int) -> list[str]:
    """``n`` cells drawn with a Zipf-like skew from a pool of ``distinct`` generated values."""
    rng = random.Random(f"{seed}:{kind}")
    maker = MAKERS[kind][0]
    pool = list(dict.fromkeys(maker(rng, i) for i in range(distinct)))
    draw = [min(int(rng.paretovariate(0.6)) - 1, len(pool) - 1) for _ in range(n // 4)]
    cells = [pool[k] for k in draw] + [pool[rng.randrange(len(pool))] for _ in range(n - len(draw))]
    rng.shuffle(cells)
    return cells


def timed(kind: str, cells: list[str], cold: bool) -> tuple[float, int]:
    if cold:
        clear_cache()
    start = time.perf_counter()
    result = parse_column(kind, cells, **MAKERS[kind][1])
    return time.perf_counter() - start, len(result.problems)


def run(n: int, distinct: int, seed: int) -> list[dict]:
    rows = []
    for scenario in ("repeated", "realistic"):
        for kind, (_, _, realistic) in MAKERS.items():
            cells = column(kind, n, distinct if scenario == "repeated" else min(realistic, n), seed)
            cold, problems = timed(kind, cells, cold=True)
            warm, _ = timed(kind, cells, cold=False)
            rows.append({"scenario": scenario, "kind": kind, "cells": n, "distinct": len(set(cells)),
                         "cold_s": round(cold, 3), "warm_s": round(warm, 3), "cold_cells_per_s": round(n / cold),
                         "warm_cells_per_s": round(n / warm), "problems": problems})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rows = run(args.n, args.distinct, args.seed)
    table = Table(title=f"hopnhat.values.parse_column — {args.n:,} cells per kind")
    for col in ("scenario", "kind", "distinct", "cold cells/s", "warm cells/s", "problems"):
        table.add_column(col, justify="left" if col in ("scenario", "kind") else "right")
    for r in rows:
        table.add_row(r["scenario"], r["kind"], f"{r['distinct']:,}", f"{r['cold_cells_per_s']:,}",
                      f"{r['warm_cells_per_s']:,}", f"{r['problems']:,}")
    Console().print(table)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"args": vars(args), "rows": rows}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
