import pytest
from django.db import connection

from tests.support import redis_url, require

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
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error", "status": "error"}


def test_healthz_is_503_when_the_database_fails(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "memory://"

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"
