"""The provider's URLs: OIDC under /o/ (the issuer is http://127.0.0.1:<port>/o), a login
page, and the test-only control endpoints."""

from django.contrib.auth.views import LoginView
from django.urls import include, path

from . import control

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("login/", LoginView.as_view(template_name="provider/login.html"), name="login"),
    path("control/user/", control.user_view),
    path("control/client/", control.client_view),
    path("control/mode/", control.mode_view),
]
