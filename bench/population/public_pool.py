"""The independent population with the public name pool (``names.public_*``, source and licence in SOURCE.md).

``generate.py`` keeps its own small pool as the default (the linkage bench's figures stand on it); this swaps in the
public one for a run::

    .venv/bin/python -m bench.population.public_pool --name-pool public --people 30000 --seed 11 --out /tmp/pop

or, from Python, ``use_name_pool("public")`` before ``generate.generate(...)``. Family names by weight; middle names
by sex and birth generation; given names by sex.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from functools import cache

from bench.population import generate, names

POOLS = ("bench", "public")
_DEFAULT = (generate.FAMILY, generate.GIVEN, generate._middle)


@cache
def _middles(sex: str, before: int) -> generate.Weighted:
    return generate.Weighted(names.public_middle(sex, before - 1))


def _public_middle(rng: random.Random, sex: str, born: dt.date) -> str:
    before = next(g[0] for g in names.GENERATIONS if born.year < g[0])
    return _middles(sex, before).pick(rng)


def use_name_pool(pool: str) -> None:
    """Make ``generate`` draw names from ``pool`` ("bench": its own lists; "public": the public counts)."""
    if pool not in POOLS:
        raise ValueError(f"name pool {pool!r}: expected one of {', '.join(POOLS)}")
    if pool == "bench":
        generate.FAMILY, generate.GIVEN, generate._middle = _DEFAULT
        return
    generate.FAMILY = generate.Weighted(names.public_family())
    generate.GIVEN = {sex: generate.Weighted(names.public_given(sex)) for sex in ("M", "F")}
    generate._middle = _public_middle


def main() -> None:
    args = sys.argv[1:]
    pool = "bench"
    if "--name-pool" in args:
        i = args.index("--name-pool")
        pool = args[i + 1]
        del args[i:i + 2]
    use_name_pool(pool)
    sys.argv = [sys.argv[0], *args]
    generate.main()


if __name__ == "__main__":
    main()
