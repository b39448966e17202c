"""The catalog's data: inventories of systems, decisions, overrides, roadmap tasks, task status, digitisation.

Money is in VND (integers), dates are ``datetime.date``. Every model is a Pydantic model so that the Excel/YAML
importers, the DuckDB store and the (future) web app validate the same way.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hopnhat.catalog.kinds import ActionCode, HostingCode, KindCode, PhaseCode
from hopnhat.i18n import tr


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Origin(_Model):
    """Where a system's row was read: file, sheet (or YAML list), row, and the column (letter or key) of each field."""

    file: str
    sheet: str
    row: int
    columns: dict[str, str] = Field(default_factory=dict)


class System(_Model):
    """One information system or database of one old province, as its IT department surveyed it.

    ``id`` is unique within its province only (both provinces may number from 1): a system is known everywhere by
    :attr:`key`, the province-qualified id (``49-TTHC`` stays ``49-TTHC``; id ``1`` of province 49 is ``49-1``).
    """

    id: str = Field(min_length=1, description="unique within the province, e.g. 49-TTHC or 1")
    unit_code: str = Field(pattern=r"^\d{2}$", description="old province code")
    name: str = Field(min_length=1)
    kind: KindCode
    domain: str | None = None
    owner: str = Field(min_length=1, description="owner department")
    vendor: str | None = None
    hosting: HostingCode
    phase: PhaseCode = "production"
    in_operation_since: date | None = None
    support_end: date | None = None
    users: int = Field(ge=0)
    records: int = Field(ge=0)
    monthly_volume: int = Field(ge=0)
    storage_gb: float = Field(default=0, ge=0)
    capacity_users: int | None = Field(default=None, ge=0)
    capacity_monthly: int | None = Field(default=None, ge=0)
    capital_cost: int = Field(default=0, ge=0)
    yearly_cost: int = Field(default=0, ge=0, description="operations and maintenance per year, VND")
    lease_cost: int = Field(default=0, ge=0, description="lease for the whole contract, VND")
    lease_years: float | None = Field(default=None, gt=0)
    lease_start: date | None = None
    lease_end: date | None = None
    security_level: int | None = Field(default=None, ge=1, le=5)
    security_approved: bool = False
    integrations: list[str] = Field(default_factory=list)
    data_formats: list[str] = Field(default_factory=list)
    encodings: list[str] = Field(default_factory=list)
    staff: int = Field(default=0, ge=0)
    notes: str = ""
    origin: Origin | None = None

    @model_validator(mode="after")
    def _check(self) -> System:
        if self.kind == "specialised" and not self.domain:
            raise ValueError(tr("CSDL chuyên ngành phải ghi lĩnh vực (domain)",
                                "a specialised database needs its domain"))
        if self.lease_start and self.lease_end and self.lease_end < self.lease_start:
            raise ValueError(tr("ngày hết hạn hợp đồng (lease_end) trước ngày bắt đầu thuê (lease_start)",
                                "lease_end is before lease_start"))
        return self

    @property
    def key(self) -> str:
        """The province-qualified id, unique across every imported province."""
        return system_key(self.unit_code, self.id)

    @property
    def pair_key(self) -> str:
        return self.kind if self.kind != "specialised" else f"specialised:{self.domain}"

    @property
    def yearly_lease(self) -> float:
        if not self.lease_cost:
            return 0.0
        return self.lease_cost / (self.lease_years or 1.0)


def system_key(unit_code: str, system_id: str) -> str:
    """``49`` + ``TTHC`` → ``49-TTHC``; an id already starting with its province code stays as it is."""
    return system_id if system_id.startswith(f"{unit_code}-") else f"{unit_code}-{system_id}"


class Inventory(_Model):
    unit_code: str = Field(pattern=r"^\d{2}$")
    unit_name: str
    surveyed_on: date | None = None
    systems: list[System]

    @model_validator(mode="after")
    def _unique(self) -> Inventory:
        seen: dict[str, str] = {}
        for s in self.systems:
            if s.key in seen:
                raise ValueError(tr(f"mã hệ thống {s.id!r} trùng với {seen[s.key]!r} trong cùng tỉnh {self.unit_code} "
                                    f"(cả hai thành {s.key!r}); mỗi mã chỉ dùng một lần trong một tỉnh",
                                    f"system id {s.id!r} clashes with {seen[s.key]!r} in province {self.unit_code} "
                                    f"(both are {s.key!r}); an id is used once per province"))
            seen[s.key] = s.id
        return self


class Digitisation(_Model):
    """Civil-status books digitised in one old commune, as of one date (a tracked figure)."""

    unit_code: str
    commune_code: str
    commune_name: str
    books_total: int = Field(ge=0)
    books_digitised: int = Field(ge=0)
    as_of: date

    @property
    def share(self) -> float:
        return self.books_digitised / self.books_total if self.books_total else 0.0


class Evidence(_Model):
    """One inventory cell a criterion's score was computed from."""

    system: str  # the system's key
    field: str
    value: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""  # the column letter (Excel) or key (YAML)

    @property
    def cell(self) -> str:
        """``inventory-49.xlsx › HeThong!J7`` or ``q.yaml › systems[3].users``; ``—`` when not read from a file."""
        if not self.sheet:
            return "—"
        if self.column.isalpha() and self.column.isupper():
            return f"{self.file} › {self.sheet}!{self.column}{self.row}"
        return f"{self.file} › {self.sheet}[{self.row}].{self.column}"


class Criterion(_Model):
    name: str
    weight: float
    score: float
    reason_vi: str
    reason_en: str
    evidence: list[Evidence] = Field(default_factory=list)


class Decision(_Model):
    """The recommendation for one system, with the scores and reasons behind it."""

    system_id: str
    pair_key: str
    partner_id: str | None
    action: ActionCode
    recommended: ActionCode
    survivor_id: str
    total: float
    criteria: list[Criterion]
    reasons_vi: list[str]
    reasons_en: list[str]
    horizon_cost: int = 0
    required_level: int | None = None
    override_note: str | None = None
    override_by: str | None = None
    run_both: bool = False  # kept beside another system of the same role on a planner's explicit decision


class Override(_Model):
    system_id: str  # the system's key
    action: ActionCode
    note: str = Field(min_length=1)
    by: str = "planner"
    at: datetime
    run_both: bool = False  # keep this system beside another kept one of the same role, on purpose (note says why)


TaskKind = str  # prepare | migrate_data | switch_users | readonly | retire | extend | milestone


class Task(_Model):
    id: str
    system_id: str | None
    kind: TaskKind
    title_vi: str
    title_en: str
    owner: str
    start: date
    due: date
    budget: int = 0
    depends_on: list[str] = Field(default_factory=list)
    urgent: bool = False
    fixed: bool = False
    run_ids: list[str] = Field(default_factory=list)
    unit_code: str | None = None  # old province of the system the task is about


TaskState = str  # todo | doing | done | blocked


class TaskStatus(_Model):
    task_id: str
    state: str = Field(pattern=r"^(todo|doing|done|blocked)$")
    percent: float = Field(ge=0, le=100)
    at: date
    note: str = ""


SOURCE_STATES = ("live", "syncing", "frozen", "cut_over")


class SourceState(_Model):
    """A legacy source's place in its cut-over (append-only history; the latest per source applies): ``live`` (the
    old system takes work, nothing moved yet), ``syncing`` (runs move its data while it stays live), ``frozen`` (its
    final snapshot is recorded: the old system takes no more writes), ``cut_over`` (moved, reconciled, read-only)."""

    source: str
    system_id: str | None = None
    state: str = Field(pattern=r"^(live|syncing|frozen|cut_over)$")
    at: datetime
    by: str = ""
    note: str = ""
    report: str = ""  # the signed cut-over report, when there is one
