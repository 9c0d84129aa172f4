"""API v1 of the people app (API.md). Thin: writes go through the services."""

ROUTES = []
