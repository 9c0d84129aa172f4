"""A new password ends the user's API tokens and other sessions (issue 18, item 9b), however
it is set: the change page (whose own session goes on), the reset page, the admin's form,
`changepassword`. Django's hook (AUTH_PASSWORD_VALIDATORS' `password_changed`) does it;
the change is audited once."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from knox.models import AuthToken

from accounts.models import UserSession
from core.audit import AuditKind
from core.roles import EMPLOYEE, OSM_STAFF
from tests import factories as f
from tests.accounts.security_fixtures import (  # noqa: F401  (fixtures)
    NEW_PASSWORD,
    PASSWORD,
    events,
    security_settings,
    token_client,
    web_login,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("security_settings")]
CHANGE = "/accounts/password_change/"
PAGE = "/accounts/security/"


@pytest.fixture
def ada():
    return f.UserFactory(username="ada", roles=[EMPLOYEE])


def browser(user, address="192.0.2.1", password=PASSWORD) -> Client:
    client = Client()
    assert web_login(client, user.username, password, address).status_code == 302
    return client


def works(client) -> bool:
    return client.get(PAGE).status_code == 200


def token_works(token) -> bool:
    return token_client(token).get("/api/v1/auth/sessions/").status_code == 200


def change(client, old=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        CHANGE, {"old_password": old, "new_password1": new, "new_password2": again or new}
    )


def test_changing_the_password_ends_the_other_sessions_and_every_token(ada):
    here, elsewhere = browser(ada), browser(ada, "192.0.2.2")
    tokens = [AuthToken.objects.create(user=ada)[1] for _ in range(2)]
    bob = f.UserFactory(username="bob")
    bob_browser, bob_token = browser(bob), AuthToken.objects.create(user=bob)[1]
    response = change(here)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    # The changing session goes on, under a new key its index row follows.
    assert works(here)
    assert list(UserSession.objects.filter(user=ada)) == [
        UserSession.objects.get(session_key=here.session.session_key)
    ]
    assert not works(elsewhere)
    assert not any(token_works(t) for t in tokens)
    assert not AuthToken.objects.filter(user=ada).exists()
    assert works(bob_browser) and token_works(bob_token)  # nobody else's
    (event,) = events(AuditKind.PASSWORD_CHANGED)
    assert (event.actor, event.target, event.address) == (ada, ada, "127.0.0.1")
    assert event.detail == "1 other sessions and 2 API tokens ended"
    assert browser(ada, password=NEW_PASSWORD)  # the new password signs in


def test_the_done_page_is_the_apps(ada):
    here = browser(ada)
    response = here.get(change(here)["Location"])
    assert response.status_code == 200
    names = [t.name for t in response.templates if t.name]
    assert "registration/password_change_done.html" in names
    assert "base.html" in names and not any(name.startswith("admin/") for name in names)


@pytest.mark.parametrize(
    ("old", "new", "again", "field", "message"),
    [
        ("wrong", NEW_PASSWORD, None, "old_password", "Your old password was entered incorrectly"),
        (PASSWORD, "Short-pw-11", None, "new_password2", "at least 12 characters"),
        (PASSWORD, "password1234", None, "new_password2", "too common"),
        (PASSWORD, NEW_PASSWORD, "another-passphrase-43", "new_password2", "match"),
    ],
)
def test_a_refused_change_ends_nothing(ada, old, new, again, field, message):
    here, elsewhere = browser(ada), browser(ada, "192.0.2.2")
    _row, token = AuthToken.objects.create(user=ada)
    response = change(here, old, new, again)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert works(here) and works(elsewhere) and token_works(token)
    assert events(AuditKind.PASSWORD_CHANGED) == []


def test_a_password_set_elsewhere_ends_every_session_and_token(ada):
    """The admin's password form and `manage.py changepassword` save the user after
    set_password(): no page says which session asked, so every one ends."""
    here = browser(ada)
    _row, token = AuthToken.objects.create(user=ada)
    user = get_user_model().objects.get(pk=ada.pk)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert not works(here) and not token_works(token)
    assert not UserSession.objects.filter(user=ada).exists()
    (event,) = events(AuditKind.PASSWORD_CHANGED)
    assert (event.actor, event.target) == (None, ada)


def test_the_admin_password_form_ends_them_too(ada):
    here = browser(ada)
    _row, token = AuthToken.objects.create(user=ada)
    admin = f.UserFactory(username="root", is_superuser=True, roles=[OSM_STAFF])
    desk = Client()
    desk.force_login(admin)
    response = desk.post(
        f"/admin/auth/user/{ada.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not works(here) and not token_works(token)


def test_creating_a_user_is_no_password_change():
    f.UserFactory(username="new")
    assert events(AuditKind.PASSWORD_CHANGED) == []


def test_a_deactivated_users_session_and_token_stop_working(ada):
    """However the user is deactivated (the users page ends everything itself; the admin's
    form only saves `is_active`), the next request of a session or a token is refused."""
    here = browser(ada)
    _row, token = AuthToken.objects.create(user=ada)
    get_user_model().objects.filter(pk=ada.pk).update(is_active=False)
    assert not works(here)
    assert not token_works(token)
