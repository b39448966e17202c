"""A Gantt chart of the roadmap as a self-contained SVG string (no JavaScript, no external resources)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from html import escape

from hopnhat.catalog.model import Task
from hopnhat.i18n import tr

COLOURS = {"prepare": "#4472c4", "extend": "#4472c4", "migrate_data": "#ed7d31", "switch_users": "#70ad47",
           "readonly": "#7f7f7f", "retire": "#a5a5a5", "milestone": "#7030a0"}
STATE_FILL = {"done": "#2e7d32", "late": "#c62828"}
LABEL_W, ROW_H, TOP = 330, 16, 34


def _x(d: date, start: date, end: date, width: int) -> float:
    span = max(1, (end - start).days)
    return LABEL_W + (min(max(d, start), end) - start).days / span * (width - LABEL_W - 10)


def _months(start: date, end: date) -> list[date]:
    first = date(start.year, start.month, 1)
    out = []
    while first <= end:
        out.append(first)
        first = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return out


def _grid(start: date, end: date, width: int, height: int) -> list[str]:
    parts = []
    for m in _months(start, end):
        x = _x(m, start, end, width)
        if m >= start:
            parts.append(f'<line x1="{x:.1f}" y1="{TOP - 14}" x2="{x:.1f}" y2="{height}" stroke="#e0e0e0"/>')
        parts.append(f'<text x="{x + 2:.1f}" y="{TOP - 18}" font-size="9" fill="#555">{m:%m/%Y}</text>')
    return parts


def _marker(d: date | None, name: str, colour: str, start: date, end: date, width: int, height: int,
            label_y: float = TOP - 4) -> list[str]:
    if d is None or not start <= d <= end:
        return []
    x = _x(d, start, end, width)
    return [f'<line x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{height}" stroke="{colour}" stroke-width="1.5" '
            f'stroke-dasharray="4 2"/>',
            f'<text x="{x + 3:.1f}" y="{label_y:.0f}" font-size="9" fill="{colour}">{escape(name)}</text>']


def _bar(i: int, t: Task, state: str, start: date, end: date, width: int) -> list[str]:
    y = TOP + i * ROW_H
    title = t.title_vi if tr("vi", "en") == "vi" else t.title_en
    label = title if len(title) <= 58 else title[:55] + "…"
    x1, x2 = _x(t.start, start, end, width), _x(t.due, start, end, width)
    colour = STATE_FILL.get(state, COLOURS.get(t.kind, "#4472c4"))
    stroke = ' stroke="#c00000" stroke-width="1.5"' if t.urgent else ""
    parts = [f'<text x="4" y="{y + 11}" font-size="9">{escape(label)}</text>',
             f'<rect x="{x1:.1f}" y="{y + 3}" width="{max(2.0, x2 - x1):.1f}" height="{ROW_H - 6}" rx="2" '
             f'fill="{colour}"{stroke}><title>{escape(t.id)}: {t.start:%d/%m/%Y} → {t.due:%d/%m/%Y}</title></rect>']
    if t.due > end:
        parts.append(f'<text x="{x2 - 60:.1f}" y="{y + 11}" font-size="8" fill="#fff">→ {t.due:%d/%m/%Y}</text>')
    return parts


def gantt_svg(tasks: Sequence[Task], states: dict[str, str] | None = None, today: date | None = None,
              merger_date: date | None = None, until: date | None = None, width: int = 1100) -> str:
    """SVG for ``tasks`` (in order). Bars past ``until`` are cut with their due date written at the end.

    ``states`` maps task id → ``done``/``late`` to colour bars by progress; urgent tasks have a red outline.
    """
    if not tasks:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="40"></svg>'
    start = min(t.start for t in tasks) - timedelta(days=3)
    end = until or max(t.due for t in tasks) + timedelta(days=3)
    height = TOP + len(tasks) * ROW_H + 6
    total_h = height + 14
    states = states or {}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_h}" '
             f'viewBox="0 0 {width} {total_h}" font-family="DejaVu Sans, Arial, sans-serif">',
             f'<rect width="{width}" height="{total_h}" fill="#fff"/>']
    parts += _grid(start, end, width, height)
    for i, t in enumerate(tasks):
        parts += _bar(i, t, states.get(t.id, ""), start, end, width)
    parts += _marker(merger_date, tr("Ngày hợp nhất", "Merger day"), "#c00000", start, end, width, height)
    parts += _marker(today, tr("Hôm nay", "Today"), "#1f4e79", start, end, width, height + 12, height + 10)
    parts.append("</svg>")
    return "\n".join(parts)
