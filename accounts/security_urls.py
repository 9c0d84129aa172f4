"""URLs of accounts: security (see accounts/urls.py)."""

urlpatterns: list = []
