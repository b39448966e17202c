"""Small estates generated once per test session (scale 0.003: a few thousand rows in about a second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopnhat.synth import SynthSettings, generate

SCALE = 0.003


@pytest.fixture(scope="session")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "danang"
    generate(SynthSettings("danang", SCALE, 7, out))
    return out


@pytest.fixture(scope="session")
def estate_hp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hải Phòng: the pair with many split communes."""
    out = tmp_path_factory.mktemp("synth") / "haiphong"
    generate(SynthSettings("haiphong", SCALE, 11, out))
    return out
