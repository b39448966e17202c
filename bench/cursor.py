"""The SQL cursor column's bench (issue 19): a person table of N rows, ~0.1 % written (updated with the cursor moved,
deleted, inserted). SQLite: one delta without a cursor (read_by records: SQLite hashes every row's quote()) and one
with ``cursor: updated_at`` (read_by cursor), on two copies of the same database and the same changes. ``--pg``: the
same table in a PostgreSQL server started here (Debian's binaries): a delta by the cursor against a delta that reads
every row (read_by rows: a server table without a cursor is read again by every run) and a --fresh reload.
Prints wall and CPU of each run and checks the stores' checksums are identical.

    .venv/bin/python bench/cursor.py --rows 500000 --out bench/out/cursor --pg
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import resource
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, text

from hopnhat.load.checksum import store_checksums
from hopnhat.load.storedb import open_store
from hopnhat.project.config import Project, load_project
from hopnhat.run.runner import migrate

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"]
GIVEN = ["Văn An", "Thị Bích", "Hoàng Cường", "Thị Dung", "Văn Em", "Thị Phượng", "Minh Quân", "Thu Hà"]


def cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def build(path: Path, rows: int, rng: random.Random) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE nguoi (id INTEGER, ho_ten TEXT, ngay_sinh TEXT, so_cccd TEXT, dia_chi TEXT, "
                "updated_at TEXT)")
    batch = []
    for i in range(1, rows + 1):
        born = f"{1940 + i % 80}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        batch.append((i, f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}", born, f"0{48000000000 + i}",
                      f"Số {i % 300}, phường {i % 50}",
                      f"2025-06-{1 + i * 29 // rows:02d} {i % 24:02d}:{i % 60:02d}:00"))
        if len(batch) == 50_000:
            con.executemany("INSERT INTO nguoi VALUES (?, ?, ?, ?, ?, ?)", batch)
            batch = []
    con.executemany("INSERT INTO nguoi VALUES (?, ?, ?, ?, ?, ?)", batch)
    con.execute("CREATE INDEX nguoi_id ON nguoi (id)")
    con.commit()
    con.close()


def change(path: Path, rows: int, share: float, seed: int) -> None:
    rng = random.Random(seed)
    n = max(1, int(rows * share / 3))
    picked = rng.sample(range(1, rows + 1), 2 * n)
    con = sqlite3.connect(path)
    for i in picked[:n]:
        con.execute("UPDATE nguoi SET ho_ten = ho_ten || ' Anh', updated_at = '2025-07-02 09:00:00' WHERE id = ?", [i])
    con.executemany("DELETE FROM nguoi WHERE id = ?", [(i,) for i in picked[n:]])
    con.executemany("INSERT INTO nguoi VALUES (?, 'Mới Văn Sinh', '2025-07-01', NULL, 'Số 1', "
                    "'2025-07-02 10:00:00')", [(rows + 1 + j,) for j in range(n)])
    con.commit()
    con.close()


def start_postgres(root: Path) -> tuple[str, Any]:
    """A throw-away PostgreSQL (as tests/pgserver.py starts it); returns its DSN and a stop function."""
    import socket
    import subprocess

    bindir = Path(max(glob.glob("/usr/lib/postgresql/*/bin/initdb"))).parent
    as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    root.mkdir(parents=True, exist_ok=True)
    (root / "sock").mkdir(exist_ok=True)
    if as_user:
        shutil.chown(root, user="nobody")
        shutil.chown(root / "sock", user="nobody")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = root / "data"
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "hopnhat", "-A", "trust", "-E", "UTF8",
                    "--no-locale"], check=True, capture_output=True)
    opts = f"-p {port} -k {root / 'sock'} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w",
                    "start"], check=True, capture_output=True)

    def stop() -> None:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       check=True, capture_output=True)

    return f"postgresql://hopnhat@127.0.0.1:{port}/postgres", stop


def copy_to_postgres(sqlite_path: Path, dsn: str) -> None:
    engine = create_engine(dsn.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS nguoi"))
        conn.execute(text("CREATE TABLE nguoi (id INTEGER, ho_ten TEXT, ngay_sinh TEXT, so_cccd TEXT, dia_chi TEXT, "
                          "updated_at TIMESTAMP)"))
        raw = conn.connection.dbapi_connection
        src = sqlite3.connect(sqlite_path)
        with raw.cursor() as cur, cur.copy("COPY nguoi FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in src.execute("SELECT * FROM nguoi"):
                copy.write_row(row)
        src.close()
        conn.execute(text("CREATE INDEX nguoi_id ON nguoi (id)"))
    engine.dispose()


def change_postgres(dsn: str, rows: int, share: float, seed: int) -> None:
    rng = random.Random(seed)
    n = max(1, int(rows * share / 3))
    picked = rng.sample(range(1, rows + 1), 2 * n)
    engine = create_engine(dsn.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE nguoi SET ho_ten = ho_ten || ' Anh', updated_at = '2025-07-02 09:00:00' "
                          "WHERE id = ANY(:ids)"), {"ids": picked[:n]})
        conn.execute(text("DELETE FROM nguoi WHERE id = ANY(:ids)"), {"ids": picked[n:]})
        conn.execute(text("INSERT INTO nguoi SELECT g, 'Mới Văn Sinh', '2025-07-01', NULL, 'Số 1', "
                          "'2025-07-02 10:00:00' FROM generate_series(CAST(:a AS INTEGER), CAST(:b AS INTEGER)) g"),
                     {"a": rows + 1, "b": rows + n})
    engine.dispose()


def pg_project(folder: Path, dsn: str, cursor: bool) -> Project:
    folder.mkdir(parents=True, exist_ok=True)
    p = project(folder, cursor)
    doc = yaml.safe_load((folder / "merger.yaml").read_text(encoding="utf-8"))
    doc["sources"][0].update(kind="postgresql", dsn=dsn)
    doc["sources"][0].pop("path")
    (folder / "merger.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    del p
    return load_project(folder / "merger.yaml")


def bench_postgres(a: Any) -> None:
    dsn, stop = start_postgres(a.out / "pg")
    try:
        copy_to_postgres(a.out / "records" / "ho_tich.sqlite.orig", dsn)
        projects = {"rows": pg_project(a.out / "pg_rows", dsn, False),
                    "cursor": pg_project(a.out / "pg_cursor", dsn, True)}
        for name, p in projects.items():
            timed(f"pg full load ({name} merger)", lambda p=p: migrate(p, link=False, workers=1))
        change_postgres(dsn, a.rows, a.share, 7)
        for name, p in projects.items():
            result = timed(f"pg delta ({name})", lambda p=p: migrate(p, link=False, workers=1))
            c = result.loaded[0]
            print(f"  read_by {c.read_by}: read {c.read:,}, unchanged {c.unchanged:,}, inserted {c.inserted:,}, "
                  f"updated {c.updated:,}, deleted {c.deleted:,}", flush=True)
        fresh = pg_project(a.out / "pg_fresh", dsn, False)
        timed("pg --fresh reload of the final table", lambda: migrate(fresh, fresh=True, link=False, workers=1))
        sums = {name: checksums(p) for name, p in {**projects, "fresh": fresh}.items()}
        same = sums["rows"] == sums["cursor"] == sums["fresh"]
        print(f"pg checksums identical (rows delta, cursor delta, --fresh): {same}", flush=True)
        if not same:
            raise SystemExit("the PostgreSQL stores differ")
    finally:
        stop()


def project(folder: Path, cursor: bool) -> Project:
    spec: dict[str, Any] = {"name": "nguoi", "table": "nguoi", "maps_to": "person",
                            "columns": {"source_key": "id", "full_name": "ho_ten",
                                        "birth_date": {"column": "ngay_sinh", "formats": ["yyyy-mm-dd"]},
                                        "id_number": {"column": "so_cccd", "type": "id_number"}}}
    if cursor:
        spec["cursor"] = "updated_at"
    doc = {"version": 1, "merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "linkage": {"enabled": False},
           "sources": [{"name": "ho_tich", "system": "Hộ tịch", "province": "48", "kind": "sqlite",
                        "path": "ho_tich.sqlite", "tables": [spec]}]}
    (folder / "merger.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_project(folder / "merger.yaml")


def timed(label: str, fn: Any) -> Any:
    w, c = time.perf_counter(), cpu()
    out = fn()
    print(f"{label}: {time.perf_counter() - w:.2f} s wall, {cpu() - c:.2f} CPU-s", flush=True)
    return out


def checksums(p: Project) -> dict[str, tuple[int, str]]:
    reader = open_store(p.store_path, timeout_ms=None)
    try:
        return store_checksums(reader)
    finally:
        reader.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--share", type=float, default=0.001)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--pg", action="store_true", help="also the PostgreSQL comparison")
    ap.add_argument("--no-sqlite", action="store_true")
    a = ap.parse_args()
    shutil.rmtree(a.out, ignore_errors=True)
    plain, by_cursor = a.out / "records", a.out / "cursor"
    plain.mkdir(parents=True)
    build(plain / "ho_tich.sqlite", a.rows, random.Random(1))
    shutil.copy(plain / "ho_tich.sqlite", plain / "ho_tich.sqlite.orig")
    if a.pg:
        bench_postgres(a)
    if a.no_sqlite:
        return
    shutil.copytree(plain, by_cursor)
    projects = {"records": project(plain, False), "cursor": project(by_cursor, True)}
    for name, p in projects.items():
        timed(f"full load ({name} merger)", lambda p=p: migrate(p, link=False, workers=1, lookup_index=False))
    for p in projects.values():
        change(p.base / "ho_tich.sqlite", a.rows, a.share, 7)
    for name, p in projects.items():
        result = timed(f"delta ({name})", lambda p=p: migrate(p, link=False, workers=1, lookup_index=False))
        c = result.loaded[0]
        print(f"  read_by {c.read_by}: read {c.read:,}, unchanged {c.unchanged:,}, inserted {c.inserted:,}, updated "
              f"{c.updated:,}, deleted {c.deleted:,}", flush=True)
    same = checksums(projects["records"]) == checksums(projects["cursor"])
    print(f"checksums of the two deltas' stores identical: {same}", flush=True)
    if not same:
        raise SystemExit("the two deltas' stores differ")


if __name__ == "__main__":
    main()
