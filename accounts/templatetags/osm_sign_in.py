"""What the login page offers: single sign-on, the password form, or both."""

from django import template
from django.conf import settings

from accounts import sso

register = template.Library()


@register.simple_tag(takes_context=True)
def sign_in_options(context) -> dict:
    """`sso`: single sign-on is on; `provider`: its name; `password_login`: password sign-in
    is on for everyone; `show_password`: the password form is shown (always when password
    sign-in is on or there is no single sign-on; otherwise on asking for the break-glass
    form, `?password=1`, or after a refused try)."""
    request = context.get("request")
    form = context.get("form")
    asked = request is not None and request.GET.get("password") == "1"
    tried = form is not None and form.is_bound
    enabled = sso.sso_enabled()
    password_login = bool(settings.PASSWORD_LOGIN)
    return {
        "sso": enabled,
        "provider": settings.OIDC_PROVIDER_NAME,
        "password_login": password_login,
        "show_password": password_login or not enabled or asked or tried,
    }
