from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone, translation

from notifications import services
from notifications.enums import MessageState
from notifications.models import Message, ReminderOptOut
from notifications.registry import register_attachment
from notifications.services import (
    message_deliver,
    message_queue,
    message_resend,
    messages_recover_stuck,
    notifications_sweep,
    reminders_plan,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TEMPLATE = "notifications/email/reminder"


def queue(user, **kwargs):
    defaults = {"kind": "test", "to": user.email, "template": TEMPLATE, "recipient": user,
                "context": {"related": "Krefeld", "occasion": timezone.localdate()}}
    return message_queue(**{**defaults, **kwargs})


class FlakyConnection:
    """A mail connection that refuses the first ``failures`` messages."""

    def __init__(self, failures):
        self.failures, self.sent = failures, []

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("mail server down")
        self.sent.extend(messages)
        return len(messages)


# -- queueing -----------------------------------------------------------------

def test_queue_renders_in_the_recipients_language(django_capture_on_commit_callbacks):
    german, english = UserFactory(language="de", name="Katrin"), UserFactory(language="en",
                                                                              name="Pieter")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        queue(german)
        queue(english)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address[german.email].subject.startswith("[#vernetztinEuropa] Erinnerung: ")
    assert "Hallo Katrin," in by_address[german.email].body
    assert "Hello Pieter," in by_address[english.email].body
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)


def test_queue_records_the_message_before_sending(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = queue(user)
    assert Message.objects.get().state == MessageState.PENDING
    assert len(callbacks) == 1 and mail.outbox == []
    callbacks[0]()
    message.refresh_from_db()
    assert (message.state, message.tries, len(mail.outbox)) == (MessageState.SENT, 1, 1)


def test_queue_with_the_same_key_records_and_sends_once(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(user, key="confirmation:42")
        second = queue(user, key="confirmation:42")
    assert first.pk == second.pk
    assert Message.objects.count() == 1 and len(mail.outbox) == 1


def test_queue_survives_a_broker_that_is_down(django_capture_on_commit_callbacks):
    user = UserFactory()
    with mock.patch("notifications.tasks.deliver_message.delay",
                    side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            message = queue(user)
    message.refresh_from_db()
    assert message.state == MessageState.PENDING and mail.outbox == []
    report = notifications_sweep(now=timezone.now())
    assert report.sent == 1 and len(mail.outbox) == 1


def test_unknown_attachment_is_refused():
    with pytest.raises(ValueError):
        queue(UserFactory(), attachments=("nope",))


def test_attachments_are_rendered_at_send_time(django_capture_on_commit_callbacks):
    from programme.models import Programme
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(contact_email="old@example.org")
    register_attachment("contact_txt", lambda obj, language: (
        "contact.txt", f"{language}:{obj.contact_email}".encode(), "text/plain"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue(UserFactory(language="en"), related=programme, attachments=("contact_txt",))
    Programme.objects.update(contact_email="new@example.org")
    callbacks[0]()
    (attachment,) = mail.outbox[0].attachments
    assert tuple(attachment) == ("contact.txt", "en:new@example.org", "text/plain")


# -- delivery, retries and recovery -----------------------------------------------

def test_deliver_sends_once_even_when_called_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = queue(UserFactory())
    now = timezone.now()
    assert message_deliver(message_id=message.pk, now=now) is not None
    assert message_deliver(message_id=message.pk, now=now) is None
    assert len(mail.outbox) == 1


def test_failing_mail_server_backs_off_then_fails_for_staff_to_resend(
    django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        message = queue(UserFactory())
    now = timezone.now()
    flaky = FlakyConnection(failures=services.MAX_TRIES)
    with mock.patch("notifications.services.get_connection", return_value=flaky):
        waits = []
        for _ in range(services.MAX_TRIES):
            notifications_sweep(now=now)
            message.refresh_from_db()
            waits.append(message.next_attempt_at - now)
            now = message.next_attempt_at
        assert message.state == MessageState.FAILED
        assert message.tries == services.MAX_TRIES
        assert "mail server down" in message.last_error
        assert waits[:4] == [timedelta(seconds=s) for s in services.BACKOFF_SECONDS]
        # Staff resend it: it goes out at once.
        with django_capture_on_commit_callbacks(execute=True):
            message_resend(message=message, now=timezone.now())
    message.refresh_from_db()
    assert message.state == MessageState.SENT and len(flaky.sent) == 1


def test_pending_message_is_not_sent_before_its_backoff(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = queue(UserFactory())
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert notifications_sweep(now=timezone.now()).sent == 0
    assert notifications_sweep(now=timezone.now() + timedelta(minutes=6)).sent == 1


def test_resending_a_sent_message_sends_a_copy(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        copy = message_resend(message=Message.objects.get(pk=message.pk), now=timezone.now())
    assert copy.pk != message.pk and len(mail.outbox) == 2


def test_stuck_message_is_recovered_after_the_timeout(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = queue(UserFactory())
    crashed_at = timezone.now()
    Message.objects.filter(pk=message.pk).update(state=MessageState.SENDING, claimed_at=crashed_at,
                                                 tries=1)
    assert messages_recover_stuck(now=crashed_at + timedelta(minutes=5)) == 0
    report = notifications_sweep(now=crashed_at + services.STUCK_AFTER + timedelta(seconds=1))
    assert (report.recovered, report.sent) == (1, 1)
    message.refresh_from_db()
    assert message.state == MessageState.SENT and message.tries == 2


# -- reminders --------------------------------------------------------------------

def test_reminders_are_planned_and_sent_once(reminder_kind, due_contacts):
    city, users = due_contacts(3)
    now = timezone.now()
    assert len(notifications_sweep(now=now).planned) == 3
    assert notifications_sweep(now=now).planned == []
    assert notifications_sweep(now=now + timedelta(hours=1)).planned == []
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


def test_reminder_key_names_kind_object_recipient_and_occasion(reminder_kind, due_contacts):
    city, (user,) = due_contacts(1, days_ahead=3)
    (key,) = reminders_plan(now=timezone.now())
    occasion = timezone.localdate() + timedelta(days=3)
    assert key == f"reminder:test_reminder:programme.city:{city.pk}:{user.pk}:{occasion}"


def test_moved_occasion_gets_a_new_reminder_and_the_old_one_is_skipped(reminder_kind,
                                                                       due_contacts):
    city, _users = due_contacts(1, days_ahead=3)
    reminders_plan(now=timezone.now())
    city.name = "Reminder-5"  # the occasion moves two days later
    city.save()
    assert len(reminders_plan(now=timezone.now())) == 1
    # The old occasion is still listed by the kind, so both exist; only current ones go out.
    assert Message.objects.count() == 2


def test_cancelled_occasion_is_not_sent(reminder_kind, due_contacts):
    city, _users = due_contacts(2)
    reminders_plan(now=timezone.now())
    city.name = f"{city.name}-cancelled"
    city.save()
    report = notifications_sweep(now=timezone.now())
    assert (report.sent, report.skipped, mail.outbox) == (0, 2, [])
    assert set(Message.objects.values_list("state", flat=True)) == {MessageState.SKIPPED}


def test_past_occasion_is_neither_planned_nor_sent(reminder_kind, due_contacts):
    due_contacts(1, days_ahead=1)
    now = timezone.now()
    reminders_plan(now=now)
    later = now + timedelta(days=3)
    report = notifications_sweep(now=later)
    assert report.planned == [] and report.sent == 0 and report.skipped == 1


def test_switched_off_reminders_are_not_planned(reminder_kind, due_contacts):
    _city, (keen, tired) = due_contacts(2)
    ReminderOptOut.objects.create(user=tired, kind=reminder_kind.name)
    notifications_sweep(now=timezone.now())
    assert [m.to[0] for m in mail.outbox] == [keen.email]


def test_dry_run_changes_nothing(reminder_kind, due_contacts, django_capture_on_commit_callbacks):
    due_contacts(2)
    with django_capture_on_commit_callbacks(execute=False):
        queue(UserFactory())
    report = notifications_sweep(now=timezone.now(), dry_run=True)
    assert (len(report.planned), len(report.due)) == (2, 1)
    assert Message.objects.count() == 1 and mail.outbox == []


def test_send_notifications_command_runs_the_sweep(reminder_kind, due_contacts):
    from io import StringIO

    from django.core.management import call_command

    due_contacts(2)
    out = StringIO()
    call_command("send_notifications", "--dry-run", stdout=out)
    assert "Would plan 2 reminder(s)" in out.getvalue() and mail.outbox == []
    call_command("send_notifications", stdout=out)
    assert "sent 2" in out.getvalue() and len(mail.outbox) == 2


def test_celery_task_sweeps(reminder_kind, due_contacts):
    from notifications.tasks import sweep_notifications

    due_contacts(1)
    sweep_notifications.delay()
    assert len(mail.outbox) == 1


def test_outcome_of_a_recovered_claim_is_not_written(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = queue(UserFactory())
    now = timezone.now()
    (claimed,) = services._claim(services._due(now), now=now, limit=1)
    # The sender hangs; another sweep recovers the row and takes it over.
    Message.objects.filter(pk=message.pk).update(claimed_at=now - services.STUCK_AFTER * 2)
    assert messages_recover_stuck(now=now) == 1
    services._record_outcome(claimed, error=None, now=now)
    message.refresh_from_db()
    assert message.state == MessageState.PENDING and message.sent_at is None
