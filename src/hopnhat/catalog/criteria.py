"""The seven criteria of the evaluation. Each returns a score in [0, 1] for one candidate and says why, in words.

All criteria look at the MERGED situation: the load of every candidate together, the cost of keeping this candidate
(including what the others' leases still cost if they are dropped), the level the merged system needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hopnhat.catalog.fmt import day_en, day_vi, num_en, num_vi, pct, vnd_en, vnd_vi
from hopnhat.catalog.kinds import BACKBONE_INTEGRATIONS
from hopnhat.catalog.model import Criterion, System
from hopnhat.catalog.security import SecurityNeed
from hopnhat.catalog.settings import CatalogSettings

CRITERIA = ("capacity", "cost", "security", "integration", "migration", "continuity", "vendor")
CRITERION_LABELS = {
    "capacity": ("Năng lực so với tải hợp nhất", "Capacity vs merged load"),
    "cost": ("Chi phí trong kỳ", "Cost over the horizon"),
    "security": ("An toàn thông tin (NĐ 85)", "Security level (Decree 85)"),
    "integration": ("Kết nối LGSP/NDXP, CSDL quốc gia", "Integration (LGSP/NDXP, national databases)"),
    "migration": ("Khối lượng dữ liệu phải chuyển", "Data volume to migrate"),
    "continuity": ("Rủi ro gián đoạn", "Continuity risk"),
    "vendor": ("Nhà cung cấp, hỗ trợ", "Vendor and support"),
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
        return tuple(s for s in self.candidates if s.id != system.id)


def _criterion(name: str, ctx: Context, score: float, vi: str, en: str) -> Criterion:
    return Criterion(name=name, weight=round(ctx.settings.weight(name), 4), score=round(max(0.0, min(1.0, score)), 4),
                     reason_vi=vi, reason_en=en)


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
          f"{num_vi(ctx.merged_monthly)}/tháng, {num_vi(ctx.merged_users)} người dùng (đáp ứng {pct(min(ratio_m, ratio_u))})")
    en = (f"capacity {num_en(cap_m)} transactions/month, {num_en(cap_u)} users; merged load "
          f"{num_en(ctx.merged_monthly)}/month, {num_en(ctx.merged_users)} users (covers {pct(min(ratio_m, ratio_u))})")
    return _criterion("capacity", ctx, score, vi, en)


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
    return _criterion("cost", ctx, score, vi, en)


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
    return _criterion("security", ctx, score, vi, en)


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
    return _criterion("integration", ctx, score, vi, en)


# ---------------------------------------------------------------- migration

def migration(s: System, ctx: Context) -> Criterion:
    total = sum(c.records for c in ctx.candidates)
    incoming = sum(o.records for o in ctx.others(s))
    share = incoming / total if total else 0.0
    vi = f"phải chuyển vào {num_vi(incoming)} bản ghi ({pct(share)} tổng dữ liệu)"
    en = f"{num_en(incoming)} records to migrate into it ({pct(share)} of all data)"
    return _criterion("migration", ctx, 1.0 - share, vi, en)


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
    vi = f"đang phục vụ {pct(share)} người dùng hợp nhất; rủi ro: {'; '.join(r[1] for r in risks) or 'không'}"
    en = f"already serves {pct(share)} of merged users; risks: {'; '.join(r[2] for r in risks) or 'none'}"
    return _criterion("continuity", ctx, score, vi, en)


# ---------------------------------------------------------------- vendor

def vendor(s: System, ctx: Context) -> Criterion:
    if s.vendor and s.hosting == "leased":
        score, vi, en = 1.0, f"{s.vendor} vận hành theo hợp đồng dịch vụ", f"{s.vendor} operates it under a service contract"
    elif s.vendor:
        score, vi, en = 0.8, f"{s.vendor} hỗ trợ; {s.staff} cán bộ vận hành", f"{s.vendor} supports it; {s.staff} staff"
    else:
        score = 0.8 if s.staff >= 3 else 0.5 if s.staff else 0.2
        vi, en = f"tự phát triển; {s.staff} cán bộ vận hành", f"built in-house; {s.staff} operating staff"
    return _criterion("vendor", ctx, score, vi, en)


SCORERS = {"capacity": capacity, "cost": cost, "security": security, "integration": integration,
           "migration": migration, "continuity": continuity, "vendor": vendor}


def score_all(s: System, ctx: Context) -> list[Criterion]:
    return [SCORERS[name](s, ctx) for name in CRITERIA]
