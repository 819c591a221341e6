import redis
from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from core.pages import PAGES


def page(request, slug):
    if slug not in PAGES:
        raise Http404
    language = (get_language() or "de")[:2]
    return render(request, f"core/pages/{slug}.{language}.html", {"page_title": PAGES[slug]})


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return "error"


# A health check must not hold a worker: the broker (Redis) answers a PING at once or is
# reported down.
BROKER_PROBE_SECONDS = 0.3


def _broker_state() -> str:
    if settings.CELERY_BROKER_URL.startswith("memory://"):
        return "eager"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL,
                                  socket_connect_timeout=BROKER_PROBE_SECONDS,
                                  socket_timeout=BROKER_PROBE_SECONDS)
    try:
        client.ping()  # one attempt: a connection made from a URL is not retried
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return "error"
    finally:
        client.close()


@never_cache
def healthz(request):
    """Report the database and broker state: 200 when both work, 503 otherwise."""
    state = {"database": _database_state(), "broker": _broker_state()}
    healthy = all(value in ("ok", "eager") for value in state.values())
    state["status"] = "ok" if healthy else "error"
    return JsonResponse(state, status=200 if healthy else 503)
