"""API v1 of pulses (being written)."""

ROUTES = []
PATHS = []
