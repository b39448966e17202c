"""Benchmark: does the lookup put the citizen the clerk means first? Recall@1/5/20 and MRR per query kind and per
kind of noise, with the search's latency (in-process; the web app under 100 clients is ``bench/serve.py``).

Run from the repository root::

    .venv/bin/python bench/lookup.py [--persons 50000] [--queries 3000] [--seed 5]

1. The store is ``bench/serve.py``'s (persons drawn from Vietnamese name lists, CCCDs, phones, old-commune
   addresses; one golden record each), built into ``bench/out/lookup/``, plus a legacy table of old CMNDs
   (``dancu__cmnd_cu``: a sixth of the persons, the 9-digit number they held before their CCCD) — an archive row
   grouped under the person's golden record.
2. Intended persons are sampled from the store; queries are written by this bench's own noise model
   (``bench/lookup_noise.py``: no code shared with ``hopnhat.synth`` or the lookup) — names without diacritics, in
   upper case, Telex or VNI keystrokes, a keyboard typo, given name first, without the middle name; numbers grouped
   or dotted; phones as 0xx or +84; birth dates in four forms; old communes (with or without the district, the unit
   word, the diacritics) and new ones — plus the hand-written queries of ``bench/lookup_handwritten.csv``.
3. Each query runs through ``Lookup.find`` with a province-wide scope; the rank is the position of the first result
   group that is the intended golden record.

Targets (issue 22): kinds that identify one person (identity number, phone, full name + birth date, full name +
commune) recall@5 ≥ 99 % and recall@1 ≥ 95 %; name alone and name + year recall@20 ≥ 99 %.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import lookup_noise as noise  # type: ignore[import-not-found]  # noqa: E402
from population import names as name_pools  # type: ignore[import-not-found]  # noqa: E402

from hopnhat.load.lookup_index import ensure_index  # noqa: E402
from hopnhat.load.storedb import SQLiteReader, open_store  # noqa: E402
from hopnhat.project.config import load_project  # noqa: E402
from hopnhat.serve.search.lookup import Lookup  # noqa: E402
from hopnhat.serve.security.scope import Scope  # noqa: E402
from hopnhat.units.reference import reference  # noqa: E402
from serve import MERGER, build_population, held_store  # type: ignore[import-not-found]  # noqa: E402

OUT = ROOT / "bench" / "out"
HANDWRITTEN = ROOT / "bench" / "lookup_handwritten.csv"
HANDWRITTEN_PUBLIC = ROOT / "bench" / "lookup_handwritten_public.csv"
ONE_PERSON = ("cccd", "cmnd_old", "phone", "name_date", "name_old_commune", "name_new_commune")
AMBIGUOUS = ("name_only", "name_year")


def add_old_cmnd(store: Path) -> None:
    """A legacy table of the CMND a sixth of the persons held before their CCCD (9 digits, unique)."""
    con = duckdb.connect(str(store))
    try:
        con.execute("DROP TABLE IF EXISTS legacy.dancu__cmnd_cu")
        con.execute("""CREATE TABLE legacy.dancu__cmnd_cu AS
            SELECT record_id, row_number() OVER (ORDER BY src_row) AS _row, full_name AS ho_ten,
                   strftime(birth_date, '%d/%m/%Y') AS ngay_sinh,
                   '2' || lpad(CAST((CAST(src_key AS BIGINT) * 7919) % 100000000 AS VARCHAR), 8, '0') AS so_cmnd
            FROM person WHERE CAST(src_key AS BIGINT) % 6 = 0""")
        con.execute("CHECKPOINT")
    finally:
        con.close()


_BUCKETS = 200_000


def _buckets(pairs: tuple[tuple[str, float], ...]) -> list[str]:
    """A weighted list as ``_BUCKETS`` slots (each name at least one): a hash modulo the length picks by weight."""
    total = sum(w for _, w in pairs)
    out: list[str] = []
    for name, weight in pairs:
        out.extend([name] * max(1, round(weight / total * _BUCKETS)))
    return out


def _pool_table() -> Any:
    """(part, key, slot, name) rows: family; given by sex; middle by sex and generation (``GENERATIONS``)."""
    import pyarrow as pa

    rows: dict[str, list[Any]] = {"part": [], "key": [], "slot": [], "name": []}

    def put(part: str, key: str, slots: list[str]) -> None:
        rows["part"] += [part] * len(slots)
        rows["key"] += [key] * len(slots)
        rows["slot"] += list(range(len(slots)))
        rows["name"] += slots

    put("family", "", _buckets(name_pools.public_family()))
    for sex in ("M", "F"):
        put("given", sex, _buckets(name_pools.public_given(sex)))
        for before, *_factors in name_pools.GENERATIONS:
            put("middle", f"{sex}{before}", _buckets(name_pools.public_middle(sex, before - 1)))
    return pa.table(rows)


def rename_public(store: Path) -> None:
    """Give every person (and the legacy rows copied from them) a name drawn from the public pool
    (``bench/population/public_*.tsv``): family by weight; middle by sex and birth generation; given by sex."""
    gens = name_pools.GENERATIONS
    generation = "CASE " + " ".join(f"WHEN year(birth_date) < {g[0]} THEN '{g[0]}'" for g in gens[:-1]) + \
        f" ELSE '{gens[-1][0]}' END"
    con = duckdb.connect(str(store))
    try:
        con.register("pool_src", _pool_table())
        con.execute("CREATE TEMP TABLE pool AS SELECT * FROM pool_src")
        con.execute("CREATE TEMP TABLE sizes AS SELECT part, key, count(*) AS n FROM pool GROUP BY ALL")
        con.execute(f"""CREATE TEMP TABLE renamed AS
            WITH p AS (SELECT record_id, sex, sex || ({generation}) AS gen, CAST(src_key AS BIGINT) AS i
                       FROM person),
                 k AS (SELECT p.record_id, p.sex, p.gen,
                              (hash(p.i, 21) % sf.n)::BIGINT AS kf, (hash(p.i, 22) % sm.n)::BIGINT AS km,
                              (hash(p.i, 23) % sg.n)::BIGINT AS kg
                       FROM p JOIN sizes sf ON sf.part = 'family'
                              JOIN sizes sm ON sm.part = 'middle' AND sm.key = p.gen
                              JOIN sizes sg ON sg.part = 'given' AND sg.key = p.sex)
            SELECT k.record_id, concat_ws(' ', f.name, nullif(m.name, ''), g.name) AS full_name
            FROM k JOIN pool f ON f.part = 'family' AND f.slot = k.kf
                   JOIN pool m ON m.part = 'middle' AND m.key = k.gen AND m.slot = k.km
                   JOIN pool g ON g.part = 'given' AND g.key = k.sex AND g.slot = k.kg""")
        con.execute("UPDATE person SET full_name = r.full_name FROM renamed r WHERE person.record_id = r.record_id")
        con.execute("""UPDATE legacy.dancu__cong_dan SET ho_ten = r.full_name FROM renamed r
                       WHERE legacy.dancu__cong_dan.record_id = r.record_id""")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def prepare(folder: Path, persons: int, legacy: int, pool: str = "bench", rebuild: bool = False) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "store.duckdb"
    if held_store(folder, persons, legacy, pool, rebuild) is None:
        print(f"store built in {build_population(folder, persons, legacy, pool, 'bench/lookup.py'):.0f} s", flush=True)
    merger = folder / "merger.yaml"
    merger.write_text(MERGER.format(store=store, app_db=folder / "app.sqlite"), encoding="utf-8")
    reader = open_store(str(store), 600_000)
    try:
        t = time.perf_counter()
        path, _ = ensure_index(reader, load_project(merger), folder / "lookup.sqlite",
                               lambda step: print(f"  index: {step}", flush=True))
        print(f"index ready in {time.perf_counter() - t:.0f} s", flush=True)
    finally:
        reader.close()
    return store, path


_FOLDED = "lower(strip_accents(replace(replace(full_name, 'Đ', 'D'), 'đ', 'd')))"
# the family and the given name alone (folded): what a query without the middle name tells
_FG = f"regexp_extract({_FOLDED}, '^(\\S+)', 1) || ' ' || regexp_extract({_FOLDED}, '(\\S+)$', 1)"


def sample(store: Path, n: int, seed: int) -> list[dict[str, Any]]:
    """Sampled persons, with how many persons of the store share what each kind of query tells (the same folded
    name; + birth date; + birth year; + new commune; the same CCCD or phone — the store's random numbers collide
    now and then): no lookup can put a person first more often than 1 / that."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        cur = con.execute(f"""WITH s AS (SELECT *, {_FOLDED} AS folded, {_FG} AS fg, coalesce(address_new_commune_code,
                                                 address_candidates) AS place FROM person
                                     USING SAMPLE {n} ROWS (reservoir, {seed})),
                 same AS (SELECT {_FOLDED} AS folded, birth_date, coalesce(address_new_commune_code,
                                 address_candidates) AS place FROM person WHERE {_FOLDED} IN (SELECT folded FROM s)),
                 same_fg AS (SELECT {_FG} AS fg, birth_date, coalesce(address_new_commune_code,
                                    address_candidates) AS place FROM person WHERE {_FG} IN (SELECT fg FROM s)),
                 given AS (SELECT regexp_extract(full_name, '([^ ]+)$', 1) AS g, year(birth_date) AS y, count(*) AS n
                           FROM person GROUP BY ALL)
            SELECT p.golden_id, p.src_key, p.full_name, CAST(p.birth_date AS VARCHAR) AS birth,
                p.id_number, p.phone, p.address, p.address_new_commune_code AS new_commune,
                p.address_candidates AS candidates, c.so_cmnd,
                (SELECT count(*) FROM same m WHERE m.folded = p.folded) AS same_name,
                (SELECT count(*) FROM same m WHERE m.folded = p.folded AND m.birth_date = p.birth_date) AS same_date,
                (SELECT count(*) FROM same m WHERE m.folded = p.folded
                                               AND year(m.birth_date) = year(p.birth_date)) AS same_year,
                (SELECT count(*) FROM same m WHERE m.folded = p.folded AND m.place = p.place) AS same_place,
                (SELECT count(*) FROM same_fg m WHERE m.fg = p.fg) AS fg_name,
                (SELECT count(*) FROM same_fg m WHERE m.fg = p.fg AND m.birth_date = p.birth_date) AS fg_date,
                (SELECT count(*) FROM same_fg m WHERE m.fg = p.fg
                                                  AND year(m.birth_date) = year(p.birth_date)) AS fg_year,
                (SELECT count(*) FROM same_fg m WHERE m.fg = p.fg AND m.place = p.place) AS fg_place,
                gv.n AS same_given_year,
                (SELECT count(*) FROM person m WHERE m.id_number = p.id_number) AS same_id,
                (SELECT count(*) FROM person m WHERE m.phone = p.phone) AS same_phone
            FROM s p LEFT JOIN legacy.dancu__cmnd_cu c ON c.record_id = p.record_id
            LEFT JOIN given gv ON gv.g = regexp_extract(p.full_name, '([^ ]+)$', 1) AND gv.y = year(p.birth_date)
            ORDER BY p.src_key""")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def _new_commune_name(p: dict[str, Any]) -> str | None:
    code = p["new_commune"] or (p["candidates"] or "").split(";")[0]
    unit = reference().communes["new"].get(code) if code else None
    return unit.name if unit else None


KINDS = ("cccd", "phone", "name_date", "name_old_commune", "name_new_commune", "name_year", "name_only", "cmnd_old",
         "given_year")


def generated(persons: list[dict[str, Any]], seed: int, kinds: tuple[str, ...] = KINDS) -> list[dict[str, Any]]:
    """One query per person, the kinds in turn, each written through the noise model."""
    rng = random.Random(seed)
    out = []
    for i, p in enumerate(persons):
        kind = kinds[i % len(kinds)]
        if kind in ("cmnd_old", "cccd") and p["so_cmnd"] and "cmnd_old" in kinds:
            kind = "cmnd_old"  # those who held a CMND are looked up by it (a sixth of the persons)
        elif kind == "cmnd_old" and not p["so_cmnd"]:
            kind = "cccd"
        name, how = noise.noisy_name(p["full_name"], rng)
        hamlet, commune, district, _province = [*p["address"].split(", "), "", "", ""][:4]
        if kind == "cccd":
            text, how = noise.grouped_digits(p["id_number"], rng)
        elif kind == "cmnd_old":
            text, how = noise.grouped_digits(p["so_cmnd"], rng)
        elif kind == "phone":
            text, how = noise.phone_form(p["phone"], rng)
        elif kind == "name_date":
            date, style = noise.date_form(p["birth"], rng)
            text, how = f"{name} {date}", f"{how}+{style}"
        elif kind == "name_old_commune":
            place, style = noise.place_form(commune, district, rng)
            text, how = f"{name}, {place}", f"{how}+{style}"
        elif kind == "name_new_commune":
            new = _new_commune_name(p)
            if not new:
                continue
            place, style = noise.place_form(new, "", rng)
            text, how = f"{name}, {place}", f"{how}+{style}"
        elif kind == "name_year":
            text = f"{name} {p['birth'][:4]}"
        elif kind == "given_year":
            text, how = f"{p['full_name'].split()[-1]} {p['birth'][:4]}", "exact"
        else:
            text = name
        pre = "fg" if how.startswith("no_middle") else "same"  # no middle name typed: any middle name fits
        same = {"name_date": p[f"{pre}_date"], "name_old_commune": p[f"{pre}_place"],
                "name_new_commune": p[f"{pre}_place"], "name_year": p[f"{pre}_year"], "name_only": p[f"{pre}_name"],
                "given_year": p["same_given_year"], "cccd": p["same_id"], "phone": p["same_phone"]}.get(kind, 1)
        out.append({"kind": kind, "noise": how.split("+")[0], "query": text, "golden_id": p["golden_id"],
                    "same": same})
    return out


def handwritten(store: Path, pool: str = "bench") -> list[dict[str, Any]]:
    """The hand-written queries (person by source key; the query as a clerk would type it): ``HANDWRITTEN`` was
    written against the bench pool's names — with the public pool only its queries without a name (identity
    numbers, phones) hold, and ``HANDWRITTEN_PUBLIC`` gives the named ones."""
    rows = []
    for path, only in ((HANDWRITTEN, () if pool == "bench" else ("cccd", "cmnd_old", "phone")),
                       *([(HANDWRITTEN_PUBLIC, ())] if pool == "public" else [])):
        with path.open(encoding="utf-8", newline="") as fh:
            rows += [r for r in csv.DictReader(fh) if not r["person"].startswith("#")
                     and (not only or r["kind"] in only)]
    con = duckdb.connect(str(store), read_only=True)
    try:
        marks = ", ".join("?" for _ in rows)
        found = con.execute(f"""WITH p AS (SELECT src_key, golden_id, {_FOLDED} AS folded, birth_date,
                                                 coalesce(address_new_commune_code, address_candidates) AS place
                                          FROM person WHERE src_key IN ({marks})),
                 m AS (SELECT {_FOLDED} AS folded, birth_date,
                              coalesce(address_new_commune_code, address_candidates) AS place
                       FROM person WHERE {_FOLDED} IN (SELECT folded FROM p))
            SELECT p.src_key, p.golden_id,
                (SELECT count(*) FROM m WHERE m.folded = p.folded),
                (SELECT count(*) FROM m WHERE m.folded = p.folded AND m.birth_date = p.birth_date),
                (SELECT count(*) FROM m WHERE m.folded = p.folded AND year(m.birth_date) = year(p.birth_date)),
                (SELECT count(*) FROM m WHERE m.folded = p.folded AND m.place = p.place)
            FROM p""", [r["person"] for r in rows]).fetchall()
        keys = {key: (golden, {"name_only": name, "name_date": date, "name_year": year, "name_new_commune": place,
                               "name_old_commune": place}) for key, golden, name, date, year, place in found}
    finally:
        con.close()
    # what a hand-written query tells is shared as the generated queries count it (the same folded name; + date,
    # + year, + new commune — an old commune counted by its new one, as for the generated queries); identity numbers
    # and phones name one person
    return [{"kind": r["kind"], "noise": "handwritten", "query": r["query"], "golden_id": keys[r["person"]][0],
             "same": keys[r["person"]][1].get(r["kind"], 1)} for r in rows if r["person"] in keys]


def rank_of(lookup: Lookup, scope: Scope, q: dict[str, Any]) -> tuple[int | None, float, str]:
    t = time.perf_counter()
    found = lookup.find(q["query"], scope)
    took = time.perf_counter() - t
    for i, g in enumerate(found.groups):
        if any(h.row.get("golden_id") == q["golden_id"] for h in g.hits):
            return i + 1, took, found.query.slug
    return None, took, found.query.slug


def metrics(rows: list[tuple[int | None, float, int]]) -> dict[str, Any]:
    """Recalls, MRR, latency — and ``ideal@1``: the mean of 1 / (persons sharing what the query tells), the best
    recall@1 any lookup could reach on these queries (the name noise-free; a query without the middle name counts
    every person of the same family and given name); ``ideal@20`` likewise for the first screen. ``r@1|sole``:
    recall@1 over the queries whose person nobody else matches; ``r@20|≤20``: recall@20 over those at most 20
    persons match — what a lookup can be asked for whatever the population's namesakes."""
    n = len(rows)
    ranks = [r for r, _, _ in rows]
    times = sorted(t * 1000 for _, t, _ in rows)
    sole = [r for r, _, k in rows if k <= 1]  # nobody else shares what the query tells
    few = [r for r, _, k in rows if k <= 20]  # at most a screenful share it
    return {"n": n, "ideal@1": round(sum(1 / max(1, k) for _, _, k in rows) / n, 4),
            "r@1|sole": round(sum(1 for r in sole if r == 1) / len(sole), 4) if sole else None,
            "r@20|≤20": round(sum(1 for r in few if r and r <= 20) / len(few), 4) if few else None,
            "ideal@20": round(sum(min(1.0, 20 / max(1, k)) for _, _, k in rows) / n, 4),
            "r@1": round(sum(1 for r in ranks if r == 1) / n, 4),
            "r@5": round(sum(1 for r in ranks if r and r <= 5) / n, 4),
            "r@20": round(sum(1 for r in ranks if r and r <= 20) / n, 4),
            "mrr": round(sum(1 / r for r in ranks if r) / n, 4),
            "p50_ms": round(statistics.median(times), 2), "p99_ms": round(times[min(n - 1, int(0.99 * n))], 2)}


def is_miss(kind: str, rank: int | None, same: int) -> bool:
    """A miss the lookup could have avoided: for a kind that names one person, not first while nobody else shares
    what the query tells (or not in the first five); for a name alone / name + year, not on the first screen (20)
    while at most 20 persons share it."""
    if kind in AMBIGUOUS or kind == "given_year":
        return same <= 20 and (rank is None or rank > 20)
    return (same <= 1 and rank != 1) or rank is None or rank > 5


def verdict(kind: str, m: dict[str, Any]) -> str:
    if kind in ONE_PERSON:
        return "met" if m["r@5"] >= 0.99 and m["r@1"] >= 0.95 else "NOT met"
    if kind in AMBIGUOUS:
        return "met" if m["r@20"] >= 0.99 else "NOT met"
    return "(no target)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=50_000)
    ap.add_argument("--legacy", type=int, default=5_000)
    ap.add_argument("--queries", type=int, default=3_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--misses", type=int, default=3,
                    help="missed queries printed per kind (misses the lookup could have avoided: see is_miss)")
    ap.add_argument("--kinds", default=",".join(KINDS),
                    help=f"comma-separated query kinds to generate (default: all of {', '.join(KINDS)})")
    ap.add_argument("--no-handwritten", action="store_true", help="leave the hand-written queries out")
    ap.add_argument("--prepare-only", action="store_true", help="build the store and its index, then stop")
    ap.add_argument("--rebuild", action="store_true",
                    help="replace a store of another population in --folder (otherwise the bench stops)")
    ap.add_argument("--folder", type=Path, default=OUT / "lookup", help="where the store and its index are kept")
    ap.add_argument("--name-pool", choices=("bench", "public"), default="bench",
                    help="bench: bench/serve.py's 20 family × 12 middle × 80 given names; public: the name-part "
                         "frequencies of bench/population/public_*.tsv (MIT, see SOURCE.md there)")
    args = ap.parse_args()
    folder = args.folder
    load_before = [round(x, 2) for x in os.getloadavg()]
    store, index = prepare(folder, args.persons, args.legacy, args.name_pool, args.rebuild)
    if args.prepare_only:
        return
    lookup = Lookup(SQLiteReader(index, 5_000), 3_000, 82.0, 20)
    scope = Scope(("48",), "48")
    kinds = tuple(k for k in args.kinds.split(",") if k)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise SystemExit(f"unknown --kinds: {', '.join(sorted(unknown))}")
    queries = generated(sample(store, args.queries, args.seed), args.seed, kinds)
    if not args.no_handwritten:
        queries += handwritten(store, args.name_pool)
    lookup.find("warm up", scope)
    by_kind: dict[str, list[tuple[int | None, float, int]]] = defaultdict(list)
    by_noise: dict[str, list[tuple[int | None, float, int]]] = defaultdict(list)
    misses: dict[str, list[str]] = defaultdict(list)
    every: list[dict[str, Any]] = []
    for q in queries:
        rank, took, reading = rank_of(lookup, scope, q)
        key = "handwritten:" + q["kind"] if q["noise"] == "handwritten" else q["kind"]
        by_kind[key].append((rank, took, q.get("same", 1)))
        by_noise[f"{q['kind']}/{q['noise']}"].append((rank, took, q.get("same", 1)))
        every.append({**q, "rank": rank, "ms": round(took * 1000, 2), "reading": reading})
        if is_miss(q["kind"], rank, q.get("same", 1)) and len(misses[key]) < args.misses:
            misses[key].append(f"{q['query']!r} → rank {rank} (read as {reading}; {q.get('same', 1)} share it, "
                               f"{q['noise']})")
    report = {"persons": args.persons, "name_pool": args.name_pool, "queries": len(queries),
              "load_average_before": load_before,
              "load_average_after": [round(x, 2) for x in os.getloadavg()],
              "by_kind": {k: {**metrics(v), "target": verdict(k.split(":")[-1], metrics(v))}
                          for k, v in sorted(by_kind.items())},
              "by_noise": {k: metrics(v) for k, v in sorted(by_noise.items())},
              "overall": metrics([r for v in by_kind.values() for r in v]), "misses": misses}
    print(f"{'kind':32} {'n':>5} {'ideal@1':>7} {'r@1':>7} {'r@5':>7} {'ideal@20':>8} {'r@20':>7} {'MRR':>6} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'r@1|sole':>8} {'r@20|≤20':>8}  target")
    for k, m in report["by_kind"].items():
        sole, few = (f"{v:8.2%}" if v is not None else f"{'-':>8}" for v in (m["r@1|sole"], m["r@20|≤20"]))
        print(f"{k:32} {m['n']:5} {m['ideal@1']:7.2%} {m['r@1']:7.2%} {m['r@5']:7.2%} {m['ideal@20']:8.2%} "
              f"{m['r@20']:7.2%} {m['mrr']:6.3f} "
              f"{m['p50_ms']:7.2f} {m['p99_ms']:7.2f} {sole} {few}  {m['target']}")
    print("\nper noise (kind/noise):")
    for k, m in report["by_noise"].items():
        print(f"  {k:40} {m['n']:5} ideal@1 {m['ideal@1']:7.2%} r@1 {m['r@1']:7.2%} r@5 {m['r@5']:7.2%} "
              f"ideal@20 {m['ideal@20']:7.2%} r@20 {m['r@20']:7.2%}")
    print("\nmisses the lookup could have avoided (first few per kind; every query in the .jsonl beside the report):")
    for k, lines in sorted(misses.items()):
        for line in lines:
            print(f"  {k}: {line}")
    OUT.mkdir(parents=True, exist_ok=True)
    suffix = ("" if args.name_pool == "bench" else "-" + args.name_pool) + \
        ("" if kinds == KINDS else "-" + "-".join(kinds))
    (OUT / f"lookup-{args.persons}{suffix}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), "utf-8")
    (OUT / f"lookup-{args.persons}{suffix}.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in every), "utf-8")


if __name__ == "__main__":
    main()
