"""Shared pieces for the network-event tests: a tandem, its contacts and events."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events.services import event_create
from tests.factories import member_contact, tandem_factory

BERLIN = ZoneInfo("Europe/Berlin")
# The services take ``now``; the events below lie ahead of it.
NOW = datetime(2024, 5, 2, 12, tzinfo=BERLIN)
STARTS = datetime(2024, 6, 10, 10, tzinfo=BERLIN)
CLOSES = datetime(2024, 6, 1, 23, 59, 59, tzinfo=BERLIN)


def make_event(programme, *, capacity=None, starts_at=STARTS, closes_at=CLOSES, **fields):
    fields.setdefault("title", "Netzwerkworkshop")
    fields.setdefault("place", "Berlin, Rathaus")
    return event_create(programme=programme, starts_at=starts_at,
                        ends_at=starts_at + timedelta(hours=6),
                        registration_closes_at=closes_at, capacity=capacity, **fields)


def upcoming(programme, *, days=30, capacity=None, **fields):
    """An event ``days`` from the real now, registration open until three days before."""
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    return make_event(programme, capacity=capacity, starts_at=start,
                      closes_at=start - timedelta(days=3), **fields)


@pytest.fixture
def tandem(db):
    return tandem_factory()


@pytest.fixture
def programme(tandem):
    return tandem.programme


@pytest.fixture
def people(tandem):
    """A factory of verified contacts of the tandem's cities (German city unless told)."""

    def make(n=1, *, german=True, **fields):
        return [member_contact(tandem, german=german, **fields) for _ in range(n)]

    return make


def city_of(user):
    return user.city_contacts.get().city
