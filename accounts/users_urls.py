"""URLs of accounts: users (see accounts/urls.py)."""

urlpatterns: list = []
