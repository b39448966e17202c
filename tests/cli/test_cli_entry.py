"""The ``hopnhat`` entry point loads only the noun asked for, and still offers every noun in its help."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hopnhat.cli.main import NOUNS, build, noun_of


@pytest.mark.parametrize(("argv", "noun"), [
    (["units", "convert", "a.csv"], "units"),
    (["--lang", "en", "migrate", "m.yaml"], "migrate"),
    (["--lang=en", "serve", "--port", "1"], "serve"),
    (["--version"], None),
    ([], None),
])
def test_noun_of_skips_options_and_their_values(argv: list[str], noun: str | None) -> None:
    assert noun_of(argv) == noun


def _modules_after(argv: list[str]) -> set[str]:
    code = ("import sys, json\nfrom hopnhat.cli.main import run\nsys.argv = ['hopnhat', *json.loads(sys.argv[1])]\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(argv)], capture_output=True, text=True, timeout=120,
                          check=True)
    return set(json.loads(done.stderr.rsplit("MODULES ", 1)[1]))


def test_units_command_does_not_import_the_web_app_or_the_pipeline() -> None:
    loaded = _modules_after(["units", "show", "20194", "--version", "old"])
    assert "hopnhat.cli.units" in loaded
    assert not {"fastapi", "hopnhat.serve", "hopnhat.cli.catalog", "hopnhat.run.runner", "splink"} & loaded


def test_full_help_lists_every_noun() -> None:
    command = build()
    import typer.main

    group = typer.main.get_command(command)
    assert set(group.commands) == set(NOUNS)  # type: ignore[attr-defined]


def test_units_convert_never_imports_pandas(tmp_path) -> None:
    """pandas costs a fifth of a second of start-up: the whole convert command (CSV in, CSV out, with rows of every
    path: endings, no ending, invalid) runs on Arrow and NumPy alone."""
    src = tmp_path / "in.csv"
    src.write_text("id,address\n1,\"Số 5, Tổ 2, Xã Hòa Liên, Huyện Hòa Vang, Đà Nẵng\"\n2,Hải Châu\n3,\n4,12345\n",
                   encoding="utf-8")
    loaded = _modules_after(["units", "convert", str(src), "--column", "address", "--output", str(tmp_path / "o.csv")])
    assert "hopnhat.units.column" in loaded and (tmp_path / "o.csv").is_file()
    assert "pandas" not in loaded
