"""The Redis cache backend answers as an empty cache while Redis cannot be reached."""

import logging
import time

import pytest

from core import cache as resilient
from core.cache import ResilientRedisCache
from tests.support import closed_port, redis_url, require, silent_server


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The breaker's clock, moved by hand; every test starts with no outage known."""
    clock = Clock()
    monkeypatch.setattr(resilient, "monotonic", clock)
    monkeypatch.setattr(resilient, "_outages", {})
    return clock


def redis_at(url: str, **options) -> ResilientRedisCache:
    return ResilientRedisCache(url, {"KEY_PREFIX": "vie-test-cache", "OPTIONS": options})


@pytest.fixture
def unreachable():
    return redis_at(f"redis://127.0.0.1:{closed_port()}/0")


def test_an_unreachable_redis_reads_as_an_empty_cache(unreachable):
    assert unreachable.get("k") is None
    assert unreachable.get("k", "default") == "default"
    assert unreachable.get_many(["a", "b"]) == {}
    assert unreachable.has_key("k") is False
    assert unreachable.get_or_set("k", "computed") == "computed"


def test_writes_to_an_unreachable_redis_do_nothing_and_raise_nothing(unreachable):
    unreachable.set("k", 1)
    assert unreachable.set_many({"a": 1, "b": 2}) == ["a", "b"], "not stored, says so"
    assert unreachable.delete("k") is False
    unreachable.delete_many(["a", "b"])
    assert unreachable.touch("k") is False
    assert unreachable.clear() is False


def test_locks_and_counters_on_an_unreachable_redis_let_the_request_through(unreachable):
    # allauth's rate-limit lock and one-use codes, and core/ratelimit.py, build on add().
    assert unreachable.add("lock", True) is True
    assert unreachable.add("lock", True) is True
    assert unreachable.incr("count") == 1
    assert unreachable.incr("count", 5) == 5


def accepted(server, count: int) -> int:
    """The silent server's connections once it has accepted ``count`` (its accepting thread
    may lag behind the client); the deadline only bounds a hang."""
    deadline = time.monotonic() + 30
    while len(server.connections) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return len(server.connections)


def test_a_redis_that_hangs_is_left_alone_until_the_retry(clock):
    with silent_server() as server:
        cache = redis_at(f"redis://127.0.0.1:{server.port}/0", socket_timeout=0.1)
        assert cache.get("k") is None  # waited for the socket timeout, then missed
        assert accepted(server, 1) == 1
        for _ in range(5):
            assert cache.get("k") is None
        cache.set("k", 1)
        assert len(server.connections) == 1, "no new attempt while the breaker is open"
        clock.now += resilient.Outage.retry_seconds
        assert cache.get("k") is None
        assert accepted(server, 2) == 2, "tried again once the retry time came"


def test_every_cache_of_a_process_for_one_redis_shares_its_breaker(unreachable):
    other_thread_cache = redis_at(unreachable._servers[0])
    unreachable.get("k")
    assert other_thread_cache.outage is unreachable.outage
    assert other_thread_cache.outage.skip()


def test_an_outage_is_logged_once_then_once_a_minute_and_its_end_once(clock, caplog):
    outage = resilient.Outage("redis://:secret@redis.example:6379/0")
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        for _ in range(10):  # many requests, many retries within the first minute
            outage.failed("get", ConnectionError("refused"))
            clock.now += outage.retry_seconds
        assert len(caplog.records) == 1
        clock.now += outage.log_every_seconds
        outage.failed("get", ConnectionError("refused"))
        outage.failed("get", ConnectionError("refused"))
        assert len(caplog.records) == 2
        outage.succeeded()
        outage.succeeded()
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 3
    assert "unreachable" in messages[0] and "rate limits" in messages[0]
    assert "still unreachable" in messages[1]
    assert "reachable again" in messages[2]
    assert all("secret" not in message for message in messages), "no password in the log"
    assert "redis://redis.example:6379/0" in messages[0]


def test_the_cache_works_again_once_redis_answers(clock, caplog):
    require(redis_url(), "needs Redis (REDIS_URL)")
    cache = redis_at(redis_url())
    cache.outage.failed("get", ConnectionError("restarting"))
    cache.set("k", "value")
    assert cache.get("k") is None, "not tried while the breaker is open"
    clock.now += resilient.Outage.retry_seconds
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        cache.set("k", "value")
    assert cache.get("k") == "value"
    assert "reachable again" in caplog.text
    cache.delete("k")


def test_without_options_of_its_own_a_cache_call_waits_briefly_for_redis(unreachable):
    assert unreachable._options == resilient.TIMEOUTS
    assert redis_at("redis://x:6379/0", socket_timeout=3)._options["socket_timeout"] == 3
