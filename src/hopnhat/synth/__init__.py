"""Synthetic legacy estates of merging provinces, with known truth (``hopnhat synth``)."""

from __future__ import annotations

from hopnhat.synth.addresses import STYLES, render_address
from hopnhat.synth.generate import SynthResult, SynthSettings, generate
from hopnhat.synth.scenarios import DEFAULT_SCENARIO, SCENARIOS

__all__ = ["DEFAULT_SCENARIO", "SCENARIOS", "STYLES", "SynthResult", "SynthSettings", "generate", "render_address"]
