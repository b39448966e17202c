"""Linkage: one person, one organisation, one parcel — golden records with provenance, a review queue, DuckDB or Spark.

``link_store(con, config, run_id, threads)`` links the entity tables of the unified store (see :mod:`hopnhat.link.run`);
:mod:`hopnhat.link.review` is the review-queue API; :func:`hopnhat.link.standalone.link_people` links one table of
people on its own (``hopnhat link persons``).
"""

from hopnhat.link.run import EntityOutcome, LinkOutcome, link_store

__all__ = ["EntityOutcome", "LinkOutcome", "link_store"]
