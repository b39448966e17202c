"""The unified model (see schema)."""
