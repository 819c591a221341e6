"""Minutes: every version kept, conflicts shown not overwritten, nothing lost at log-in."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.conflicts import EditConflict
from notifications.services import notifications_sweep
from tandems.enums import MeetingStatus
from tandems.models import Minutes
from tandems.services import meeting_set_status, minutes_save
from tests.factories import UserFactory, meeting_factory, member_contact, tandem_factory
from tests.support import postgres_available, require

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
STARTS = datetime(2023, 5, 10, 10, tzinfo=BERLIN)  # ends 13:00
AFTER = datetime(2023, 5, 11, 9, tzinfo=BERLIN)


@pytest.fixture
def meeting():
    meeting = meeting_factory(tandem_factory(), starts_at=STARTS)
    return meeting_set_status(meeting=meeting, status=MeetingStatus.HELD, now=AFTER)


def save(meeting, text, base, by=None):
    return minutes_save(meeting=meeting, text=text, base_version=base, by=by, now=AFTER)


def test_each_save_is_a_new_version_and_every_version_is_kept(meeting):
    author = UserFactory()
    assert save(meeting, "Erster Entwurf", 0, author).version == 1
    assert save(meeting, "Zweiter Entwurf", 1, author).version == 2
    assert save(meeting, "Zweiter Entwurf", 2, author).version == 2  # nothing changed
    minutes = Minutes.objects.get()
    assert [(v.version, v.text) for v in minutes.history.order_by("history_date")] == [
        (1, "Erster Entwurf"), (2, "Zweiter Entwurf")]


@pytest.mark.parametrize("base", [0, 1, 3])
def test_a_save_from_a_stale_version_is_a_conflict_and_writes_nothing(meeting, base):
    save(meeting, "Erster Entwurf", 0)
    save(meeting, "Fassung von Anna", 1)
    with pytest.raises(EditConflict) as conflict:
        save(meeting, "Fassung von Ben", base)
    assert (conflict.value.current.version, conflict.value.current.text) == (
        2, "Fassung von Anna")
    assert Minutes.objects.get().text == "Fassung von Anna"


def test_a_version_that_does_not_exist_is_refused_and_writes_nothing(meeting, client):
    with pytest.raises(ValidationError) as error:
        save(meeting, "Erste Fassung", base=1)
    assert error.value.code == "stale_version" and not Minutes.objects.exists()
    client.force_login(member_contact(meeting.tandem))
    response = client.post(url(meeting), {"text": "Mein Text", "version": 1})
    html = response.content.decode()
    assert response.status_code == 400 and "Mein Text" in html and not Minutes.objects.exists()


def test_two_first_versions_at_once_are_a_conflict(meeting):
    save(meeting, "Anna zuerst", 0)
    with pytest.raises(EditConflict):
        save(meeting, "Ben auch", 0)


def test_minutes_are_for_meetings_that_took_place(meeting):
    with pytest.raises(ValidationError) as error:
        minutes_save(meeting=meeting, text="x", base_version=0, by=None,
                     now=STARTS - timedelta(minutes=1))
    assert error.value.code == "not_started"
    cancelled = meeting_set_status(
        meeting=meeting_factory(meeting.tandem, starts_at=datetime(2024, 3, 1, 10, tzinfo=BERLIN)),
        status=MeetingStatus.CANCELLED)
    with pytest.raises(ValidationError) as error:
        minutes_save(meeting=cancelled, text="x", base_version=0, by=None,
                     now=datetime(2024, 3, 2, tzinfo=BERLIN))
    assert error.value.code == "cancelled"


def test_over_long_minutes_are_refused(meeting):
    with pytest.raises(ValidationError):
        save(meeting, "x" * 20_001, 0)
    assert not Minutes.objects.exists()


# -- the page ---------------------------------------------------------------------------------

def url(meeting, lang="de"):
    return f"/{lang}/tandems/{meeting.tandem_id}/meetings/{meeting.pk}/minutes/"


def test_a_member_writes_the_minutes_and_reads_earlier_versions(client, meeting):
    client.force_login(member_contact(meeting.tandem))
    assert client.post(url(meeting), {"text": "Vereinbart: A", "version": 0}).status_code == 302
    assert client.post(url(meeting), {"text": "Vereinbart: A und B", "version": 1}
                       ).status_code == 302
    page = client.get(url(meeting)).content.decode()
    assert "Vereinbart: A und B" in page and "Version 2" in page
    assert "Vereinbart: A</div>" in client.get(url(meeting) + "?version=1").content.decode()


def test_the_second_of_two_editors_gets_a_conflict_page_with_both_texts(meeting):
    anna, ben = Client(), Client()
    anna.force_login(member_contact(meeting.tandem))
    ben.force_login(member_contact(meeting.tandem, german=False, language="en"))
    save(meeting, "Entwurf", 0)
    assert anna.post(url(meeting), {"text": "Annas Fassung", "version": 1}).status_code == 302
    response = ben.post(url(meeting, "en"), {"text": "Bens Fassung", "version": 1})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved the minutes while you were writing." in page
    assert "Annas Fassung" in page and "Bens Fassung</textarea>" in page
    assert 'name="version" value="2"' in page
    assert Minutes.objects.get().text == "Annas Fassung"
    # Ben merges and saves on top of Anna's version.
    assert ben.post(url(meeting, "en"), {"text": "Annas und Bens Fassung", "version": 2}
                    ).status_code == 302
    assert Minutes.objects.get().version == 3


def test_text_typed_while_the_login_expired_comes_back_after_logging_in(client, meeting):
    member = member_contact(meeting.tandem)
    response = client.post(url(meeting), {"text": "Lange Notizen …", "version": 0})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Minutes.objects.exists()
    client.force_login(member)  # keeps the session's data, as a real log-in does
    page = client.get(url(meeting)).content.decode()
    assert "Lange Notizen …</textarea>" in page
    assert "Hier ist der Text, den Sie vor der erneuten Anmeldung eingegeben haben" in page
    assert "Lange Notizen" not in client.get(url(meeting)).content.decode()  # given back once


def test_who_reads_and_who_writes(client, meeting):
    save(meeting, "Protokoll", 0)
    client.force_login(member_contact(meeting.tandem))
    assert "Protokoll" in client.get(url(meeting)).content.decode()
    for stranger in (member_contact(meeting.tandem, verified=False),
                     member_contact(tandem_factory())):
        client.force_login(stranger)
        assert client.get(url(meeting)).status_code == 404
        assert client.post(url(meeting), {"text": "x", "version": 1}).status_code == 404
    client.force_login(member_contact(tandem_factory()))
    assert client.get(url(meeting)).status_code == 404
    assert client.post(url(meeting), {"text": "x", "version": 1}).status_code == 404
    assert Minutes.objects.get().text == "Protokoll"


def test_bad_input_gets_a_400_and_saves_nothing(client, meeting):
    client.force_login(member_contact(meeting.tandem))
    for data in ({"text": "x" * 20_001, "version": 0}, {"text": "x", "version": "alt"},
                 {"version": 0}):
        assert client.post(url(meeting), data).status_code == 400
    assert not Minutes.objects.exists()


def test_the_minutes_page_keeps_a_constant_query_count(client, meeting):
    client.force_login(member_contact(meeting.tandem))
    save(meeting, "v1", 0)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(meeting)).status_code == 200
        return len(captured)

    before = queries()
    for n in range(2, 7):
        save(meeting, f"v{n}", n - 1, UserFactory())
    assert queries() == before


# -- the reminder -----------------------------------------------------------------------------

def sweep(day):
    before = len(mail.outbox)
    notifications_sweep(now=datetime(2023, 5, day, 9, tzinfo=BERLIN))
    notifications_sweep(now=datetime(2023, 5, day, 11, tzinfo=BERLIN))
    return mail.outbox[before:]


def test_members_are_reminded_7_days_after_a_held_meeting_without_minutes(meeting):
    member_contact(meeting.tandem, language="de", email="kommune@example.org")
    assert sweep(16) == []
    (reminder,) = sweep(17)
    assert reminder.to == ["kommune@example.org"] and "Protokoll fehlt" in reminder.subject
    assert url(meeting) in reminder.body
    assert sweep(18) == []


def test_no_reminder_once_the_minutes_exist_or_for_a_meeting_not_held(meeting):
    member_contact(meeting.tandem)
    save(meeting, "Protokoll", 0)
    other = meeting_factory(meeting.tandem, starts_at=datetime(2023, 5, 9, 10, tzinfo=BERLIN))
    assert other.status == MeetingStatus.PLANNED
    assert sweep(16) == [] and sweep(17) == []


@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_at_once_get_one_version_and_one_conflict():
    require(postgres_available(), "the race needs PostgreSQL's row locks")
    meeting = meeting_set_status(
        meeting=meeting_factory(tandem_factory(), starts_at=STARTS), status=MeetingStatus.HELD,
        now=AFTER)
    barrier, outcomes = threading.Barrier(4), []

    def write(n):
        try:
            barrier.wait()
            save(meeting, f"Fassung {n}", 0)
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 3 + ["saved"]
    assert Minutes.objects.get().version == 1
