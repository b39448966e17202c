"""``units convert`` on addresses typed in a legacy font: read back, then converted as their Unicode twins are; the
output keeps the cells as typed. The bytes come from encoders this project did not write (tests/text/independent.py)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from tests.text.independent import encode_many, font_view
from typer.testing import CliRunner

from hopnhat.cli.main import app
from hopnhat.units.reference import reference


def _addresses(n: int) -> list[str]:
    ref = reference()
    communes = random.Random(3).sample(sorted(ref.communes["old"].values(), key=lambda u: u.code), n)
    return [f"Thôn 2, {u.name}, {ref.districts[u.district_code].name}, {ref.provinces['old'][u.province_code].name}"
            for u in communes]


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "cp1258-decomposed", "viscii", "mojibake"])
def test_typed_addresses_convert_as_their_unicode_twins(tmp_path: Path, encoding: str) -> None:
    clean = _addresses(60)
    typed = [font_view(r, encoding) for r in encode_many(clean, encoding)]
    src, out = tmp_path / "dia-chi.csv", tmp_path / "ket-qua.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["Địa chỉ"], *([a] for a in clean + typed)])
    result = CliRunner().invoke(app, ["--lang", "en", "units", "convert", str(src), "-c", "Địa chỉ", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "addresses typed in a legacy encoding" in result.output
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["Địa chỉ"] for r in rows] == clean + typed  # the cells as they were typed
    twins = [(a, b) for a, b in zip(rows[:60], rows[60:], strict=True)]
    same = sum((a["status"], a["new_commune_code"]) == (b["status"], b["new_commune_code"]) for a, b in twins)
    assert same >= 57, [(a["Địa chỉ"], b["Địa chỉ"], b["reason"]) for a, b in twins if a["status"] != b["status"]][:5]
