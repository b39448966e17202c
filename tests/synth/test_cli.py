from pathlib import Path

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
