import pytest
from django.utils import timezone

from notifications.enums import MessageState
from notifications.models import Message, ReminderOptOut
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_people_switch_reminder_kinds_off_and_on(client, reminder_kind):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/de/accounts/reminders/")
    assert page.status_code == 200
    assert 'value="test_reminder"' in page.content.decode()

    response = client.post("/de/accounts/reminders/", {})
    assert response.status_code == 302
    assert ReminderOptOut.objects.filter(user=user, kind="test_reminder").exists()

    client.post("/de/accounts/reminders/", {"enabled": ["test_reminder"]})
    assert not ReminderOptOut.objects.filter(user=user, kind="test_reminder").exists()


def test_unknown_reminder_kind_is_a_400_in_german(client, reminder_kind):
    client.force_login(UserFactory())
    response = client.post("/de/accounts/reminders/", {"enabled": ["gibt-es-nicht"]})
    assert response.status_code == 400
    assert "Bitte korrigieren Sie Folgendes" in response.content.decode()


def test_reminder_page_without_kinds_says_so(client, monkeypatch):
    from notifications import registry

    monkeypatch.setattr(registry, "REMINDER_KINDS", {})
    monkeypatch.setattr("notifications.views.REMINDER_KINDS", {})
    monkeypatch.setattr("notifications.forms.REMINDER_KINDS", {})
    client.force_login(UserFactory())
    page = client.get("/de/accounts/reminders/").content.decode()
    assert "Es gibt noch keine Erinnerungen" in page


def test_reminder_page_needs_a_login(client):
    assert client.get("/de/accounts/reminders/").status_code == 302



def failed_message(n):
    return Message.objects.create(
        kind="test", key=f"test:{n}", to_email=f"p{n}@example.org", language="de",
        subject="Betreff", body_text="Text", state=MessageState.FAILED, tries=5,
        last_error="SMTPServerDisconnected()", next_attempt_at=timezone.now())


def test_staff_resend_failed_mail_from_the_admin(staff_client, django_capture_on_commit_callbacks):
    from django.core import mail

    message = failed_message(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/admin/notifications/message/", {
            "action": "resend", "_selected_action": [message.pk]})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == MessageState.SENT and len(mail.outbox) == 1


def test_outbox_list_query_count_does_not_grow(staff_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get("/admin/notifications/message/").status_code == 200
        return len(captured)

    failed_message(0)
    count()
    few = count()
    for n in range(1, 30):
        failed_message(n)
    assert count() == few


def test_only_staff_see_the_outbox(client):
    client.force_login(UserFactory())
    response = client.get("/admin/notifications/message/")
    assert response.status_code in (302, 403)
