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
from typing import Any

from hopnhat.catalog.criteria import CRITERION_LABELS, Context, cost_of_keeping, score_all
from hopnhat.catalog.errors import CatalogError
from hopnhat.catalog.fmt import day_en, day_vi, dec_vi, num_en, num_vi, vnd_en, vnd_vi
from hopnhat.catalog.kinds import LOOKUP_KINDS, NO_DATA_KINDS, ActionCode, label, term
from hopnhat.catalog.model import Criterion, Decision, Override, System
from hopnhat.catalog.pairing import Pair
from hopnhat.catalog.security import SecurityNeed, security_need
from hopnhat.catalog.settings import CatalogSettings
from hopnhat.i18n import tr

_LEGACY_ENCODINGS = {"tcvn3", "vni", "abc", "windows-1258", "cp1258"}


def _total(criteria: Sequence[Criterion]) -> float:
    return round(sum(c.weight * c.score for c in criteria), 4)


def _pick_survivor(scored: dict[str, float], pair: Pair, settings: CatalogSettings) -> tuple[System, bool]:
    """Highest total; within the tie margin the surviving province's system, then the one with more data."""
    best = max(scored.values())
    close = [s for s in pair.systems if best - scored[s.key] <= settings.tie_margin]
    ranked = sorted(close, key=lambda s: (s.unit_code != settings.survivor_unit, -scored[s.key], -s.records, s.key))
    return ranked[0], len(close) > 1


def loser_action(system: System) -> ActionCode:
    """What happens to a system that is not kept."""
    if system.kind in NO_DATA_KINDS or system.records == 0:
        return "retire"
    legacy = any(e.lower() in _LEGACY_ENCODINGS for e in system.encodings)
    return "readonly" if system.kind in LOOKUP_KINDS or legacy else "migrate"


def _name(s: System) -> str:
    return f"{s.name} ({s.key})"


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
        rival = max(others, key=lambda o: _total(scores[o.key]))
        vi = [f"Tổng điểm {dec_vi(_total(scores[s.key]))} so với {dec_vi(_total(scores[rival.key]))} của "
              f"{_name(rival)}."]
        en = [f"Total score {_total(scores[s.key]):.2f} against {_total(scores[rival.key]):.2f} for {_name(rival)}."]
        cv, ce = _comparison(scores[s.key], scores[rival.key])
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
    scores = {s.key: score_all(s, ctx) for s in pair.systems}
    survivor, tie = _pick_survivor({k: _total(v) for k, v in scores.items()}, pair, settings)
    out = []
    for s in pair.systems:
        others = ctx.others(s)
        action: ActionCode
        if s.key == survivor.key:
            action = "keep"
            vi, en = _keep_reasons(s, others, scores, tie, need)
        else:
            action = loser_action(s)
            vi, en = _loser_reasons(s, action, survivor, settings)
        partner = survivor.key if s.key != survivor.key else (others[0].key if others else None)
        out.append(Decision(system_id=s.key, pair_key=pair.key, partner_id=partner, action=action,
                            recommended=action, survivor_id=survivor.key, total=_total(scores[s.key]),
                            criteria=scores[s.key], reasons_vi=vi, reasons_en=en,
                            horizon_cost=cost_of_keeping(s, ctx).total, required_level=need.level))
    return out


def evaluate(pairs: Iterable[Pair], settings: CatalogSettings) -> list[Decision]:
    return [d for pair in pairs for d in evaluate_pair(pair, settings)]


# ---------------------------------------------------------------- overrides

def overrides_from_settings(settings: CatalogSettings, at: datetime) -> list[Override]:
    """The merger file's overrides (their ``system`` already resolved to a key by ``resolve_settings``)."""
    return [Override(system_id=o.system, action=o.action, note=o.note, by=o.by, at=at, run_both=o.run_both)
            for o in settings.overrides]


def _override_one(d: Decision, o: Override) -> Decision:
    both_vi = " (chạy song song cả hai hệ thống)" if o.run_both else ""
    both_en = " (both systems run side by side)" if o.run_both else ""
    vi = [f"Người lập kế hoạch ({o.by}) chọn: {term('action', o.action).vi}{both_vi} — {o.note}"] + d.reasons_vi
    en = [f"Planner ({o.by}) chose: {term('action', o.action).en}{both_en} — {o.note}"] + d.reasons_en
    return d.model_copy(update={"action": o.action, "override_note": o.note, "override_by": o.by,
                                "run_both": o.run_both and o.action == "keep", "reasons_vi": vi, "reasons_en": en})


def _conflict(kept: list[Decision], latest: dict[str, Override]) -> CatalogError:
    def said(d: Decision) -> str:
        o = latest[d.system_id]
        return f"{d.system_id} («{o.note}», {o.by}, {o.at:%d/%m/%Y %H:%M})"

    return CatalogError(
        tr("điều chỉnh mâu thuẫn: giữ cả hai hệ thống của cùng một vai trò",
           "conflicting overrides: both systems of one role are kept"),
        table="overrides", row=kept[0].pair_key, value=[d.system_id for d in kept],
        reason=tr("mỗi vai trò chỉ có một hệ thống dùng chung; các điều chỉnh: " + ", ".join(map(said, kept))
                  + ". Hãy đổi một hệ thống sang migrate/readonly/retire trong cùng lệnh, hoặc nếu thật sự chạy song "
                  "song thì ghi rõ --run-both (run_both: true) kèm lý do",
                  "a role has one shared system; the overrides: " + ", ".join(map(said, kept))
                  + ". Change one of them to migrate/readonly/retire in the same command, or, to run both on purpose, "
                  "say --run-both (run_both: true) with the reason"))


def _rebalance(group: list[Decision], systems: dict[str, System], settings: CatalogSettings,
               latest: dict[str, Override]) -> list[Decision]:
    """After an override keeps another system, the former survivor (not itself overridden) gives way to it; a system
    kept with ``run_both`` stays beside the survivor. Two systems kept without ``run_both`` are refused."""
    kept = [d for d in group if d.action == "keep" and d.override_note and not d.run_both]
    if len(kept) > 1:
        raise _conflict(kept, latest)
    if not kept:
        return group
    new_survivor = kept[0].system_id
    out = []
    for d in group:
        update: dict[str, Any] = {"survivor_id": new_survivor}
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
    out = []
    for group in groups.values():
        out += _rebalance(group, systems, settings, latest)
    return out


def action_label(code: str) -> str:
    return label("action", code)
