"""A limit on how often one person may send a form (expressions of interest).

Log-in, sign-up and password reset are limited by allauth (``ACCOUNT_RATE_LIMITS``); this
covers the project's own submissions. ``RATE_LIMITS=0`` in the environment switches both
off, for a benchmark. The counts live in the cache (Redis in production), per person and
form, in fixed windows. While Redis is down the limit lets every post through (the cache's
``add`` reports success, core/cache.py): a lost limit is better than a lost submission.
"""

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"30/h"`` -> (30, 3600)."""
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period]


def limit_posts(scope: str):
    """Answer a person's POSTs to the view with 429 once they exceed the scope's rate
    (``settings.SUBMISSION_RATE_LIMITS[scope]``) within its window."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and settings.RATE_LIMITS and _exceeded(request, scope):
                return render(request, "core/rate_limited.html", status=429)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _exceeded(request, scope: str) -> bool:
    count, seconds = parse_rate(settings.SUBMISSION_RATE_LIMITS[scope])
    who = (f"user:{request.user.pk}" if request.user.is_authenticated
           else f"ip:{request.META.get('REMOTE_ADDR', '')}")
    key = f"ratelimit:{scope}:{who}"
    if cache.add(key, 1, seconds):
        return False
    try:
        return cache.incr(key) > count
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, seconds)
        return False
