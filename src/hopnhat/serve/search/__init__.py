"""The one-box lookup: what the clerk typed read every plausible way, searched in the lookup index and ranked."""
