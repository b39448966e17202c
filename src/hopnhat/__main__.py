"""``python -m hopnhat`` runs the command line."""

from hopnhat.cli.main import run

run()
