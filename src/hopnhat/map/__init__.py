"""Apply the merger file mappings: raw text → typed fields → store columns (admin units included)."""
