"""The unified model as a Markdown reference, generated from the schema (so the documentation cannot drift)."""

from __future__ import annotations

from hopnhat.model.schema import ENTITIES, FIELDS, HOUSEKEEPING, LINEAGE, LINKED, physical_columns

INTRO = """# The unified model

Generated from `src/hopnhat/model/schema.py` by `python -m hopnhat.model.docs > docs/unified-model.md` (a test keeps
it current). Every legacy table is mapped onto one entity by the merger file (`maps_to`); each mapped *field* has a
*type* that decides the store columns it becomes. Old and new admin codes overlap (new 20242 ≠ old 20242): every
admin column says its version in its name.
"""


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(c.replace("|", "\\\\|") for c in cells) + " |"


def render() -> str:
    out = [INTRO, "## Lineage columns (every entity table)", "", "| column | type | meaning |", "|---|---|---|"]
    out += [_row((c.name, c.sql_type, c.doc)) for c in LINEAGE]
    for entity in ENTITIES:
        out += ["", f"## `{entity}`", ""]
        if entity in LINKED:
            out.append("Linked: `golden_id` names the golden record (table `golden_" + entity + "`).\n")
        out += ["| field | type | store columns | meaning |", "|---|---|---|---|"]
        for f in FIELDS[entity]:
            cols = ", ".join(f"`{c.name}`" for c in physical_columns(f.name, f.default_type))
            out.append(_row((f"`{f.name}`", f.default_type, cols, f.doc)))
    out += ["", "## Housekeeping tables", ""]
    for table, housekeeping in HOUSEKEEPING.items():
        out += [f"### `{table}`", "", "| column | type | meaning |", "|---|---|---|"]
        out += [_row((c.name, c.sql_type, c.doc)) for c in housekeeping]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
