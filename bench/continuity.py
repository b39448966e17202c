"""Continuity bench (issue 19): lookup clients against ``hopnhat serve`` while ``hopnhat migrate`` writes the same
merger's store — first a full run (``--fresh``: every table reloaded), then a rerun after one source table changed.

    .venv/bin/python bench/continuity.py [--scale 0.002] [--clients 20] [--think 0.2] [--out /tmp/continuity/bench]

What it does: generates a synth estate (Quảng Nam + Đà Nẵng) with :mod:`hopnhat.synth` (the store's content only —
the bench measures availability, not quality), migrates it once (store version 1 and its lookup index), starts a real
``hopnhat serve`` process, and runs ``--clients`` threads that each look up a person's name through ``/api/lookup``
(bearer token), pausing ``--think`` × U(0.5, 1.5) s between lookups. Phases: ``before`` (10 s), ``full`` (the full
run, from its start until the app serves the version it published), ``between`` (5 s), ``rerun`` (one table's source
file changed, so the table is reloaded — NOTE: a whole-table reload; row-level delta runs are not built yet),
``after`` (5 s). For each phase: lookups, failed (status ≠ 200, errors or empty answers), p50/p99 in ms, and the
served version at its end. Writes ``<out>/continuity.json`` and prints a table; report ``uptime`` beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import httpx

from hopnhat.synth.generate import SynthSettings, generate


def _hopnhat(*args: str) -> list[str]:
    return [sys.executable, "-m", "hopnhat", "--lang", "en", *args]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Clients:
    url: str
    token: str
    names: list[str]
    think: float
    phase: str = "before"
    samples: list[tuple[str, float, bool]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30) as http:
            while not self.stop.is_set():
                phase, started = self.phase, time.perf_counter()
                try:
                    r = http.get("/api/lookup", params={"q": rng.choice(self.names)})
                    ok = r.status_code == 200 and bool(r.json().get("results"))
                except httpx.HTTPError:
                    ok = False
                with self.lock:
                    self.samples.append((phase, time.perf_counter() - started, ok))
                time.sleep(self.think * rng.uniform(0.5, 1.5))


def _served_version(merger: Path) -> str:
    out = subprocess.run(_hopnhat("store", "versions", str(merger)), capture_output=True, text=True).stdout
    return next((line.split()[1] for line in out.splitlines() if "✔" in line and len(line.split()) > 1), "?")


def _wait_health(url: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise SystemExit("hopnhat serve exited: " + (proc.stdout.read() if proc.stdout else "")) from None
        time.sleep(0.3)
    raise SystemExit("hopnhat serve did not answer")


def _names(store: Path) -> list[str]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        sql = ("SELECT full_name FROM person WHERE full_name IS NOT NULL AND address_new_commune_code IS NOT NULL "
               "ORDER BY record_id LIMIT 200")
        return [r[0] for r in con.execute(sql).fetchall()]
    finally:
        con.close()


def _run_phase(clients: Clients, name: str, command: list[str] | None, seconds: float,
               merger: Path) -> dict[str, object]:
    clients.phase = name
    started = time.monotonic()
    if command:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{name}: migrate failed\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        time.sleep(2.0)  # the app switches within version_check_s (1 s): the switch falls inside the phase
    else:
        time.sleep(seconds)
    return {"phase": name, "seconds": round(time.monotonic() - started, 1), "version_after": _served_version(merger)}


def _figures(samples: list[tuple[str, float, bool]], phase: str) -> dict[str, object]:
    lat = sorted(s[1] for s in samples if s[0] == phase)
    failed = sum(1 for s in samples if s[0] == phase and not s[2])
    if not lat:
        return {"lookups": 0, "failed": failed}
    p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))]
    return {"lookups": len(lat), "failed": failed, "p50_ms": round(statistics.median(lat) * 1000, 1),
            "p99_ms": round(p99 * 1000, 1), "max_ms": round(lat[-1] * 1000, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.002)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--think", type=float, default=0.2)
    ap.add_argument("--out", type=Path, default=Path("/tmp/continuity/bench"))
    args = ap.parse_args()
    estate = args.out / "estate"
    if not (estate / "merger.yaml").exists():
        generate(SynthSettings(scenario="danang", scale=args.scale, seed=7, out=estate))
    merger = estate / "merger.yaml"
    subprocess.run(_hopnhat("migrate", str(merger), "--workers", "1"), check=True, capture_output=True)
    subprocess.run(_hopnhat("users", "add", "bench", "--role", "clerk", "--merger", str(merger)),
                   input="song-nuoc-la-mot-2025\n", text=True, check=True, capture_output=True)
    token = subprocess.run(_hopnhat("users", "token", "bench", "--merger", str(merger)), capture_output=True,
                           text=True, check=True).stdout.strip()
    port = _free_port()
    server = subprocess.Popen(_hopnhat("serve", str(merger), "--port", str(port)), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env={**os.environ, "HOPNHAT_SERVE_VERSION_CHECK_S": "1"})
    url = f"http://127.0.0.1:{port}"
    phases = []
    try:
        _wait_health(url, server)
        clients = Clients(url, token, _names(estate / "hopnhat.duckdb"), args.think)
        threads = [threading.Thread(target=clients.run, args=(i,), daemon=True) for i in range(args.clients)]
        for t in threads:
            t.start()
        phases.append(_run_phase(clients, "before", None, 10, merger))
        phases.append(_run_phase(clients, "full", _hopnhat("migrate", str(merger), "--fresh", "--workers", "1"), 0,
                                 merger))
        phases.append(_run_phase(clients, "between", None, 5, merger))
        changed = sorted(estate.rglob("*.csv"))[0]
        changed.write_bytes(changed.read_bytes())  # new mtime: that table's input changed
        phases.append(_run_phase(clients, "rerun", _hopnhat("migrate", str(merger), "--workers", "1"), 0, merger))
        phases.append(_run_phase(clients, "after", None, 5, merger))
        clients.stop.set()
        for t in threads:
            t.join(timeout=40)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = {"scale": args.scale, "clients": args.clients, "think_s": args.think, "uptime": os.getloadavg(),
              "changed_table_file": str(changed.relative_to(estate)),
              "phases": [{**p, **_figures(clients.samples, str(p["phase"]))} for p in phases]}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "continuity.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"load average {report['uptime']}")
    print(f"{'phase':8} {'secs':>6} {'lookups':>8} {'failed':>6} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} version")
    for p in report["phases"]:  # type: ignore[union-attr]
        print(f"{p['phase']:8} {p['seconds']:>6} {p['lookups']:>8} {p['failed']:>6} {p.get('p50_ms', '-'):>7} "
              f"{p.get('p99_ms', '-'):>7} {p.get('max_ms', '-'):>7} {p['version_after']}")


if __name__ == "__main__":
    main()
