import sys

import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.views import defaults
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


# -- the database is unreachable ------------------------------------------------------------

# How long people are asked to wait before trying again while the database is unreachable.
RETRY_AFTER_SECONDS = 30
# Formset bookkeeping the browser sends along: carried in the repost, not shown as text.
_FORMSET_FIELDS = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")


def server_error(request):
    """``handler500``: an unreachable database is a 503 page (try again), anything else the
    usual 500 page.

    Django calls it from inside the ``except`` of whatever failed, in a middleware (sessions,
    authentication) as well as in a view, so ``sys.exc_info()`` names the failure.
    """
    if _database_unreachable(sys.exc_info()[1]):
        return database_unavailable(request)
    return defaults.server_error(request)


def _database_unreachable(error: BaseException | None) -> bool:
    """True if ``error``, or an error that caused it, says the database cannot be reached."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def database_unavailable(request):
    """The 503 page in the language of the address, rendered without the database: no
    session, user or messages. A refused form's fields are shown to copy and can be sent
    again as they were (the CSRF token included), except passwords; files cannot be kept."""
    language = translation.get_language_from_request(request, check_path=True)
    posted, files = _posted(request)
    shown = [(name, value) for name, value in posted
             if name != "csrfmiddlewaretoken" and not name.endswith(_FORMSET_FIELDS)
             and value.strip()]
    context = {
        "language": language,
        "method_post": request.method == "POST",
        "action": request.get_full_path(),
        "repost": [(name, value) for name, value in posted if not _is_secret(name)],
        "shown": [{"name": name, "value": value, "rows": min(max(value.count("\n") + 1, 2), 12)}
                  for name, value in shown if not _is_secret(name)],
        "secrets_left_out": any(_is_secret(name) and value for name, value in posted),
        "files": files,
    }
    with translation.override(language):
        response = HttpResponse(loader.render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Content-Language"] = language
    add_never_cache_headers(response)  # the page holds what the person typed
    return response


def _posted(request) -> tuple[list[tuple[str, str]], list[str]]:
    """Every posted (name, value) pair, and the names of the posted files."""
    if request.method != "POST":
        return [], []
    try:
        fields = [(name, value) for name, values in request.POST.lists() for value in values]
        files = [upload.name for _name, uploads in request.FILES.lists() for upload in uploads]
    except Exception:  # noqa: BLE001 - an unreadable body: nothing to carry
        return [], []
    return fields, files


def _is_secret(name: str) -> bool:
    """Passwords are never written into a page, as Django's own forms never do."""
    return "password" in name.lower()
