"""Meeting reminders through the engine: 14 and 2 days before, with the calendar file."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail

from notifications.enums import MessageState
from notifications.models import Message
from notifications.services import notifications_sweep, reminders_plan
from tandems.enums import MeetingStatus
from tandems.services import meeting_set_status, meeting_update
from tests.factories import meeting_factory, member_contact, tandem_factory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
STARTS = datetime(2023, 5, 10, 10, tzinfo=BERLIN)


def morning(month, day):
    return datetime(2023, month, day, 9, tzinfo=BERLIN)


@pytest.fixture
def meeting():
    tandem = tandem_factory()
    member_contact(tandem, language="de", email="kommune@example.org")
    member_contact(tandem, german=False, language="en", email="partner@example.org")
    return meeting_factory(tandem, starts_at=STARTS, title="Gegenbesuch")


def sweep(when):
    """Run the sweep twice, as a retried beat would, and return the new mails."""
    before = len(mail.outbox)
    notifications_sweep(now=when)
    notifications_sweep(now=when + timedelta(hours=1))
    return mail.outbox[before:]


def test_the_members_are_reminded_14_and_2_days_before_each_once(meeting):
    assert sweep(morning(4, 25)) == []
    fourteen = sweep(morning(4, 26))
    assert sorted(m.to[0] for m in fourteen) == ["kommune@example.org", "partner@example.org"]
    assert sweep(morning(4, 30)) == []  # inside the window, already sent
    two = sweep(morning(5, 8))
    assert len(two) == 2
    assert sweep(morning(5, 9)) == [] and sweep(morning(5, 11)) == []
    german = next(m for m in fourteen if m.to[0] == "kommune@example.org")
    assert "Gegenbesuch" in german.subject and "10. Mai 2023" in german.subject
    assert "in 14 Tagen" in german.body and "10:00–13:00" in german.body
    assert f"/de/tandems/{meeting.tandem_id}/meetings/{meeting.pk}/" in german.body
    english = next(m for m in two if m.to[0] == "partner@example.org")
    assert "in 2 days" in english.body and "/en/tandems/" in english.body


def test_each_reminder_carries_the_meeting_as_a_calendar_file(meeting):
    reminder = sweep(morning(4, 26))[0]
    (name, content, mimetype), = reminder.attachments
    assert name == f"meeting-{meeting.pk}.ics" and mimetype.startswith("text/calendar")
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == STARTS


def test_a_missed_day_is_made_up_by_the_next_sweep(meeting):
    assert len(sweep(morning(4, 28))) == 2
    assert {m.occasion for m in Message.objects.all()} == {STARTS.date()}


def test_a_cancelled_meeting_gets_no_reminder(meeting):
    meeting_set_status(meeting=meeting, status=MeetingStatus.CANCELLED)
    assert sweep(morning(4, 26)) == [] and sweep(morning(5, 8)) == []


def test_a_past_meeting_gets_no_reminder(meeting):
    assert sweep(datetime(2023, 5, 10, 10, 30, tzinfo=BERLIN)) == []


def test_a_moved_meeting_is_reminded_for_its_new_date_only(meeting):
    assert len(sweep(morning(4, 26))) == 2
    meeting_update(meeting=meeting, starts_at=STARTS + timedelta(days=14),
                   ends_at=STARTS + timedelta(days=14, hours=3))
    assert sweep(morning(5, 8)) == []  # the old date's 2-day reminder does not come
    moved = sweep(morning(5, 10))
    assert len(moved) == 2 and "24. Mai 2023" in moved[0].subject + moved[1].subject


def test_a_reminder_planned_for_the_old_date_is_skipped_not_sent(meeting):
    reminders_plan(now=morning(4, 26))
    meeting_update(meeting=meeting, starts_at=STARTS + timedelta(days=1),
                   ends_at=STARTS + timedelta(days=1, hours=3))
    notifications_sweep(now=morning(4, 26) + timedelta(minutes=5))
    assert set(Message.objects.filter(occasion=STARTS.date()).values_list("state", flat=True)) == {
        MessageState.SKIPPED}
