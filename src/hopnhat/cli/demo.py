"""``hopnhat demo``: the whole product on a realistic merger, step by step."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.panel import Panel
from rich.table import Table

from hopnhat.cli.common import console, friendly_errors
from hopnhat.i18n import tr


@friendly_errors
def demo(
    out: Path = typer.Option(Path("demo-out"), "--out", help=tr("Thư mục kết quả.", "Output folder.")),
    rows: int = typer.Option(3000, "--rows", help=tr("Số địa chỉ mẫu mỗi cặp tỉnh.", "Sample addresses per pair.")),
    seed: int = typer.Option(7, "--seed", help=tr("Hạt giống ngẫu nhiên.", "Random seed.")),
) -> None:
    """Chạy trình diễn đầy đủ / run the end-to-end demo of a provincial merger."""
    out.mkdir(parents=True, exist_ok=True)
    console.print(Panel.fit(tr(
        "hopnhat — trình diễn hợp nhất: Quảng Nam → Đà Nẵng, Kon Tum → Quảng Ngãi, Hải Dương → Hải Phòng",
        "hopnhat demo — mergers: Quảng Nam → Đà Nẵng, Kon Tum → Quảng Ngãi, Hải Dương → Hải Phòng")))
    _addresses(out, rows, seed)


def _addresses(out: Path, rows: int, seed: int) -> None:
    from hopnhat.cli.units import status_label
    from hopnhat.demo.addresses import PAIRS, convert_sample
    from hopnhat.units.convert import STATUSES

    console.rule(tr("Bước: chuyển đổi địa chỉ cũ → đơn vị hành chính mới", "Step: old addresses → new units"))
    table = Table(title=tr("Địa chỉ cũ của ba cặp tỉnh hợp nhất", "Legacy addresses of the three merged pairs"))
    table.add_column(tr("Trạng thái", "Status"))
    samples = [convert_sample(s, rows, seed, out) for s in PAIRS]
    for sample in samples:
        table.add_column(sample.scenario, justify="right")
    for status in STATUSES:
        table.add_row(f"{status} — {status_label(status)}", *(f"{s.statuses[status]:,}" for s in samples))
    table.add_row(tr("giây", "seconds"), *(f"{s.seconds:.2f}" for s in samples))
    console.print(table)
    for sample in samples:
        for text, status, reason in sample.examples[:1]:
            console.print(f"  [bold]{sample.scenario}[/] {text!r} → {status}: {reason}", highlight=False)
        console.print(f"  → {sample.output}")
