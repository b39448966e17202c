"""rapidfuzz is imported when a name is first compared with a typo, not with the parser: most columns have none."""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import sys
from hopnhat.units.column import convert_column
table = convert_column({values!r})
print(table.column("status").to_pylist(), "rapidfuzz" in sys.modules)
"""


def _convert_in_a_new_process(values: list[str]) -> str:
    done = subprocess.run([sys.executable, "-c", _SCRIPT.format(values=values)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_a_column_without_typos_does_not_import_rapidfuzz():
    values = ["Số 1, Phường Phước Ninh, Quận Hải Châu, Đà Nẵng", "Xã Phú Lộc, Huyện Nho Quan, Tỉnh Ninh Bình"]
    assert _convert_in_a_new_process(values) == "['converted', 'converted'] False"


def test_a_typo_imports_it_and_is_read():
    values = ["Xã Phú Lộcc, Huyện Nho Quan, Tỉnh Ninh Bình"]
    assert _convert_in_a_new_process(values) == "['converted'] True"


def test_a_forked_column_loads_it_before_forking():
    """The children of a large column share the parent's import (each would import it for its first typo)."""
    script = ("import sys\nfrom hopnhat.units import bulk\nbulk._PARALLEL_MIN = 10\nbulk._workers = lambda: 2\n"
              "values = [f'Số {i}, Phường Phước Ninh, Quận Hải Châu, Đà Nẵng' for i in range(20)]\n"
              "rows, _ = bulk.convert_entries(values)\nprint({r[0] for r in rows}, 'rapidfuzz' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip()) == (0, "{'converted'} True"), done.stderr[-2000:]
