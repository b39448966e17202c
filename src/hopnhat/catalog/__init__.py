"""Catalog: inventory → evaluate → plan → roadmap → monitor (see hopnhat.catalog.api)."""
