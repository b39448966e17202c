"""Migration runs: resumable, one folder per run."""
