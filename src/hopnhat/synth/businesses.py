"""Business registration export (CSV, UTF-8): 10-digit tax codes with valid check digits, branches with 13.

About 1 business per 50 people. ~10 % of businesses have 1–3 branches; a third of the branches sit in the other
province (so the same organization appears in both provinces' registers).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np

from hopnhat.synth import ids
from hopnhat.synth.addresses import render_address
from hopnhat.synth.population import Population
from hopnhat.synth.scenarios import scaled
from hopnhat.synth.tables import CsvTable, TableInfo
from hopnhat.units.reference import reference

COLUMNS = ["ma_so_thue", "ten_doanh_nghiep", "loai_hinh", "ngay_cap", "dia_chi", "nguoi_dai_dien",
           "so_giay_to_nguoi_dai_dien", "trang_thai"]
TRUTH = ("organization_entity", "representative_entity", "address_old_commune", "address_new_commune", "is_branch")
KINDS = ("Công ty TNHH", "Công ty TNHH MTV", "Công ty cổ phần", "Doanh nghiệp tư nhân", "Hợp tác xã")
TRADES = ("Xây dựng", "Thương mại", "Dịch vụ", "Vận tải", "Du lịch", "Thủy sản", "Nông sản", "Cơ khí", "Gỗ", "May mặc",
          "Điện tử", "Dược phẩm", "Bất động sản", "Đầu tư")
WORDS = ("An Phát", "Hưng Thịnh", "Minh Long", "Thành Công", "Phú Quý", "Đại Việt", "Sông Hàn", "Hải Âu", "Trường Sơn",
         "Tân Tiến", "Hoàng Gia", "Kim Ngân", "Bảo Ngọc", "Thiên Phúc", "Nam Trung", "Hòa Bình")
STATUSES = ("Đang hoạt động", "Đang hoạt động", "Đang hoạt động", "Tạm ngừng kinh doanh", "Đã giải thể")


def _name(rng: random.Random, kind: str) -> str:
    return f"{kind} {TRADES[int(rng.random() * len(TRADES))]} {WORDS[int(rng.random() * len(WORDS))]}"


def write_businesses(pops: tuple[Population, Population], scale: float, seed: int, estate: Path,
                     truth: Path) -> list[CsvTable]:
    """Both provinces' business CSVs; branches may be filed in the other province."""
    tables = [CsvTable(TableInfo("doanh_nghiep", "doanh_nghiep", "ma_so_thue", COLUMNS, ("ngay_cap",), TRUTH),
                       truth / p.side.slug / "doanh_nghiep.csv", f"{seed}:{p.side.slug}",
                       estate / p.side.slug / "doanh_nghiep" / "doanh_nghiep.csv") for p in pops]
    for side, pop in enumerate(pops):
        rng = random.Random(f"business:{seed}:{pop.side.slug}")
        nprng = np.random.default_rng([seed, int(pop.side.code), 4])
        adults = pop.adults()
        for _ in range(scaled(len(pop) // 50, 1.0)):
            parent = ids.mst(pop.side.tax_prefix, nprng)
            kind = KINDS[int(rng.random() * len(KINDS))]
            name = _name(rng, kind)
            rep = int(adults[int(rng.random() * len(adults))])
            _row(tables[side], pop, parent, name, kind, rep, rng, parent)
            if rng.random() < 0.10:
                for b in range(1, 2 + int(rng.random() * 3)):
                    other = 1 - side if rng.random() < 0.33 else side
                    _row(tables[other], pops[other], ids.branch_mst(parent, b), f"Chi nhánh {name}", kind, rep, rng,
                         parent, rep_pop=pop)
    for t in tables:
        t.close()
    return tables


def _row(table: CsvTable, where: Population, code: str, name: str, kind: str, rep: int, rng: random.Random,
         parent: str, rep_pop: Population | None = None) -> None:
    who = rep_pop or where
    commune = where.communes[int(rng.random() * len(where.communes))]
    links = sorted({lk.new_code for lk in reference().links.get(commune.code, [])})
    style = ("full", "abbrev", "no_province", "abbrev_tight")[int(rng.random() * 4)]
    day = dt.date(2000, 1, 1) + dt.timedelta(days=int(rng.random() * 9200))
    table.add({"ma_so_thue": code, "ten_doanh_nghiep": name, "loai_hinh": kind, "ngay_cap": day.strftime("%d/%m/%Y"),
               "dia_chi": render_address(commune, style, rng, f"Số {1 + int(rng.random() * 200)}"),
               "nguoi_dai_dien": who.name(rep), "so_giay_to_nguoi_dai_dien": who.cccd(rep),
               "trang_thai": STATUSES[int(rng.random() * len(STATUSES))]},
              {"organization_entity": f"ORG-{parent}", "representative_entity": who.entity_id(rep),
               "address_old_commune": commune.code, "address_new_commune": ";".join(links),
               "is_branch": int(code != parent)})
