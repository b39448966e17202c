"""Admin units: versioned reference data, address parsing and old→new conversion."""
