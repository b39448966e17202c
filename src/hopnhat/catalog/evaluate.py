"""Evaluate each pair and recommend what happens to every system, with the reasons in words.

keep      — the survivor: becomes the merged province's shared system
migrate   — its data moves into the survivor, then it is retired
readonly  — its data moves into the survivor and it stays read-only for lookup (old dossiers, registers)
retire    — nothing worth migrating (video conferencing, meeting rooms, mobile app): retired once users switch

A planner's override replaces the recommendation; the note, who and when are kept beside the recommendation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from hopnhat.catalog.criteria import CRITERION_LABELS, Context, cost_of_keeping, score_all
from hopnhat.catalog.fmt import day_en, day_vi, num_en, num_vi, vnd_en, vnd_vi
from hopnhat.catalog.kinds import LOOKUP_KINDS, NO_DATA_KINDS, label, term
from hopnhat.catalog.model import Criterion, Decision, Override, System
from hopnhat.catalog.pairing import Pair
from hopnhat.catalog.security import SecurityNeed, security_need
from hopnhat.catalog.settings import CatalogSettings

_LEGACY_ENCODINGS = {"tcvn3", "vni", "abc", "windows-1258", "cp1258"}


def _total(criteria: Sequence[Criterion]) -> float:
    return round(sum(c.weight * c.score for c in criteria), 4)


def _pick_survivor(scored: dict[str, float], pair: Pair, settings: CatalogSettings) -> tuple[System, bool]:
    """Highest total; within the tie margin the surviving province's system, then the one with more data."""
    best = max(scored.values())
    close = [s for s in pair.systems if best - scored[s.id] <= settings.tie_margin]
    ranked = sorted(close, key=lambda s: (s.unit_code != settings.survivor_unit, -scored[s.id], -s.records, s.id))
    return ranked[0], len(close) > 1


def loser_action(system: System) -> str:
    """What happens to a system that is not kept."""
    if system.kind in NO_DATA_KINDS or system.records == 0:
        return "retire"
    legacy = any(e.lower() in _LEGACY_ENCODINGS for e in system.encodings)
    return "readonly" if system.kind in LOOKUP_KINDS or legacy else "migrate"


def _name(s: System) -> str:
    return f"{s.name} ({s.id})"


def _lower1(text: str) -> str:
    return text[:1].lower() + text[1:]


def _comparison(me: list[Criterion], other: list[Criterion]) -> tuple[list[str], list[str]]:
    diffs = sorted(((m.weight * (m.score - o.score), m) for m, o in zip(me, other, strict=True)), key=lambda x: -x[0])
    vi, en = [], []
    for delta, c in diffs[:3]:
        if delta > 0.001:
            lv, le = CRITERION_LABELS[c.name]
            vi.append(f"Hơn ở {_lower1(lv)}: {c.reason_vi}.")
            en.append(f"Better on {_lower1(le)}: {c.reason_en}.")
    delta, c = diffs[-1]
    if delta < -0.001:
        lv, le = CRITERION_LABELS[c.name]
        vi.append(f"Kém hơn ở {_lower1(lv)}: {c.reason_vi}.")
        en.append(f"Weaker on {_lower1(le)}: {c.reason_en}.")
    return vi, en


def _keep_reasons(s: System, others: Sequence[System], scores: dict[str, list[Criterion]], tie: bool,
                  need: SecurityNeed) -> tuple[list[str], list[str]]:
    if not others:
        vi = [f"Chỉ tỉnh {s.unit_code} có hệ thống này: giữ và mở rộng cho toàn tỉnh mới."]
        en = [f"Only province {s.unit_code} has this system: keep it and extend it to the whole new province."]
    else:
        rival = max(others, key=lambda o: _total(scores[o.id]))
        vi = [f"Tổng điểm {_total(scores[s.id]):.2f} so với {_total(scores[rival.id]):.2f} của {_name(rival)}."]
        en = [f"Total score {_total(scores[s.id]):.2f} against {_total(scores[rival.id]):.2f} for {_name(rival)}."]
        cv, ce = _comparison(scores[s.id], scores[rival.id])
        vi, en = vi + cv, en + ce
        if tie:
            vi.append("Điểm gần bằng nhau: ưu tiên hệ thống của tỉnh giữ tên.")
            en.append("Scores within the tie margin: the surviving province's system is preferred.")
    for ob_vi, ob_en in need.obligations():
        vi.append(f"ATTT: {ob_vi}.")
        en.append(f"Security: {ob_en}.")
    return vi, en


def _loser_reasons(s: System, action: str, survivor: System, settings: CatalogSettings) -> tuple[list[str], list[str]]:
    vi = [f"Hệ thống dùng chung là {_name(survivor)}."]
    en = [f"The shared system is {_name(survivor)}."]
    if action == "retire":
        vi.append("Không có dữ liệu nghiệp vụ cần chuyển: chuyển người dùng rồi dừng hệ thống.")
        en.append("No business data to migrate: switch the users, then retire the system.")
    else:
        vi.append(f"Chuyển {num_vi(s.records)} bản ghi sang hệ thống dùng chung, đối soát đủ trước khi dừng.")
        en.append(f"Migrate {num_en(s.records)} records into the shared system, reconciled before it stops.")
    if action == "readonly":
        vi.append(f"Giữ chỉ đọc {settings.readonly_months} tháng để tra cứu; không xóa dữ liệu (Luật Lưu trữ).")
        en.append(f"Keep it read-only for lookup for {settings.readonly_months} months; no data is deleted "
                  "(archives law).")
    if s.lease_end and s.lease_end > settings.merger_date:
        owed = (s.lease_end - settings.merger_date).days / 365.25 * s.yearly_lease
        vi.append(f"Hợp đồng thuê còn đến {day_vi(s.lease_end)} (khoảng {vnd_vi(owed)}): thương lượng chấm dứt "
                  "sớm hoặc dùng làm kho tra cứu đến hết hạn.")
        en.append(f"The lease runs until {day_en(s.lease_end)} (about {vnd_en(owed)}): negotiate an early end or use "
                  "it as the lookup archive until then.")
    return vi, en


def evaluate_pair(pair: Pair, settings: CatalogSettings) -> list[Decision]:
    """Score every candidate of one pair and decide each one's fate."""
    need = security_need(pair.systems, settings)
    ctx = Context(pair.systems, settings, need)
    scores = {s.id: score_all(s, ctx) for s in pair.systems}
    survivor, tie = _pick_survivor({k: _total(v) for k, v in scores.items()}, pair, settings)
    out = []
    for s in pair.systems:
        others = ctx.others(s)
        if s.id == survivor.id:
            action = "keep"
            vi, en = _keep_reasons(s, others, scores, tie, need)
        else:
            action = loser_action(s)
            vi, en = _loser_reasons(s, action, survivor, settings)
        partner = survivor.id if s.id != survivor.id else (others[0].id if others else None)
        out.append(Decision(system_id=s.id, pair_key=pair.key, partner_id=partner, action=action,
                            recommended=action, survivor_id=survivor.id, total=_total(scores[s.id]),
                            criteria=scores[s.id], reasons_vi=vi, reasons_en=en,
                            horizon_cost=cost_of_keeping(s, ctx).total, required_level=need.level))
    return out


def evaluate(pairs: Iterable[Pair], settings: CatalogSettings) -> list[Decision]:
    return [d for pair in pairs for d in evaluate_pair(pair, settings)]


# ---------------------------------------------------------------- overrides

def overrides_from_settings(settings: CatalogSettings, at: datetime) -> list[Override]:
    return [Override(system_id=o.system, action=o.action, note=o.note, by=o.by, at=at) for o in settings.overrides]


def _override_one(d: Decision, o: Override) -> Decision:
    vi = [f"Người lập kế hoạch ({o.by}) chọn: {term('action', o.action).vi} — {o.note}"] + d.reasons_vi
    en = [f"Planner ({o.by}) chose: {term('action', o.action).en} — {o.note}"] + d.reasons_en
    return d.model_copy(update={"action": o.action, "override_note": o.note, "override_by": o.by,
                                "reasons_vi": vi, "reasons_en": en})


def _rebalance(group: list[Decision], systems: dict[str, System], settings: CatalogSettings) -> list[Decision]:
    """After an override keeps another system, the former survivor (not itself overridden) gives way to it."""
    kept = [d for d in group if d.action == "keep" and d.override_note]
    if not kept:
        return group
    new_survivor = kept[0].system_id
    out = []
    for d in group:
        update: dict = {"survivor_id": new_survivor}
        if d.system_id != new_survivor and not d.override_note and d.action == "keep":
            action = loser_action(systems[d.system_id])
            vi, en = _loser_reasons(systems[d.system_id], action, systems[new_survivor], settings)
            update |= {"action": action, "reasons_vi": vi + d.reasons_vi, "reasons_en": en + d.reasons_en}
        out.append(d.model_copy(update=update))
    return out


def apply_overrides(decisions: Sequence[Decision], overrides: Sequence[Override], systems: dict[str, System],
                    settings: CatalogSettings) -> list[Decision]:
    """The decisions with the latest override per system applied; the recommendation stays in ``recommended``."""
    latest = {o.system_id: o for o in sorted(overrides, key=lambda o: o.at)}
    applied = [_override_one(d, latest[d.system_id]) if d.system_id in latest else d for d in decisions]
    groups: dict[str, list[Decision]] = {}
    for d in applied:
        groups.setdefault(d.pair_key, []).append(d)
    return [d for g in groups.values() for d in _rebalance(g, systems, settings)]


def action_label(code: str) -> str:
    return label("action", code)
