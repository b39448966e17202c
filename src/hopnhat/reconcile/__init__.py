"""Reconciliation: the books per source table, checksums, reports, in-flight dossiers."""
