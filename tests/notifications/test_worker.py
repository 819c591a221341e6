"""The outbox with real Celery: a worker delivers a queued mail; a dead broker loses nothing.

The end-to-end test starts a Celery worker against the local Redis and the *test*
database, listening on a queue of its own, and points it at an SMTP server the test
runs (TEST_EMAIL_URL; the test settings use it instead of the in-memory backend).
"""

import os
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from notifications.enums import MessageState
from notifications.models import Message
from notifications.services import message_queue, notifications_sweep
from tests.factories import UserFactory
from tests.notifications.smtp import smtp_server
from tests.support import celery_conf, celery_worker, postgres_available, redis_url, require

ROOT = Path(__file__).resolve().parents[2]
DELIVERY_TIMEOUT = 120  # only bounds a hang
CLOSED_BROKER = "redis://127.0.0.1:1/0"
# `celery worker` itself, with eager execution off: the test settings run tasks in-process
# (CELERY_TASK_ALWAYS_EAGER = True), which must not hold inside a real worker (task retries).
WORKER = ("import sys\n"
          "from config.celery import app\n"
          "app.conf.task_always_eager = False\n"
          "app.worker_main(sys.argv[1:])\n")


def queue_message(user):
    return message_queue(kind="test", to=user.email, recipient=user,
                         template="notifications/email/reminder",
                         context={"related": "Krefeld", "occasion": timezone.localdate()})


def database_url() -> str:
    """The URL of the database this test runs on (the test database, not the configured one)."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{credentials}@" if credentials else ""
    return f"postgres://{host}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_delivers_a_queued_mail_end_to_end():
    require(postgres_available() and redis_url(),
            "needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) for a real worker")
    user = UserFactory(language="en")
    queue_name = f"outbox-e2e-{uuid.uuid4().hex[:8]}"
    with smtp_server() as server:
        env = {k: v for k, v in os.environ.items()
               if k not in {"DJANGO_SETTINGS_MODULE", "CI", "EMAIL_URL", "TEST_EMAIL_URL"}}
        env.update({"DJANGO_SETTINGS_MODULE": "config.settings.test",
                    "DATABASE_URL": database_url(), "REDIS_URL": redis_url(),
                    "TEST_EMAIL_URL": server.url, "PYTHONUNBUFFERED": "1"})
        worker = celery_worker([sys.executable, "-c", WORKER], queue_name, env)
        with worker as worker_output, celery_conf(task_always_eager=False,
                                                  task_default_queue=queue_name):
            # Autocommit (transaction=True): the row is committed, then the task published.
            message = queue_message(user)
            deadline = time.monotonic() + DELIVERY_TIMEOUT
            while time.monotonic() < deadline:
                message.refresh_from_db()
                if message.state == MessageState.SENT and server.messages:
                    break
                time.sleep(0.2)
            log = worker_output()
    assert message.state == MessageState.SENT, f"state {message.state}; worker log:\n{log}"
    assert [r.rcpt_tos for r in server.messages] == [[user.email]]
    assert message.tries == 1 and message.sent_at is not None
    assert mail.outbox == [], "the test process must not have sent it itself"
    assert "notifications.tasks.deliver_message[" in log and "succeeded" in log, log


@pytest.mark.django_db
def test_a_broker_that_is_down_loses_nothing_and_the_sweep_sends_later(
    django_capture_on_commit_callbacks, caplog
):
    user = UserFactory()
    with celery_conf(broker_url=CLOSED_BROKER, task_always_eager=False):
        # Publishing gives up after CELERY_TASK_PUBLISH_RETRY_POLICY's few retries.
        with django_capture_on_commit_callbacks(execute=True):
            message = queue_message(user)
    assert "Broker unavailable" in caplog.text
    message.refresh_from_db()
    assert (message.state, message.tries) == (MessageState.PENDING, 0)
    assert mail.outbox == []
    # The broker is back (or beat runs the sweep): the pending row goes out, once.
    assert notifications_sweep(now=timezone.now()).sent == 1
    assert notifications_sweep(now=timezone.now()).sent == 0
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert Message.objects.get().state == MessageState.SENT
