"""The event pages: who sees what, registering and unregistering, bad input, query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from events.enums import RegistrationStatus
from events.models import Event, Registration
from events.services import registration_cancel, registration_create
from notifications.models import Message
from tandems.enums import MeetingFormat
from tests.events.conftest import city_of, make_event, upcoming
from tests.factories import (
    CityContactFactory,
    CityFactory,
    ProgrammeFactory,
    UserFactory,
    member_contact,
    tandem_factory,
)

pytestmark = pytest.mark.django_db
LIST = "/en/veranstaltungen/"


def past(programme, *, days=400, **fields):
    start = (timezone.now() - timedelta(days=days)).replace(microsecond=0)
    return make_event(programme, starts_at=start, closes_at=start - timedelta(days=3), **fields)


def detail(event, lang="en"):
    return f"/{lang}/veranstaltungen/{event.pk}/"


def fill(event, tandem, n):
    people = [member_contact(tandem) for _ in range(n)]
    return [registration_create(event=event, user=u, city=city_of(u)) for u in people]


@pytest.fixture
def member(client, tandem):
    user = member_contact(tandem, language="en")
    client.force_login(user)
    return user


# -- reading ------------------------------------------------------------------------------


def test_the_public_list_shows_upcoming_and_past_events_with_places(client, programme, tandem):
    open_event = upcoming(programme, title="Workshop Berlin", capacity=40)
    fill(open_event, tandem, 28)
    full = upcoming(programme, days=60, title="Konferenz Paris", capacity=2)
    fill(full, tandem, 3)
    free = upcoming(programme, days=90, title="Online-Workshop", format=MeetingFormat.ONLINE,
                    place="")
    past(programme, title="Virtueller Auftakt")
    upcoming(ProgrammeFactory(runs_from=programme.runs_from.replace(year=2000)),
             title="Anderes Programm")
    response = client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    upcoming_part, past_part = page.split('id="past"')
    assert "Workshop Berlin" in upcoming_part and "Virtueller Auftakt" in past_part
    assert upcoming_part.index("Workshop Berlin") < upcoming_part.index("Konferenz Paris")
    assert "12 of 40 places left" in page
    assert "Full – waiting list (1 person waiting)" in page
    assert "No limit on places" in page
    assert f"open until {open_event.registration_deadline}" in page
    assert f'href="/en/veranstaltungen/{free.pk}/"' in page
    assert "Anderes Programm" not in page
    assert f'href="/en/veranstaltungen/{full.pk}/"' in page


def test_the_list_shows_my_registration(client, programme, tandem, member):
    confirmed = upcoming(programme, title="Bestätigt", capacity=1)
    waiting = upcoming(programme, days=40, title="Warteliste", capacity=1)
    fill(waiting, tandem, 1)
    for event in (confirmed, waiting):
        registration_create(event=event, user=member, city=city_of(member))
    page = client.get(LIST).content.decode()
    city = city_of(member).name
    assert f'data-status="confirmed">registered, for {city}' in page
    assert f'data-status="waiting">on the waiting list, for {city}' in page


def test_the_pages_are_in_german_under_de(client, programme):
    event = upcoming(programme, title="Netzwerkworkshop")
    for url in ("/de/veranstaltungen/", detail(event, "de")):
        response = client.get(url)
        assert response.status_code == 200
        assert '<html lang="de">' in response.content.decode()
        assert "(deutsche Zeit)" in response.content.decode()
    assert 'href="/de/veranstaltungen/"' in client.get("/de/").content.decode()  # the nav link


def test_the_public_detail_page_invites_to_log_in_and_hides_the_link(client, programme):
    event = upcoming(programme, title="Hybrid-Workshop", format=MeetingFormat.HYBRID,
                     link="https://meet.example.org/secret", description="Ablauf: Vorträge")
    response = client.get(detail(event))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Hybrid-Workshop</h1>" in page and "Ablauf: Vorträge" in page
    assert "Log in to register" in page
    assert f"/en/accounts/login/?next=/en/veranstaltungen/{event.pk}/" in page
    assert "https://meet.example.org/secret" not in page
    assert 'id="register-button"' not in page


def test_an_unknown_event_is_404(client):
    assert client.get("/en/veranstaltungen/999/").status_code == 404
    assert client.get("/en/veranstaltungen/999/calendar.ics").status_code == 404


def test_a_user_without_a_tandem_city_reads_but_cannot_register(client, programme):
    event = upcoming(programme)
    client.force_login(UserFactory())
    page = client.get(detail(event)).content.decode()
    assert "Only the verified contacts of the cities in a tandem" in page
    assert 'id="register-button"' not in page


# -- registering --------------------------------------------------------------------------


def test_a_member_registers_and_sees_the_confirmation(client, programme, member):
    event = upcoming(programme, capacity=10)
    page = client.get(detail(event)).content.decode()
    assert 'id="register-button"' in page
    assert f"You register for {city_of(member).name}." in page
    response = client.post(detail(event) + "register/", follow=True)
    assert response.redirect_chain == [(detail(event), 302)]
    page = response.content.decode()
    assert "You are registered. A confirmation with a calendar file" in page
    assert 'data-status="confirmed"' in page
    assert f"You are registered for this event, for {city_of(member).name}." in page
    assert "9 of 10 places left" in page
    registration = Registration.objects.get(event=event, user=member)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert Message.objects.get(recipient=member).kind == "event_registered"


def test_a_member_joins_the_waiting_list_of_a_full_event(client, programme, tandem, member):
    event = upcoming(programme, capacity=1)
    fill(event, tandem, 2)
    page = client.get(detail(event)).content.decode()
    assert "Join the waiting list" in page
    response = client.post(detail(event) + "register/", follow=True)
    page = response.content.decode()
    assert "you are on the waiting list, position 2" in page
    assert f"You are on the waiting list, for {city_of(member).name}: position 2." in page
    assert "Leave the waiting list" in page


def test_a_contact_of_two_cities_chooses_one(client, programme, tandem):
    other = tandem_factory(programme=programme)
    user = member_contact(tandem, language="en")
    second_city = other.memberships.get(is_german=True).city
    CityContactFactory(user=user, city=second_city, verified_at=timezone.now())
    client.force_login(user)
    event = upcoming(programme)
    page = client.get(detail(event)).content.decode()
    assert 'type="radio" name="city"' in page and "I register for" in page
    response = client.post(detail(event) + "register/", {})
    assert response.status_code == 400
    assert "Please choose the city you register for." in response.content.decode()
    response = client.post(detail(event) + "register/", {"city": second_city.pk})
    assert response.status_code == 302
    assert Registration.objects.get(user=user).city == second_city


@pytest.mark.parametrize("city", ["abc", "other", "-1", "99999"])
def test_a_bad_city_is_400_and_registers_nobody(client, programme, member, city):
    event = upcoming(programme)
    value = CityFactory().pk if city == "other" else city
    response = client.post(detail(event) + "register/", {"city": value})
    assert response.status_code == 400
    assert "Please choose one of your cities." in response.content.decode()
    assert not Registration.objects.exists()


def test_a_user_who_is_no_tandem_contact_is_refused_with_403(client, programme, tandem):
    event = upcoming(programme)
    for user in (UserFactory(), member_contact(tandem, verified=False)):
        client.force_login(user)
        response = client.post(detail(event) + "register/")
        assert response.status_code == 403
        assert "You cannot register for this event." in response.content.decode()
    assert not Registration.objects.exists()


def test_registering_after_the_deadline_is_400_with_the_reason(client, programme, member):
    start = timezone.now() + timedelta(days=2)
    event = make_event(programme, starts_at=start, closes_at=timezone.now() - timedelta(
        seconds=1))
    page = client.get(detail(event)).content.decode()
    assert "Registration is closed." in page and 'id="register-button"' not in page
    response = client.post(detail(event) + "register/")
    assert response.status_code == 400
    assert "Registration closed on" in response.content.decode()
    assert not Registration.objects.exists()


def test_registering_for_a_past_event_is_400(client, programme, member):
    event = past(programme)
    response = client.post(detail(event) + "register/")
    assert response.status_code == 400
    assert "already started" in response.content.decode()


def test_register_and_unregister_need_a_post_and_a_login(client, programme):
    event = upcoming(programme)
    assert client.get(detail(event) + "register/").status_code == 405
    assert client.get(detail(event) + "unregister/").status_code == 405
    for action in ("register/", "unregister/"):
        response = client.post(detail(event) + action)
        assert response.status_code == 302
        assert response.url == f"/en/accounts/login/?next=/en/veranstaltungen/{event.pk}/"
    assert client.post("/en/veranstaltungen/999/register/").status_code == 404


# -- unregistering ------------------------------------------------------------------------


def test_unregistering_gives_the_place_to_the_first_in_line(client, programme, tandem, member):
    event = upcoming(programme, capacity=1)
    registration_create(event=event, user=member, city=city_of(member))
    (waiting,) = fill(event, tandem, 1)
    page = client.get(detail(event)).content.decode()
    assert 'id="unregister-button"' in page
    response = client.post(detail(event) + "unregister/", follow=True)
    assert "You are unregistered from this event." in response.content.decode()
    assert 'data-status="none"' in response.content.decode()
    assert Registration.objects.get(user=member).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED
    assert Message.objects.filter(kind="event_promoted", recipient=waiting.user).exists()
    # and registering again works, at the end of the queue
    response = client.post(detail(event) + "register/", follow=True)
    assert Registration.objects.get(user=member).status == RegistrationStatus.WAITING


def test_unregistering_without_a_registration_is_400(client, programme, member):
    event = upcoming(programme)
    response = client.post(detail(event) + "unregister/")
    assert response.status_code == 400
    assert "You are not registered for this event." in response.content.decode()
    registration = registration_create(event=event, user=member, city=city_of(member))
    registration_cancel(registration=registration)
    assert client.post(detail(event) + "unregister/").status_code == 400


def test_unregistering_from_a_begun_event_is_400(client, programme, member):
    event = upcoming(programme)
    registration_create(event=event, user=member, city=city_of(member))
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(hours=1),
                                             registration_closes_at=timezone.now() - timedelta(
                                                 days=1))
    response = client.post(detail(event) + "unregister/")
    assert response.status_code == 400
    assert "already started" in response.content.decode()
    assert Registration.objects.get(user=member).status == RegistrationStatus.CONFIRMED


# -- the calendar file ------------------------------------------------------------------


def test_the_ics_has_the_link_only_for_participants(client, programme, member):
    event = upcoming(programme, title="Hybrid", format=MeetingFormat.HYBRID,
                     link="https://meet.example.org/secret")
    response = client.get(detail(event) + "calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="event-{event.pk}.ics"'
    (vevent,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert vevent["UID"] == f"{event.uid}@vernetztineuropa"
    assert "secret" not in response.content.decode()
    registration_create(event=event, user=member, city=city_of(member))
    assert "https://meet.example.org/secret" in client.get(
        detail(event) + "calendar.ics").content.decode()
    assert "https://meet.example.org/secret" in client.get(detail(event)).content.decode()


# -- query counts -------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_keeps_a_constant_query_count(client, programme, tandem, member):
    def add_events(n):
        for k in range(n):
            event = upcoming(programme, days=10 + k, capacity=3)
            fill(event, tandem, 2)
            registration_create(event=event, user=member, city=city_of(member))
            past(programme, days=400 + k)

    add_events(2)
    few = count_queries(client, LIST)
    client.logout()
    few_public = count_queries(client, LIST)
    add_events(8)
    assert count_queries(client, LIST) == few_public
    client.force_login(member)
    assert count_queries(client, LIST) == few


def test_the_detail_page_keeps_a_constant_query_count(client, programme, tandem, member):
    event = upcoming(programme, capacity=5)
    fill(event, tandem, 2)
    few = count_queries(client, detail(event))
    fill(event, tandem, 8)
    assert Registration.objects.filter(event=event).count() == 10
    assert count_queries(client, detail(event)) == few
    registration_create(event=event, user=member, city=city_of(member))
    mine = count_queries(client, detail(event))
    fill(event, tandem, 3)
    assert count_queries(client, detail(event)) == mine
