"""The ``hopnhat`` entry point loads only the noun asked for, and still offers every noun in its help."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from hopnhat.cli.main import NOUNS, SUMMARIES, LazyGroup, build, noun_of


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
    import typer.main

    group = typer.main.get_command(build())
    assert isinstance(group, LazyGroup) and not group.commands  # nothing imported to list them
    assert sorted(group.list_commands(None)) == sorted(NOUNS) == sorted(SUMMARIES)  # type: ignore[arg-type]


# In a fresh process per language (the sub-apps' help is written in the language of the process when their module
# is imported): each noun's real first paragraph of help, the lazy table's, and `hopnhat --help` both ways.
_COMPARE = """
import inspect, json, sys
import typer.main
from typer.testing import CliRunner
from hopnhat.cli.main import build, summary

eager = typer.main.get_command(build(lazy=False))
lazy = typer.main.get_command(build())
real = {n: inspect.cleandoc(c.short_help or c.help or "").split("\\n\\n")[0] for n, c in eager.commands.items()}
shown = {n: (c.hidden, c.deprecated, bool(getattr(c, "rich_help_panel", None))) for n, c in eager.commands.items()}
runner = CliRunner()
out = {"real": real, "table": {n: summary(n) for n in lazy.list_commands(None)}, "shown": shown,
       "order": [list(eager.commands), lazy.list_commands(None)],
       "help": [runner.invoke(build(lazy=False), ["--help"]).output, runner.invoke(build(), ["--help"]).output],
       "typo": [runner.invoke(build(lazy=False), ["repai"]).output, runner.invoke(build(), ["repai"]).output]}
sys.stdout.write(json.dumps(out))
"""


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_lazy_table_is_the_real_commands_help(lang: str) -> None:
    """The summaries `hopnhat --help` shows without importing the nouns are the nouns' own first paragraphs, in the
    order Typer lists them, and the whole help (and an unknown noun's suggestion) is what the eager app writes."""
    done = subprocess.run([sys.executable, "-c", _COMPARE], capture_output=True, text=True, timeout=300, check=True,
                          env={**os.environ, "HOPNHAT_LANG": lang, "COLUMNS": "100"})
    got = json.loads(done.stdout)
    assert got["table"] == got["real"]
    assert all(flags == [False, False, False] for flags in got["shown"].values())  # no hidden, deprecated or panel
    assert got["order"][0] == got["order"][1]
    eager_help, lazy_help = got["help"]
    assert lazy_help == eager_help and ("Đơn vị hành chính" if lang == "vi" else "Admin units") in lazy_help
    assert got["typo"][0] == got["typo"][1] and "Did you mean 'repair'?" in got["typo"][1]


def test_help_imports_no_noun() -> None:
    loaded = _modules_after(["--help"])
    assert not {module for module, _, _ in NOUNS.values()} & loaded


def test_lazy_app_runs_a_noun_on_demand() -> None:
    from typer.testing import CliRunner

    app = build()
    result = CliRunner().invoke(app, ["init", "--help"])
    assert result.exit_code == 0 and "merger" in result.output


def test_units_convert_never_imports_pandas(tmp_path) -> None:
    """pandas costs a fifth of a second of start-up: the whole convert command (CSV in, CSV out, with rows of every
    path: endings, no ending, invalid) runs on Arrow and NumPy alone."""
    src = tmp_path / "in.csv"
    src.write_text("id,address\n1,\"Số 5, Tổ 2, Xã Hòa Liên, Huyện Hòa Vang, Đà Nẵng\"\n2,Hải Châu\n3,\n4,12345\n",
                   encoding="utf-8")
    loaded = _modules_after(["units", "convert", str(src), "--column", "address", "--output", str(tmp_path / "o.csv")])
    assert "hopnhat.units.column" in loaded and (tmp_path / "o.csv").is_file()
    assert "pandas" not in loaded
