"""API of accounts: sessions."""

ROUTES: list = []
PATHS: list = []
