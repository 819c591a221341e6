"""The Redis cache, degraded instead of failing while Redis cannot be reached.

Nothing in the cache is the only copy of anything (rendered Markdown, PDFs, calendar feeds,
public pages, rate-limit counters), so while Redis is down every operation answers as if the
cache were empty: reads miss, writes and deletes do nothing. ``add`` reports success, so
the locks and counters built on it let the request through: allauth's log-in, sign-up and
password-reset limits, its one-use check of authenticator codes and ``core/ratelimit.py``
fail open until Redis is back. Every page keeps working, only slower (README, Reliability).

After a failure the backend leaves Redis alone for ``Outage.retry_seconds`` (a circuit
breaker, per process): a dead Redis then costs a request nothing, not a connection attempt
per cache call. Short socket timeouts (``TIMEOUTS``, unless the cache's ``OPTIONS`` say
otherwise) bound what the one request that finds out pays, also when Redis hangs rather
than refuses. One warning is logged when Redis goes away, at most one a minute while it
stays away, and one when it answers again.
"""

import logging
import re
import threading
from time import monotonic

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# Redis answers in well under a millisecond on the same network, a large PDF included.
TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 1}


class Outage:
    """Whether one Redis server is taken for down, and the log lines that say so."""

    retry_seconds = 5
    log_every_seconds = 60

    def __init__(self, location: str):
        self.location = re.sub(r"//[^@/]*@", "//", location)  # no password in the log
        self._lock = threading.Lock()
        self._retry_at = 0.0  # monotonic() before which Redis is not tried
        self._down_since: float | None = None
        self._logged_at = 0.0

    def skip(self) -> bool:
        """True while Redis failed less than ``retry_seconds`` ago: do not try it now."""
        return monotonic() < self._retry_at

    def failed(self, operation: str, error: Exception) -> None:
        now = monotonic()
        with self._lock:
            self._retry_at = now + self.retry_seconds
            if self._down_since is None:
                self._down_since = self._logged_at = now
                logger.warning(
                    "Redis cache at %s unreachable (%s: %s): serving without the cache, rate "
                    "limits let everyone through; trying again every %s s.", self.location,
                    operation, error, self.retry_seconds)
            elif now - self._logged_at >= self.log_every_seconds:
                self._logged_at = now
                logger.warning("Redis cache at %s still unreachable after %.0f s (%s: %s).",
                               self.location, now - self._down_since, operation, error)

    def succeeded(self) -> None:
        if self._down_since is None:  # the usual case, without the lock
            return
        with self._lock:
            if self._down_since is not None:
                logger.warning("Redis cache at %s reachable again after %.0f s.",
                               self.location, monotonic() - self._down_since)
                self._down_since = None


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage_for(location: str) -> Outage:
    """The one ``Outage`` of this process for a Redis location (caches are per thread)."""
    with _outages_lock:
        return _outages.setdefault(location, Outage(location))


class ResilientRedisCache(RedisCache):
    """Django's Redis cache that answers as an empty cache while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._options = {**TIMEOUTS, **self._options}
        self.outage = outage_for(",".join(self._servers))

    def _guarded(self, operation: str, fallback, call, *args):
        if self.outage.skip():
            return fallback
        try:
            result = call(*args)
        except UNREACHABLE as error:
            self.outage.failed(operation, error)
            return fallback
        self.outage.succeeded()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Success: a lock or counter built on add() must let the request through.
        return self._guarded("add", True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guarded("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._guarded("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # As if the key had just been added: a counter starts again from nothing.
        return self._guarded("incr", delta, super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guarded("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._guarded("clear", False, super().clear)
