"""The unified store: DuckDB writer, checksums, publishing to PostgreSQL."""
