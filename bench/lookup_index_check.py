"""A light check of the lookup on a large index without scanning its store (so without the bench lock): persons
sampled from a small store whose persons are the same by source key (``bench/serve.py`` builds the same person at
every size), queries written by ``bench/lookup.py``'s generator and noise model, ranked on the large index; ``ideal``
counted from the index's own name blocks (unified persons only; the place is the person's new commune in the
entry's scope). Usage::

    .venv/bin/python bench/lookup_index_check.py <folder of the large index> <small store.duckdb> [queries]
"""

from __future__ import annotations

import collections
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import lookup as bench  # type: ignore[import-not-found]  # noqa: E402

from hopnhat.load.lookup_index import fold_name  # noqa: E402
from hopnhat.load.storedb import SQLiteReader  # noqa: E402
from hopnhat.serve.search.lookup import Lookup  # noqa: E402
from hopnhat.serve.security.scope import Scope  # noqa: E402

WANT = {"name_date": "date", "name_old_commune": "place", "name_new_commune": "place", "name_year": "year",
        "name_only": "name"}


def first_person(con: sqlite3.Connection) -> int:
    """The first entry of kind ``person`` (entries are numbered by kind: legacy rows first)."""
    def kind(eid: int) -> str:
        return str(json.loads(con.execute("SELECT doc FROM doc WHERE eid = ?", [eid]).fetchone()[0])[1])
    lo, hi = 1, int(con.execute("SELECT max(eid) FROM doc").fetchone()[0])
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (mid + 1, hi) if kind(mid) < "person" else (lo, mid)
    return lo


def namesakes(con: sqlite3.Connection, start: int, p: dict[str, Any], family_given: bool) -> dict[str, int]:
    """How many persons share the folded name (or only family and given name) and the year / date / commune."""
    w = fold_name(p["full_name"]).split()
    fam, giv, mid = w[0], w[-1], (w[1][0] if len(w) >= 3 else "")
    key = f"g|{giv}|{fam[0]}" if family_given else f"n|{fam}|{mid}|{giv}"
    rows = con.execute("SELECT title_fold, birth_year, birth_day, scope FROM names WHERE k = ? AND eid >= ?",
                       [key, start]).fetchall()
    rows = [r for r in rows if (r[0].split()[0], r[0].split()[-1]) == (fam, giv)] if family_given else \
        [r for r in rows if r[0] == " ".join(w)]
    y, md = int(p["birth"][:4]), int(p["birth"][5:7]) * 100 + int(p["birth"][8:10])
    place = p["new_commune"] or (p["candidates"] or "").split(";")[0]
    return {"name": len(rows), "year": sum(r[1] == y for r in rows),
            "date": sum(r[1] == y and r[2] == md for r in rows),
            "place": sum(f";{place};" in (r[3] or "") for r in rows)}


def main() -> None:
    folder, small, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1800
    load = [round(x, 1) for x in os.getloadavg()]
    persons = bench.sample(small, n, 5)
    queries = bench.generated(persons, 5)
    index = next(folder.glob("lookup-*.sqlite"))
    lookup, scope = Lookup(SQLiteReader(index, 5_000), 3_000, 82.0, 20), Scope(("48",), "48")
    lookup.find("warm up", scope)
    con = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    start, by_golden = first_person(con), {p["golden_id"]: p for p in persons}
    by_kind: dict[str, list[tuple[int | None, float, int]]] = collections.defaultdict(list)
    for q in queries:
        rank, took, _ = bench.rank_of(lookup, scope, q)
        same = namesakes(con, start, by_golden[q["golden_id"]], q["noise"] == "no_middle")[WANT[q["kind"]]] \
            if q["kind"] in WANT else 1
        by_kind[q["kind"]].append((rank, took, same))
    print(f"load average before {load}, after {[round(x, 1) for x in os.getloadavg()]}")
    for kind, rows in sorted(by_kind.items()):
        m = bench.metrics(rows)
        print(f"{kind:18} {m['n']:5} ideal@1 {m['ideal@1']:7.2%} r@1 {m['r@1']:7.2%} r@5 {m['r@5']:7.2%} "
              f"ideal@20 {m['ideal@20']:7.2%} r@20 {m['r@20']:7.2%} MRR {m['mrr']:.3f} p50 {m['p50_ms']:.2f} ms "
              f"p99 {m['p99_ms']:.2f} ms")


if __name__ == "__main__":
    main()
