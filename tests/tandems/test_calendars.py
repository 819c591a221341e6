"""Meetings as iCalendar (RFC 5545): the .ics file, the secret feeds and their page."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from accounts.permissions import viewable_tandems
from tandems.calendar import meetings_ical
from tandems.enums import MeetingFormat, MeetingStatus
from tandems.models import CalendarFeed, Tandem
from tandems.selectors import calendar_meetings
from tandems.services import (
    calendar_feed_get,
    calendar_feed_renew,
    meeting_set_status,
    meeting_update,
    membership_end,
)
from tests.factories import (
    CityFactory,
    ProgrammeFactory,
    StaffFactory,
    UserFactory,
    meeting_factory,
    member_contact,
    tandem_factory,
    with_second_factor,
)

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def tandem():
    return tandem_factory(german=CityFactory(name="Krefeld"),
                          partner=CityFactory(name="Venlo", country="NL", ags=None,
                                              time_zone="Europe/Amsterdam"))


def render(*meetings, language="en") -> bytes:
    ids = [m.pk for m in meetings]
    return meetings_ical(calendar_meetings().filter(pk__in=ids), name="Test", language=language)


def events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def event_of(body: bytes):
    (event,) = events(body)
    return event


def feed_url(feed) -> str:
    return feed.get_absolute_url()


# -- the iCalendar text ----------------------------------------------------------------


def test_calendar_times_are_berlin_wall_time_in_summer_and_winter(tandem):
    summer = meeting_factory(tandem, starts_at=datetime(2023, 5, 10, 10, tzinfo=BERLIN))
    winter = meeting_factory(tandem, starts_at=datetime(2023, 11, 15, 10, tzinfo=BERLIN))
    body = render(summer, winter)
    calendar = Calendar.from_ical(body)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    for event, day in zip(calendar.walk("VEVENT"), (date(2023, 5, 10), date(2023, 11, 15)),
                          strict=True):
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        start = event.decoded("DTSTART")
        assert (start.date(), start.hour, start.minute) == (day, 10, 0)
        assert event.decoded("DTEND").hour == 13
    text = body.decode()
    assert "DTSTART;TZID=Europe/Berlin:20230510T100000\r\n" in text
    assert "DTSTART;TZID=Europe/Berlin:20231115T100000\r\n" in text
    assert not [line for line in text.splitlines()
                if line.startswith(("DTSTART", "DTEND")) and line.endswith("Z")]
    assert "GMT" not in text and "+0000" not in text


def test_calendar_header_names_the_calendar_and_publishes():
    calendar = Calendar.from_ical(meetings_ical([], name="Meine Treffen", language="de"))
    assert calendar["VERSION"] == "2.0" and calendar["METHOD"] == "PUBLISH"
    assert calendar["CALSCALE"] == "GREGORIAN" and calendar["X-WR-CALNAME"] == "Meine Treffen"
    assert calendar["PRODID"]


def test_calendar_event_shows_the_meeting_in_the_language_asked(tandem):
    meeting = meeting_factory(tandem, place="Rathaus, Raum 2", agenda="1. Begrüßung",
                              link="https://video.example.org/x", format=MeetingFormat.HYBRID)
    event = event_of(render(meeting, language="en"))
    assert event["UID"] == f"{meeting.uid}@vernetztineuropa"
    assert event["SUMMARY"] == "Arbeitstreffen (Krefeld – Venlo)"
    assert event["LOCATION"] == "Rathaus, Raum 2"
    assert event["URL"] == f"{settings.SITE_URL}/en/tandems/{tandem.pk}/meetings/{meeting.pk}/"
    assert event["STATUS"] == "CONFIRMED" and event["SEQUENCE"] == 0
    description = str(event["DESCRIPTION"])
    assert "Format: hybrid" in description and "Host city: Krefeld" in description
    assert "https://video.example.org/x" in description and "1. Begrüßung" in description
    assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    german = event_of(render(meeting, language="de"))
    assert german["URL"].endswith(f"/de/tandems/{tandem.pk}/meetings/{meeting.pk}/")


def test_calendar_online_meeting_is_located_at_its_link(tandem):
    meeting = meeting_factory(tandem, format=MeetingFormat.ONLINE,
                              link="https://video.example.org/room")
    assert event_of(render(meeting))["LOCATION"] == "https://video.example.org/room"


def test_calendar_uid_stays_and_sequence_rises_with_each_change(tandem):
    meeting = meeting_factory(tandem)
    first = event_of(render(meeting))
    assert event_of(render(meeting))["UID"] == first["UID"]

    meeting = meeting_update(meeting=meeting, title="Auftakt",
                             starts_at=datetime(2023, 5, 11, 9, tzinfo=BERLIN),
                             ends_at=datetime(2023, 5, 11, 12, tzinfo=BERLIN))
    updated = event_of(render(meeting))
    assert updated["UID"] == first["UID"]
    assert updated["SEQUENCE"] > first["SEQUENCE"]
    assert updated["SUMMARY"].startswith("Auftakt") and updated.decoded("DTSTART").hour == 9

    meeting = meeting_set_status(meeting=meeting, status=MeetingStatus.CANCELLED)
    cancelled = event_of(render(meeting))
    assert cancelled["UID"] == first["UID"]
    assert cancelled["SEQUENCE"] > updated["SEQUENCE"]
    assert cancelled["STATUS"] == "CANCELLED"


# -- one meeting as a file ---------------------------------------------------------------


def test_meeting_ics_downloads_for_a_member(client, tandem):
    meeting = meeting_factory(tandem)
    client.force_login(member_contact(tandem))
    response = client.get(f"/en/tandems/{tandem.pk}/meetings/{meeting.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="meeting-{meeting.pk}.ics"'
    assert event_of(response.content)["UID"] == f"{meeting.uid}@vernetztineuropa"


def test_meeting_ics_is_404_for_a_member_of_another_tandem(client, tandem):
    meeting = meeting_factory(tandem)
    other = tandem_factory(programme=tandem.programme)
    client.force_login(member_contact(other))
    assert client.get(f"/en/tandems/{tandem.pk}/meetings/{meeting.pk}/calendar.ics"
                      ).status_code == 404
    # Nor through the other tandem's own address.
    assert client.get(f"/en/tandems/{other.pk}/meetings/{meeting.pk}/calendar.ics"
                      ).status_code == 404


def test_meeting_ics_sends_anonymous_visitors_to_the_login(client, tandem):
    meeting = meeting_factory(tandem)
    response = client.get(f"/en/tandems/{tandem.pk}/meetings/{meeting.pk}/calendar.ics")
    assert response.status_code == 302 and "/accounts/login/" in response.url


# -- feeds -------------------------------------------------------------------------------


def test_feed_personal_lists_only_the_members_tandem(client, tandem):
    mine = meeting_factory(tandem)
    other = meeting_factory(tandem_factory(programme=tandem.programme))
    feed = calendar_feed_get(user=member_contact(tandem))
    response = client.get(feed_url(feed))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["X-Robots-Tag"] == "noindex"
    assert "private" in response["Cache-Control"]
    uids = {str(e["UID"]) for e in events(response.content)}
    assert uids == {f"{mine.uid}@vernetztineuropa"}
    assert f"{other.uid}@" not in response.content.decode()


def test_feed_personal_of_staff_lists_all_meetings(client, tandem):
    meetings = [meeting_factory(tandem), meeting_factory(tandem_factory())]
    feed = calendar_feed_get(user=StaffFactory())
    uids = {str(e["UID"]) for e in events(client.get(feed_url(feed)).content)}
    assert uids == {f"{m.uid}@vernetztineuropa" for m in meetings}


def test_feed_of_staff_without_a_second_factor_is_an_ordinary_users(client, tandem):
    """Checked at each fetch: the owner's staff rights wait for their authenticator app."""
    mine, other = meeting_factory(tandem), meeting_factory(tandem_factory())
    owner = member_contact(tandem, is_staff=True)
    feed = calendar_feed_get(user=owner)
    uids = {str(e["UID"]) for e in events(client.get(feed_url(feed)).content)}
    assert uids == {f"{mine.uid}@vernetztineuropa"}
    assert f"{other.uid}@" not in client.get(feed_url(feed)).content.decode()
    with_second_factor(owner)
    uids = {str(e["UID"]) for e in events(client.get(feed_url(feed)).content)}
    assert uids == {f"{m.uid}@vernetztineuropa" for m in (mine, other)}


def test_feed_keeps_cancelled_meetings_marked_cancelled(client, tandem):
    meeting = meeting_set_status(meeting=meeting_factory(tandem), status=MeetingStatus.CANCELLED)
    feed = calendar_feed_get(user=member_contact(tandem), tandem=tandem)
    assert event_of(client.get(feed_url(feed)).content)["STATUS"] == "CANCELLED"
    assert meeting.sequence == 1


def test_feed_unknown_token_is_404(client):
    assert client.get("/calendar/nothing-here.ics").status_code == 404


def test_feed_of_an_inactive_user_is_404(client, tandem):
    user = member_contact(tandem)
    feed = calendar_feed_get(user=user)
    user.is_active = False
    user.save()
    assert client.get(feed_url(feed)).status_code == 404


def test_feed_renewed_old_token_is_404_and_new_one_works(client, tandem):
    user = member_contact(tandem)
    old = calendar_feed_get(user=user, tandem=tandem)
    new = calendar_feed_renew(user=user, tandem=tandem)
    assert new.pk == old.pk and new.token != old.token
    assert client.get(feed_url(old)).status_code == 404
    assert client.get(feed_url(new)).status_code == 200


def test_feed_of_a_tandem_is_404_once_the_users_city_left_it(client, tandem):
    meeting_factory(tandem)
    user = member_contact(tandem, german=False)
    feed = calendar_feed_get(user=user, tandem=tandem)
    personal = calendar_feed_get(user=user)
    assert client.get(feed_url(feed)).status_code == 200
    membership_end(membership=tandem.memberships.get(city__country="NL"),
                   left_on=date(2024, 1, 1))
    assert client.get(feed_url(feed)).status_code == 404
    # The personal feed goes on, without the tandem's meetings.
    response = client.get(feed_url(personal))
    assert response.status_code == 200 and events(response.content) == []


def test_feed_query_count_is_constant_with_2_or_20_meetings(client, django_assert_num_queries):
    programme = ProgrammeFactory(max_tandems=20)
    starts = [datetime(year, month, 10, 10, tzinfo=BERLIN)
              for year in (2022, 2023, 2024) for month in (6, 10)]
    staff_feed = calendar_feed_get(user=StaffFactory())

    def add_tandem_with(count):
        tandem = tandem_factory(programme=programme)
        for start in starts[:count]:
            meeting_factory(tandem, starts_at=start)
        return tandem

    first = add_tandem_with(2)
    member_feed = calendar_feed_get(user=member_contact(first))

    def queries(feed):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(feed_url(feed)).status_code == 200
        return len(captured)

    few = queries(staff_feed), queries(member_feed)
    for start in starts[2:]:
        meeting_factory(first, starts_at=start)
    for count in (6, 6, 2):  # more tandems too: the count must not grow with them either
        add_tandem_with(count)
    assert len(events(client.get(feed_url(staff_feed)).content)) == 20
    cache.clear()  # count the full build, not the cached feed
    with django_assert_num_queries(few[0]):
        client.get(feed_url(staff_feed))
    with django_assert_num_queries(few[1]):
        client.get(feed_url(member_feed))


def test_viewable_tandems_match_the_view_tandem_rule(tandem):
    other = tandem_factory(programme=tandem.programme)
    left = member_contact(tandem, german=False)
    membership_end(membership=tandem.memberships.get(city__country="NL"),
                   left_on=date(2024, 1, 1))
    users = [StaffFactory(), StaffFactory(second_factor=False), UserFactory(),
             member_contact(tandem), member_contact(other, verified=False), left]
    for user in users:
        allowed = {t for t in Tandem.objects.all() if user.has_perm("tandems.view_tandem", t)}
        assert set(viewable_tandems(user)) == allowed, user


# -- the subscriptions page ----------------------------------------------------------------


def test_subscriptions_page_shows_a_members_addresses(client, tandem):
    user = member_contact(tandem)
    client.force_login(user)
    response = client.get("/en/tandems/calendar/")
    assert response.status_code == 200
    page = response.content.decode()
    feeds = CalendarFeed.objects.filter(user=user)
    assert {f.tandem for f in feeds} == {None, tandem}
    for feed in feeds:
        url = settings.SITE_URL + feed.get_absolute_url()
        assert f'value="{url}" readonly' in page
        assert "webcal://" + url.split("://", 1)[1] in page
        assert f'name="renew" value="{feed.pk}"' in page
    assert "Keep these addresses secret" in page
    assert "no-store" in response["Cache-Control"]
    # A second visit shows the same addresses.
    client.get("/en/tandems/calendar/")
    assert set(CalendarFeed.objects.filter(user=user)) == set(feeds)


def test_subscriptions_page_of_staff_has_one_address(staff_client):
    assert staff_client.get("/en/tandems/calendar/").status_code == 200
    assert CalendarFeed.objects.get(user=staff_client.staff).tandem is None


def test_subscriptions_page_without_tandem_makes_no_address(client):
    client.force_login(UserFactory())
    assert "no meetings to subscribe to" in client.get("/en/tandems/calendar/").content.decode()
    assert not CalendarFeed.objects.exists()


def test_subscriptions_renew_replaces_the_address(client, tandem):
    user = member_contact(tandem)
    feed = calendar_feed_get(user=user, tandem=tandem)
    client.force_login(user)
    response = client.post("/en/tandems/calendar/", {"renew": feed.pk}, follow=True)
    assert response.redirect_chain == [("/en/tandems/calendar/", 302)]
    assert "The address is renewed" in response.content.decode()
    assert CalendarFeed.objects.get(pk=feed.pk).token != feed.token
    assert client.get(feed_url(feed)).status_code == 404


@pytest.mark.parametrize("renew", ["other", "", "abc"])
def test_subscriptions_renew_of_a_feed_not_the_users_is_404(client, tandem, renew):
    stranger = calendar_feed_get(user=member_contact(tandem))
    client.force_login(UserFactory())
    value = stranger.pk if renew == "other" else renew
    assert client.post("/en/tandems/calendar/", {"renew": value}).status_code == 404
    assert CalendarFeed.objects.get(pk=stranger.pk).token == stranger.token


def test_subscriptions_page_sends_anonymous_visitors_to_the_login(client):
    response = client.get("/en/tandems/calendar/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_cached_feed_shows_a_change_at_once(client, django_assert_max_num_queries):
    tandem = tandem_factory()
    meeting = meeting_factory(tandem)
    feed = calendar_feed_get(user=member_contact(tandem))
    first = events(client.get(feed_url(feed)).content)
    with django_assert_max_num_queries(3):  # the token, the rights, the meetings' versions
        assert events(client.get(feed_url(feed)).content) == first
    meeting_set_status(meeting=meeting, status=MeetingStatus.CANCELLED)
    (event,) = events(client.get(feed_url(feed)).content)
    assert (event["status"], event["sequence"]) == ("CANCELLED", first[0]["sequence"] + 1)
    meeting_factory(tandem, starts_at=datetime(2024, 3, 1, 10, tzinfo=BERLIN))
    assert len(events(client.get(feed_url(feed)).content)) == 2
