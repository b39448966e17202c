"""Continuity bench (issue 19): lookup clients (wrk) against ``hopnhat serve`` while ``hopnhat migrate`` writes the
same merger's store — a full run (``--fresh``), then a delta run after ~1 % of the estate's rows changed.

    .venv/bin/python bench/continuity.py [--scale 0.002] [--clients 100] [--think 1.0] [--out DIR]
    /work/benchq .venv/bin/python bench/continuity.py --persons-from COPY_OF_lookup3m --out /tmp/c3m   # 3 M persons
    # the two runs in two jobs (the same --out: the second reuses the first's estate):  --phase full, then delta

What it does:

1. a synth estate (Quảng Nam + Đà Nẵng, ``--scale``) in ``DIR/estate``; with ``--persons-from FOLDER`` (the store of
   ``bench/lookup.py``: 3 M persons, 300,000 legacy rows) that store is copied in first as the served store and its
   lookup index hard-linked where the web app looks for it (or, when the folder has none of this index version,
   built there first, before any client), so the runs write into a 3 M-person store; each run works at the
   priority ``hopnhat migrate`` chooses (``auto``: background while the app serves; ``--run-priority``) and
   updates the served version's lookup index into its own (only what differs: ``hopnhat.load.lookup_update``);
2. ``hopnhat serve`` in its own process, a clerk's API token, and ``wrk`` (``bench/serve.lua``: one connection per
   client, think time ``--think`` × U(0.5, 1.5) s, every request timed) on the query mix of ``bench/serve.py``
   (CCCDs, misspelt names + year, names with diacritics + year, addresses) drawn from the store's persons;
3. phases: ``warmup`` (10 s: a cold server's first answers, reported apart as in ``bench/serve.py``, not in the
   figures outside/during the switch); ``before`` (10 s); ``full`` (``hopnhat migrate --fresh``: every table
   reloaded, then the new version's lookup index made before it is published); ``between`` (10 s); ``delta`` (~1 %
   of the rows of every CSV, NDJSON and SQLite table changed as in ``bench/delta.py``, then ``hopnhat migrate``);
   ``after`` (10 s);
4. the **switch**: from the moment a run published its version until the app logs that it serves it, plus 2 s.

Reported per phase and for outside/during the switches: lookups, failed (non-200 answers, wrk socket errors and
timeouts), p50/p99/max ms, the served version, each run's priority and how its index was made, the p99 of each
minute outside the switches, and ``uptime`` before and after; ``DIR/continuity.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench.delta import change_estate  # noqa: E402
from bench.serve import LUA, WRK, queries, write_paths  # noqa: E402

from hopnhat.load.lookup_index import default_index_path, ensure_index, fingerprint, index_file  # noqa: E402
from hopnhat.load.storedb import open_store  # noqa: E402
from hopnhat.load.versions import current_path  # noqa: E402
from hopnhat.project.config import load_project  # noqa: E402
from hopnhat.synth.generate import SynthSettings, generate  # noqa: E402

SWITCH_TAIL_S = 2.0


def _hopnhat(*args: str) -> list[str]:
    return [sys.executable, "-m", "hopnhat", "--lang", "en", *args]


@dataclass
class Server:
    """``hopnhat serve`` with its log lines timestamped as they come (the moment it switches versions)."""

    proc: subprocess.Popen[str]
    lines: list[tuple[float, str]] = field(default_factory=list)

    def follow(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append((time.monotonic(), line.rstrip()))

    def switched_to(self, version: str, after: float, timeout: float = 1800) -> float:
        """When the app logged serving ``version`` (waits for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, line in list(self.lines):
                if at >= after and "serving store version" in line and version in line:
                    return at
            if self.proc.poll() is not None:
                raise SystemExit("hopnhat serve exited:\n" + "\n".join(t for _, t in self.lines[-30:]))
            time.sleep(0.1)
        raise SystemExit(f"the app did not switch to {version} within {timeout} s")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_health(url: str, server: Server) -> None:
    import httpx

    deadline = time.monotonic() + 1800  # an app without the store's lookup index builds it first
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            if server.proc.poll() is not None:
                raise SystemExit("hopnhat serve exited:\n" + "\n".join(t for _, t in server.lines[-30:])) from None
        time.sleep(0.5)
    raise SystemExit("hopnhat serve did not answer")


def prepare(out: Path, scale: float, persons_from: Path | None) -> Path:
    """The estate (and the 3 M store with its index, when asked), migrated once; the merger file."""
    estate = out / "estate"
    merger = estate / "merger.yaml"
    if (estate / "prepared.ok").exists():
        return merger
    shutil.rmtree(estate, ignore_errors=True)
    generate(SynthSettings(scenario="danang", scale=scale, seed=7, out=estate))
    project = load_project(merger)
    if persons_from is not None:  # served as it is: the full run is the first to load the estate into it
        shutil.copyfile(persons_from / "store.duckdb", project.store_path)
        _link_index(project, persons_from)
        _index_served(project)
    else:
        _check(subprocess.run(_hopnhat("migrate", str(merger), "--workers", "2"), capture_output=True, text=True))
    _check(subprocess.run(_hopnhat("users", "add", "bench", "--role", "clerk", "--merger", str(merger)),
                          input="song-nuoc-la-mot-2025\n", text=True, capture_output=True))
    (estate / "prepared.ok").write_text("ok")
    return merger


def _link_index(project: Any, persons_from: Path) -> None:
    """The 3 M store's lookup index (built by bench/lookup.py, one file per store fingerprint) where the web app and
    the run look for this store's index: the first run then builds only the index of the version it writes."""
    reader = open_store(project.store_path, timeout_ms=None)
    try:
        fp = fingerprint(reader)
    finally:
        reader.close()
    source = persons_from / f"lookup-{fp}.sqlite"
    target = index_file(default_index_path(project, str(project.store_path)), fp)
    if source.exists() and not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, target)


def _index_served(project: Any) -> None:
    """The served store's lookup index, built here (before any client) when the folder had none of this index
    version: the runs then update it (only what differs) instead of the app building one at start."""
    started = time.monotonic()
    reader = open_store(project.store_path, timeout_ms=None)
    try:
        ensure_index(reader, project, default_index_path(project, str(project.store_path)))
    finally:
        reader.close()
    print(f"  served store's lookup index: {time.monotonic() - started:.0f} s", flush=True)


def _run_state(project: Any, started_wall: float) -> dict[str, Any]:
    """The priority the run worked at and how its lookup index was made (its run folder's state.json)."""
    folders = [f for f in project.runs_dir.glob("*/state.json") if f.stat().st_mtime >= started_wall]
    if not folders:
        return {}
    state = json.loads(max(folders, key=lambda f: f.stat().st_mtime).read_text())
    return {"priority": state.get("priority", {}).get("priority"), "index": state.get("index", {}).get("how")}


def _check(done: subprocess.CompletedProcess[str]) -> str:
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, done.args))} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout


def _served(merger: Path) -> str:
    path = current_path(load_project(merger).store_path)
    return path.stem if path else "?"


def start_server(merger: Path, port: int) -> Server:
    command = [sys.executable, "-u", "-m", "hopnhat", "--lang", "en", "serve", str(merger), "--port", str(port)]
    proc = subprocess.Popen(command, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "HOPNHAT_SERVE_VERSION_CHECK_S": "1", "HOPNHAT_SERVE_ROW_LIMIT": "50"})
    server = Server(proc)
    threading.Thread(target=server.follow, daemon=True).start()
    return server


def start_wrk(url: str, token: str, paths: Path, clients: int, think: float, out: Path) -> subprocess.Popen[str]:
    """wrk for up to 2 hours; stopped with SIGINT when the phases are over (it then writes every request)."""
    out.unlink(missing_ok=True)
    cmd = [WRK, "-t", str(clients), "-c", str(clients), "-d", "7200s", "--timeout", "30s", "-s", str(LUA), url,
           "--", str(paths), token, str(round(think * 1000)), "0", "0"]
    return subprocess.Popen(cmd, env={**os.environ, "WRK_OUT": str(out)}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def run_phase(name: str, merger: Path, server: Server, command: list[str] | None, seconds: float,
              marks: list[dict[str, Any]], before: Any = None) -> None:
    """One phase; a run's phase ends when the app serves the version the run published."""
    started = time.monotonic()
    mark: dict[str, Any] = {"phase": name, "start": started}
    if before is not None:
        mark["changed_rows"] = before()
    if command is None:
        time.sleep(seconds)
    else:
        wall = time.time()
        _check(subprocess.run(command, capture_output=True, text=True))
        published = time.monotonic()
        version = _served(merger)
        mark.update(published=published, version=version, switched=server.switched_to(version, started))
        mark["run_s"] = round(published - started, 1)
        mark.update(_run_state(load_project(merger), wall - 1))
        time.sleep(SWITCH_TAIL_S)
    mark["end"] = time.monotonic()
    mark["served_after"] = _served(merger)
    marks.append(mark)
    print(f"  {name}: {mark['end'] - started:.1f} s", flush=True)


def read_wrk(out: Path) -> tuple[list[tuple[float, float, int]], dict[str, int]]:
    rows, errors = [], {}
    for line in out.read_text().splitlines():
        fields = line.split("\t")
        if fields[0] == "#socket_errors":
            errors = dict(zip(("connect", "read", "write", "timeout"), map(int, fields[1:])))
        elif fields[0].isdigit():
            rows.append((int(fields[0]) / 1e6, int(fields[1]) / 1e6, int(fields[2])))
    return rows, errors


def figures(rows: list[tuple[float, float, int]]) -> dict[str, Any]:
    if not rows:
        return {"lookups": 0, "failed": 0}
    lat = sorted(r[1] for r in rows)
    return {"lookups": len(rows), "failed": sum(r[2] != 200 for r in rows),
            "p50_ms": round(statistics.median(lat) * 1000, 1),
            "p99_ms": round(lat[min(len(lat) - 1, int(0.99 * len(lat)))] * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1)}


def report(marks: list[dict[str, Any]], rows: list[tuple[float, float, int]], errors: dict[str, int],
           args: argparse.Namespace) -> dict[str, Any]:
    windows = [(m["published"], m["switched"] + SWITCH_TAIL_S) for m in marks if "published" in m]
    warm = next((m["end"] for m in marks if m["phase"] == "warmup"), 0.0)  # a cold server, reported apart
    measured = [r for r in rows if r[0] >= warm]
    during = [r for r in measured if any(a <= r[0] <= b for a, b in windows)]
    outside = [r for r in measured if not any(a <= r[0] <= b for a, b in windows)]
    phases = []
    for m in marks:
        part = [r for r in rows if m["start"] <= r[0] < m["end"]]
        extra: dict[str, Any] = {k: m[k] for k in ("version", "run_s", "changed_rows", "priority", "index")
                                 if k in m}
        if "published" in m:
            extra["switch_s"] = round(m["switched"] - m["published"], 1)
        phases.append({"phase": m["phase"], "seconds": round(m["end"] - m["start"], 1), "served_after":
                       m["served_after"], **extra, **figures(part)})
    return {"persons_from": str(args.persons_from) if args.persons_from else None, "scale": args.scale,
            "clients": args.clients, "think_s": args.think, "run_priority": args.run_priority or "auto",
            "uptime_before": args.uptime_before, "uptime_after": _uptime(),
            "socket_errors": errors, "failed_total": sum(r[2] != 200 for r in rows) + sum(errors.values()),
            "outside_switch": figures(outside), "during_switch": figures(during), "phases": phases,
            "outside_by_minute": by_minute(outside)}


def by_minute(rows: list[tuple[float, float, int]]) -> list[dict[str, Any]]:
    """p99 of each minute of the bench (the run's stages show as slower minutes)."""
    if not rows:
        return []
    first = min(r[0] for r in rows)
    minutes: dict[int, list[tuple[float, float, int]]] = {}
    for r in rows:
        minutes.setdefault(int((r[0] - first) // 60), []).append(r)
    return [{"minute": m, **figures(part)} for m, part in sorted(minutes.items())]


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def print_report(rep: dict[str, Any]) -> None:
    print(f"uptime before: {rep['uptime_before']}\nuptime after:  {rep['uptime_after']}")
    print(f"wrk socket errors {rep['socket_errors']}; failed lookups in all {rep['failed_total']}; run priority "
          f"{rep['run_priority']}")
    print(f"{'phase':15} {'secs':>7} {'lookups':>8} {'failed':>6} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>8}  served")
    rows = [*rep["phases"], {"phase": "outside switch", "seconds": "", "served_after": "", **rep["outside_switch"]},
            {"phase": "during switch", "seconds": "", "served_after": "", **rep["during_switch"]}]
    for p in rows:
        print(f"{p['phase']:15} {p['seconds']!s:>7} {p['lookups']:>8} {p['failed']:>6} {p.get('p50_ms', '-')!s:>7} "
              f"{p.get('p99_ms', '-')!s:>7} {p.get('max_ms', '-')!s:>8}  {p['served_after']}"
              + (f" (run {p['run_s']} s, switch {p['switch_s']} s, priority {p.get('priority')}, index "
                 f"{p.get('index')})" if "run_s" in p else ""))
    print("outside the switch, per minute: " + ", ".join(f"{m['minute']}: {m.get('p99_ms', '-')}"
                                                         for m in rep["outside_by_minute"]) + " (p99 ms)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.002, help="the synth estate the runs load")
    ap.add_argument("--persons-from", type=Path, default=None,
                    help="a bench/lookup.py folder (store.duckdb + its lookup index) to serve and write into")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--think", type=float, default=1.0, help="mean think time per client, seconds")
    ap.add_argument("--phase", choices=("both", "full", "delta"), default="both",
                    help="run both runs, or one (two jobs of the queue; the folder keeps the state between)")
    ap.add_argument("--out", type=Path, default=Path("/tmp/continuity/bench"))
    ap.add_argument("--run-priority", choices=("auto", "background", "normal"), default=None,
                    help="hopnhat migrate --priority (default: the merger's run.priority, auto: background while "
                         "the app serves)")
    args = ap.parse_args()
    args.uptime_before = _uptime()
    args.out = args.out.resolve()
    merger = prepare(args.out, args.scale, args.persons_from.resolve() if args.persons_from else None)
    project = load_project(merger)
    token = _check(subprocess.run(_hopnhat("users", "token", "bench", "--merger", str(merger)), capture_output=True,
                                  text=True)).strip()
    paths = write_paths(queries(current_path(project.store_path) or project.store_path, 2000, 5),
                        args.out / "paths.tsv")
    url = f"http://127.0.0.1:{_free_port()}"
    server = start_server(merger, int(url.rsplit(":", 1)[1]))
    marks: list[dict[str, Any]] = []
    prio = ["--priority", args.run_priority] if args.run_priority else []
    wrk = None
    try:
        _wait_health(url, server)
        wrk = start_wrk(url, token, paths, args.clients, args.think, args.out / "wrk.tsv")
        run_phase("warmup", merger, server, None, 10, marks)
        run_phase("before", merger, server, None, 10, marks)
        if args.phase in ("both", "full"):
            run_phase("full", merger, server, _hopnhat("migrate", str(merger), "--fresh", "--workers", "1",
                                                       "--no-link", *prio), 0, marks)
            run_phase("between", merger, server, None, 10, marks)
        if args.phase in ("both", "delta"):
            run_phase("delta", merger, server,
                      _hopnhat("migrate", str(merger), "--workers", "1", "--no-link", *prio), 0,
                      marks, before=lambda: sum(change_estate(project, 0.01, random.randrange(1000)).values()))
            run_phase("after", merger, server, None, 10, marks)
    finally:
        if wrk is not None:
            wrk.send_signal(signal.SIGINT)
            wrk.wait(timeout=120)
        server.proc.terminate()
        server.proc.wait(timeout=60)
    rows, errors = read_wrk(args.out / "wrk.tsv")
    rep = report(marks, rows, errors, args)
    (args.out / "continuity.json").write_text(json.dumps(rep, indent=1, ensure_ascii=False))
    print_report(rep)


if __name__ == "__main__":
    main()
