"""``hopnhat init``: write a commented starting merger file (merger.yaml)."""

from __future__ import annotations

from pathlib import Path

import typer

from hopnhat.cli.common import console, friendly_errors
from hopnhat.errors import ConfigError
from hopnhat.i18n import tr


@friendly_errors
def init(output: Path = typer.Argument(Path("merger.yaml"), help="Tệp sẽ tạo / file to write."),
         force: bool = typer.Option(False, "--force", help="Ghi đè / overwrite.")) -> None:
    """Tạo tệp dự án sáp nhập mẫu có chú thích / write a commented starting merger file."""
    from hopnhat.project.template import TEMPLATE

    if output.exists() and not force:
        raise ConfigError("file exists (use --force to overwrite)", source=str(output))
    output.write_text(TEMPLATE, encoding="utf-8")
    console.print(tr(f"Đã tạo {output}. Sửa rồi chạy: hopnhat migrate {output}",
                     f"Wrote {output}. Edit it, then run: hopnhat migrate {output}"))
