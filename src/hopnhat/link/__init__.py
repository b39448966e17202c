"""Linkage: one person, one organisation, one parcel — golden records with provenance, a review queue, DuckDB or Spark.

``link_store(con, config, run_id, threads)`` links the entity tables of the unified store (see :mod:`hopnhat.link.run`);
:mod:`hopnhat.link.review` is the review-queue API; :func:`hopnhat.link.standalone.link_people` links one table of
people on its own (``hopnhat link persons``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hopnhat.link.run import EntityOutcome, LinkOutcome, link_store

__all__ = ["EntityOutcome", "LinkOutcome", "link_store"]


def __getattr__(name: str) -> Any:
    """The store's linkage (run.py) imported when first asked for: ``hopnhat link persons`` imports this package for
    the standalone linker only, which needs none of it (pydantic, the organisation and parcel models)."""
    if name in __all__:
        from hopnhat.link import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
