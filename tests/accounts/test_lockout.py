"""The login lockout (issue 18, item 9a): failures lock the pair of a username and the real
client address, never a user everywhere nor an address for everyone; behind trusted
proxies the address is the one the last proxy saw; each further lockout of the same pair
within a day lasts twice as long. The web login and the API's token login alike."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt

from accounts.lockout import cool_off_for
from core.audit import AuditKind
from core.roles import EXECUTIVE
from tests import factories as f
from tests.accounts.security_fixtures import (  # noqa: F401  (fixtures)
    PASSWORD,
    events,
    security_settings,
    token_login,
    web_login,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("security_settings")]
A, B = "198.51.100.10", "203.0.113.20"
START = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)


@pytest.fixture
def alice():
    return f.UserFactory(username="alice", roles=[EXECUTIVE])


def fail(client, username="alice", address=A, times=5, **headers):
    return [
        web_login(client, username, "wrong", address, **headers).status_code for _ in range(times)
    ]


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_five_failures_lock_alice_out_from_that_address_only(client, alice):
    assert fail(client) == [200, 200, 200, 200, 429]  # the fifth failure locks
    refused = web_login(client, "alice", address=A)  # the right password, from A
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Alice herself, from elsewhere: the attacker at A does not lock her out.
    assert signed_in(web_login(type(client)(), "alice", address=B))
    assert AccessAttempt.objects.get().ip_address == A


def test_five_usernames_from_one_address_lock_nobody_out(client, alice):
    f.UserFactory(username="bob")
    for name in ("x1", "x2", "x3", "bob", "alice"):  # five usernames, one failure each
        assert web_login(client, name, "wrong", A).status_code == 200
    assert signed_in(web_login(type(client)(), "alice", address=A))
    assert signed_in(web_login(type(client)(), "bob", address=A))
    assert events(AuditKind.LOCKED_OUT) == []


def test_behind_one_proxy_the_address_is_the_right_most_forwarded_one(client, alice, settings):
    settings.NUM_PROXIES = 1
    proxy = "10.0.0.254"
    # The client writes whatever it likes on the left; the proxy appends what it saw.
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        web_login(client, "alice", "wrong", proxy, HTTP_X_FORWARDED_FOR=f"{forged}, {A}")
    assert AccessAttempt.objects.get().ip_address == A  # one pair, the real address
    locked = web_login(client, "alice", address=proxy, HTTP_X_FORWARDED_FOR=f"9.9.9.9, {A}")
    assert locked.status_code == 429
    # Another person behind the same proxy signs in as alice's colleague would.
    other = web_login(type(client)(), "alice", address=proxy, HTTP_X_FORWARDED_FOR=B)
    assert signed_in(other)
    (event,) = events(AuditKind.LOCKED_OUT)
    assert (event.address, event.target_name) == (A, "alice")


def test_without_a_proxy_the_forwarded_header_is_ignored(client, alice, settings):
    settings.NUM_PROXIES = 0
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        web_login(client, "alice", "wrong", A, HTTP_X_FORWARDED_FOR=forged)
    assert AccessAttempt.objects.get().ip_address == A  # forging the header changes nothing
    assert web_login(client, "alice", address=A, HTTP_X_FORWARDED_FOR=B).status_code == 429


def test_the_lock_lifts_after_fifteen_minutes(client, alice):
    with time_machine.travel(START, tick=False):
        fail(client)
    with time_machine.travel(START + dt.timedelta(minutes=14), tick=False):
        assert web_login(client, "alice", address=A).status_code == 429
    # That refused try was a failure too: the lock runs 15 minutes from it.
    with time_machine.travel(START + dt.timedelta(minutes=14 + 16), tick=False):
        assert signed_in(web_login(client, "alice", address=A))


def test_the_second_lockout_within_a_day_lasts_twice_as_long(client, alice):
    with time_machine.travel(START, tick=False):
        fail(client)  # the first lockout: 15 minutes
    second = START + dt.timedelta(minutes=16)
    with time_machine.travel(second, tick=False):
        assert fail(client) == [200, 200, 200, 200, 429]  # the second lockout
    with time_machine.travel(second + dt.timedelta(minutes=16), tick=False):
        # A first lockout would have lifted by now; this one lasts 30 minutes.
        assert web_login(client, "alice", address=A).status_code == 429
    with time_machine.travel(second + dt.timedelta(minutes=16 + 31), tick=False):
        assert signed_in(web_login(client, "alice", address=A))
    first, then = events(AuditKind.LOCKED_OUT)  # once per lockout, not per refused try
    assert (first.target_name, first.address) == (then.target_name, then.address) == ("alice", A)


def test_a_space_or_another_form_of_the_name_does_not_shorten_a_longer_lockout(client, alice):
    """The lockout's length is looked up before the form cleans the username: "alice " must
    meet alice's count (the security review of issue 18)."""
    with time_machine.travel(START, tick=False):
        fail(client)
    second = START + dt.timedelta(minutes=16)
    with time_machine.travel(second, tick=False):
        fail(client)  # the second lockout: 30 minutes
    with time_machine.travel(second + dt.timedelta(minutes=16), tick=False):
        for typed in ("alice ", " alice", "\uff41lice"):  # a full-width a
            response = web_login(client, typed, address=A)
            assert response.status_code == 429, typed
            assert not signed_in(response)


def test_trying_again_while_locked_out_does_not_double_the_lockout(client, alice):
    with time_machine.travel(START, tick=False):
        fail(client)
    with time_machine.travel(START + dt.timedelta(minutes=5), tick=False):
        assert fail(client, times=3) == [429, 429, 429]  # each extends the first lockout
    with time_machine.travel(START + dt.timedelta(minutes=5 + 16), tick=False):
        assert signed_in(web_login(client, "alice", address=A))  # 15 minutes, not 30
    assert len(events(AuditKind.LOCKED_OUT)) == 1


def test_another_login_does_not_lift_a_longer_lockout_early(client, alice):
    """django-axes cleans up every pair's expired attempts at each login; the second
    lockout's record expires with the lockout, not after the first lockout's length."""
    f.UserFactory(username="bob")
    with time_machine.travel(START, tick=False):
        fail(client)
    second = START + dt.timedelta(minutes=16)
    with time_machine.travel(second, tick=False):
        fail(client)
    with time_machine.travel(second + dt.timedelta(minutes=20), tick=False):
        assert web_login(type(client)(), "bob", "wrong", B).status_code == 200  # a clean-up
        assert signed_in(web_login(type(client)(), "bob", address=B))  # and another
        assert AccessAttempt.objects.filter(username="alice").exists()
    with time_machine.travel(second + dt.timedelta(minutes=25), tick=False):
        assert web_login(client, "alice", address=A).status_code == 429


def test_a_day_later_the_lockout_is_fifteen_minutes_again(client, alice):
    with time_machine.travel(START, tick=False):
        fail(client)
    later = START + dt.timedelta(days=1, hours=1)
    with time_machine.travel(later, tick=False):
        assert fail(client)[-1] == 429
    with time_machine.travel(later + dt.timedelta(minutes=16), tick=False):
        assert signed_in(web_login(client, "alice", address=A))


def test_the_lockouts_double_up_to_a_day(settings):
    settings.LOGIN_LOCKOUT_MINUTES = 15
    lengths = [cool_off_for(n) for n in range(8)]
    minutes = [int(length.total_seconds() // 60) for length in lengths]
    assert minutes == [15, 30, 60, 120, 240, 480, 960, 1440]  # 1920 is capped at a day


# The API's token login follows the same rules --------------------------------------------


def test_the_api_locks_the_pair_only(alice):
    codes = [token_login("alice", "wrong", A).status_code for _ in range(5)]
    assert codes == [400, 400, 400, 400, 429]
    refused = token_login("alice", PASSWORD, A)
    assert refused.status_code == 429
    assert "15 minutes" in refused.json()["detail"]
    assert token_login("alice", PASSWORD, B).status_code == 200  # from elsewhere: a token


def test_the_api_does_not_lock_an_address_for_everyone(alice):
    for name in ("x1", "x2", "x3", "x4", "x5"):
        assert token_login(name, "wrong", A).status_code == 400
    assert token_login("alice", PASSWORD, A).status_code == 200


def test_the_api_reads_the_address_behind_the_proxy(alice, settings):
    settings.NUM_PROXIES = 1
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        token_login("alice", "wrong", "10.0.0.254", HTTP_X_FORWARDED_FOR=f"{forged}, {A}")
    assert AccessAttempt.objects.get().ip_address == A
    assert token_login("alice", PASSWORD, "10.0.0.254", HTTP_X_FORWARDED_FOR=B).status_code == 200


def test_the_api_says_the_second_lockout_is_longer(alice):
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            token_login("alice", "wrong", A)
    second = START + dt.timedelta(minutes=16)
    with time_machine.travel(second, tick=False):
        codes = [token_login("alice", "wrong", A).status_code for _ in range(5)]
        assert codes == [400, 400, 400, 400, 429]
        assert "30 minutes" in token_login("alice", PASSWORD, A).json()["detail"]
