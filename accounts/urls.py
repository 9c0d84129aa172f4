"""The pages of accounts, one module per feature: single sign-on, the second factor, user
management for OSM staff, the security audit log, and each person's Security page (their
sessions, API tokens and password). Included under /accounts/ before Django's own auth
URLs, so the app's password views win."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.sso_urls")),
    path("", include("accounts.mfa_urls")),
    path("", include("accounts.security_urls")),
    path("users/", include("accounts.users_urls")),
    path("audit/", include("accounts.audit_urls")),
]
