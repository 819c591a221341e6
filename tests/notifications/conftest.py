from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import registry
from notifications.registry import Due, ReminderKind
from programme.models import City
from tests.factories import CityFactory, UserFactory


def city_day_due(now):
    """Every user named on a city is due a reminder for the city's ``day`` (a test kind)."""
    cities = City.objects.filter(name__startswith="Reminder-")
    for city in cities.prefetch_related("contacts__user"):
        # The occasion is a fixed date (days from the real today), whatever `now` a test passes.
        day = timezone.localdate() + timedelta(days=int(city.name.split("-")[1]))
        for contact in city.contacts.all():
            yield Due(recipient=contact.user, related=city, occasion=day)


def city_still_listed(city, occasion, now):
    return not city.name.endswith("-cancelled")


@pytest.fixture
def reminder_kind():
    """Register a test reminder kind for the duration of one test."""
    kind = ReminderKind(name="test_reminder", label="Test reminder",
                        template="notifications/email/reminder", due=city_day_due,
                        is_current=city_still_listed)
    registry.register_reminder(kind)
    yield kind
    registry.REMINDER_KINDS.pop(kind.name, None)


@pytest.fixture
def due_contacts(db):
    """``due_contacts(n, days_ahead=3)``: n people due a reminder about one city."""
    from programme.models import CityContact

    def make(n, days_ahead=3, language="de"):
        city = CityFactory(name=f"Reminder-{days_ahead}", ags=None, country="NL")
        users = UserFactory.create_batch(n, language=language)
        CityContact.objects.bulk_create(CityContact(user=u, city=city) for u in users)
        return city, users

    return make
