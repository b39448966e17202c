"""`hopnhat demo` runs end to end and leaves what it announces."""

from __future__ import annotations

from openpyxl import load_workbook
from typer.testing import CliRunner

from hopnhat.cli.main import app


def test_demo_end_to_end(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--rows", "300", "--scale", "0.001"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "estate" / "merger.yaml").is_file()
    assert (tmp_path / "catalog-report.pdf").read_bytes()[:4] == b"%PDF"
    assert "<svg" in (tmp_path / "roadmap-gantt.svg").read_text(encoding="utf-8")
    for scenario in ("danang", "quangngai", "haiphong"):
        sheet = load_workbook(tmp_path / f"addresses_{scenario}.xlsx", read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("old_commune_code", "address", "status") and len(rows) == 301
        assert {r[2] for r in rows[1:]} <= {"converted", "already_new", "split", "ambiguous", "not_found"}
    assert "48-TTHC" in result.output
