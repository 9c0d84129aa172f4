"""URLs of accounts: audit (see accounts/urls.py)."""

urlpatterns: list = []
