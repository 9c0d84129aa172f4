"""API v1 of the reviews app (API.md). Thin: writes go through the services."""

ROUTES = []
