"""A golden record as a user whose scope is not the whole province may see it: built from the members in scope only.

The stored golden record takes the best value of each field over every linked record, wherever it lives. A commune
clerk must not learn through it what only a record outside their scope holds (another commune's register, the other
old province's system). So, for each group of fields that survive together (:data:`hopnhat.link.golden.GROUPS`):

- the golden value is kept when some member in scope holds it, taken from that member (its provenance);
- otherwise the group is what the golden build's own rules (the project's ``linkage.survivorship`` and
  ``source_trust``) choose among the members in scope, or nothing when none of them has a value.

``n_records`` and ``sources`` count the members in scope; the provenance names members in scope only. How many
members were withheld is returned for the page's note and the audit entry — never their ids or values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from hopnhat.link.golden import GROUPS, Group, group_values, survive


def _holder(group: Group, golden: dict[str, Any], values: dict[str, dict[str, Any]],
            provenance: dict[str, Any]) -> str | None:
    """The member in scope that holds the golden value of the group (the stored provenance first)."""
    first = group.columns[0][0]
    wanted = golden.get(first)
    if wanted is None:
        return None
    order = sorted(values, key=lambda rid: (rid != provenance.get(first), rid))
    return next((rid for rid in order if values[rid].get(first) == wanted), None)


def restrict(golden: dict[str, Any], members: pa.Table, entity: str, survivorship: dict[str, str],
             trust: Sequence[str]) -> dict[str, Any]:
    """The stored golden row (provenance as JSON text) rebuilt from the members in scope (``members``: their entity
    rows with ``_run_rank``); provenance again as JSON text."""
    values = group_values(members, entity)
    rebuilt = survive(members, entity, survivorship, trust)
    best: dict[str, Any] = rebuilt[0] if rebuilt else {"provenance": {}}
    stored: dict[str, Any] = json.loads(golden.get("provenance") or "{}")
    out = {**golden, "n_records": len(values), "sources": best.get("sources"), "branches": best.get("branches")}
    provenance: dict[str, Any] = {}
    for group in GROUPS[entity]:
        holder = _holder(group, golden, values, stored)
        for name, _ in group.columns:
            out[name] = values[holder][name] if holder else best.get(name)
            provenance[name] = holder or best["provenance"].get(name)
    if "branches" not in golden:
        out.pop("branches")
    out["provenance"] = json.dumps(provenance, ensure_ascii=False)
    return out
