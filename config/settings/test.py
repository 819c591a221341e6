"""Test settings: fast hashing, in-memory mail, tasks in-process.

DATABASE_URL and REDIS_URL still apply, so CI runs the suite on PostgreSQL and Redis.
"""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-use-0123456789abcdef")

from config.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In-memory mail, unless a test starts a worker process that must reach a real SMTP server.
if os.environ.get("TEST_EMAIL_URL"):
    vars().update(env.email_url("TEST_EMAIL_URL"))  # noqa: F405
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
if REDIS_URL:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = "vie-test"  # noqa: F405
    # pytest-xdist: the tests empty the cache (FLUSHDB), so each worker gets a Redis
    # database of its own: gw0 the configured one, gw1 eight above it.
    # Subprocesses the tests start (a Celery worker) inherit the shifted URL and the marker.
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if (_worker.startswith("gw") and _worker[2:].isdigit()
            and os.environ.get("VIE_REDIS_PER_WORKER") != _worker):
        from urllib.parse import urlsplit, urlunsplit

        _parts = urlsplit(REDIS_URL)  # noqa: F405
        _base = int(_parts.path.strip("/") or 0)
        _db = (_base + 8 * int(_worker[2:])) % 16
        REDIS_URL = urlunsplit(_parts._replace(path=f"/{_db}"))
        CACHES["default"]["LOCATION"] = CELERY_BROKER_URL = REDIS_URL  # noqa: F405
        os.environ.update(REDIS_URL=REDIS_URL, VIE_REDIS_PER_WORKER=_worker)
ACCOUNT_RATE_LIMITS = False
RATE_LIMITS = False  # tests that check a limit switch it on
# Serve static files from the app directories; tests run without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Uploaded meeting documents go to a throw-away directory.
import tempfile  # noqa: E402

PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="vie-test-private-")
STORAGES["private"]["OPTIONS"]["location"] = PRIVATE_MEDIA_ROOT  # noqa: F405
# Tests open and close connections the way they always did (threads, transactional tests).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)  # noqa: F405
