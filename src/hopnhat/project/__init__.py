"""The merger project: its file, validated at the edge."""
