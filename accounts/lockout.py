"""How long a login lockout lasts (django-axes' AXES_COOLOFF_TIME): LOGIN_LOCKOUT_MINUTES
for the first lockout of a username from an address, twice as long for each further one of
the same pair within a day, never more than a day. The count is kept in the cache (shared
by every web instance), keyed by a hash of the pair."""

import datetime as dt
import hashlib

from django.conf import settings
from django.core.cache import cache

from core.addresses import client_address

MAX_COOL_OFF = dt.timedelta(days=1)
MEMORY = 24 * 3600  # seconds a pair's lockouts are remembered


def _pair_key(username: str, address: str | None) -> str:
    raw = f"{username.strip().lower()}\x00{address or ''}"
    return "osm:lockouts:" + hashlib.sha256(raw.encode()).hexdigest()


def _username(request) -> str:
    credentials = getattr(request, "axes_credentials", None) or {}
    name = credentials.get("username") if isinstance(credentials, dict) else None
    if not name and request is not None:
        name = request.POST.get("username") if hasattr(request, "POST") else None
    return str(name or "")


def cool_off_for(lockouts: int) -> dt.timedelta:
    """The lockout after `lockouts` earlier ones: 15 min, 30, 60... capped at a day."""
    base = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return min(base * (2 ** max(lockouts, 0)), MAX_COOL_OFF)


def cool_off(request) -> dt.timedelta:
    """AXES_COOLOFF_TIME: the current lockout's length for the request's (username, address)."""
    if request is None:
        return cool_off_for(0)
    earlier = cache.get(_pair_key(_username(request), client_address(request)), 0)
    # The lockout being served is the latest one counted: its own length is the one before.
    return cool_off_for(max(earlier - 1, 0))


def lockout_counted(*, username: str, address: str | None) -> int:
    """Count one more lockout of the pair (django-axes' `user_locked_out`); returns the count."""
    key = _pair_key(username or "", address)
    cache.add(key, 0, MEMORY)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, MEMORY)
        return 1


def lockouts_forgotten(*, username: str, address: str | None) -> None:
    """Forget a pair's lockouts (OSM staff unlocked it)."""
    cache.delete(_pair_key(username or "", address))
