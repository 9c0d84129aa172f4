"""Computed reads served from the cache as the bytes they were sent as (issue 19).

A read whose answer depends only on the data and on the reader's scope (a unit's
scorecard, the alignment report, a page of values) is kept under a key naming everything
it depends on: the parts the caller gives (the unit, the query, the scope of rows the
reader may see), the active language and the data version (core/versioning.py), which
moves on with every committed change. So a kept answer is never stale, and two readers with
the same scope share it. What is kept is text or bytes, already rendered: reading it back
costs a cache round trip, not the unpickling of the objects it was made from.

Inside a transaction nothing is kept or read back: what the transaction sees may be rolled
back, or may be its own uncommitted write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

from .versioning import data_version

TIMEOUT = 3600  # seconds; an entry of a version gone by is never read again anyway


def read_key(kind: str, parts: Iterable) -> str:
    """The cache key of a read: its kind, its parts, the language and the data version
    (hashed, so a long query string still makes a short key)."""
    raw = "\x1f".join(str(part) for part in (*parts, get_language(), data_version()))
    return f"osm:read:{kind}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def cached_read(kind: str, parts: Iterable, compute: Callable[[], str | bytes]) -> str | bytes:
    """`compute()`'s text or bytes, kept under `read_key(kind, parts)`; computed afresh
    inside a transaction. `parts` must name everything the answer depends on besides the
    data and the language."""
    if connection.in_atomic_block:
        return compute()
    key = read_key(kind, parts)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, TIMEOUT)
    return found
