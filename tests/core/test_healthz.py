import threading

import pytest
from django.db import connection

from tests.support import closed_port, redis_url, require, silent_server

pytestmark = pytest.mark.django_db


def test_healthz_reports_eager_tasks_without_a_broker(client, settings):
    settings.CELERY_BROKER_URL = "memory://"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "eager", "status": "ok"}


def test_healthz_reports_a_reachable_broker(client, settings):
    require(bool(redis_url()), "needs Redis (REDIS_URL)")
    settings.CELERY_BROKER_URL = redis_url()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error", "status": "error"}


def test_healthz_reports_a_broker_that_hangs_as_down_within_its_probe_timeout(
        client, settings, monkeypatch):
    import redis

    answers, timeouts = [], []
    from_url = redis.Redis.from_url

    def recording(url, **options):
        timeouts.append((options["socket_connect_timeout"], options["socket_timeout"]))
        return from_url(url, **options)

    monkeypatch.setattr(redis.Redis, "from_url", recording)

    def ask():
        try:
            answers.append(client.get("/healthz"))
        finally:
            connection.close()  # this thread's own

    with silent_server() as broker:
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{broker.port}/0"
        probe = threading.Thread(target=ask)
        probe.start()
        probe.join(timeout=60)  # only bounds a hang: the probe gives up after its timeout
        assert not probe.is_alive(), "/healthz waits for a broker that never answers"
    assert broker.connections, "the probe did reach the silent broker"
    assert answers[0].status_code == 503
    assert answers[0].json()["broker"] == "error"
    assert timeouts == [(0.3, 0.3)], "a worker waits for the broker at most this long"


def test_healthz_is_503_when_the_database_fails(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "memory://"

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"
