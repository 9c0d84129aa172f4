"""API v1 of the initiatives app (API.md). Thin: writes go through the services."""

ROUTES = []
