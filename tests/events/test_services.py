"""Registration, the waiting list and its mails at the service level, every way round it."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from icalendar import Calendar

from events.calendar import event_ics_attachment
from events.enums import RegistrationStatus
from events.models import Event, Registration
from events.selectors import waiting_list, waiting_position
from events.services import (
    event_create,
    event_fill_places,
    event_update,
    registration_cancel,
    registration_create,
)
from notifications.models import Message
from notifications.services import build_email
from tandems.enums import MeetingFormat, TandemState
from tandems.services import membership_end, tandem_set_state
from tests.events.conftest import CLOSES, NOW, STARTS, city_of, make_event
from tests.factories import (
    CityContactFactory,
    CityFactory,
    ProgrammeFactory,
    UserFactory,
    member_contact,
    tandem_factory,
)

pytestmark = pytest.mark.django_db
CONFIRMED, WAITING, CANCELLED = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING,
                                 RegistrationStatus.CANCELLED)


def codes(error: ValidationError) -> set:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def register(event, user, *, now=NOW, city=None):
    return registration_create(event=event, user=user, city=city or city_of(user), now=now)


def register_all(event, users, *, start=NOW):
    """Register one after the other, a second apart."""
    return [register(event, user, now=start + timedelta(seconds=n))
            for n, user in enumerate(users)]


def statuses(registrations) -> list[str]:
    return [Registration.objects.get(pk=r.pk).status for r in registrations]


def queue_of(event) -> list[int]:
    return [r.user_id for r in waiting_list(event)]


def mails(kind=None, user=None):
    messages = Message.objects.order_by("pk")
    if kind:
        messages = messages.filter(kind=kind)
    if user:
        messages = messages.filter(recipient=user)
    return list(messages)


def ics_of(message) -> Calendar:
    email = build_email(message)
    ((name, content, mimetype),) = email.attachments
    assert mimetype == "text/calendar" and name.endswith(".ics")
    return Calendar.from_ical(content)


# -- capacity and the waiting list --------------------------------------------------------


def test_registration_is_confirmed_while_places_are_free_then_waits(programme, people):
    event = make_event(programme, capacity=2)
    registrations = register_all(event, people(4))
    assert [r.status for r in registrations] == [CONFIRMED, CONFIRMED, WAITING, WAITING]
    assert [r.waiting_since for r in registrations[:2]] == [None, None]
    assert registrations[2].waiting_since == NOW + timedelta(seconds=2)
    assert [waiting_position(r) for r in registrations] == [None, None, 1, 2]


def test_an_event_without_a_limit_confirms_everybody(programme, people):
    event = make_event(programme, capacity=None)
    assert {r.status for r in register_all(event, people(12))} == {CONFIRMED}


def test_the_waiting_list_keeps_arrival_order_even_at_the_same_moment(programme, people):
    event = make_event(programme, capacity=1)
    first, *waiting = people(4)
    register(event, first)
    for user in waiting:  # all at the same injected moment: arrival under the lock decides
        register(event, user, now=NOW)
    assert queue_of(event) == [u.pk for u in waiting]
    times = [r.waiting_since for r in waiting_list(event)]
    assert times == sorted(times) and len(set(times)) == 3


def test_cancelling_a_place_promotes_the_first_in_line(programme, people):
    event = make_event(programme, capacity=2)
    a, b, c, d = register_all(event, people(4))
    registration_cancel(registration=a, now=NOW + timedelta(days=1))
    assert statuses([a, b, c, d]) == [CANCELLED, CONFIRMED, CONFIRMED, WAITING]
    promoted = Registration.objects.get(pk=c.pk)
    assert promoted.waiting_since is None
    assert waiting_position(Registration.objects.get(pk=d.pk)) == 1
    registration_cancel(registration=b, now=NOW + timedelta(days=2))
    assert statuses([a, b, c, d]) == [CANCELLED, CANCELLED, CONFIRMED, CONFIRMED]
    assert Registration.objects.filter(event=event, status=CONFIRMED).count() == 2


def test_leaving_the_waiting_list_promotes_nobody_and_moves_the_others_up(programme, people):
    event = make_event(programme, capacity=1)
    a, b, c, d = register_all(event, people(4))
    registration_cancel(registration=b, now=NOW + timedelta(days=1))
    assert statuses([a, b, c, d]) == [CONFIRMED, CANCELLED, WAITING, WAITING]
    assert [waiting_position(Registration.objects.get(pk=r.pk)) for r in (c, d)] == [1, 2]
    assert not mails("event_promoted")


def test_registering_again_after_unregistering_goes_to_the_end_of_the_queue(programme, people):
    event = make_event(programme, capacity=1)
    a, b, c = register_all(event, people(3))
    registration_cancel(registration=b, now=NOW + timedelta(minutes=1))
    again = register(event, b.user, now=NOW + timedelta(minutes=2))
    assert again.pk == b.pk and again.status == WAITING
    assert queue_of(event) == [c.user_id, b.user_id]
    assert waiting_position(again) == 2
    assert again.created_at == NOW + timedelta(minutes=2)  # "registered at" is the new time
    # The queue time is later than anyone's, even with an earlier (skewed) clock.
    d = register(event, people()[0], now=NOW)
    assert queue_of(event) == [c.user_id, b.user_id, d.user_id]


def test_registering_again_with_a_free_place_is_confirmed(programme, people):
    event = make_event(programme, capacity=2)
    a, _b = register_all(event, people(2))
    registration_cancel(registration=a, now=NOW + timedelta(minutes=1))
    again = register(event, a.user, now=NOW + timedelta(minutes=2))
    assert (again.pk, again.status, again.waiting_since) == (a.pk, CONFIRMED, None)


def test_registering_twice_returns_the_registration_unchanged(programme, people):
    event = make_event(programme, capacity=1)
    first, second = people(2)
    one = register(event, first)
    assert register(event, first, now=NOW + timedelta(hours=1)).pk == one.pk
    waiting = register(event, second)
    again = register(event, second, now=NOW + timedelta(hours=1))
    assert (again.pk, again.status, again.waiting_since) == (
        waiting.pk, WAITING, waiting.waiting_since)
    assert Registration.objects.filter(event=event).count() == 2
    assert len(mails()) == 2  # one mail each, none for the repeats


def test_the_database_refuses_a_second_row_per_person(programme, people):
    from django.db import IntegrityError

    event = make_event(programme)
    (user,) = people()
    register(event, user)
    with pytest.raises(IntegrityError):
        Registration.objects.create(event=event, user=user, city=city_of(user))


def test_raising_the_places_moves_the_waiting_list_up_in_order(programme, people):
    event = make_event(programme, capacity=1)
    registrations = register_all(event, people(5))
    event, promoted = event_update(event=event, capacity=3, now=NOW + timedelta(days=1))
    assert [r.pk for r in promoted] == [registrations[1].pk, registrations[2].pk]
    assert statuses(registrations) == [CONFIRMED] * 3 + [WAITING] * 2
    assert event.sequence == 1
    assert [m.recipient_id for m in mails("event_promoted")] == [
        registrations[1].user_id, registrations[2].user_id]


def test_lowering_the_places_takes_no_place_away(programme, people):
    event = make_event(programme, capacity=3)
    registrations = register_all(event, people(4))
    event, promoted = event_update(event=event, capacity=1, now=NOW + timedelta(days=1))
    assert promoted == []
    assert statuses(registrations) == [CONFIRMED] * 3 + [WAITING]
    registration_cancel(registration=registrations[0], now=NOW + timedelta(days=2))
    assert statuses(registrations) == [CANCELLED, CONFIRMED, CONFIRMED, WAITING]


def test_fill_places_after_removing_the_limit_confirms_the_whole_queue(programme, people):
    event = make_event(programme, capacity=1)
    registrations = register_all(event, people(3))
    Event.objects.filter(pk=event.pk).update(capacity=None)  # as if changed around the service
    assert len(event_fill_places(event=event, now=NOW)) == 2
    assert statuses(registrations) == [CONFIRMED] * 3


def test_nobody_moves_up_once_the_event_has_begun(programme, people):
    event = make_event(programme, capacity=1)
    registrations = register_all(event, people(2))
    assert event_fill_places(event=event, now=STARTS) == []
    event, promoted = event_update(event=event, capacity=5, now=STARTS + timedelta(hours=1))
    assert promoted == [] and statuses(registrations) == [CONFIRMED, WAITING]


def test_the_waiting_list_moves_up_after_the_deadline_until_the_start(programme, people):
    event = make_event(programme, capacity=1)
    first, second = register_all(event, people(2))
    registration_cancel(registration=first, now=CLOSES + timedelta(days=3))
    assert statuses([first, second]) == [CANCELLED, CONFIRMED]


# -- deadline and start ----------------------------------------------------------------


def test_the_deadline_is_kept_to_the_second(programme, people):
    event = make_event(programme)
    on_time, late = people(2)
    assert register(event, on_time, now=CLOSES).status == CONFIRMED
    with pytest.raises(ValidationError) as error:
        register(event, late, now=CLOSES + timedelta(seconds=1))
    assert codes(error.value) == {"registration_closed"}
    assert "1. Juni 2024, 23:59 Uhr (MESZ)" in error.value.messages[0]  # as every deadline
    assert not Registration.objects.filter(user=late).exists()
    assert not mails(user=late)


def test_the_deadline_holds_in_any_time_zone_of_now(programme, people):
    from zoneinfo import ZoneInfo

    event = make_event(programme)
    (user,) = people()
    just_late = (CLOSES + timedelta(seconds=1)).astimezone(ZoneInfo("America/New_York"))
    with pytest.raises(ValidationError):
        register(event, user, now=just_late)


def test_nobody_registers_once_the_event_has_started(programme, people):
    event = make_event(programme, closes_at=STARTS)  # open until the very start
    early, late = people(2)
    assert register(event, early, now=STARTS - timedelta(seconds=1)).status == CONFIRMED
    with pytest.raises(ValidationError) as error:
        register(event, late, now=STARTS)
    assert codes(error.value) == {"event_started"}


def test_unregistering_is_refused_once_the_event_has_started(programme, people):
    event = make_event(programme)
    (registration,) = register_all(event, people())
    with pytest.raises(ValidationError) as error:
        registration_cancel(registration=registration, now=STARTS)
    assert codes(error.value) == {"event_started"}
    assert statuses([registration]) == [CONFIRMED]


def test_unregistering_twice_changes_nothing(programme, people):
    event = make_event(programme, capacity=1)
    first, second = register_all(event, people(2))
    registration_cancel(registration=first, now=NOW)
    registration_cancel(registration=first, now=NOW)
    assert statuses([first, second]) == [CANCELLED, CONFIRMED]
    assert len(mails("event_promoted")) == 1


# -- who may register ----------------------------------------------------------------


def test_an_unverified_contact_cannot_register(programme, tandem):
    event = make_event(programme)
    user = member_contact(tandem, verified=False)
    with pytest.raises(ValidationError) as error:
        register(event, user)
    assert codes(error.value) == {"not_eligible"}


def test_nobody_registers_for_a_city_they_do_not_speak_for(programme, people, tandem):
    event = make_event(programme)
    (user,) = people()
    partner = tandem.memberships.get(is_german=False).city
    with pytest.raises(ValidationError) as error:
        register(event, user, city=partner)
    assert codes(error.value) == {"not_eligible"}


def test_only_cities_in_a_live_tandem_of_the_events_programme_register(programme, tandem):
    event = make_event(programme)
    outsider = UserFactory()
    CityContactFactory(user=outsider, city=CityFactory(), verified_at=NOW)
    other = tandem_factory(programme=ProgrammeFactory())
    other_contact = member_contact(other)
    left = member_contact(tandem, german=False)
    membership_end(membership=tandem.memberships.get(is_german=False), left_on=date(2024, 1, 1))
    for user in (outsider, other_contact, left):
        with pytest.raises(ValidationError):
            register(event, user)
    ended = member_contact(tandem)
    tandem_set_state(tandem=tandem, state=TandemState.DISSOLVED, on=date(2024, 2, 1))
    with pytest.raises(ValidationError):
        register(event, ended)
    assert not Registration.objects.exists()


def test_a_contact_of_a_forming_tandem_may_register(programme):
    tandem = tandem_factory(programme=programme)
    assert tandem.state == TandemState.FORMING
    user = member_contact(tandem, german=False)
    assert register(make_event(programme), user).status == CONFIRMED


# -- mails ------------------------------------------------------------------------------


def test_a_confirmation_goes_to_the_person_in_their_language_with_the_ics(programme, people):
    event = make_event(programme, capacity=5, link="https://meet.example.org/x",
                       format=MeetingFormat.HYBRID, description="Ablauf: Vorträge")
    (german,) = people(language="de")
    (english,) = people(german=False, language="en")
    register_all(event, [german, english])
    de, en = mails("event_registered")
    assert (de.recipient, de.to_email, de.language) == (german, german.email, "de")
    assert (en.recipient, en.to_email, en.language) == (english, english.email, "en")
    assert de.attachments == en.attachments == ["event_ics"]
    assert de.related == Registration.objects.get(user=german)
    assert f"{settings.SITE_URL}/de/veranstaltungen/{event.pk}/" in de.body_text
    assert f"{settings.SITE_URL}/en/veranstaltungen/{event.pk}/" in en.body_text
    assert "You are registered: Netzwerkworkshop" in en.subject
    assert "10 June 2024, 10:00–16:00 (German time)" in en.body_text
    assert "https://meet.example.org/x" in en.body_text  # participants get the link
    calendar = ics_of(en)
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["UID"] == f"{event.uid}@vernetztineuropa"
    assert str(vevent["SUMMARY"]) == "Netzwerkworkshop"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent.decoded("DTSTART").hour == 10 and vevent.decoded("DTEND").hour == 16
    assert str(vevent["LOCATION"]) == "Berlin, Rathaus"
    assert "https://meet.example.org/x" in str(vevent["DESCRIPTION"])
    assert "Ablauf: Vorträge" in str(vevent["DESCRIPTION"])
    assert str(vevent["URL"]).endswith(f"/en/veranstaltungen/{event.pk}/")
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    german_ics = ics_of(de).walk("VEVENT")[0]
    assert str(german_ics["URL"]).endswith(f"/de/veranstaltungen/{event.pk}/")


def test_the_waiting_list_mail_names_the_position_and_has_no_ics(programme, people):
    event = make_event(programme, capacity=1, link="https://meet.example.org/secret",
                       format=MeetingFormat.HYBRID)
    users = people(3, language="en")
    register_all(event, users)
    waiting = mails("event_waiting")
    assert [m.recipient for m in waiting] == users[1:]
    assert "position 1" in waiting[0].body_text and "position 2" in waiting[1].body_text
    assert waiting[0].subject.endswith("On the waiting list: Netzwerkworkshop")
    assert waiting[0].attachments == []
    assert "https://meet.example.org/secret" not in waiting[0].body_text
    assert build_email(waiting[0]).attachments == []


def test_the_person_who_moves_up_is_told_with_the_ics(programme, people):
    event = make_event(programme, capacity=1)
    first, second, third = people(3, language="en")
    a, b, c = register_all(event, [first, second, third])
    registration_cancel(registration=a, now=NOW + timedelta(days=1))
    (promoted,) = mails("event_promoted")
    assert (promoted.recipient, promoted.language) == (second, "en")
    assert promoted.subject.endswith("You have a place: Netzwerkworkshop")
    assert "moved up from the waiting list" in promoted.body_text
    assert ics_of(promoted).walk("VEVENT")[0]["UID"] == f"{event.uid}@vernetztineuropa"
    assert not mails(user=first, kind="event_promoted") and not mails(user=third,
                                                                      kind="event_promoted")
    assert [m.kind for m in mails(user=second)] == ["event_waiting", "event_promoted"]


def test_the_ics_is_left_off_once_the_registration_is_cancelled(programme, people):
    event = make_event(programme)
    (registration,) = register_all(event, people())
    (message,) = mails("event_registered")
    registration_cancel(registration=registration, now=NOW)
    assert build_email(message).attachments == []
    assert event_ics_attachment(None, "de") is None
    name, content, _type = event_ics_attachment(event, "de")  # the event itself renders too
    assert name == f"event-{event.pk}.ics" and b"BEGIN:VEVENT" in content


def test_the_ics_shows_the_event_as_it_is_when_the_mail_is_sent(programme, people):
    event = make_event(programme)
    register_all(event, people(language="en"))
    (message,) = mails("event_registered")
    event_update(event=event, title="Neuer Titel", now=NOW)
    vevent = ics_of(message).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "Neuer Titel" and vevent["SEQUENCE"] == 1


def test_an_online_events_ics_is_located_at_its_link(programme, people):
    event = make_event(programme, format=MeetingFormat.ONLINE, place="",
                       link="https://meet.example.org/room")
    register_all(event, people(language="en"))
    vevent = ics_of(mails("event_registered")[0]).walk("VEVENT")[0]
    assert str(vevent["LOCATION"]) == "https://meet.example.org/room"


def test_a_refused_registration_queues_no_mail(programme, people):
    event = make_event(programme)
    (user,) = people()
    with pytest.raises(ValidationError):
        register(event, user, now=CLOSES + timedelta(days=1))
    assert not mails()


# -- the event itself ----------------------------------------------------------------


@pytest.mark.parametrize(("fields", "code"), [
    ({"ends_at": STARTS - timedelta(hours=1)}, "ends_before_start"),
    ({"registration_closes_at": STARTS + timedelta(seconds=1)}, "closes_after_start"),
    ({"place": "", "format": MeetingFormat.ON_SITE}, "place_missing"),
    ({"capacity": 0}, "min_value"),
])
def test_an_event_keeps_its_rules(programme, fields, code):
    values = {"title": "Workshop", "starts_at": STARTS, "ends_at": STARTS + timedelta(hours=2),
              "registration_closes_at": CLOSES, "place": "Berlin", **fields}
    with pytest.raises(ValidationError) as error:
        event_create(programme=programme, **values)
    assert code in codes(error.value)
    assert not Event.objects.exists()


def test_an_online_event_needs_no_place(programme):
    event = make_event(programme, format=MeetingFormat.ONLINE, place="")
    assert event.pk and event.sequence == 0


def test_every_change_raises_the_sequence_and_no_change_does_not(programme):
    event = make_event(programme)
    event, _ = event_update(event=event, title="Netzwerkworkshop", now=NOW)
    assert event.sequence == 0
    event, _ = event_update(event=event, place="Berlin, Rotes Rathaus", now=NOW)
    assert event.sequence == 1
    with pytest.raises(TypeError):
        event_update(event=event, uid="nope")
