"""The ``hopnhat`` command line (Typer)."""
