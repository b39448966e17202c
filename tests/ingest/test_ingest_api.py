"""The public API is exactly what ``__all__`` says, and what the runner codes against."""

from __future__ import annotations

import inspect

import hopnhat.ingest as ingest


def test_public_api() -> None:
    assert sorted(ingest.__all__) == ["MAX_RAW", "RAW_COLUMNS", "needed_columns", "read_lookup", "read_table"]
    assert ingest.RAW_COLUMNS == ("_row", "_item", "_error", "_raw") and ingest.MAX_RAW == 4000
    params = inspect.signature(ingest.read_table).parameters
    assert list(params) == ["project", "source", "table", "batch_rows"] and params["batch_rows"].default == 50_000
    assert list(inspect.signature(ingest.read_lookup).parameters) == ["project", "source", "name"]
