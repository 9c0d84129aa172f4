"""The client's real address behind the TLS proxy, by one rule for every consumer: the
login lockout (django-axes), the API's throttles and the sign-in limits, and the audit log.

Behind `NUM_PROXIES` trusted proxies, each proxy appends the address it received the
request from to `X-Forwarded-For`, so the client is the entry that many places from the
right; anything to its left was written by the client and is not believed. With no proxy
(`NUM_PROXIES=0`) the header is ignored altogether: a client could write anything there.
"""

import ipaddress

from django.conf import settings


def _address(text: str | None) -> str | None:
    # A proxy may forward "unknown", or a port: only a real address is believed and stored.
    try:
        return str(ipaddress.ip_address((text or "").strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The address the request came from, or None when there is no valid one (a test
    client, a proxy that forwarded something else)."""
    remote = _address(request.META.get("REMOTE_ADDR"))
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded.strip():
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return _address(hops[-min(proxies, len(hops))])
