"""Are two `hopnhat link persons` outputs the same — every column, every row, in order? Speed work on the linkage must
leave its output byte-identical; this is the check (exit 0 and ``IDENTICAL``, else the first differences, exit 1).

    .venv/bin/python bench/same_output.py A.parquet B.parquet
"""

from __future__ import annotations

import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


def differences(a: pa.Table, b: pa.Table) -> list[str]:
    """What differs between ``a`` and ``b``, column by column (nulls on both sides are equal)."""
    if a.schema != b.schema or a.num_rows != b.num_rows:
        return [f"shape: {a.schema} ({a.num_rows} rows) vs {b.schema} ({b.num_rows} rows)"]
    found = []
    for name in a.column_names:
        x, y = a.column(name), b.column(name)
        if x.equals(y):
            continue
        differ = pc.and_(pc.invert(pc.fill_null(pc.equal(x, y), False)),
                         pc.invert(pc.and_(pc.is_null(x), pc.is_null(y))))
        rows = pc.indices_nonzero(differ).to_pylist()
        if rows:
            shown = rows[:5]
            found.append(f"column {name}: {len(rows)} rows differ, e.g. rows {shown}: "
                         f"{[x[i].as_py() for i in shown]} vs {[y[i].as_py() for i in shown]}")
    return found


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    found = differences(pq.read_table(sys.argv[1]), pq.read_table(sys.argv[2]))
    print("\n".join(found) if found else "IDENTICAL")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
