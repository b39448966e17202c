"""Property: whatever damage a file-taking command is given, it never prints a traceback, never changes an input,
never leaves half an output; it exits 0 with a complete output or 2 with a clear error (1 only for a failed run).

Hypothesis picks the command's input format, the damage and an odd path (see ``harness.py``); the commands run
in-process through Typer's CliRunner, and a few through the real ``hopnhat`` process.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from harness import (  # type: ignore[import-not-found]
    COMMANDS,
    DAMAGES,
    MERGER_DAMAGES,
    ODD_PATHS,
    make_case,
    make_migrate_case,
    make_review_case,
    review_store,
    run_case,
    seeds_in,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BAD = {"traceback", "input_changed", "half_output"}
_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@pytest.fixture(scope="module")
def seed_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return seeds_in(tmp_path_factory.mktemp("seeds"))


def _check(command: str, folder: Path, seed_files: dict[str, bytes], seed: int, damage: str,
           odd: str | None) -> None:
    case = make_case(command, folder, seed_files, random.Random(seed), damage=damage, odd=odd)
    outcome, code, text = run_case(case)
    assert not outcome & BAD, f"{command} {case.label}: {sorted(outcome)} exit {code}\n{text[-2000:]}"
    assert code in (0, 2), f"{command} {case.label}: exit {code}\n{text[-2000:]}"


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=_CHECKS)
@given(st.sampled_from(["units convert", "repair"]), st.integers(0, 10**6), st.sampled_from(sorted(DAMAGES)),
       st.one_of(st.none(), st.sampled_from(ODD_PATHS)))
def test_units_and_repair_never_crash_change_inputs_or_leave_half_files(
        tmp_path: Path, seed_files: dict[str, bytes], command: str, seed: int, damage: str, odd: str | None) -> None:
    _check(command, tmp_path / "case", seed_files, seed, damage, odd)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=_CHECKS)
@given(st.integers(0, 10**6), st.sampled_from(sorted(DAMAGES)), st.one_of(st.none(), st.sampled_from(ODD_PATHS)))
def test_link_persons_never_crashes_changes_inputs_or_leaves_half_files(
        tmp_path: Path, seed_files: dict[str, bytes], seed: int, damage: str, odd: str | None) -> None:
    _check("link persons", tmp_path / "case", seed_files, seed, damage, odd)


@pytest.mark.parametrize("odd", ODD_PATHS)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_odd_path_is_refused_or_handled(tmp_path: Path, seed_files: dict[str, bytes], command: str,
                                              odd: str) -> None:
    case = make_case(command, tmp_path / "case", seed_files, random.Random(1), damage="intact", odd=odd,
                     suffix=".csv")
    outcome, code, text = run_case(case)
    assert outcome == {"clean"} and code == 2, f"{odd}: {sorted(outcome)} exit {code}\n{text[-2000:]}"


@pytest.mark.parametrize("damage", ["random_bytes", "huge_field", "intact"])
def test_the_real_process_exits_cleanly(tmp_path: Path, seed_files: dict[str, bytes], damage: str) -> None:
    """Through the console script: no traceback on stderr, exit 0 or 2."""
    case = make_case("units convert", tmp_path / "case", seed_files, random.Random(3), damage=damage, suffix=".csv")
    exe = Path(sys.executable).with_name("hopnhat")
    done = subprocess.run([str(exe), "--lang", "en", "units", "convert", *case.argv], capture_output=True, text=True,
                          timeout=300)
    assert "Traceback" not in done.stderr and done.returncode in (0, 2), done.stderr[-2000:]
    assert "internal error" not in done.stderr, done.stderr[-2000:]
    if done.returncode == 2:
        assert "Error:" in done.stderr and "Why:" in done.stderr + "What to do:"


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=_CHECKS)
@given(st.integers(0, 10**6), st.sampled_from(sorted(MERGER_DAMAGES)), st.sampled_from(sorted(DAMAGES)))
def test_migrate_refuses_bad_merger_files_and_survives_bad_sources(
        tmp_path: Path, seed_files: dict[str, bytes], seed: int, merger_damage: str, source_damage: str) -> None:
    case = make_migrate_case(tmp_path / "case", seed_files, random.Random(seed), merger_damage, source_damage)
    outcome, code, text = run_case(case)
    assert not outcome & BAD, f"migrate {case.label}: {sorted(outcome)} exit {code}\n{text[-2000:]}"
    assert code in (0, 1, 2), f"migrate {case.label}: exit {code}\n{text[-2000:]}"
    must_refuse = ((merger_damage not in ("intact", "flip_bytes", "truncate") and source_damage == "intact")
                   or (merger_damage == "intact" and source_damage in ("empty", "bom_only")))
    assert code != 0 or not must_refuse, f"{case.label} accepted:\n{text[-2000:]}"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, seed_files: dict[str, bytes]) -> Path:
    return review_store(tmp_path_factory.mktemp("store"), seed_files)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=_CHECKS)
@given(st.sampled_from(["import", "export"]), st.integers(0, 10**6))
def test_review_import_and_export_never_crash_or_leave_half_files(
        tmp_path: Path, store: Path, verb: str, seed: int) -> None:
    case = make_review_case(verb, tmp_path / "case", store, random.Random(seed))
    outcome, code, text = run_case(case)
    assert not outcome & BAD, f"review {verb} {case.label}: {sorted(outcome)} exit {code}\n{text[-2000:]}"
    assert code in (0, 2), f"review {verb} {case.label}: exit {code}\n{text[-2000:]}"
