"""The demo's network events, and the permission rules for registering."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.permissions import event_registration_cities
from core.demo import seed
from events.enums import RegistrationStatus
from events.models import Event, Registration
from events.services import registration_create
from tests.events.conftest import city_of, make_event
from tests.factories import (
    CityContactFactory,
    StaffFactory,
    UserFactory,
    member_contact,
    tandem_factory,
)

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def test_the_demo_has_the_four_network_events_and_the_contacts_took_part(seeded):
    events = list(Event.objects.order_by("starts_at"))
    assert [e.starts_at.astimezone(BERLIN).date() for e in events] == [
        date(2022, 5, 17), date(2023, 10, 23), date(2024, 9, 16), date(2024, 12, 10)]
    assert events[1].ends_at.astimezone(BERLIN).date() == date(2023, 10, 24)
    assert all(e.title.startswith("[Demo]") for e in events)
    assert [e.format for e in events] == ["online", "on_site", "on_site", "online"]
    assert [e.place for e in events] == ["", "Berlin", "Paris", ""]
    for event in events:
        people = set(Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
                     .values_list("user__email", "city__name"))
        assert people == {("krefeld@example.org", "Krefeld"), ("utrecht@example.org", "Utrecht")}
    seed()
    assert Event.objects.count() == 4 and Registration.objects.count() == 8


def test_the_demo_registers_nobody_for_events_still_ahead(db):
    seed(now=datetime(2024, 10, 1, tzinfo=BERLIN))
    assert set(Registration.objects.values_list("event__title", flat=True)) == {
        e.title for e in Event.objects.filter(starts_at__lt=datetime(2024, 10, 1, tzinfo=BERLIN))}
    assert Registration.objects.count() == 6


def test_register_rule_asks_for_a_verified_contact_of_a_live_tandem_city(db):
    tandem = tandem_factory()
    event = make_event(tandem.programme)
    staff = StaffFactory()
    member, partner = member_contact(tandem), member_contact(tandem, german=False)
    unverified = member_contact(tandem, verified=False)
    loner = UserFactory()
    CityContactFactory(user=loner, verified_at=event.starts_at)
    assert member.has_perm("events.register", event)
    assert partner.has_perm("events.register", event)
    for user in (staff, unverified, loner):
        assert not user.has_perm("events.register", event), user
    assert list(event_registration_cities(member, event)) == [city_of(member)]
    assert not event_registration_cities(unverified, None).exists()


def test_unregister_rule_is_for_the_person_and_staff(db):
    tandem = tandem_factory()
    event = make_event(tandem.programme)
    member, other = member_contact(tandem), member_contact(tandem)
    registration = registration_create(event=event, user=member, city=city_of(member),
                                       now=datetime(2024, 5, 1, tzinfo=BERLIN))
    assert member.has_perm("events.unregister", registration)
    assert not other.has_perm("events.unregister", registration)
    assert StaffFactory().has_perm(
        "events.unregister", registration)
