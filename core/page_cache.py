"""Public pages answered from the cache before sessions, CSRF, auth and the view run.

A view says a response is the same for every anonymous visitor, and for how long, with
``cache_publicly(response, until=...)``. ``PublicPageCacheMiddleware`` (right after the
security and static-file middleware) keeps it under its path and answers the next anonymous
GET of that path with one cache read: no database query, no template. Only paths whose
view opted in are looked up (each worker remembers them), so other pages pay nothing. A
request that carries a session or messages cookie always reaches the view, so logged-in
people see their own header and nobody misses a message.

What the page shows changes with the data: the app that owns the data calls
``forget_public_pages(url_name, ...)`` when it changes. ``PUBLIC_PAGE_CACHE_SECONDS`` bounds
every entry, so a deployment's new wording reaches the pages within that time. While Redis
is down the cache misses and forgets nothing (core/cache.py): every visitor reaches the view.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation

KEY_PREFIX = "public-page:"


def cache_publicly(response: HttpResponse, *, until: datetime | None = None) -> HttpResponse:
    """Mark ``response`` as the same for every anonymous visitor until ``until`` (or for
    ``PUBLIC_PAGE_CACHE_SECONDS``, whichever ends first)."""
    response.public_until = until or datetime.max.replace(tzinfo=UTC)
    return response


def forget_public_pages(url_name: str, *args) -> None:
    """Drop the cached copies of a page in every language, so the next visitor gets it new."""
    keys = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            keys.append(KEY_PREFIX + reverse(url_name, args=args))
    cache.delete_many(keys)


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.private_cookies = {settings.SESSION_COOKIE_NAME, "messages"}
        # Paths whose view has marked a response as public: bounded by the public pages
        # there are (two languages each), since no other path is ever added.
        self.public_paths: set[str] = set()

    def __call__(self, request):
        if not self._anonymous_get(request):
            return self.get_response(request)
        key = KEY_PREFIX + request.path
        if request.path in self.public_paths:
            request.get_host()  # a host that is not allowed is still refused (400)
            stored = cache.get(key)
            if stored is not None:
                content, headers = stored
                return HttpResponse(content, headers=headers)
        response = self.get_response(request)
        seconds = self._seconds_to_keep(response)
        if seconds > 0:
            self.public_paths.add(request.path)
            cache.set(key, (response.content, dict(response.items())), seconds)
        return response

    def _anonymous_get(self, request) -> bool:
        return (request.method == "GET" and not request.META.get("QUERY_STRING")
                and not self.private_cookies.intersection(request.COOKIES))

    @staticmethod
    def _seconds_to_keep(response) -> int:
        until = getattr(response, "public_until", None)
        if until is None or response.status_code != 200 or response.cookies \
                or response.streaming:
            return 0
        left = (until - timezone.now()).total_seconds()
        return int(min(left, settings.PUBLIC_PAGE_CACHE_SECONDS))
