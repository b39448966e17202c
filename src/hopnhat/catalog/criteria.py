"""The eight criteria of the evaluation. Each returns a score in [0, 1] for one candidate, says why in words and
names the inventory cells it was computed from (the evidence a steering committee can check).

All criteria look at the MERGED situation: the load of every candidate together, the cost of keeping this candidate
(including what the others' leases still cost if they are dropped), the level the merged system needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hopnhat.catalog.columns import BY_FIELD
from hopnhat.catalog.fmt import day_en, day_vi, num_en, num_vi, pct_en, pct_vi, vnd_en, vnd_vi
from hopnhat.catalog.kinds import BACKBONE_INTEGRATIONS, label
from hopnhat.catalog.model import Criterion, Evidence, System
from hopnhat.catalog.security import SecurityNeed
from hopnhat.catalog.settings import CatalogSettings

CRITERIA = ("capacity", "cost", "security", "integration", "migration", "continuity", "vendor", "age")
CRITERION_LABELS = {
    "capacity": ("Năng lực so với tải hợp nhất", "Capacity vs merged load"),
    "cost": ("Chi phí trong kỳ", "Cost over the horizon"),
    "security": ("An toàn thông tin (NĐ 85)", "Security level (Decree 85)"),
    "integration": ("Kết nối LGSP/NDXP, CSDL quốc gia", "Integration (LGSP/NDXP, national databases)"),
    "migration": ("Khối lượng dữ liệu phải chuyển", "Data volume to migrate"),
    "continuity": ("Rủi ro gián đoạn", "Continuity risk"),
    "vendor": ("Nhà cung cấp, hỗ trợ", "Vendor and support"),
    "age": ("Tuổi đời, thời hạn hỗ trợ kỹ thuật", "Age and end of support"),
}


@dataclass(frozen=True)
class Context:
    candidates: tuple[System, ...]
    settings: CatalogSettings
    need: SecurityNeed

    @property
    def merged_users(self) -> int:
        return sum(s.users for s in self.candidates)

    @property
    def merged_monthly(self) -> int:
        return sum(s.monthly_volume for s in self.candidates)

    @property
    def horizon_end(self) -> date:
        days = int(round(self.settings.horizon_years * 365.25))
        return self.settings.merger_date + timedelta(days=days)

    def others(self, system: System) -> tuple[System, ...]:
        return tuple(s for s in self.candidates if s.key != system.key)


def _shown(field: str, value: Any) -> str:
    if value is None or value == []:
        return "(trống)"
    kind = BY_FIELD[field].type if field in BY_FIELD else "str"
    if kind in ("kind", "hosting", "phase", "domain"):
        return label(kind, value)
    if kind == "bool":
        return "Có" if value else "Không"
    if kind == "date":
        return day_vi(value)
    if kind == "money":
        return vnd_vi(value)
    if kind == "int":
        return num_vi(value)
    if kind == "list":
        return "; ".join(value)
    return str(value).replace(".", ",") if kind == "float" else str(value)


def cells(s: System, *fields: str) -> list[Evidence]:
    """The inventory cells of ``fields`` of one system: file, sheet, row, column and the value read."""
    o = s.origin
    return [Evidence(system=s.key, field=f, value=_shown(f, getattr(s, f)), file=o.file if o else "",
                     sheet=o.sheet if o else "", row=o.row if o else None,
                     column=o.columns.get(f, f) if o else "") for f in fields]


def _criterion(name: str, ctx: Context, score: float, vi: str, en: str, evidence: list[Evidence]) -> Criterion:
    return Criterion(name=name, weight=round(ctx.settings.weight(name), 4), score=round(max(0.0, min(1.0, score)), 4),
                     reason_vi=vi, reason_en=en, evidence=evidence)


def _years_between(start: date, end: date) -> float:
    return max(0.0, (end - start).days / 365.25)


# ---------------------------------------------------------------- capacity

def capacity(s: System, ctx: Context) -> Criterion:
    cap_m = s.capacity_monthly or s.monthly_volume
    cap_u = s.capacity_users or s.users
    ratio_m = cap_m / ctx.merged_monthly if ctx.merged_monthly else 1.0
    ratio_u = cap_u / ctx.merged_users if ctx.merged_users else 1.0
    score = (min(1.0, ratio_m) + min(1.0, ratio_u)) / 2
    vi = (f"năng lực {num_vi(cap_m)} giao dịch/tháng, {num_vi(cap_u)} người dùng; tải hợp nhất "
          f"{num_vi(ctx.merged_monthly)}/tháng, {num_vi(ctx.merged_users)} người dùng (đáp ứng "
          f"{pct_vi(min(ratio_m, ratio_u))})")
    en = (f"capacity {num_en(cap_m)} transactions/month, {num_en(cap_u)} users; merged load "
          f"{num_en(ctx.merged_monthly)}/month, {num_en(ctx.merged_users)} users (covers "
          f"{pct_en(min(ratio_m, ratio_u))})")
    own = ["capacity_monthly" if s.capacity_monthly else "monthly_volume",
           "capacity_users" if s.capacity_users else "users"]
    load = [e for c in ctx.candidates for e in cells(c, "monthly_volume", "users")]
    return _criterion("capacity", ctx, score, vi, en, cells(s, *own) + load)


# ---------------------------------------------------------------- cost

@dataclass(frozen=True)
class CostBreakdown:
    operations: int
    lease: int
    expansion: int
    stranded: int  # leases of the dropped candidates that still run after the merger

    @property
    def total(self) -> int:
        return self.operations + self.lease + self.expansion + self.stranded


def _lease_over_horizon(s: System, ctx: Context) -> float:
    """Lease at contract price until it ends; renewal priced on the merged volume (services are sold per volume)."""
    if not s.lease_cost:
        return 0.0
    start, end = ctx.settings.merger_date, ctx.horizon_end
    contract_end = min(s.lease_end or end, end)
    under_contract = _years_between(start, contract_end) * s.yearly_lease
    scale = ctx.merged_monthly / s.monthly_volume if s.monthly_volume else 1.0
    return under_contract + _years_between(contract_end, end) * s.yearly_lease * max(1.0, scale)


def _stranded(s: System, ctx: Context) -> float:
    if not s.lease_cost or not s.lease_end:
        return 0.0
    return _years_between(ctx.settings.merger_date, min(s.lease_end, ctx.horizon_end)) * s.yearly_lease


def _expansion(s: System, ctx: Context) -> float:
    cap = s.capacity_monthly or s.monthly_volume
    if s.hosting == "leased" or not cap or ctx.merged_monthly <= cap:
        return 0.0
    return s.capital_cost * (ctx.merged_monthly / cap - 1)


def cost_of_keeping(s: System, ctx: Context) -> CostBreakdown:
    ops = s.yearly_cost * ctx.settings.horizon_years
    stranded = sum(_stranded(o, ctx) for o in ctx.others(s))
    return CostBreakdown(int(round(ops, -6)), int(round(_lease_over_horizon(s, ctx), -6)),
                         int(round(_expansion(s, ctx), -6)), int(round(stranded, -6)))


def cost(s: System, ctx: Context) -> Criterion:
    mine = cost_of_keeping(s, ctx)
    cheapest = min(cost_of_keeping(c, ctx).total for c in ctx.candidates)
    score = cheapest / mine.total if mine.total else 1.0
    years = f"{ctx.settings.horizon_years:g}"
    vi = (f"giữ hệ thống này {years} năm tốn {vnd_vi(mine.total)} (vận hành {vnd_vi(mine.operations)}, thuê "
          f"{vnd_vi(mine.lease)}, mở rộng {vnd_vi(mine.expansion)}, hợp đồng thuê còn phải trả của hệ thống bị thay "
          f"{vnd_vi(mine.stranded)})")
    en = (f"keeping it for {years} years costs {vnd_en(mine.total)} (operations {vnd_en(mine.operations)}, lease "
          f"{vnd_en(mine.lease)}, expansion {vnd_en(mine.expansion)}, leases still owed on the replaced system "
          f"{vnd_en(mine.stranded)})")
    evidence = cells(s, "yearly_cost", "lease_cost", "lease_years", "lease_end", "capital_cost")
    evidence += [e for o in ctx.others(s) if o.lease_cost for e in cells(o, "lease_cost", "lease_end")]
    return _criterion("cost", ctx, score, vi, en, evidence)


# ---------------------------------------------------------------- security

def security(s: System, ctx: Context) -> Criterion:
    need, level = ctx.need.level, s.security_level or 0
    if level >= need:
        score = 1.0 if s.security_approved else 0.7
    else:
        score = 0.4 if level == need - 1 else 0.1
    state_vi = "đã phê duyệt hồ sơ cấp độ" if s.security_approved else "chưa phê duyệt hồ sơ cấp độ"
    state_en = "level dossier approved" if s.security_approved else "level dossier not approved"
    vi = f"cấp độ hiện tại {level or '—'} ({state_vi}); hệ thống hợp nhất cần cấp độ {need}"
    en = f"current level {level or '—'} ({state_en}); the merged system needs level {need}"
    evidence = cells(s, "security_level", "security_approved")
    if ctx.need.crossed:
        evidence += [e for c in ctx.candidates for e in cells(c, "users")]
    return _criterion("security", ctx, score, vi, en, evidence)


# ---------------------------------------------------------------- integration

def _integration_weight(names: set[str]) -> float:
    return sum(2.0 if n in BACKBONE_INTEGRATIONS else 1.0 for n in names)


def integration(s: System, ctx: Context) -> Criterion:
    union = {i for c in ctx.candidates for i in c.integrations}
    mine = set(s.integrations)
    score = _integration_weight(mine) / _integration_weight(union) if union else 1.0
    missing = ", ".join(sorted(union - mine)) or "—"
    vi = f"đã kết nối {', '.join(sorted(mine)) or 'không có'}; còn thiếu: {missing}"
    en = f"connected to {', '.join(sorted(mine)) or 'nothing'}; missing: {missing}"
    return _criterion("integration", ctx, score, vi, en, [e for c in ctx.candidates for e in cells(c, "integrations")])


# ---------------------------------------------------------------- migration

def migration(s: System, ctx: Context) -> Criterion:
    total = sum(c.records for c in ctx.candidates)
    incoming = sum(o.records for o in ctx.others(s))
    share = incoming / total if total else 0.0
    vi = f"phải chuyển vào {num_vi(incoming)} bản ghi ({pct_vi(share)} tổng dữ liệu)"
    en = f"{num_en(incoming)} records to migrate into it ({pct_en(share)} of all data)"
    return _criterion("migration", ctx, 1.0 - share, vi, en, [e for c in ctx.candidates for e in cells(c, "records")])


# ---------------------------------------------------------------- continuity

def _continuity_risks(s: System, ctx: Context) -> list[tuple[float, str, str]]:
    risks = []
    if s.phase == "trial":
        risks.append((0.3, "đang vận hành thử nghiệm", "still in trial operation"))
    soon = ctx.settings.merger_date + timedelta(days=365)
    if s.lease_end and s.lease_end <= soon:
        risks.append((0.3, f"hợp đồng thuê hết hạn {day_vi(s.lease_end)}", f"lease ends {day_en(s.lease_end)}"))
    if s.staff == 0 and not s.vendor:
        risks.append((0.2, "không có cán bộ vận hành", "no operating staff"))
    return risks


def continuity(s: System, ctx: Context) -> Criterion:
    risks = _continuity_risks(s, ctx)
    share = s.users / ctx.merged_users if ctx.merged_users else 1.0
    score = 0.7 * max(0.0, 1.0 - sum(r[0] for r in risks)) + 0.3 * share
    vi = f"đang phục vụ {pct_vi(share)} người dùng hợp nhất; rủi ro: {'; '.join(r[1] for r in risks) or 'không'}"
    en = f"already serves {pct_en(share)} of merged users; risks: {'; '.join(r[2] for r in risks) or 'none'}"
    return _criterion("continuity", ctx, score, vi, en, cells(s, "users", "phase", "lease_end", "staff", "vendor"))


# ---------------------------------------------------------------- vendor

def vendor(s: System, ctx: Context) -> Criterion:
    if s.vendor and s.hosting == "leased":
        score = 1.0
        vi, en = f"{s.vendor} vận hành theo hợp đồng dịch vụ", f"{s.vendor} operates it under a service contract"
    elif s.vendor:
        score, vi, en = 0.8, f"{s.vendor} hỗ trợ; {s.staff} cán bộ vận hành", f"{s.vendor} supports it; {s.staff} staff"
    else:
        score = 0.8 if s.staff >= 3 else 0.5 if s.staff else 0.2
        vi, en = f"tự phát triển; {s.staff} cán bộ vận hành", f"built in-house; {s.staff} operating staff"
    return _criterion("vendor", ctx, score, vi, en, cells(s, "vendor", "hosting", "staff"))


# ---------------------------------------------------------------- age and end of support

#: full marks up to this age (years at the merger date), then a tenth less per year, never below the floor
AGE_FULL_YEARS, AGE_FLOOR = 5.0, 0.2


def _age_part(s: System, ctx: Context) -> tuple[float, str, str]:
    if not s.in_operation_since:
        return 0.5, "không rõ năm đưa vào vận hành", "year put into operation unknown"
    years = _years_between(s.in_operation_since, ctx.settings.merger_date)
    score = max(AGE_FLOOR, min(1.0, 1.0 - (years - AGE_FULL_YEARS) * 0.1))
    shown = f"{years:.1f}"
    return score, f"vận hành {shown.replace('.', ',')} năm (từ {day_vi(s.in_operation_since)})", \
        f"in operation for {shown} years (since {day_en(s.in_operation_since)})"


def _support_part(s: System, ctx: Context) -> tuple[float, str, str]:
    end = s.support_end
    if end is None:
        return 0.8, "không rõ thời hạn hỗ trợ kỹ thuật", "end of support unknown"
    if end <= ctx.settings.merger_date:
        return 0.3, f"đã hết hỗ trợ kỹ thuật từ {day_vi(end)}", f"out of support since {day_en(end)}"
    if end <= ctx.horizon_end:
        return 0.6, f"hết hỗ trợ kỹ thuật {day_vi(end)}, trong kỳ đánh giá", \
            f"support ends {day_en(end)}, within the horizon"
    return 1.0, f"còn hỗ trợ kỹ thuật đến {day_vi(end)}", f"supported until {day_en(end)}"


def age(s: System, ctx: Context) -> Criterion:
    a_score, a_vi, a_en = _age_part(s, ctx)
    p_score, p_vi, p_en = _support_part(s, ctx)
    return _criterion("age", ctx, a_score * p_score, f"{a_vi}; {p_vi}", f"{a_en}; {p_en}",
                      cells(s, "in_operation_since", "support_end"))


SCORERS = {"capacity": capacity, "cost": cost, "security": security, "integration": integration,
           "migration": migration, "continuity": continuity, "vendor": vendor, "age": age}


def score_all(s: System, ctx: Context) -> list[Criterion]:
    return [SCORERS[name](s, ctx) for name in CRITERIA]
