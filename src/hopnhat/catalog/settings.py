"""Catalog settings: the ``catalog:`` section of merger.yaml (or a plain YAML file with the same keys).

Every key is optional; the defaults are shown::

    catalog:
      survivor_unit: "48"          # old province whose name and code the new province keeps (wins ties)
      absorbed_units: ["49"]       # informational; pairs are made across all imported units
      merger_date: 2025-07-01      # the day the merged province exists: urgent systems must be ready
      plan_start: 2025-05-15       # first day of the roadmap
      horizon_years: 3             # cost horizon for the comparison
      weights:                     # relative weights of the criteria (normalised to sum 1)
        capacity: 0.20
        cost: 0.20
        security: 0.15
        integration: 0.15
        migration: 0.10
        continuity: 0.15
        vendor: 0.05
        age: 0.10                  # years in operation and end of vendor support
      tie_margin: 0.03             # totals closer than this are a tie → survivor_unit's system is kept
      decree85_user_thresholds: {3: 10000}   # merged users ≥ N ⇒ at least this level (configurable)
      urgent_kinds: [email, lgsp, …]  # default: all 12 shared systems, which must run from the merger date
      readonly_months: 60          # how long an old system stays read-only for lookup before retirement
      owners:                      # who leads each task; default: the inventory's owner department of the system
        default: "Sở Khoa học và Công nghệ"   # only for a system whose inventory names no owner
        tthc: "Văn phòng UBND tỉnh"           # a role (kind, or a specialised domain) …
        49-TTHC: "Trung tâm Phục vụ hành chính công"   # … or one system (id or province-qualified id)
      rates:                       # VND, for task budgets
        migration_per_1000_records: 150000
        training_per_user: 40000
        security_dossier: 150000000
      milestones:                  # fixed dates the planner adds
        - {id: IOC, title: "Trung tâm điều hành IOC", due: 2025-07-31, owner: "Sở KH&CN", budget: 0}
      overrides:                   # planner decisions that replace the recommendation (recorded with the note)
        - {system: 49-TTHC, action: keep, note: "Ban chỉ đạo thống nhất thuê dịch vụ"}
        # keeping two systems of one role is refused, unless said on purpose: run_both: true (the note says why)

The Decree-85 thresholds default to the project's design note (level 2 is for fewer than 10,000 users); the planner
must check them against the decree and Circular 12/2022/TT-BTTTT for each system type and set them here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hopnhat.catalog.kinds import SHARED_KINDS, ActionCode
from hopnhat.catalog.yamltext import load_text
from hopnhat.errors import ConfigError
from hopnhat.i18n import tr

DEFAULT_WEIGHTS: dict[str, float] = {"capacity": 0.20, "cost": 0.20, "security": 0.15, "integration": 0.15,
                                     "migration": 0.10, "continuity": 0.15, "vendor": 0.05, "age": 0.10}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rates(_Strict):
    migration_per_1000_records: int = 150_000
    training_per_user: int = 40_000
    security_dossier: int = 150_000_000


class Milestone(_Strict):
    id: str
    title: str
    due: date
    owner: str = "Sở Khoa học và Công nghệ"
    budget: int = 0
    start: date | None = None
    depends_on: list[str] = Field(default_factory=list)


class OverrideSpec(_Strict):
    system: str
    action: ActionCode
    note: str = Field(min_length=1)
    by: str = "planner"
    run_both: bool = False


class CatalogSettings(_Strict):
    survivor_unit: str | None = None
    absorbed_units: list[str] = Field(default_factory=list)
    merger_date: date = date(2025, 7, 1)
    plan_start: date = date(2025, 5, 15)
    horizon_years: float = Field(default=3.0, gt=0)
    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    tie_margin: float = Field(default=0.03, ge=0)
    decree85_user_thresholds: dict[int, int] = Field(default_factory=lambda: {3: 10_000})
    urgent_kinds: list[str] = Field(default_factory=lambda: list(SHARED_KINDS))
    readonly_months: int = Field(default=60, ge=0)
    owners: dict[str, str] = Field(default_factory=lambda: {"default": "Sở Khoa học và Công nghệ"})
    rates: Rates = Field(default_factory=Rates)
    milestones: list[Milestone] = Field(default_factory=list)
    overrides: list[OverrideSpec] = Field(default_factory=list)

    def weight(self, name: str) -> float:
        total = sum(self.weights.get(k, 0.0) for k in DEFAULT_WEIGHTS) or 1.0
        return self.weights.get(name, 0.0) / total

    def owner(self, kind: str) -> str:
        return self.owners.get(kind) or self.owners.get("default") or "Sở Khoa học và Công nghệ"


def load_settings(path: Path | None) -> CatalogSettings:
    """Settings from merger.yaml's ``catalog:`` section, or a plain file of the same keys; defaults when None."""
    if path is None:
        return CatalogSettings()
    try:
        doc: Any = load_text(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise ConfigError(tr("không đọc được cấu hình danh mục", "cannot read the catalog settings"),
                          source=str(path), reason=type(exc).__name__ if not isinstance(exc, yaml.YAMLError)
                          else str(getattr(exc, "problem", None) or exc)) from exc
    section = doc.get("catalog", doc) if isinstance(doc, dict) else None
    if not isinstance(section, dict):
        raise ConfigError(tr("mục catalog: phải là một bảng khóa: giá trị", "the catalog settings must be a mapping"),
                          source=str(path), table="catalog")
    if "catalog" not in doc:
        section = {k: v for k, v in section.items() if k in CatalogSettings.model_fields}
    return _validate(section, path)


def _validate(section: dict[str, Any], path: Path) -> CatalogSettings:
    unknown = set(section.get("weights") or {}) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise ConfigError(tr("tiêu chí không có trong danh sách trọng số", "unknown criterion weight"),
                          source=str(path), table="catalog.weights", value=sorted(unknown),
                          reason=tr("các tiêu chí: ", "expected ") + ", ".join(DEFAULT_WEIGHTS))
    if isinstance(section.get("weights"), dict):
        section = {**section, "weights": {**DEFAULT_WEIGHTS, **section["weights"]}}
    try:
        return CatalogSettings.model_validate(section)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(tr("cấu hình danh mục không hợp lệ", "invalid catalog settings"), source=str(path),
                          column=".".join(str(x) for x in first["loc"]), value=first.get("input"),
                          reason=first["msg"]) from exc
