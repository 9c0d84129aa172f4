"""URLs of accounts: mfa (see accounts/urls.py)."""

urlpatterns: list = []
