"""The three merged pairs hopnhat's users live in, and their volumes at ``--scale 1.0``.

Scale 1.0 is the seed figure: ~1 M persons and ~850,000 dossiers (13 months) for the larger old province, the other
proportionate to its population. The surviving province keeps its register in a SQL database; the absorbed one exports
CSV files in legacy encodings.
"""

from __future__ import annotations

from dataclasses import dataclass

from hopnhat.errors import ConfigError


@dataclass(frozen=True)
class Side:
    """One old province of a merged pair."""

    code: str  # old 2-digit province code
    slug: str  # folder name under OUT/estate
    persons: int  # persons at scale 1.0
    dossiers: int  # TTHC dossiers over 13 months at scale 1.0
    tax_prefix: str  # first 2 digits of enterprise tax codes issued there
    cmnd_prefix: str  # first 3 digits of the old 9-digit CMND issued there
    register_in_db: bool  # True: register in PostgreSQL/SQLite; False: CSV exports


@dataclass(frozen=True)
class Scenario:
    """A merged pair: ``absorbed`` + ``survivor`` → ``new_code``."""

    name: str
    new_code: str
    new_name: str
    absorbed: Side
    survivor: Side

    @property
    def sides(self) -> tuple[Side, Side]:
        return (self.absorbed, self.survivor)


SCENARIOS: dict[str, Scenario] = {
    "danang": Scenario(
        "danang", "48", "Thành phố Đà Nẵng",
        absorbed=Side("49", "quangnam", 1_000_000, 850_000, "40", "205", register_in_db=False),
        survivor=Side("48", "danang", 800_000, 680_000, "04", "201", register_in_db=True),
    ),
    "quangngai": Scenario(
        "quangngai", "51", "Tỉnh Quảng Ngãi",
        absorbed=Side("62", "kontum", 460_000, 390_000, "61", "233", register_in_db=False),
        survivor=Side("51", "quangngai", 1_000_000, 850_000, "43", "212", register_in_db=True),
    ),
    "haiphong": Scenario(
        "haiphong", "31", "Thành phố Hải Phòng",
        absorbed=Side("30", "haiduong", 930_000, 790_000, "08", "142", register_in_db=False),
        survivor=Side("31", "haiphong", 1_000_000, 850_000, "02", "031", register_in_db=True),
    ),
}
DEFAULT_SCENARIO = "danang"


def scenario(name: str) -> Scenario:
    """The scenario called ``name``; a :class:`ConfigError` naming the choices otherwise."""
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ConfigError("unknown scenario", value=name, reason=f"expected one of {', '.join(SCENARIOS)}") from None


def scaled(count: int, scale: float, minimum: int = 1) -> int:
    """``count`` at ``scale``, never below ``minimum``."""
    return max(minimum, round(count * scale))
