"""Server-side SVG charts (no JavaScript, nothing fetched): bars, the reconciliation balance, the match-weight
waterfall of a review pair. Every label is escaped; sizes are in user units and scale with the page."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

GREEN, BLUE, ORANGE, RED, GREY = "#2e7d32", "#1f77b4", "#ef6c00", "#c62828", "#9e9e9e"
_FONT = "font-family='DejaVu Sans, Arial, sans-serif'"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' class='chart' viewBox='0 0 {width} {height}' width='{width}' "
            f"height='{height}' role='img' aria-label='{escape(title)}' {_FONT}><title>{escape(title)}</title>"
            + "".join(body) + "</svg>")


def _fmt(n: float) -> str:
    return f"{n:,.0f}".replace(",", ".") if abs(n) >= 1 or n == 0 else f"{n:.2f}"


def bar_chart(items: Sequence[tuple[str, float]], title: str, colour: str = BLUE, width: int = 560) -> str:
    """Horizontal bars, one per (label, value), largest scale = the largest value."""
    label_w, bar_h, top = 210, 20, 26
    top_value = max([v for _, v in items] + [1])
    body = [f"<text x='0' y='16' font-size='13' font-weight='bold'>{escape(title)}</text>"]
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_h + 6)
        w = (width - label_w - 70) * value / top_value
        body += [f"<text x='{label_w - 6}' y='{y + 14}' font-size='11' text-anchor='end'>{escape(label[:34])}</text>",
                 f"<rect x='{label_w}' y='{y}' width='{w:.1f}' height='{bar_h}' fill='{colour}'/>",
                 f"<text x='{label_w + w + 4:.1f}' y='{y + 14}' font-size='11'>{_fmt(value)}</text>"]
    if not items:
        body.append(f"<text x='0' y='{top + 14}' font-size='11' fill='{GREY}'>—</text>")
    return _svg(width, top + max(1, len(items)) * (bar_h + 6) + 4, body, title)


def balance_chart(rows: Sequence[Any], title: str, legend: dict[str, str], width: int = 760) -> str:
    """One stacked bar per source table: loaded, merged, quarantined and (red) what is not accounted for."""
    label_w, bar_h, top = 250, 16, 44
    top_value = max([r.read for r in rows] + [1])
    body = [f"<text x='0' y='16' font-size='13' font-weight='bold'>{escape(title)}</text>"]
    for j, (key, colour) in enumerate((("loaded", GREEN), ("merged", BLUE), ("quarantined", ORANGE),
                                       ("missing", RED))):
        body += [f"<rect x='{label_w + j * 120}' y='24' width='10' height='10' fill='{colour}'/>",
                 f"<text x='{label_w + j * 120 + 14}' y='33' font-size='11'>{escape(legend[key])}</text>"]
    span = width - label_w - 90
    for i, r in enumerate(rows):
        y, x = top + i * (bar_h + 5), float(label_w)
        body.append(f"<text x='{label_w - 6}' y='{y + 12}' font-size='11' text-anchor='end'>"
                    f"{escape((r.source + '/' + r.table)[:40])}</text>")
        missing = max(0, r.read - r.accounted)
        for value, colour in ((r.loaded, GREEN), (r.merged, BLUE), (r.quarantined, ORANGE), (missing, RED)):
            w = span * value / top_value
            if w > 0:
                body.append(f"<rect x='{x:.1f}' y='{y}' width='{w:.1f}' height='{bar_h}' fill='{colour}'/>")
            x += w
        mark = "✔" if r.balanced else "✘"
        body.append(f"<text x='{x + 4:.1f}' y='{y + 12}' font-size='11' fill='{GREEN if r.balanced else RED}'>"
                    f"{_fmt(r.read)} {mark}</text>")
    return _svg(width, top + max(1, len(rows)) * (bar_h + 5) + 4, body, title)


def waterfall(evidence: dict[str, Any], title: str, width: int = 620) -> str:
    """The match weight of a pair built up from the prior, one bar per comparison (green for, red against)."""
    steps: list[tuple[str, float]] = []
    for c in evidence.get("comparisons") or []:
        if _weight(c) is not None:
            steps.append((tr_label(c), float(_weight(c))))  # type: ignore[arg-type]
        if c.get("tf_weight"):
            steps.append((f"{c.get('comparison') or c.get('column_name')}: tf", float(c["tf_weight"])))
    prior = float(evidence.get("prior") or 0.0)
    running = [prior]
    for _, w in steps:
        running.append(running[-1] + w)
    lo, hi = min(running + [0.0]) - 1, max(running + [0.0]) + 1
    label_w, bar_h, top = 190, 18, 30
    span = width - label_w - 60

    def x(v: float) -> float:
        return label_w + (v - lo) / (hi - lo) * span

    body = [f"<text x='0' y='16' font-size='13' font-weight='bold'>{escape(title)}</text>",
            f"<line x1='{x(0):.1f}' y1='{top - 6}' x2='{x(0):.1f}' y2='{top + (len(steps) + 2) * (bar_h + 6)}' "
            f"stroke='{GREY}' stroke-dasharray='3,3'/>"]
    rows = [("prior", 0.0, prior, GREY)]
    for i, (label, w) in enumerate(steps):
        rows.append((label, running[i], running[i + 1], GREEN if w >= 0 else RED))
    rows.append(("= total", 0.0, running[-1], BLUE))
    for i, (label, start, end, colour) in enumerate(rows):
        y = top + i * (bar_h + 6)
        x0, x1 = sorted((x(start), x(end)))
        body += [f"<text x='{label_w - 6}' y='{y + 13}' font-size='11' text-anchor='end'>{escape(label[:30])}</text>",
                 f"<rect x='{x0:.1f}' y='{y}' width='{max(1.0, x1 - x0):.1f}' height='{bar_h}' fill='{colour}'/>",
                 f"<text x='{x1 + 4:.1f}' y='{y + 13}' font-size='11'>{end - start:+.1f}</text>"]
    return _svg(width, top + len(rows) * (bar_h + 6) + 6, body, title)


def _weight(c: dict[str, Any]) -> float | None:
    """A comparison's log2 Bayes factor under any of the names linkage tools give it."""
    for key in ("weight", "log2_bayes_factor", "match_weight"):
        if c.get(key) is not None:
            return float(c[key])
    return None


def tr_label(c: dict[str, Any]) -> str:
    name = c.get("column_name") or c.get("name") or c.get("comparison") or "?"
    level = c.get("label_for_charts") or c.get("label") or c.get("level") or ""
    return f"{name}: {level}" if level else str(name)
