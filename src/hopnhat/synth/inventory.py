"""Synthetic system inventories of both old provinces of a scenario, as the planners would fill the template.

One workbook per old province (``inventory-49.xlsx`` …) in the catalog's template layout, with the 12 shared systems,
11–13 specialised databases (some only on one side) and a digitisation sheet per real old commune (some below 1 %).
The seed case is written as reported: Quảng Nam's leased TTHC platform (VNPT, trial since 17/4/2024, ~850,000
dossiers in 13 months, ~6 billion VND for 3 years + ~800 million VND/year operations). Same seed → same bytes.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hopnhat.catalog.kinds import DOMAINS, KINDS, SHARED_KINDS
from hopnhat.catalog.model import Digitisation, Inventory, System
from hopnhat.catalog.workbook import write_inventory_workbook
from hopnhat.errors import ConfigError
from hopnhat.units.reference import reference, strip_type


@dataclass(frozen=True)
class Side:
    code: str
    population_m: float  # millions, drives users/records/volumes
    absorbed: bool


SCENARIOS: dict[str, tuple[Side, Side]] = {
    "danang": (Side("49", 1.50, True), Side("48", 1.22, False)),
    "quangngai": (Side("62", 0.58, True), Side("51", 1.25, False)),
    "haiphong": (Side("30", 1.95, True), Side("31", 2.10, False)),
}
SURVEYED_ON = date(2025, 5, 15)
ALWAYS_DOMAINS = ("civil_status", "civil_servant", "education", "land", "business")
VENDORS = ("VNPT", "Viettel", "FPT IS", "CMC", "Mobifone", "Tự phát triển")

# kind: (users per M people, records per M, monthly per M, yearly cost VND per M people, capital VND, level)
_BASE: dict[str, tuple[int, int, int, int, int, int]] = {
    "email": (9000, 4_000_000, 150_000, 450_000_000, 2_000_000_000, 3),
    "lgsp": (400, 6_000_000, 400_000, 600_000_000, 5_000_000_000, 3),
    "portal": (300, 60_000, 900, 500_000_000, 3_000_000_000, 2),
    "document": (8000, 3_000_000, 90_000, 700_000_000, 6_000_000_000, 3),
    "task": (2500, 150_000, 4_000, 250_000_000, 1_500_000_000, 2),
    "tthc": (2500, 1_200_000, 22_000, 900_000_000, 8_000_000_000, 3),
    "results": (1500, 900_000, 18_000, 300_000_000, 2_500_000_000, 3),
    "reporting": (1200, 80_000, 2_500, 200_000_000, 1_500_000_000, 2),
    "opendata": (100, 2_000, 40, 120_000_000, 800_000_000, 2),
    "mobile": (60_000, 300_000, 25_000, 300_000_000, 1_200_000_000, 2),
    "video": (600, 3_000, 150, 400_000_000, 4_000_000_000, 2),
    "meeting": (700, 20_000, 400, 200_000_000, 1_500_000_000, 2),
    "specialised": (900, 700_000, 9_000, 250_000_000, 2_000_000_000, 2),
}
_INTEGRATIONS: dict[str, tuple[str, ...]] = {
    "tthc": ("LGSP", "NDXP", "Cổng DVC quốc gia", "CSDLQG dân cư"),
    "document": ("LGSP", "NDXP", "Trục liên thông văn bản quốc gia"),
    "lgsp": ("NDXP", "CSDLQG dân cư"),
    "results": ("LGSP", "Cổng DVC quốc gia"),
    "reporting": ("LGSP", "Hệ thống báo cáo Chính phủ"),
    "email": ("LGSP",),
    "task": ("LGSP",),
    "opendata": ("LGSP",),
    "mobile": ("LGSP", "Cổng DVC quốc gia"),
}
_DOMAIN_LINKS: dict[str, tuple[str, ...]] = {
    "civil_status": ("LGSP", "CSDL hộ tịch điện tử", "CSDLQG dân cư"),
    "civil_servant": ("LGSP", "CSDLQG cán bộ công chức"),
    "business": ("LGSP", "CSDLQG đăng ký doanh nghiệp"),
    "land": ("LGSP", "CSDLQG đất đai"),
}
_KIND_NAMES = {k.code: k.vi for k in KINDS}
_DOMAIN_NAMES = {d.code: d.vi for d in DOMAINS}


def _rng(scenario: str, seed: int, code: str, part: str) -> random.Random:
    return random.Random(zlib.crc32(f"{scenario}|{seed}|{code}|{part}".encode()))


def _province_name(code: str) -> str:
    return strip_type(reference().provinces["old"][code].name)


def _money(rng: random.Random, value: float) -> int:
    return int(round(value * rng.uniform(0.75, 1.3), -6))


def _hosting(rng: random.Random, kind: str) -> str:
    weights = {"video": (1, 1, 3), "mobile": (1, 2, 2), "email": (1, 3, 1)}.get(kind, (2, 3, 1))
    return rng.choices(("on_premise", "data_centre", "leased"), weights=weights)[0]


def _lease(rng: random.Random, system: dict[str, Any], since: date) -> None:
    years = rng.choice((3, 5))
    start = max(since, date(2021, 1, 1) + timedelta(days=rng.randrange(0, 1200)))
    system.update(lease_years=float(years), lease_start=start,
                  lease_end=start.replace(year=start.year + years) - timedelta(days=1),
                  lease_cost=_money(rng, system["yearly_cost"] * years * 1.6))


def _system(rng: random.Random, side: Side, kind: str, domain: str | None) -> System:
    users, records, monthly, yearly, capital, level = _BASE[kind]
    scale, since = side.population_m * rng.uniform(0.8, 1.2), date(2014 + rng.randrange(0, 9), 1 + rng.randrange(12), 1)
    name = _DOMAIN_NAMES.get(domain or "", "") if domain else _KIND_NAMES[kind]
    vendor = rng.choice(VENDORS)
    data: dict[str, Any] = dict(  # the fields of a System, validated below
        id=f"{side.code}-{'CSDL-' + domain.upper() if domain else kind.upper()}", unit_code=side.code,
        name=f"{'CSDL ' if domain else ''}{name} {_province_name(side.code)}", kind=kind, domain=domain,
        owner=rng.choice(("Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh", "Trung tâm CNTT-TT")) if not domain
        else f"Sở quản lý lĩnh vực {name.lower()}", vendor=vendor, hosting=_hosting(rng, kind),
        in_operation_since=since, users=int(users * scale), records=int(records * scale * rng.uniform(0.6, 1.4)),
        monthly_volume=int(monthly * scale), storage_gb=round(records * scale / 20_000 + 5, 1),
        capital_cost=_money(rng, capital), yearly_cost=_money(rng, yearly * side.population_m),
        security_level=level if rng.random() > 0.15 else max(1, level - 1), security_approved=rng.random() > 0.3,
        integrations=list(_INTEGRATIONS.get(kind, _DOMAIN_LINKS.get(domain or "", ("LGSP",)))),
        data_formats=[rng.choice(("PostgreSQL", "SQL Server", "Oracle", "MySQL"))], encodings=["UTF-8"],
        staff=rng.randrange(1, 5),
    )
    data["capacity_users"] = int(data["users"] * rng.uniform(1.1, 2.5))
    data["capacity_monthly"] = int(data["monthly_volume"] * rng.uniform(1.1, 2.5))
    if rng.random() < 0.3:
        data["integrations"] = data["integrations"][:1]
    if domain and rng.random() < 0.3:
        data["encodings"] = ["UTF-8", rng.choice(("TCVN3", "VNI"))]
        data["data_formats"] += ["Excel"]
    if data["hosting"] == "leased":
        _lease(rng, data, since)
    if vendor == "Tự phát triển":
        data["vendor"] = None
    return System.model_validate(data)


def _seed_case_tthc(side: Side) -> System:
    """Quảng Nam's TTHC platform as reported (VNPT, leased, trial since 17/4/2024)."""
    return System(
        id="49-TTHC", unit_code="49", name="Hệ thống thông tin giải quyết TTHC tỉnh Quảng Nam", kind="tthc",
        owner="Sở Khoa học và Công nghệ", vendor="VNPT", hosting="leased", phase="trial",
        in_operation_since=date(2024, 4, 17), users=3200, records=850_000, monthly_volume=32_700, storage_gb=2100,
        capacity_users=6000, capacity_monthly=80_000, capital_cost=0, yearly_cost=800_000_000,
        lease_cost=6_000_000_000, lease_years=3, lease_start=date(2024, 4, 17), lease_end=date(2027, 4, 16),
        security_level=3, security_approved=False, integrations=["LGSP", "Cổng DVC quốc gia", "CSDLQG dân cư"],
        data_formats=["PostgreSQL", "JSON API"], encodings=["UTF-8"], staff=3,
        notes="Thuê dịch vụ VNPT, thử nghiệm từ 17/4/2024; ~850.000 hồ sơ trong 13 tháng; chi phí vận hành do "
              "Trung tâm CNTT-TT Quảng Nam chi trả",
    )


def _seed_case_partner() -> System:
    """Đà Nẵng's own electronic one-stop-shop system (city-funded, in the city data centre)."""
    return System(
        id="48-TTHC", unit_code="48", name="Hệ thống thông tin giải quyết TTHC (một cửa điện tử) Đà Nẵng", kind="tthc",
        owner="Văn phòng UBND thành phố", vendor=None, hosting="data_centre", phase="production",
        in_operation_since=date(2016, 1, 1), users=4100, records=2_600_000, monthly_volume=27_500, storage_gb=5200,
        capacity_users=12_000, capacity_monthly=70_000, capital_cost=9_000_000_000, yearly_cost=1_100_000_000,
        security_level=3, security_approved=True,
        integrations=["LGSP", "NDXP", "Cổng DVC quốc gia", "CSDLQG dân cư"],
        data_formats=["PostgreSQL"], encodings=["UTF-8"], staff=5,
        notes="Phần mềm một cửa điện tử do thành phố đầu tư, đặt tại Trung tâm dữ liệu Đà Nẵng",
    )


def _domains(rng: random.Random) -> list[str]:
    others = [d.code for d in DOMAINS if d.code not in ALWAYS_DOMAINS]
    return list(ALWAYS_DOMAINS) + sorted(rng.sample(others, rng.randrange(6, 9)))


def _systems(scenario: str, seed: int, side: Side) -> list[System]:
    rng = _rng(scenario, seed, side.code, "systems")
    systems = [_system(rng, side, kind, None) for kind in SHARED_KINDS]
    systems += [_system(rng, side, "specialised", d) for d in _domains(rng)]
    if scenario == "danang":
        seed_case = _seed_case_tthc(side) if side.code == "49" else _seed_case_partner()
        systems = [seed_case if s.kind == "tthc" else s for s in systems]
    return systems


def _digitisation(scenario: str, seed: int, side: Side) -> list[Digitisation]:
    rng = _rng(scenario, seed, side.code, "digitisation")
    rows = []
    for unit in sorted(reference().communes_in("old", side.code), key=lambda u: u.code):
        total = rng.randrange(40, 420)
        low = rng.random() < (0.06 if side.absorbed else 0.02)
        share = rng.uniform(0.0, 0.009) if low else min(1.0, rng.betavariate(4, 2))
        rows.append(Digitisation(unit_code=side.code, commune_code=unit.code, commune_name=unit.name,
                                 books_total=total, books_digitised=int(total * share), as_of=SURVEYED_ON))
    return rows


def build_inventory(scenario: str, seed: int, code: str) -> tuple[Inventory, list[Digitisation]]:
    """The inventory and digitisation figures of one old province of a scenario."""
    side = next((s for s in _sides(scenario) if s.code == code), None)
    if side is None:
        raise ConfigError("province not in scenario", source=scenario, value=code)
    inventory = Inventory(unit_code=code, unit_name=_province_name(code), surveyed_on=SURVEYED_ON,
                          systems=_systems(scenario, seed, side))
    return inventory, _digitisation(scenario, seed, side)


def _sides(scenario: str) -> tuple[Side, Side]:
    if scenario not in SCENARIOS:
        raise ConfigError("unknown scenario", value=scenario, reason=f"expected one of {', '.join(SCENARIOS)}")
    return SCENARIOS[scenario]


def write_inventory(scenario: str, seed: int, out_dir: Path) -> list[Path]:
    """Write ``inventory-CODE.xlsx`` for both old provinces of the scenario; returns the paths (absorbed first)."""
    out_dir = Path(out_dir)
    paths = []
    for side in _sides(scenario):
        inventory, digitisation = build_inventory(scenario, seed, side.code)
        paths.append(write_inventory_workbook(out_dir / f"inventory-{side.code}.xlsx", inventory, digitisation))
    return paths
