"""A small synth estate (Quảng Nam + Đà Nẵng) generated once per session: realistic cells with known truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopnhat.synth import SynthSettings, generate


@pytest.fixture(scope="session")
def synth_estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("values-synth") / "danang"
    generate(SynthSettings("danang", 0.004, 7, out))
    return out
