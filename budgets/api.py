"""API v1 of the budgets app (API.md). Thin: writes go through the services."""

ROUTES = []
