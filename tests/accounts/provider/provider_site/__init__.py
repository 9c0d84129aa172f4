"""A small, real OpenID Connect provider for the test suite (tests/accounts/conftest.py
starts it on 127.0.0.1): django-oauth-toolkit with OIDC on, RS256, a login page, and a few
test-only control endpoints (control.py) to set up users and the client and to make the
token endpoint issue bad ID tokens. Never part of OSM."""
