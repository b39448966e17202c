from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from hopnhat.catalog import api
from hopnhat.cli.catalog import app

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_report_html_and_pdf_one_page_with_text(danang_db: Path, tmp_path: Path) -> None:
    assert shutil.which("pdftotext") and shutil.which("pdftoppm"), "Debian poppler-utils is needed"
    api.set_status(danang_db, "48-TTHC:prepare", "done", 100, date(2025, 6, 10))
    html_path, pdf_path = tmp_path / "r.html", tmp_path / "r.pdf"
    html = api.write_report(danang_db, date(2025, 7, 10), html_path, pdf_path)
    assert "<script" not in html and "http" not in html.replace("http://www.w3.org/2000/svg", "")
    text = _pdf_text(pdf_path)
    for needle in ("Báo cáo tiến độ hợp nhất", "Trễ hạn", "Có nguy cơ", "Số hóa hộ tịch", "Quảng Nam", "tỷ đồng",
                   "10/07/2025"):
        assert needle in text, needle
    info = subprocess.run(["pdfinfo", str(pdf_path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1 and pages[0].stat().st_size > 20_000  # a real page, not a blank one


def test_cli_flow(tmp_path: Path, synth_files: dict[str, list[Path]]) -> None:
    db = str(tmp_path / "c.duckdb")
    files = [str(p) for p in synth_files["danang"]]
    assert runner.invoke(app, ["template", str(tmp_path / "mau.xlsx")]).exit_code == 0
    r = runner.invoke(app, ["import", *files, "--db", db])
    assert r.exit_code == 0 and "Quảng Nam (49)" in r.output
    r = runner.invoke(app, ["pairs", "--db", db])
    assert r.exit_code == 0 and "chỉ có ở" in r.output
    r = runner.invoke(app, ["evaluate", "--db", db, "-c", str(DATA / "merger.yaml"), "--why", "tthc"])
    assert r.exit_code == 0 and "850.000" in r.output
    r = runner.invoke(app, ["evaluate", "--db", db, "--override", "49-TTHC=keep", "--note", "Thuê dịch vụ",
                            "--by", "Sở KH&CN"])
    assert r.exit_code == 0
    r = runner.invoke(app, ["plan", "--db", db, "--xlsx", str(tmp_path / "lt.xlsx"), "--svg", str(tmp_path / "g.svg"),
                            "--link", "48-TTHC:migrate_data=run-7"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["status", "--db", db, "--today", "2025-07-05", "--set", "49-TTHC:prepare=done"])
    assert r.exit_code == 0 and "Hoàn thành 1/" in r.output
    r = runner.invoke(app, ["report", "--db", db, "--today", "2025-07-05", "--html", str(tmp_path / "r.html")])
    assert r.exit_code == 0 and (tmp_path / "r.html").exists()
    with duckdb.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM overrides").fetchone() == (1,)
        assert con.execute("SELECT action, recommended FROM decisions WHERE system_id = '49-TTHC'").fetchone() == \
            ("keep", "readonly")
        assert con.execute("SELECT run_id FROM task_runs").fetchall() == [("run-7",)]


def test_cli_errors_are_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text('unit_code: "49"\nsystems:\n  - {id: A, kind: nothing}\n', encoding="utf-8")
    r = runner.invoke(app, ["import", str(bad), "--db", str(tmp_path / "c.duckdb")])
    assert r.exit_code == 2
    r = runner.invoke(app, ["evaluate", "--db", str(tmp_path / "none.duckdb")])
    assert r.exit_code == 2


def test_every_command_has_help() -> None:
    for cmd in ("template", "import", "pairs", "evaluate", "plan", "status", "report"):
        r = runner.invoke(app, [cmd, "--help"])
        assert r.exit_code == 0 and "Usage" in r.output


def test_public_api_is_what_all_says() -> None:
    import hopnhat.catalog as catalog

    public = {n for n in dir(catalog) if not n.startswith("_") and not isinstance(getattr(catalog, n), type(catalog))}
    assert public == set(catalog.__all__)
