"""The timeline: tandems x meeting years, meetings and network events as shapes."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from events.models import Event
from programme.models import Programme
from tandems.enums import MeetingStatus
from tandems.selectors import TIMELINE_LABEL_WIDTH, TIMELINE_YEAR_WIDTH, timeline
from tandems.services import meeting_set_status
from tests.factories import meeting_factory, member_contact, tandem_factory, with_second_factor

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
URL = "/de/tandems/timeline/"


def event(programme, title="Netzwerktreffen", starts=datetime(2023, 10, 23, 10, tzinfo=BERLIN)):
    return Event.objects.create(programme=programme, title=title, starts_at=starts,
                                ends_at=starts + timedelta(hours=8),
                                registration_closes_at=starts - timedelta(days=7))


def shapes(html, kind):
    return len(re.findall(rf'class="{kind}"><title>', html))


def test_staff_see_every_tandem_with_its_places_and_meetings(client, seeded):
    client.force_login(with_second_factor(User.objects.get(email="staff@example.org")))
    html = client.get(URL).content.decode()
    for pair in ("Krefeld – Venlo", "Hamm – Arezzo", "Pirna – Bolesławiec"):
        assert pair in html
    assert shapes(html, "held") == 30  # the demo's five held meetings for each of six tandems
    assert html.count('class="place-used"') == 30 and html.count('class="place-free"') == 6
    assert "1 von 2 belegt, 1 frei" in html and "2 von 2 belegt, 0 frei" in html


def test_members_see_their_own_tandem_and_the_events(client, seeded):
    programme = Programme.objects.current()
    event(programme, "Netzwerktreffen in Berlin")
    client.force_login(User.objects.get(email="krefeld@example.org"))
    html = client.get(URL).content.decode()
    assert "Krefeld – Venlo" in html and "Hamm" not in html
    assert "Netzwerktreffen in Berlin" in html and shapes(html, "event") >= 1


def test_an_event_outside_the_meeting_years_is_listed_but_not_drawn(client):
    tandem = tandem_factory()
    event(tandem.programme, "Nachtreffen 2026", datetime(2026, 3, 2, 10, tzinfo=BERLIN))
    client.force_login(member_contact(tandem))
    html = client.get(URL).content.decode()
    assert shapes(html, "event") == 0
    assert "Nachtreffen 2026" in html.split('id="events-heading"')[1]


def test_each_status_has_its_own_shape_and_place(client):
    tandem = tandem_factory()
    held = meeting_factory(tandem, starts_at=datetime(2023, 7, 2, 10, tzinfo=BERLIN),
                           title="Mitte 2023")
    meeting_set_status(meeting=held, status=MeetingStatus.HELD,
                       now=datetime(2023, 7, 3, tzinfo=BERLIN))
    cancelled = meeting_factory(tandem, starts_at=datetime(2023, 9, 1, 10, tzinfo=BERLIN))
    meeting_set_status(meeting=cancelled, status=MeetingStatus.CANCELLED)
    meeting_factory(tandem, starts_at=datetime(2023, 11, 1, 10, tzinfo=BERLIN))
    client.force_login(member_contact(tandem))
    html = client.get(URL).content.decode()
    assert (shapes(html, "held"), shapes(html, "planned"), shapes(html, "cancelled")) == (1, 1, 1)
    layout = timeline(programme=tandem.programme, tandems=[tandem], events=[])
    x = {m.title: m.x for m in layout["rows"][0].markers}
    assert abs(x["Mitte 2023"] - (TIMELINE_LABEL_WIDTH + 1.5 * TIMELINE_YEAR_WIDTH)) < 2


def test_the_timeline_needs_a_login(client, seeded):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_timeline_keeps_a_constant_query_count(client):
    tandem = tandem_factory()
    meeting_factory(tandem, starts_at=datetime(2022, 6, 1, 10, tzinfo=BERLIN))
    staff = member_contact(tandem)
    staff.is_staff = True
    staff.save()
    client.force_login(with_second_factor(staff))
    event(tandem.programme)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    before = queries()
    for n in range(3):
        other = tandem_factory(programme=tandem.programme)
        meeting_factory(other, starts_at=datetime(2023, 3, 1 + n, 10, tzinfo=BERLIN))
        event(tandem.programme, f"Workshop {n}", datetime(2024, 3, 1 + n, 10, tzinfo=BERLIN))
    assert queries() == before
