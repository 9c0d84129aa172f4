"""How long a login lockout lasts (django-axes' AXES_COOLOFF_TIME): LOGIN_LOCKOUT_MINUTES
for the first lockout of a username from an address, twice as long for each further one of
the same pair within a day, never more than a day.

django-axes locks the pair (AXES_LOCKOUT_PARAMETERS [["username", "ip_address"]]) while its
failures reach the limit and the latest failure is more recent than the cool-off this
module returns for the request. Each pair's state lives in the cache (shared by every web
instance), keyed by a hash of the pair: how many lockouts it had within the last day, and
when the current one ends. A failure during a lockout extends it (django-axes records it)
without counting as a new lockout, so a person retrying while locked out is not punished
twice as long for each try.

Between lockouts the failures count over the first lockout's length, so the lockout being
served is the only one that lasts longer: a new lockout moves the pair's attempt record's
expiry (AXES_USE_ATTEMPT_EXPIRATION) to the lockout's end, so that another request's
clean-up of expired attempts cannot lift it early.
"""

import datetime as dt
import hashlib
import time
import unicodedata

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import APIException

from core.addresses import client_address

MAX_COOL_OFF = dt.timedelta(days=1)
MEMORY = 24 * 3600  # seconds a pair's lockouts are remembered after its latest one


def _pair_key(username: str, address: str | None) -> str:
    # Exactly the pair django-axes counts (it compares usernames as typed).
    raw = f"{username or ''}\x00{address or ''}"
    return "osm:lockouts:" + hashlib.sha256(raw.encode()).hexdigest()


def _username(request) -> str:
    """The username the request signs in with: django-axes' credentials once it has them,
    else what was posted (a form's fields, or the API's JSON body)."""
    credentials = getattr(request, "axes_credentials", None)
    if isinstance(credentials, dict) and credentials.get("username"):
        return str(credentials["username"])
    try:
        data = request.data  # the API (a DRF request)
    except AttributeError:
        data = getattr(request, "POST", None)
    except APIException:  # a body DRF cannot parse (or refuses): no username in it
        data = None
    name = data.get("username") if hasattr(data, "get") else None
    # As the login form reads it (UsernameField: NFKC, stripped), so that "alice " or a
    # full-width spelling of it meets alice's lockouts, not a fresh count.
    return unicodedata.normalize("NFKC", name).strip() if isinstance(name, str) else ""


def _state(key: str) -> tuple[int, float]:
    """(lockouts within the last day, when the current one ends, as a Unix time)."""
    value = cache.get(key)
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return int(value[0]), float(value[1])
    return 0, 0.0


def cool_off_for(lockouts: int) -> dt.timedelta:
    """The length of a lockout after `lockouts` earlier ones: 15 min, 30, 60... (with
    LOGIN_LOCKOUT_MINUTES 15), capped at a day."""
    base = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return min(base * (2 ** min(max(lockouts, 0), 20)), MAX_COOL_OFF)


def cool_off(request) -> dt.timedelta:
    """AXES_COOLOFF_TIME: during a lockout of the request's (username, address), that
    lockout's length; otherwise the first lockout's (the window failures count in)."""
    if request is None:
        return cool_off_for(0)
    count, until = _state(_pair_key(_username(request), client_address(request)))
    if count and time.time() < until:
        return cool_off_for(count - 1)
    return cool_off_for(0)


def lockout_counted(*, username: str, address: str | None) -> int | None:
    """django-axes locked the pair out (its `user_locked_out`, sent for the failure that
    reached the limit and again for each failure while locked out). A new lockout is
    counted and lasts twice as long as the one before it (within a day); a failure during
    the current one extends it. Returns the number of the new lockout, None when the
    failure only extended the current one."""
    key = _pair_key(username, address)
    count, until = _state(key)
    now = time.time()
    if now >= until + MEMORY:  # by the clock too, not only by the cache entry's expiry
        count = 0
    fresh = not (count and now < until)
    if fresh:
        count += 1
    until = now + cool_off_for(count - 1).total_seconds()
    cache.set(key, (count, until), MEMORY + int(until - now))
    if fresh:
        _attempt_expires(username=username, address=address, until=until)
    return count if fresh else None


def _attempt_expires(*, username: str, address: str | None, until: float) -> None:
    """Move the pair's attempt record's expiry to the end of its new lockout."""
    if not getattr(settings, "AXES_USE_ATTEMPT_EXPIRATION", False):
        return
    from axes.models import AccessAttemptExpiration

    ends = dt.datetime.fromtimestamp(until, tz=dt.UTC)
    AccessAttemptExpiration.objects.filter(
        access_attempt__username=username, access_attempt__ip_address=address
    ).update(expires_at=ends)


def lockouts_forgotten(*, username: str, address: str | None) -> None:
    """Forget a pair's lockouts (a successful sign-in, or OSM staff unlocked it)."""
    cache.delete(_pair_key(username, address))
