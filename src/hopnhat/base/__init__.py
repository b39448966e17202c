"""What every stage may import: timing (and nothing that imports a stage)."""
