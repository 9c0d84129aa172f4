"""A Redis cache that fails open: when Redis does not answer, a read is a miss and a
write is skipped (logged), so pages still render, only slower, while Redis is down."""

import logging
import time

import redis
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
UNAVAILABLE = (OSError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
_last_warning = 0.0


def _warn(exc: Exception) -> None:
    global _last_warning
    if time.monotonic() - _last_warning > 60:  # once a minute, not once a request
        _last_warning = time.monotonic()
        logger.warning("Redis cache unavailable, serving without it: %s", exc)


def _failing_open(default=None):
    def wrap(method):
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                _warn(exc)
                return default() if callable(default) else default

        call.__name__ = method.__name__
        call.__doc__ = method.__doc__
        return call

    return wrap


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache whose every operation survives Redis being down."""

    get = _failing_open()(RedisCache.get)
    get_many = _failing_open(dict)(RedisCache.get_many)
    has_key = _failing_open(False)(RedisCache.has_key)
    add = _failing_open(False)(RedisCache.add)
    set = _failing_open()(RedisCache.set)
    set_many = _failing_open(list)(RedisCache.set_many)
    touch = _failing_open(False)(RedisCache.touch)
    delete = _failing_open(False)(RedisCache.delete)
    delete_many = _failing_open()(RedisCache.delete_many)
    clear = _failing_open()(RedisCache.clear)
    incr = _failing_open(0)(RedisCache.incr)
