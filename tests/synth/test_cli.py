from pathlib import Path

import yaml
from typer.testing import CliRunner

from hopnhat.cli.main import app


def test_synth_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["synth", "--help"]).exit_code == 0
    result = runner.invoke(app, ["synth", "haiphong", "--scale", "0.001", "--seed", "2", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "merger.yaml").exists() and (tmp_path / "truth/summary.json").exists()


def test_unknown_scenario_fails(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["synth", "hanoi", "--out", str(tmp_path)])
    assert result.exit_code != 0


def _event_tables(out: Path) -> list[dict]:  # type: ignore[type-arg]
    doc = yaml.safe_load((out / "merger.yaml").read_text(encoding="utf-8"))
    return [t for s in doc["sources"] for t in s.get("tables", []) if t.get("table") == "su_kien_ho_tich"]


def test_synth_cursor_writes_the_cursor_column(tmp_path: Path) -> None:
    """``--cursor``: the register's events are read by their ``ngay_cap_nhat`` in the merger file; without it, not."""
    runner = CliRunner()
    with_cursor, without = tmp_path / "cursor", tmp_path / "plain"
    for out, extra in ((with_cursor, ["--cursor"]), (without, [])):
        result = runner.invoke(app, ["synth", "--scale", "0.0005", "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
    assert [t.get("cursor") for t in _event_tables(with_cursor)] == ["ngay_cap_nhat"]
    assert [t.get("cursor") for t in _event_tables(without)] == [None]
