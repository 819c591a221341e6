"""The waiting list under concurrent requests, on PostgreSQL's row locks."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from events.enums import RegistrationStatus
from events.models import Registration
from events.selectors import waiting_list, waiting_position
from events.services import registration_cancel, registration_create
from notifications.models import Message
from tests.events.conftest import city_of, make_event
from tests.factories import member_contact, tandem_factory
from tests.support import postgres_available, require

CONFIRMED, WAITING = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING


def run_at_once(work, items) -> list:
    """Run ``work(item)`` in a thread per item, released together; collect errors."""
    barrier, errors = threading.Barrier(len(items)), []

    def run(item):
        try:
            barrier.wait()
            work(item)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture
def future_event():
    tandem = tandem_factory()
    start = timezone.now() + timedelta(days=30)
    event = make_event(tandem.programme, capacity=3, starts_at=start,
                       closes_at=start - timedelta(days=7))
    return tandem, event


@pytest.mark.django_db(transaction=True)
def test_three_unregistering_at_once_promote_exactly_the_first_three_in_order(future_event):
    require(postgres_available(), "the race needs PostgreSQL's row locks")
    tandem, event = future_event
    people = [member_contact(tandem) for _ in range(8)]
    registrations = [registration_create(event=event, user=u, city=city_of(u)) for u in people]
    confirmed, waiting = registrations[:3], registrations[3:]
    assert [r.status for r in registrations] == [CONFIRMED] * 3 + [WAITING] * 5
    assert [r.pk for r in waiting_list(event)] == [r.pk for r in waiting]

    seen, looking, done = [], threading.Event(), threading.Event()

    def watch():  # what other requests see meanwhile: never more than the places
        try:
            while True:
                seen.append(Registration.objects.filter(event=event, status=CONFIRMED).count())
                looking.set()
                if done.is_set():
                    break
                time.sleep(0.001)
        finally:
            looking.set()
            connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    # The race starts once the watcher has looked, so that it keeps looking while the race
    # runs (how often it looks during it depends on the machine; the end state below
    # does not).
    looking.wait(timeout=120)  # only bounds a hang
    try:
        errors = run_at_once(lambda r: registration_cancel(registration=r), confirmed)
    finally:
        done.set()
        watcher.join()
    assert errors == []
    assert seen and max(seen) <= 3

    now = {r.pk: r.status for r in Registration.objects.filter(event=event)}
    assert [now[r.pk] for r in waiting] == [CONFIRMED] * 3 + [WAITING] * 2
    assert Registration.objects.filter(event=event, status=CONFIRMED).count() == 3
    promoted = Message.objects.filter(kind="event_promoted").order_by("pk")
    assert [m.recipient_id for m in promoted] == [r.user_id for r in waiting[:3]]
    left = list(waiting_list(event))
    assert [r.pk for r in left] == [r.pk for r in waiting[3:]]
    assert [waiting_position(r) for r in left] == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_many_registering_at_once_fill_the_places_and_queue_the_rest(future_event):
    require(postgres_available(), "the race needs PostgreSQL's row locks")
    tandem, event = future_event
    people = [member_contact(tandem) for _ in range(8)]
    errors = run_at_once(
        lambda u: registration_create(event=event, user=u, city=city_of(u)), people)
    assert errors == []
    registrations = Registration.objects.filter(event=event)
    assert registrations.filter(status=CONFIRMED).count() == 3
    queue = list(waiting_list(event))
    assert len(queue) == 5 and len({r.waiting_since for r in queue}) == 5
    assert [waiting_position(r) for r in queue] == [1, 2, 3, 4, 5]
    assert Message.objects.filter(kind="event_registered").count() == 3
    assert Message.objects.filter(kind="event_waiting").count() == 5


@pytest.mark.django_db(transaction=True)
def test_one_person_registering_twice_at_once_gets_one_registration(future_event):
    require(postgres_available(), "the race needs PostgreSQL's row locks")
    tandem, event = future_event
    user = member_contact(tandem)
    errors = run_at_once(
        lambda _n: registration_create(event=event, user=user, city=city_of(user)), range(4))
    assert errors == []
    assert Registration.objects.filter(event=event, user=user).count() == 1
    assert Message.objects.filter(recipient=user).count() == 1
