"""``hopnhat demo``: a realistic merger run end to end, one step after the other.

Each step is a function taking the demo context and returning a short summary; the CLI prints them. Steps are added
as the product grows (catalog → synth → migrate → link → serve).
"""
