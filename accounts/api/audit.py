"""API of accounts: audit."""

ROUTES: list = []
PATHS: list = []
