"""URLs of accounts: single sign-on (see accounts/urls.py), under /accounts/sso/. The
callback's address is the redirect URI to register at the provider."""

from django.urls import path

from . import sso_views

urlpatterns = [
    path("sso/login/", sso_views.sso_login, name="sso-login"),
    path("sso/callback/", sso_views.sso_callback, name="sso-callback"),
]
