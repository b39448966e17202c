"""What each page shows, read from the store (read-only), every query scoped to the user and identifiers masked:
record pages, the review queue, the dashboard, the quarantine, the catalog pages."""
