"""API v1 of announcements (being written)."""

ROUTES = []
PATHS = []
