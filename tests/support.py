"""Helpers for tests that need something the machine may not have.

Outside CI a missing browser or service skips the test; with ``CI=true`` the
same gap fails it, so CI can never pass by quietly skipping.
"""

import os

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require(condition, reason: str) -> None:
    """Skip the test unless ``condition`` holds; in CI (``CI=true``) fail it instead."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"CI=true, so this cannot be skipped: {reason}", pytrace=False)
    pytest.skip(reason)


def postgres_available() -> bool:
    """True when DATABASE_URL points the test run at PostgreSQL."""
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def redis_url() -> str:
    """The configured Redis URL (settings.REDIS_URL), or "" when tasks run in-process."""
    return getattr(settings, "REDIS_URL", "") or ""


def chromium_path() -> str | None:
    """Debian's Chromium, if installed; Playwright's own browser download does not work here."""
    if os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return None
