"""The outbox against a real SMTP server (aiosmtpd on 127.0.0.1), not the in-memory backend.

Celery runs tasks in-process in the test settings, so a message queued inside
``django_capture_on_commit_callbacks(execute=True)`` is delivered when the block
"commits". A refusing server proves the backoff, the "failed" state and the resend.
"""

import hashlib
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notifications import services
from notifications.enums import MessageState
from notifications.models import Message
from notifications.services import message_queue, message_resend, notifications_sweep
from tests.factories import UserFactory
from tests.notifications.smtp import smtp_server

pytestmark = pytest.mark.django_db
TEMPLATE = "notifications/email/reminder"


def queue(user, **kwargs):
    return message_queue(**{
        "kind": "test", "to": user.email, "template": TEMPLATE, "recipient": user,
        "context": {"related": "Krefeld", "occasion": timezone.localdate()}, **kwargs,
    })


def recipients(server) -> list[str]:
    return [address for received in server.messages for address in received.rcpt_tos]


def test_queued_message_reaches_the_server_for_its_one_recipient(
    settings, django_capture_on_commit_callbacks
):
    user, bystander = UserFactory(language="en"), UserFactory()
    with smtp_server() as server:
        server.configure(settings)
        with django_capture_on_commit_callbacks(execute=True):
            message = queue(user)
    [received] = server.messages
    assert received.rcpt_tos == [user.email]
    assert bystander.email not in received.content.decode()
    email = received.email
    assert email["To"] == user.email and email["Cc"] is None and email["Bcc"] is None
    # The Message-ID is derived from the key: a copy sent again carries the same one.
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
    assert email["Message-ID"] == f"<{digest}@localhost>"
    assert services.build_email(message).message()["Message-ID"] == email["Message-ID"]
    message.refresh_from_db()
    assert (message.state, message.tries, message.last_error) == (MessageState.SENT, 1, "")
    assert message.sent_at is not None


def test_refusing_server_backs_off_then_fails_and_a_resend_delivers(
    settings, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=True) as clock:
        with smtp_server(refuse=True) as refusing:
            refusing.configure(settings)
            with django_capture_on_commit_callbacks(execute=True):
                message = queue(user)
            message.refresh_from_db()
            assert (message.state, message.tries) == (MessageState.PENDING, 1)
            assert "451" in message.last_error and "try again later" in message.last_error
            assert message.next_attempt_at > timezone.now()
            assert message.sent_at is None

            # Not before its backoff ...
            assert notifications_sweep(now=timezone.now()).retrying == 0
            # ... and then at each later attempt time, until the last try.
            while message.tries < services.MAX_TRIES:
                clock.move_to(message.next_attempt_at)
                notifications_sweep(now=timezone.now())
                message.refresh_from_db()
            assert message.state == MessageState.FAILED
            assert "451" in message.last_error
            assert len(refusing.refused) == services.MAX_TRIES
            assert all(r.rcpt_tos == [user.email] for r in refusing.refused)
            assert refusing.messages == []
            # A failed message stays failed: later sweeps leave it alone.
            clock.move_to(timezone.now() + timedelta(days=1))
            assert notifications_sweep(now=timezone.now()).retrying == 0
            assert len(refusing.refused) == services.MAX_TRIES

        with smtp_server() as working:
            working.configure(settings)
            with django_capture_on_commit_callbacks(execute=True):
                message_resend(message=message, now=timezone.now())
    assert recipients(working) == [user.email]
    message.refresh_from_db()
    assert (message.state, message.tries, message.last_error) == (MessageState.SENT, 1, "")


def test_one_sweep_sends_fifty_reminders_over_one_connection(settings, reminder_kind,
                                                             due_contacts):
    _city, users = due_contacts(50)
    with smtp_server() as server:
        server.configure(settings)
        report = notifications_sweep(now=timezone.now())
    assert (len(report.planned), report.sent) == (50, 50)
    assert server.connections == 1
    assert len({received.peer for received in server.messages}) == 1
    assert len(server.messages) == 50
    assert all(len(received.rcpt_tos) == 1 for received in server.messages)
    assert sorted(recipients(server)) == sorted(u.email for u in users)


def test_server_failing_midway_loses_nothing_and_sends_nothing_twice(
    settings, reminder_kind, due_contacts
):
    _city, users = due_contacts(9)
    now = timezone.now()
    with smtp_server(refuse_every=3) as server:
        server.configure(settings)
        report = notifications_sweep(now=now)
        assert (report.sent, report.retrying) == (6, 3)
        refused = {r.rcpt_tos[0] for r in server.refused}
        assert len(refused) == 3
        states = dict(Message.objects.values_list("to_email", "state"))
        assert {a for a, s in states.items() if s == MessageState.PENDING} == refused
        assert {a for a, s in states.items() if s == MessageState.SENT} == (
            {u.email for u in users} - refused)

        # The server recovers; the refused ones go out after their backoff, nothing else.
        server.handler.refuse_every = None
        for later in (now + timedelta(seconds=30), now + timedelta(minutes=2),
                      now + timedelta(hours=1), now + timedelta(days=1)):
            notifications_sweep(now=later)
    sent = Counter(recipients(server))
    assert sent == Counter({u.email: 1 for u in users})
    assert set(Message.objects.values_list("state", flat=True)) == {MessageState.SENT}
    assert set(Message.objects.values_list("tries", flat=True)) == {1, 2}


def test_allauth_verification_mail_goes_through_the_outbox(
    client, settings, django_capture_on_commit_callbacks
):
    address = "new.person@example.org"
    with smtp_server() as server:
        server.configure(settings)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/en/accounts/signup/", {
                "email": address, "password1": "a long and unusual pass", "password2":
                "a long and unusual pass", "name": "New Person", "language": "en",
            })
    assert response.status_code == 302, response.content.decode()[:2000]
    message = Message.objects.get(to_email=address)
    assert message.kind.startswith("account:")
    assert message.language == "en"
    assert message.state == MessageState.SENT
    assert recipients(server) == [address]
    assert "/en/accounts/confirm-email/" in server.messages[0].email.as_string()
