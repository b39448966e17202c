"""Demo step: convert a realistic sample of legacy addresses of the three merged pairs."""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from hopnhat.units.bulk import RESULT_COLUMNS
from hopnhat.units.column import convert_column
from hopnhat.units.files import write_table
from hopnhat.units.reference import reference

PAIRS: dict[str, tuple[str, str, str]] = {
    # scenario: (absorbed old province, surviving old province, new province)
    "danang": ("49", "48", "48"),
    "quangngai": ("62", "51", "51"),
    "haiphong": ("30", "31", "31"),
}

# Addresses as older records write them (issue 14): a district abolished before 2025, type words in brackets. With
# the old commune code each means (read from the reference tables).
LEGACY: dict[str, tuple[tuple[str, str], ...]] = {
    "danang": (("Thôn 2, Xã Quế Lâm, Huyện Nông Sơn, Tỉnh Quảng Nam", "20692"),
               ("12 Lê Lợi, Phước Ninh (Phường), Hải Châu (Quận), Đà Nẵng (Thành phố)", "20242")),
    "quangngai": (("Thôn Trà Reo, Xã Trà Phong, Huyện Tây Trà, Tỉnh Quảng Ngãi", "21154"),),
    "haiphong": (("Số 5, Đằng Lâm (Phường ), Hải An (Quận ), Hải Phòng (Thành phố )", "11413"),),
}


@dataclass
class AddressSample:
    scenario: str
    rows: int
    statuses: Counter[str]
    seconds: float
    examples: list[tuple[str, str, str]]
    output: Path


def sample_addresses(scenario: str, n: int, seed: int) -> tuple[list[str], list[str]]:
    """``n`` old addresses of the pair, written in the many styles legacy systems hold; with their old codes."""
    from hopnhat.synth.addresses import STYLES, hamlets_of, render_address, street_detail

    ref = reference()
    rng = random.Random(f"demo:{scenario}:{seed}")
    communes = sorted((c for p in PAIRS[scenario][:2] for c in ref.communes_in("old", p)), key=lambda c: c.code)
    texts, codes = [], []
    for i in range(n):
        commune = communes[int(rng.random() * len(communes))]
        hamlets = hamlets_of(commune)
        detail = street_detail(rng, hamlets[int(rng.random() * len(hamlets))]) if rng.random() < 0.7 else None
        texts.append(render_address(commune, STYLES[i % len(STYLES)], rng, detail))
        codes.append(commune.code)
    for text, code in LEGACY.get(scenario, ()):
        texts.append(text)
        codes.append(code)
    return texts, codes


def convert_sample(scenario: str, n: int, seed: int, out_dir: Path) -> AddressSample:
    """Convert the sample, write it to ``out_dir`` as Excel (what a clerk opens) and summarise it."""
    texts, codes = sample_addresses(scenario, n, seed)
    started = time.perf_counter()
    result = convert_column(texts)
    seconds = time.perf_counter() - started
    table = pa.table({"old_commune_code": codes, "address": texts})
    for name in RESULT_COLUMNS:
        table = table.append_column(name, result.column(name))
    output = out_dir / f"addresses_{scenario}.xlsx"
    write_table(table, output)
    statuses = Counter(result.column("status").to_pylist())
    rows = list(zip(texts, result.column("status").to_pylist(), result.column("reason").to_pylist()))
    legacy = rows[len(rows) - len(LEGACY.get(scenario, ())) :]  # a former name first: what issue 14 added
    picks = legacy[:1] + [(t, s, r) for t, s, r in rows if s in ("split", "ambiguous")]
    return AddressSample(scenario, len(texts), statuses, seconds, picks[:2], output)
