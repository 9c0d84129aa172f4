"""URLs of accounts: sso (see accounts/urls.py)."""

urlpatterns: list = []
