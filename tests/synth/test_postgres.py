"""The register loads into a REAL PostgreSQL server (tests/pgserver.py)."""

from __future__ import annotations

from pathlib import Path

import yaml
from tests.synth.helpers import truth_rows

from hopnhat.synth import SynthSettings, generate


def test_register_in_postgresql(postgres_dsn: str, tmp_path: Path) -> None:
    import psycopg

    out = generate(SynthSettings("danang", 0.002, 3, tmp_path / "pg", dsn=postgres_dsn)).out
    assert not (out / "estate/danang/dancu.sqlite").exists()
    with psycopg.connect(postgres_dsn) as con:
        for table in ("cong_dan", "su_kien_ho_tich"):
            count = con.execute(f"SELECT count(*) FROM dancu_danang.{table}").fetchone()[0]
            assert count == len(truth_rows(out / f"truth/danang/{table}.csv"))
        names = [r[0] for r in con.execute("SELECT ho_ten FROM dancu_danang.cong_dan LIMIT 50")]
    truth = [r["ho_ten"] for r in truth_rows(out / "truth/danang/cong_dan.csv")[:50]]
    assert sum(a == b for a, b in zip(names, truth)) >= 45
    doc = yaml.safe_load((out / "merger.yaml").read_text(encoding="utf-8"))
    source = next(s for s in doc["sources"] if s["name"] == "danang_dancu")
    assert source["kind"] == "postgresql" and source["schema"] == "dancu_danang"
