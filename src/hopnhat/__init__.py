"""hopnhat: consolidation of information systems and databases when Vietnamese administrative units merge."""

import os

__version__ = "0.1.0"

# Arrow's allocator (mimalloc) gives memory back to the system 10 ms after it is freed, and faults it in again on the
# next allocation: the linkage's Arrow tables come and go by the hundred MB. One second keeps it through a stage's
# next allocation (1 M people: the rows staged 1.2-1.9 -> 0.8-1.5 CPU-s, peak +~50 MB; docs/linkage.md, session 22).
# mimalloc reads it when pyarrow loads, so it is set here, before any module of the package imports pyarrow; a value
# the environment gives is kept.
os.environ.setdefault("MIMALLOC_PURGE_DELAY", "1000")
