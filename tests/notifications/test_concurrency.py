"""Rule 6 under real concurrency: two sweeps, two planners or two deliveries at the same moment.

PostgreSQL only: the claim relies on ``SELECT ... FOR UPDATE SKIP LOCKED`` and on the
unique key, which need two real connections to mean anything (SQLite serialises all
writers). Each racer runs in its own thread with its own connection, waits at a
barrier so they really start together, and closes its connection at the end.
"""

import threading
from collections import Counter
from functools import partial

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications import services
from notifications.enums import MessageState
from notifications.models import Message
from notifications.services import (
    message_deliver,
    message_queue,
    notifications_sweep,
    reminders_plan,
)
from tests.factories import UserFactory
from tests.support import postgres_available, require

pytestmark = pytest.mark.django_db(transaction=True)
REMINDERS = 200
RACE_TIMEOUT = 120
BATCH_SIZES = (7, 50, services.SEND_BATCH)


@pytest.fixture(autouse=True)
def _postgres_only():
    require(postgres_available(), "DATABASE_URL is not PostgreSQL: the race needs row locks")


def race(*calls):
    """Run the calls at once, one thread and one database connection each; return results."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            connection.ensure_connection()  # connect first, so the start is really together
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            barrier.abort()
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=RACE_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    assert not errors, errors
    return results


def test_two_sweeps_at_once_send_each_reminder_once(reminder_kind, due_contacts, monkeypatch):
    # Three rounds with fresh reminders. Small batches make the two sweeps take turns
    # claiming; with the default batch one sweep can claim everything at once.
    for round_, batch in enumerate(BATCH_SIZES, start=1):
        monkeypatch.setattr(services, "SEND_BATCH", batch)
        _city, users = due_contacts(REMINDERS, days_ahead=round_ + 1)
        mail.outbox.clear()
        now = timezone.now()
        sweep = partial(notifications_sweep, now=now)
        first, second = race(sweep, sweep)

        assert len(mail.outbox) == REMINDERS, f"round {round_} (batch {batch})"
        assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
        sent_to = Counter(m.to[0] for m in mail.outbox)
        assert len(sent_to) == REMINDERS and set(sent_to.values()) == {1}
        assert set(sent_to) == {u.email for u in users}
        assert first.sent + second.sent == REMINDERS
        assert first.failed == second.failed == first.retrying == second.retrying == 0
        messages = Message.objects.filter(recipient__in=users)
        assert messages.count() == REMINDERS
        assert set(messages.values_list("state", "tries")) == {(MessageState.SENT, 1)}
    assert Message.objects.count() == REMINDERS * len(BATCH_SIZES)


def test_two_planners_at_once_record_each_reminder_once(reminder_kind, due_contacts):
    _city, users = due_contacts(REMINDERS)
    now = timezone.now()
    plan = partial(reminders_plan, now=now)
    first, second = race(plan, plan)
    assert Message.objects.count() == REMINDERS
    assert len(set(first) | set(second)) == REMINDERS
    assert Counter(Message.objects.values_list("recipient", flat=True)) == Counter(
        {u.pk: 1 for u in users})
    assert mail.outbox == []


def test_two_deliveries_of_one_message_at_once_send_it_once(monkeypatch):
    # Keep the on-commit task out of it: the two racers are the only senders.
    monkeypatch.setattr(services, "enqueue_delivery", lambda message_id: None)
    users = UserFactory.create_batch(20)
    messages = [
        message_queue(kind="test", to=u.email, template="notifications/email/reminder",
                      recipient=u, context={"related": "Krefeld",
                                            "occasion": timezone.localdate()})
        for u in users
    ]
    for message in messages:
        deliver = partial(message_deliver, message_id=message.pk, now=timezone.now())
        results = race(deliver, deliver)
        assert sum(result is not None for result in results) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert set(Message.objects.values_list("state", "tries")) == {(MessageState.SENT, 1)}


def test_a_task_and_two_sweeps_at_once_send_a_message_once(monkeypatch):
    """A retried task, a beat that fired twice: three senders for one pending message."""
    monkeypatch.setattr(services, "enqueue_delivery", lambda message_id: None)
    for user in UserFactory.create_batch(10):
        message = message_queue(kind="test", to=user.email, recipient=user,
                                template="notifications/email/reminder",
                                context={"related": "Krefeld", "occasion": timezone.localdate()})
        now = timezone.now()
        sweep = partial(notifications_sweep, now=now)
        race(partial(message_deliver, message_id=message.pk, now=now), sweep, sweep)
    sent_to = Counter(m.to[0] for m in mail.outbox)
    assert len(sent_to) == 10 and set(sent_to.values()) == {1}
