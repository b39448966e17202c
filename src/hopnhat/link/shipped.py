"""m-probabilities trained once on a large population, for a list too small to train its own.

EM estimates each level's m (how often one person's records agree there) from the pairs the training rules block.
A clerk's list of a few hundred rows without ID numbers blocks a few dozen such pairs: EM then settles anywhere, and
the list links a third of its duplicates (20 people of the blind population without IDs: pair recall 0.17-0.41).
m depends on how registers go wrong, not on who is in them, so ``data/person_m.json`` holds the person model's m,
trained on the blind population at 1 M people (``bench/ship_person_m.py`` writes it and says how). A list whose
training rules block fewer than :data:`SMALL_EM_PAIRS` pairs takes those m; u and the prior stay its own. A list of
fewer than :data:`TINY_RECORDS` records takes the shipped u as well, without term-frequency adjustments.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from hopnhat.errors import ConfigError

PATH = Path(__file__).parent / "data" / "person_m.json"
SMALL_EM_PAIRS = 2_000  # fewer pairs blocked by the training rules: the shipped m
TINY_RECORDS = 100  # fewer records: the shipped u too (u_pairs: 4,950 pairs at most, a u of 1/4,950 at least)
SMALL_RECORDS = 100_000  # the training rules' pairs are counted below this many records only (0.3 CPU-s at 1 M)


def levels_of(model: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each comparison's non-null levels: their label and m (what the file holds)."""
    return {comp["output_column_name"]: [{"label": lvl.get("label_for_charts"), "m": lvl["m_probability"],
                                          "u": lvl["u_probability"]}
                                         for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
            for comp in model["comparisons"]}


@cache
def _shipped() -> dict[str, list[dict[str, Any]]]:
    try:
        document = json.loads(PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError("the shipped person m-probabilities cannot be read", value=str(PATH),
                          reason=str(exc)) from exc
    return dict(document["comparisons"])


def with_shipped_m(model: dict[str, Any]) -> dict[str, Any]:
    """``model`` with the shipped m of every non-null level; a ConfigError when the model's levels are not the
    shipped ones (by comparison, count and label: a changed model needs ``bench/ship_person_m.py`` run again)."""
    return _with_shipped(model, ("m",))


def with_shipped_m_and_u(model: dict[str, Any]) -> dict[str, Any]:
    """``model`` with the shipped m and u of every non-null level and no term-frequency adjustment, for a list of a
    few rows: in a list of 4 rows the pairs are 6, "the same name" is found in a third of them and a name's
    frequency is a half, so the list's own u and term frequencies say nothing."""
    return _with_shipped(model, ("m", "u"))


def _with_shipped(model: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """``model`` with the shipped probabilities ``keys`` (``m``, ``u``) of every non-null level; with ``u``, no
    term-frequency adjustment either (the shipped u is the population's)."""
    shipped = _shipped()
    comparisons = []
    for comp in model["comparisons"]:
        name = comp["output_column_name"]
        levels = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
        known = shipped.get(name)
        if known is None or [k["label"] for k in known] != [lvl.get("label_for_charts") for lvl in levels]:
            raise ConfigError("the shipped person m-probabilities are for another model: run bench/ship_person_m.py",
                              value=name)
        values = iter(known)
        levels = [lvl if lvl.get("is_null_level") else _level(lvl, next(values), keys)
                  for lvl in comp["comparison_levels"]]
        comparisons.append({**comp, "comparison_levels": levels})
    return {**model, "comparisons": comparisons}


def _level(level: dict[str, Any], shipped: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out = {**level, **{f"{key}_probability": shipped[key] for key in keys}}
    if "u" in keys and out.get("tf_adjustment_column"):
        out["tf_adjustment_weight"] = 0.0
    return out
