"""A bare install works: the package built from this tree, installed with its declared dependencies and no extras
into a fresh virtualenv, runs every command's ``--help`` and a small estate end to end (synth → migrate → reconcile
→ store checksum → units).

What it catches: a module importing a package that only the ``dev`` extra installs (``hopnhat migrate`` once crashed
that way on httpx). Dependencies come from the configured package indexes and pip's cache (no other network). The
parser is built as plain Python (``HOPNHAT_PURE_PYTHON=1``: seconds instead of minutes of C compilation); its
compiled form is the same source.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from hopnhat.cli.main import NOUNS, build

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
COPY_IGNORED = shutil.ignore_patterns("__pycache__", "*.so", "*.c", "*.egg-info", "*.pyc")


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 900) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(cmd)} → {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh virtualenv holding the built package and its declared dependencies only."""
    base = tmp_path_factory.mktemp("install")
    tree = base / "tree"
    tree.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    shutil.copytree(ROOT / "src", tree / "src", ignore=COPY_IGNORED)
    env = {**os.environ, "HOPNHAT_PURE_PYTHON": "1"}
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(base / "dist"), str(tree)], base, env)
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], base)
    wheel = next((base / "dist").glob("hopnhat-*.whl"))
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], base)
    return venv / "bin"


def _commands() -> list[list[str]]:
    """Every command line of the CLI: each noun, and each verb of the nouns that are groups."""
    out = []
    for noun, (_, _, kind) in NOUNS.items():
        out.append([noun])
        if kind == "group":
            group = typer.main.get_command(build(noun)).commands[noun]  # type: ignore[attr-defined]
            out += [[noun, verb] for verb in group.list_commands(None)]
    return out


def test_the_install_holds_no_development_package(bare: Path) -> None:
    for dev_only in ("pytest", "hypothesis", "selenium", "ruff"):
        probe = subprocess.run([str(bare / "python"), "-c", f"import {dev_only}"], capture_output=True)
        assert probe.returncode != 0, f"{dev_only} is installed: the venv is not bare"


def test_every_command_has_help(bare: Path, tmp_path: Path) -> None:
    commands = _commands()
    assert len(commands) > 20 and ["migrate"] in commands and ["store", "checksum"] in commands
    for words in commands:
        text = _run([str(bare / "hopnhat"), "--lang", "en", *words, "--help"], tmp_path, timeout=120)
        assert "Usage" in text, words


def test_a_small_estate_end_to_end(bare: Path, tmp_path: Path) -> None:
    hopnhat = str(bare / "hopnhat")
    _run([hopnhat, "synth", "danang", "--scale", "0.0005", "--seed", "3", "--out", "estate"], tmp_path)
    merger = str(tmp_path / "estate" / "merger.yaml")
    _run([hopnhat, "--lang", "en", "migrate", merger, "--workers", "1"], tmp_path)
    _run([hopnhat, "reconcile", merger], tmp_path)  # exit 0: every table balances
    sums = _run([hopnhat, "store", "checksum", merger], tmp_path)
    assert "person\t" in sums
    assert "Đà Nẵng" in _run([hopnhat, "units", "show", "48", "--version", "new"], tmp_path)
