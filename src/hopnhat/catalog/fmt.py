"""Numbers, money and dates written the Vietnamese way (and the English way) for reasons and reports."""

from __future__ import annotations

from datetime import date


def num_vi(n: float) -> str:
    return f"{int(round(n)):,}".replace(",", ".")


def num_en(n: float) -> str:
    return f"{int(round(n)):,}"


def vnd_vi(amount: float) -> str:
    """``10,8 tỷ đồng``, ``500 triệu đồng``, ``0 đồng``: money as a Vietnamese report writes it."""
    if not amount:
        return "0 đồng"
    if abs(amount) >= 1e9:
        return f"{amount / 1e9:.2f}".rstrip("0").rstrip(".").replace(".", ",") + " tỷ đồng"
    if abs(amount) >= 1e6:
        return f"{amount / 1e6:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " triệu đồng"
    return num_vi(amount) + " đồng"


def vnd_en(amount: float) -> str:
    if not amount:
        return "VND 0"
    if abs(amount) >= 1e9:
        return "VND " + f"{amount / 1e9:.2f}".rstrip("0").rstrip(".") + " bn"
    if abs(amount) >= 1e6:
        return "VND " + f"{amount / 1e6:.1f}".rstrip("0").rstrip(".") + " m"
    return f"VND {num_en(amount)}"


def pct(x: float) -> str:
    """A share in the current language: ``12,3 %`` (Vietnamese, comma and a space) or ``12.3%``."""
    from hopnhat.i18n import tr

    return tr(pct_vi(x), pct_en(x))


def pct_vi(x: float, digits: int = 1) -> str:
    return f"{x * 100:.{digits}f}".replace(".", ",") + " %"


def pct_en(x: float, digits: int = 1) -> str:
    return f"{x * 100:.{digits}f}%"


def dec_vi(x: float, digits: int = 2) -> str:
    """A decimal written the Vietnamese way: ``0,83``."""
    return f"{x:.{digits}f}".replace(".", ",")


def dec(x: float, digits: int = 2) -> str:
    from hopnhat.i18n import tr

    return tr(dec_vi(x, digits), f"{x:.{digits}f}")


def day_vi(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "—"


def day_en(d: date | None) -> str:
    return d.isoformat() if d else "—"
