"""Helpers for tests that need something the machine may not have.

Outside CI a missing browser or service skips the test; with ``CI=true`` the
same gap fails it, so CI can never pass by quietly skipping.
"""

import html
import os
import queue
import re
import signal
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
# How long a started process may take to come up: only bounds a hang, since a busy machine
# may take many seconds to import Django and Celery.
READY_TIMEOUT = 120
ROOT = Path(__file__).resolve().parents[1]


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


def closed_port() -> int:
    """A port on 127.0.0.1 that nobody listens on: a connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SilentServer:
    """Accepts connections on 127.0.0.1 and never answers: a service that hangs."""

    def __init__(self):
        self._socket = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self._socket.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                connection, _address = self._socket.accept()
            except OSError:  # closed
                return
            self.connections.append(connection)

    def close(self):
        try:
            self._socket.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (Linux)
        except OSError:
            pass
        self._socket.close()
        self._thread.join(timeout=5)
        for connection in self.connections:
            connection.close()


@contextmanager
def silent_server():
    server = SilentServer()
    try:
        yield server
    finally:
        server.close()


def reset_broker_pools():
    """Make the Celery app look its broker pools up again, so a changed broker_url takes
    effect.

    Only the app's references are dropped: kombu keeps one pool per broker URL for the
    whole process, so closing it would break every later publish to the same URL.
    """
    from config.celery import app

    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@contextmanager
def celery_conf(**changes):
    """Change the (already configured) Celery app for a block, then put everything back."""
    from config.celery import app

    saved = {name: app.conf[name] for name in changes}
    app.conf.update(changes)
    reset_broker_pools()
    try:
        yield
    finally:
        app.conf.update(saved)
        reset_broker_pools()


def _read_lines(stream, lines: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        lines.put(line)
    lines.put(None)


@contextmanager
def celery_worker(command: list[str], queue_name: str, env: dict[str, str],
                  ready_timeout=READY_TIMEOUT):
    """Start a Celery worker (``command`` runs ``celery``) on a queue of its own, so it never
    takes a task meant for a real worker; wait until it is ready; stop it afterwards.

    Yields a function that returns the worker's log so far.
    """
    worker = subprocess.Popen(
        [*command, "worker", "--pool", "solo", "--concurrency", "1", "-l", "info",
         "-Q", queue_name, "--hostname", f"{queue_name}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(worker.stdout, lines), daemon=True)
    reader.start()
    output: list[str] = []

    def drain(until=None, timeout=0.0) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = lines.get(timeout=max(0.0, min(0.2, deadline - time.monotonic())))
            except queue.Empty:
                if time.monotonic() >= deadline:
                    return False
                continue
            if line is None:
                return False
            output.append(line)
            if until and until.search(line):
                return True

    try:
        ready = drain(re.compile(r"@\S+ ready\."), ready_timeout)
        assert ready, "the worker did not report ready within {}s:\n{}".format(
            ready_timeout, "".join(output[-40:]))
        yield lambda: (drain(), "".join(output[-60:]))[1]
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=5)
        reader.join(timeout=5)
        worker.stdout.close()


def hidden_fields(page: str) -> list[tuple[str, str]]:
    """The (name, value) of each hidden input of an HTML page, in order (the 503 page's
    "send again" form)."""
    return [(html.unescape(name), html.unescape(value)) for name, value in re.findall(
        r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)]
