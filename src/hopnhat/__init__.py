"""hopnhat: consolidation of information systems and databases when Vietnamese administrative units merge."""

__version__ = "0.1.0"
