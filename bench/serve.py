"""Benchmark: the lookup API of the web app on a 3 M-person store, 100 concurrent clients on loopback.

Run from the repository root::

    .venv/bin/python bench/serve.py [--think 1.0] [--clients 100] [--warmup 10] [--seconds 60] [--requests 20000]
                                    [--workers 1] [--client wrk|httpx] [--persons 3000000] [--legacy 300000]

``--think 1`` (the default) models clerks at a desk who each look someone up about once a second; ``--think 0`` is
the worst case (a closed loop: each client sends its next request as soon as it has the answer).

What it does
------------
1. Builds (once; kept in ``bench/out/serve/``, ~15 min) a unified store in DuckDB SQL: ``person`` with the schema's
   columns (``schema.ddl``), names drawn from Vietnamese family / middle / given name lists with realistic weights
   (38 % Nguyễn), birth dates 1930–2024, CCCDs (old province of birth + century/sex digit + year + 6 digits),
   addresses in the old communes of Đà Nẵng (48) and Quảng Nam (49) written as the old systems wrote them, with the
   new commune (or the candidates of a split one) from the shipped conversion table; ``--legacy`` of those rows again
   as a legacy archive table (raw text columns); a finished run in ``runs``.
   The folder's marker (``store-<persons>-<legacy>[-<pool>].ok``, JSON inside) says which population the store
   holds — persons, legacy rows, name pool (``bench``, or ``public`` from ``bench/lookup.py --name-pool public``):
   a store of that size is used whichever pool it was built with (``--name-pool`` to insist on one), and a folder
   holding another population stops the bench instead of being rebuilt (``--rebuild`` replaces it). A new store is
   built as ``bench/lookup.py`` builds it (with the old-CMND archive table), so either bench can use it.
2. Builds the lookup index (``hopnhat.load.lookup_index.build_index``) once and times it.
3. Reads the index file once (a server that has been running has it in the page cache), starts ``hopnhat serve``
   (the Typer command) in a separate process on a free loopback port, with a clerk account scoped to the whole
   province and an API token.
4. Loads ``GET /api/lookup`` with ``wrk`` (C, Debian package; ``bench/serve.lua``): ``--clients`` connections, one wrk
   thread each so that every request is timed on its own; each client pauses ``--think`` × U(0.5, 1.5) s before
   each request. The query mix, drawn from persons of the store and cycled through from a different point by each
   client: 50 % a CCCD, 30 % a misspelt unaccented name + birth year, 10 % a name with diacritics + birth year, 10 %
   an old address (hamlet, commune, district). The first ``--warmup`` seconds (connections opened, caches filled)
   are reported apart as ``warmup``; the measured window that follows is bounded by ``--seconds`` and
   ``--requests`` (whichever first) — its percentiles are the steady state. ``--client httpx`` runs the former
   load generator instead (asyncio + httpx in this process: it competes with the server for the cores and adds
   its own queueing to every latency).
5. Prints throughput, p50/p95/p99/max latency overall, per query kind and per 10 s, the statuses (non-2xx =
   errors) and socket errors, the server's CPU time per request (independent of what else runs on the machine:
   1000 / that = requests per second one core can serve), the client's CPU per request, the load average before,
   every 10 s and after, and writes ``bench/out/serve-think<T>[-w<N>].json``.

Every request is a real one: bearer-token check, scope in the SQL, the audit log entry (hash chain, SQLite), JSON.
This is a script, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
import httpx
import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from hopnhat.load.lookup_index import ensure_index, fingerprint, fold_name, index_file  # noqa: E402
from hopnhat.load.storedb import open_store  # noqa: E402
from hopnhat.model.schema import HOUSEKEEPING, ddl, entity_columns  # noqa: E402
from hopnhat.project.config import load_project  # noqa: E402
from hopnhat.serve.app.appdb import AppDB  # noqa: E402
from hopnhat.serve.app.background import free_port  # noqa: E402
from hopnhat.serve.app.settings import load_settings  # noqa: E402
from hopnhat.serve.security.users import add_user, create_token, get_user  # noqa: E402
from hopnhat.units.reference import reference  # noqa: E402

OUT = ROOT / "bench" / "out"
LUA = ROOT / "bench" / "serve.lua"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 3), ("Huỳnh", 3), ("Phan", 4), ("Vũ", 2),
          ("Võ", 2), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 1), ("Hồ", 1), ("Ngô", 1), ("Dương", 1), ("Lý", 1),
          ("Đoàn", 1), ("Trương", 1), ("Lương", 1), ("Đinh", 1)]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Công", "Thanh", "Xuân", "Ngọc", "Đình", "Quang", "Anh"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Kim", "Minh", "Mỹ", "Hồng", "Diệu", "Phương"]
GIVEN = ["An", "Anh", "Bảo", "Bình", "Châu", "Chi", "Cường", "Dũng", "Dung", "Duy", "Đạt", "Giang", "Hà", "Hải",
         "Hạnh", "Hằng", "Hiếu", "Hòa", "Hoa", "Hùng", "Hương", "Huy", "Huyền", "Khánh", "Khoa", "Lan", "Linh",
         "Loan", "Long", "Lộc", "Mai", "Minh", "My", "Nam", "Nga", "Ngân", "Nghĩa", "Ngọc", "Nhân", "Nhung", "Oanh",
         "Phát", "Phong", "Phúc", "Phương", "Quân", "Quang", "Quyên", "Sơn", "Tài", "Tâm", "Thảo", "Thắng", "Thành",
         "Thịnh", "Thu", "Thủy", "Tiến", "Toàn", "Trang", "Trinh", "Trung", "Tuấn", "Tùng", "Uyên", "Vân", "Việt",
         "Vinh", "Vy", "Xuân", "Yến", "Đông", "Hậu", "Kiên", "Lực", "Mạnh", "Nhi", "Quý", "Thư", "Trâm"]
HAMLETS = ["Thôn 1", "Thôn 2", "Thôn 3", "Thôn 5", "Thôn An Mỹ", "Thôn Phú Thạnh", "Tổ dân phố 4", "Khối phố 2",
           "Tổ 7", "Thôn Hạ Phước"]


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _communes() -> pa.Table:
    """Old communes of Đà Nẵng and Quảng Nam with their address text and new commune (or split candidates)."""
    ref = reference()
    rows = defaultdict(list)
    for code, unit in sorted(ref.communes["old"].items()):
        if unit.province_code not in ("48", "49"):
            continue
        targets = sorted({link.new_code for link in ref.new_communes_of(code)})
        district = ref.districts.get(unit.district_code or "")
        province = ref.provinces["old"][unit.province_code]
        rows["old_code"].append(code)
        rows["text"].append(f"{unit.name}, {district.name if district else ''}, {province.name}")
        rows["new_code"].append(targets[0] if len(targets) == 1 else None)
        rows["candidates"].append(";".join(targets) if len(targets) > 1 else None)
        rows["status"].append("converted" if len(targets) == 1 else "split" if targets else "not_found")
        rows["province"].append(unit.province_code)
    return pa.table(rows)


def build_store(path: Path, persons: int, legacy: int) -> None:
    """3 M persons in DuckDB SQL (a few seconds), plus a legacy archive of ``legacy`` of them."""
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.register("communes_src", _communes())
        con.execute("CREATE TABLE communes AS SELECT row_number() OVER () - 1 AS k, * FROM communes_src")
        n_communes = con.execute("SELECT count(*) FROM communes").fetchone()[0]
        family = [f for f, w in FAMILY for _ in range(w)]
        con.execute(ddl("person", entity_columns("person")))
        for name, cols in HOUSEKEEPING.items():
            con.execute(ddl(name, cols))
        con.execute(f"""
            CREATE TEMP TABLE g AS SELECT i, (hash(i, 1) % 1000000007)::BIGINT AS h1,
                   (hash(i, 2) % 1000000007)::BIGINT AS h2,
                   (hash(i, 3) % 1000000007)::BIGINT AS h3, (hash(i, 4) % 1000000007)::BIGINT AS h4,
                   (hash(i, 5) % 1000000007)::BIGINT AS h5, (hash(i, 6) % 2)::INT AS female,
                   DATE '1930-01-01' + CAST(hash(i, 7) % 34675 AS INTEGER) AS birth
            FROM range({persons}) t(i)""")
        con.execute(f"""
            INSERT INTO person (record_id, src_source, src_system, src_province, src_table, src_key, src_row, run_id,
                full_name, birth_date, birth_date_quality, sex, id_number, id_number_kind, phone, address,
                address_old_commune_code, address_new_province_code, address_new_commune_code, address_status,
                address_candidates, golden_id)
            SELECT 'dancu/cong_dan/' || i, 'dancu', 'Hộ tịch - dân cư', c.province, 'cong_dan', i::VARCHAR, i + 1,
                'bench-run',
                {_sql_list(family)}[(h1 % {len(family)}) + 1] || ' ' ||
                CASE WHEN female = 1 THEN {_sql_list(MIDDLE_F)}[(h2 % {len(MIDDLE_F)}) + 1]
                     ELSE {_sql_list(MIDDLE_M)}[(h2 % {len(MIDDLE_M)}) + 1] END || ' ' ||
                {_sql_list(GIVEN)}[(h3 % {len(GIVEN)}) + 1],
                birth, 'exact', CASE WHEN female = 1 THEN 'F' ELSE 'M' END,
                '0' || c.province || CAST((year(birth) >= 2000)::INT * 2 + female AS VARCHAR)
                    || lpad(CAST(year(birth) % 100 AS VARCHAR), 2, '0') || lpad(CAST(h4 % 1000000 AS VARCHAR), 6, '0'),
                'cccd', '09' || lpad(CAST(h5 % 100000000 AS VARCHAR), 8, '0'),
                {_sql_list(HAMLETS)}[(h5 % {len(HAMLETS)}) + 1] || ', ' || c.text,
                c.old_code, '48', c.new_code, c.status, c.candidates, 'P-' || i
            FROM g JOIN communes c ON c.k = g.h4 % {n_communes}""")
        con.execute("INSERT INTO runs VALUES ('bench-run', now(), now(), 'done', 'bench', 'bench', 'bench')")
        con.execute("CREATE SCHEMA legacy")
        con.execute(f"""CREATE TABLE legacy.dancu__cong_dan AS SELECT record_id, src_row AS _row, src_key AS id,
            full_name AS ho_ten, strftime(birth_date, '%d/%m/%Y') AS ngay_sinh, id_number AS so_cccd,
            phone AS so_dien_thoai, address AS dia_chi FROM person ORDER BY src_row LIMIT {legacy}""")
        con.execute("CHECKPOINT")
    finally:
        con.close()


MERGER = """version: 1
merged_unit: {{province_code: '48', name: Thành phố Đà Nẵng, cutover: '2025-07-01', old_provinces: ['49', '48']}}
store: {{path: {store}, app_db: {app_db}}}
sources:
- name: dancu
  system: Hộ tịch - dân cư
  province: '48'
  kind: csv
  tables:
  - name: cong_dan
    path: cong_dan.csv
    maps_to: person
    columns: {{source_key: id, full_name: ho_ten, birth_date: {{column: ngay_sinh, type: date}},
               id_number: {{column: so_cccd, type: id_number}}, address: {{column: dia_chi, type: admin_address}}}}
"""


POOLS = ("bench", "public")  # the name pools a bench store is built with (bench/lookup.py --name-pool)
_MARKER = re.compile(r"store-(\d+)-(\d+)(?:-([a-z]+))?\.ok")


def marker_path(folder: Path, persons: int, legacy: int, pool: str) -> Path:
    """The file that says which population the folder's store holds (the pool in its name unless ``bench``)."""
    return folder / (f"store-{persons}-{legacy}.ok" if pool == "bench" else f"store-{persons}-{legacy}-{pool}.ok")


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The population the folder's store holds — persons, legacy rows, name pool — from its marker (its JSON, or its
    name for a marker written before the pool was recorded in it); None when the folder holds no finished store."""
    found = []
    for path in sorted(folder.glob("store-*.ok")):
        match = _MARKER.fullmatch(path.name)
        if match is None:
            raise SystemExit(f"{path}: not a store marker this bench wrote; remove it or use another --folder")
        held = {"persons": int(match[1]), "legacy": int(match[2]), "pool": match[3] or "bench"}
        try:
            held.update(json.loads(path.read_text(encoding="utf-8")))
        except ValueError:
            pass  # an older marker ("ok"): its name says it all
        found.append(held)
    if len(found) > 1:
        raise SystemExit(f"{folder} holds {len(found)} store markers ({found}); keep the one its store.duckdb is")
    if not found or not (folder / "store.duckdb").exists():
        return None
    return found[0]


def write_marker(folder: Path, persons: int, legacy: int, pool: str, built_by: str) -> None:
    for old in folder.glob("store-*.ok"):
        old.unlink()
    marker_path(folder, persons, legacy, pool).write_text(
        json.dumps({"persons": persons, "legacy": legacy, "pool": pool, "built_by": built_by}) + "\n",
        encoding="utf-8")


def held_store(folder: Path, persons: int, legacy: int, pool: str | None, rebuild: bool) -> str | None:
    """The pool of the store the folder already holds for this population (``pool`` None: whichever pool it was
    built with); None when it must be built. A folder holding another population is never rebuilt silently: that
    stops the bench unless ``rebuild``."""
    held = read_marker(folder)
    if held is None:
        return None
    if (held["persons"], held["legacy"]) == (persons, legacy) and pool in (None, held["pool"]):
        return str(held["pool"])
    if rebuild:
        return None
    raise SystemExit(f"{folder} holds a store of {held['persons']:,} persons, {held['legacy']:,} legacy rows, "
                     f"{held['pool']} names; asked for {persons:,} / {legacy:,} / {pool or 'any'} names. "
                     "Pass those figures, another --folder, or --rebuild to replace it.")


def build_population(folder: Path, persons: int, legacy: int, pool: str, built_by: str) -> float:
    """The bench population in ``folder``: the store (:func:`build_store`), renamed from the public name pool when
    asked, the legacy table of old CMNDs — the same store whichever bench builds it; seconds taken."""
    import lookup  # type: ignore[import-not-found]  # bench/lookup.py (imports this module at its top)

    t = time.perf_counter()
    store = folder / "store.duckdb"
    build_store(store, persons, legacy)
    if pool == "public":
        lookup.rename_public(store)
    lookup.add_old_cmnd(store)
    write_marker(folder, persons, legacy, pool, built_by)
    return time.perf_counter() - t


def prepare(folder: Path, persons: int, legacy: int, pool: str | None = None,
            rebuild: bool = False) -> tuple[Path, dict[str, Any]]:
    folder.mkdir(parents=True, exist_ok=True)
    store, figures = folder / "store.duckdb", dict[str, Any]()
    held = held_store(folder, persons, legacy, pool, rebuild)
    if held is None:
        held = pool or "bench"
        figures["store_build_s"] = round(build_population(folder, persons, legacy, held, "bench/serve.py"), 1)
    figures["name_pool"] = held
    merger = folder / "merger.yaml"
    merger.write_text(MERGER.format(store=store, app_db=folder / "app.sqlite"), encoding="utf-8")
    project = load_project(merger)
    reader = open_store(store, 600_000)
    if not index_file(folder / "lookup.duckdb", fingerprint(reader)).exists():
        t = time.perf_counter()
        ensure_index(reader, project, folder / "lookup.duckdb", lambda step: print(f"  index: {step}", flush=True))
        figures["index_build_s"] = round(time.perf_counter() - t, 1)
    reader.close()
    return merger, figures


def _misspelt(name: str, rng: random.Random) -> str:
    words = fold_name(name).split()
    pos = rng.randrange(1, len(words[-1])) if len(words[-1]) > 1 else 0
    words[-1] = words[-1][:pos] + words[-1][pos - 1:] if pos else words[-1] + "h"
    return " ".join(words)


def queries(store: Path, n: int, seed: int, mix: str = "default") -> list[tuple[str, str]]:
    """The query mix, from persons of the store. ``default``: 50 % CCCD, 30 % a misspelt unaccented name + birth
    year, 10 % a name with diacritics + year, 10 % an old address. ``clerks`` (issue 22's kinds): 25 % CCCD, 10 % an
    old CMND (when the store has them), 10 % a phone as +84, 15 % a misspelt name + year, 10 % a name with diacritics
    + year, 10 % a full name alone, 10 % a name + the new commune, 10 % an old address."""
    rng = random.Random(seed)
    con = duckdb.connect(str(store), read_only=True)
    try:
        cmnd = mix == "clerks" and "legacy.dancu__cmnd_cu" in {f"{s}.{t}" for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}
        join = "LEFT JOIN legacy.dancu__cmnd_cu c ON c.record_id = p.record_id" if cmnd else ""
        rows = con.execute(f"SELECT p.full_name, year(p.birth_date), p.id_number, p.address, p.phone, "
                           f"coalesce(p.address_new_commune_code, split_part(p.address_candidates, ';', 1)), "
                           f"{'c.so_cmnd' if cmnd else 'NULL'} FROM (SELECT * FROM person USING SAMPLE {n} ROWS "
                           f"(reservoir, {seed})) p {join}").fetchall()
    finally:
        con.close()
    units = reference().communes["new"]
    out = []
    for i, (name, year, cccd, address, phone, commune, old_cmnd) in enumerate(rows):
        r = i % 20 if mix == "clerks" else (i % 10) * 2
        if r < (10 if mix == "default" else 5):
            out.append(("cccd", cccd))
        elif mix == "clerks" and r < 7 and old_cmnd:
            out.append(("cmnd_old", old_cmnd))
        elif mix == "clerks" and r < 7:
            out.append(("cccd", cccd))
        elif mix == "clerks" and r < 9 and phone:
            out.append(("phone", "+84 " + phone[1:]))
        elif r < 16 if mix == "default" else r < 12:
            out.append(("name_misspelt", f"{_misspelt(name, rng)} {year}"))
        elif r < 18 if mix == "default" else r < 14:
            out.append(("name_diacritics", f"{name} {year}"))
        elif mix == "clerks" and r < 16:
            out.append(("name_only", name))
        elif mix == "clerks" and r < 18 and commune in units:
            out.append(("name_commune", f"{name}, {units[commune].name}"))
        else:
            out.append(("address", address))
    rng.shuffle(out)
    return out


def start_server(merger: Path, port: int, workers: int, index_base: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "HOPNHAT_SERVE_INDEX_PATH": str(index_base), "HOPNHAT_SERVE_ROW_LIMIT": "50",
           "HOPNHAT_SERVE_WORKERS": str(workers),
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)}
    code = ("import typer; from hopnhat.cli.serve import serve; typer.run(serve)")
    log = (OUT / "serve-server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-c", code, str(merger), "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError as exc:
            if proc.poll() is not None:
                raise RuntimeError((OUT / "serve-server.log").read_text()[-3000:]) from exc
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("server did not start")


async def load(url: str, token: str, mix: list[tuple[str, str]], clients: int, total: int, seconds: float,
               think: float) -> tuple[list[tuple[str, float, int]], float]:
    results: list[tuple[str, float, int, float]] = []
    errors: list[str] = []
    counter = iter(range(total))
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, limits=limits,
                                 timeout=30) as http:
        async def client(k: int) -> None:
            for i in counter:
                if time.perf_counter() > deadline:
                    return
                kind, q = mix[i % len(mix)]
                t = time.perf_counter()
                try:
                    status = (await http.get("/api/lookup", params={"q": q})).status_code
                except httpx.HTTPError as exc:  # counted, reported, never hidden
                    status = 0
                    errors.append(f"{type(exc).__name__}: {exc}")
                results.append((kind, time.perf_counter() - t, status, t - started))
                if think:
                    await asyncio.sleep(think * (0.5 + random.random()))

        started = time.perf_counter()
        await asyncio.gather(*(client(k) for k in range(clients)))
        for line in sorted(set(errors))[:5]:
            print("  client error:", line, flush=True)
        return results, time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children (the worker processes), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def summary(results: list[tuple[str, float, int, float]], wall: float) -> dict[str, object]:
    """Figures from every request's own timing (kind, latency s, status, sent s into the window); non-2xx = error."""
    lat = [d for _, d, _, _ in results]
    out: dict[str, object] = {
        "requests": len(results), "errors": sum(not 200 <= s < 300 for _, _, s, _ in results),
        "seconds": round(wall, 1),
        "throughput_rps": round(len(results) / wall, 1), "p50_ms": round(pct(lat, 50), 1),
        "p95_ms": round(pct(lat, 95), 1), "p99_ms": round(pct(lat, 99), 1), "max_ms": round(max(lat) * 1000, 1),
        "mean_ms": round(statistics.fmean(lat) * 1000, 1)}
    kinds: dict[str, list[float]] = defaultdict(list)
    for kind, d, _, _ in results:
        kinds[kind].append(d)
    out["by_kind"] = {k: {"n": len(v), "p50_ms": round(pct(v, 50), 1), "p99_ms": round(pct(v, 99), 1)}
                      for k, v in sorted(kinds.items())}
    per10: dict[int, list[float]] = defaultdict(list)
    for _, d, _, at in results:
        per10[int(at // 10)].append(d)
    out["p99_ms_per_10s"] = {f"{k * 10}-{k * 10 + 10}s": round(pct(v, 99), 1) for k, v in sorted(per10.items())}
    out["requests_per_10s"] = {f"{k * 10}-{k * 10 + 10}s": len(v) for k, v in sorted(per10.items())}
    return out


# ------------------------------------------------------------------------------------------------ wrk client

def write_paths(mix: list[tuple[str, str]], target: Path) -> Path:
    """The query mix as ``kind<TAB>path`` lines for the wrk script (each client cycles from its own point)."""
    target.write_text("".join(f"{kind}\t/api/lookup?{urlencode({'q': q})}\n" for kind, q in mix), encoding="utf-8")
    return target


def wrk_run(url: str, token: str, paths: Path, args: argparse.Namespace, server_pid: int
            ) -> tuple[list[tuple[float, float, int, str]], dict[str, Any]]:
    """One wrk run (warm-up + measured window, one wrk thread per client): every request's (sent s, latency s,
    status, kind), with the server's CPU time and the load average sampled while it runs."""
    out = OUT / "serve-wrk.tsv"
    out.unlink(missing_ok=True)
    quota = math.ceil(args.requests / args.clients)
    started = time.monotonic()
    warm_until = started + args.warmup
    cmd = [WRK, "-t", str(args.clients), "-c", str(args.clients), "-d", f"{math.ceil(args.warmup + args.seconds)}s",
           "--timeout", "30s", "-s", str(LUA), url, "--", str(paths), token, str(round(args.think * 1000)),
           str(quota), str(int(warm_until * 1e6))]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, env={**os.environ, "WRK_OUT": str(out)}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    extra: dict[str, Any] = {"load_average_1min_per_10s": []}
    cpu_at_warm = None
    while proc.poll() is None:
        time.sleep(0.2)
        if cpu_at_warm is None and time.monotonic() >= warm_until:
            cpu_at_warm = cpu_seconds(server_pid)
        if time.monotonic() - started >= 10 * (len(extra["load_average_1min_per_10s"]) + 1):
            extra["load_average_1min_per_10s"].append(round(os.getloadavg()[0], 2))
    cpu_end = cpu_seconds(server_pid)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    extra["client_cpu_s"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1)
    extra["server_cpu_s_measured"] = round(cpu_end - (cpu_at_warm or cpu_end), 2)
    text = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"wrk failed ({proc.returncode}): {text[-2000:]}")
    rows = []
    for line in out.read_text().splitlines():
        fields = line.split("\t")
        if fields[0] == "#socket_errors":
            extra["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, fields[1:])))
        else:
            rows.append((int(fields[0]) / 1e6 - started, int(fields[1]) / 1e6, int(fields[2]), fields[3]))
    return rows, extra


def wrk_load(url: str, token: str, paths: Path, args: argparse.Namespace, server_pid: int) -> dict[str, Any]:
    """Warm-up (``--warmup`` s, reported apart) and then the measured window, bounded by ``--requests`` and
    ``--seconds``, in one wrk run: connections stay open from the warm-up into the measured window."""
    rows, extra = wrk_run(url, token, paths, args, server_pid)
    warm = [r for r in rows if r[0] < args.warmup]
    measured = [(kind, took, status, sent - args.warmup) for sent, took, status, kind in rows
                if args.warmup <= sent < args.warmup + args.seconds]
    if not measured:
        raise RuntimeError("no request completed in the measured window")
    wall = min(args.seconds, max(r[3] + r[1] for r in measured))
    report: dict[str, Any] = {}
    if warm:
        report["warmup"] = {"seconds": args.warmup, **{
            k: v for k, v in summary([(kind, took, status, sent) for sent, took, status, kind in warm],
                                     args.warmup).items() if k != "by_kind"}}
    report["server_cpu_ms_per_request"] = round(extra.pop("server_cpu_s_measured") * 1000 / len(measured), 2)
    report["client_cpu_ms_per_request"] = round(extra["client_cpu_s"] * 1000 / len(rows), 3)
    report.update(summary(measured, wall))
    report["statuses"] = dict(sorted(Counter(str(s) for _, _, s, _ in measured).items()))
    report.update(extra)
    return report


def httpx_load(url: str, token: str, mix: list[tuple[str, str]], args: argparse.Namespace,
               server_pid: int) -> dict[str, Any]:
    """The former client (asyncio + httpx in this process): it shares the machine's cores with the server, so its
    own queueing adds to every latency; kept for comparison."""
    report: dict[str, Any] = {}
    if args.warmup > 0:
        results, wall = asyncio.run(load(url, token, mix, args.clients, args.requests, args.warmup, args.think))
        report["warmup"] = {"seconds": args.warmup, **{k: v for k, v in summary(results, wall).items()
                                                       if k not in ("by_kind", "p99_ms_per_10s")}}
    cpu = cpu_seconds(server_pid)
    results, wall = asyncio.run(load(url, token, mix, args.clients, args.requests, args.seconds, args.think))
    report["server_cpu_ms_per_request"] = round((cpu_seconds(server_pid) - cpu) * 1000 / max(1, len(results)), 2)
    report.update(summary(results, wall))
    return report


def arguments() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=3_000_000)
    ap.add_argument("--legacy", type=int, default=300_000)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--requests", type=int, default=20_000, help="measured requests at most")
    ap.add_argument("--seconds", type=float, default=60, help="measured seconds at most (after the warm-up)")
    ap.add_argument("--warmup", type=float, default=10, help="warm-up seconds, same load, reported apart (0: none)")
    ap.add_argument("--think", type=float, default=1.0,
                    help="mean seconds a client waits between requests (uniform 0.5-1.5x; 0: closed loop)")
    ap.add_argument("--client", choices=("wrk", "httpx"), default="wrk")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=1, help="server processes (HOPNHAT_SERVE_WORKERS)")
    ap.add_argument("--folder", type=Path, default=OUT / "serve",
                    help="where the store and its index are kept (bench/lookup.py's folder may be given: same store)")
    ap.add_argument("--name-pool", choices=POOLS, default=None,
                    help="the names of the store (default: whichever pool the folder's store was built with; bench "
                         "for a new one)")
    ap.add_argument("--mix", choices=("default", "clerks"), default="default",
                    help="the query mix (see queries()): default, or clerks (issue 22's kinds: + old CMND, phone, "
                         "name alone, name + commune)")
    ap.add_argument("--rebuild", action="store_true",
                    help="replace a store of another population in --folder (otherwise the bench stops)")
    return ap.parse_args()


def warm_page_cache(folder: Path) -> float:
    """A server that has been running has its index in the page cache: read the file once."""
    t = time.perf_counter()
    for index in folder.glob("lookup-*.sqlite"):
        with index.open("rb") as fh:
            while fh.read(1 << 24):
                pass
    return round(time.perf_counter() - t, 1)


def main() -> None:
    args = arguments()
    OUT.mkdir(parents=True, exist_ok=True)
    folder = args.folder.resolve()
    print(f"store: {args.persons:,} persons, legacy archive {args.legacy:,} rows → {folder}", flush=True)
    merger, figures = prepare(folder, args.persons, args.legacy, args.name_pool, args.rebuild)
    print(f"names: {figures['name_pool']} pool", flush=True)
    project = load_project(merger)
    db = AppDB(project.app_db_path)
    if get_user(db, "bench") is None:
        add_user(db, "bench", "clerk", "tai-khoan-do-tai-2025", "48")  # the password may not hold the name
    token = create_token(db, "bench", "bench")
    load_settings(project)  # validates the environment's settings as the server will
    mix = queries(folder / "store.duckdb", 5000, args.seed, args.mix)
    figures["page_cache_warm_s"] = warm_page_cache(folder)
    port = free_port()
    t = time.perf_counter()
    server = start_server(merger, port, args.workers, folder / "lookup.duckdb")
    figures["server_start_s"] = round(time.perf_counter() - t, 1)
    load_before = [round(x, 2) for x in os.getloadavg()]
    try:
        url = f"http://127.0.0.1:{port}"
        if args.client == "wrk":
            measured = wrk_load(url, token, write_paths(mix, OUT / "serve-paths.txt"), args, server.pid)
        else:
            measured = httpx_load(url, token, mix, args, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = {"client": args.client, "mix": args.mix, "persons": args.persons, "legacy_rows": args.legacy,
              "clients": args.clients,
              "think_s": args.think, "workers": args.workers, "cpus": os.cpu_count(),
              "load_average_before": load_before, "load_average_after": [round(x, 2) for x in os.getloadavg()],
              **figures, **measured}
    print(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"measured window: steady state after a {args.warmup:g} s warm-up (reported apart as 'warmup')")
    verdict = "met" if report["p99_ms"] < 50 else "NOT met"
    print(f"target p99 < 50 ms: {verdict}")
    OUT.mkdir(parents=True, exist_ok=True)
    suffix = (f"-{args.client}" if args.client != "wrk" else "") + f"-think{args.think:g}" + \
        (f"-w{args.workers}" if args.workers > 1 else "") + (f"-{args.mix}" if args.mix != "default" else "") + \
        (f"-{figures['name_pool']}" if figures["name_pool"] != "bench" else "")
    (OUT / f"serve{suffix}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
