"""Numbers, money and dates written the Vietnamese way (and the English way) for reasons and reports."""

from __future__ import annotations

from datetime import date


def num_vi(n: float) -> str:
    return f"{int(round(n)):,}".replace(",", ".")


def num_en(n: float) -> str:
    return f"{int(round(n)):,}"


def vnd_vi(amount: float) -> str:
    if not amount:
        return "0 đồng"
    if abs(amount) >= 1e9:
        return f"{amount / 1e9:.2f}".rstrip("0").rstrip(".").replace(".", ",") + " tỷ đồng"
    return f"{amount / 1e6:.0f} triệu đồng"


def vnd_en(amount: float) -> str:
    if not amount:
        return "VND 0"
    if abs(amount) >= 1e9:
        return "VND " + f"{amount / 1e9:.2f}".rstrip("0").rstrip(".") + " bn"
    return f"VND {amount / 1e6:.0f} m"


def pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def day_vi(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "—"


def day_en(d: date | None) -> str:
    return d.isoformat() if d else "—"
