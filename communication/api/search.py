"""API v1 of search (being written)."""

PATHS = []
