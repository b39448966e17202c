"""A Gantt chart of the roadmap as a self-contained SVG string (no JavaScript, no external resources)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date, timedelta
from html import escape

from hopnhat.catalog.model import Task
from hopnhat.i18n import tr

COLOURS = {"prepare": "#4472c4", "extend": "#4472c4", "migrate_data": "#ed7d31", "switch_users": "#70ad47",
           "readonly": "#7f7f7f", "retire": "#a5a5a5", "milestone": "#7030a0"}
STATE_FILL = {"done": "#2e7d32", "late": "#c62828"}
LABEL_W, ROW_H, TOP = 330, 16, 34
LABEL_CHARS, LINE_H, MAX_LINES = 62, 10, 6  # a label wraps at ~62 characters of 9-pt text, up to 6 lines


def label_lines(title: str) -> list[str]:
    """The label wrapped on words to fit the label column; only a title longer than 6 lines is cut."""
    lines = textwrap.wrap(title, LABEL_CHARS, break_long_words=True) or [""]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][: LABEL_CHARS - 1] + "…"
    return lines


def _row_height(lines: int) -> int:
    return max(ROW_H, lines * LINE_H + 6)


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


def _title(t: Task) -> str:
    return t.title_vi if tr("vi", "en") == "vi" else t.title_en


def _bar(y: int, t: Task, state: str, start: date, end: date, width: int) -> list[str]:
    lines = label_lines(_title(t))
    height = _row_height(len(lines))
    spans = "".join(f'<tspan x="4" dy="{0 if k == 0 else LINE_H}">{escape(line)}</tspan>'
                    for k, line in enumerate(lines))
    x1, x2 = _x(t.start, start, end, width), _x(t.due, start, end, width)
    colour = STATE_FILL.get(state, COLOURS.get(t.kind, "#4472c4"))
    stroke = ' stroke="#c00000" stroke-width="1.5"' if t.urgent else ""
    bar_y = y + (height - (ROW_H - 6)) / 2
    parts = [f'<text x="4" y="{y + 11}" font-size="9">{spans}</text>',
             f'<rect x="{x1:.1f}" y="{bar_y:.0f}" width="{max(2.0, x2 - x1):.1f}" height="{ROW_H - 6}" rx="2" '
             f'fill="{colour}"{stroke}><title>{escape(t.id)}: {t.start:%d/%m/%Y} → {t.due:%d/%m/%Y}</title></rect>']
    if t.due > end:
        parts.append(f'<text x="{x2 - 60:.1f}" y="{bar_y + 8:.0f}" font-size="8" fill="#fff">→ {t.due:%d/%m/%Y}</text>')
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
    rows = [_row_height(len(label_lines(_title(t)))) for t in tasks]
    height = TOP + sum(rows) + 6
    total_h = height + 14
    states = states or {}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_h}" '
             f'viewBox="0 0 {width} {total_h}" font-family="DejaVu Sans, Arial, sans-serif">',
             f'<rect width="{width}" height="{total_h}" fill="#fff"/>']
    parts += _grid(start, end, width, height)
    y = TOP
    for t, row in zip(tasks, rows, strict=True):
        parts += _bar(y, t, states.get(t.id, ""), start, end, width)
        y += row
    parts += _marker(merger_date, tr("Ngày hợp nhất", "Merger day"), "#c00000", start, end, width, height)
    parts += _marker(today, tr("Hôm nay", "Today"), "#1f4e79", start, end, width, height + 12, height + 10)
    parts.append("</svg>")
    return "\n".join(parts)
