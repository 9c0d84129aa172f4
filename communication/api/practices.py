"""API v1 of practices (being written)."""

ROUTES = []
PATHS = []
