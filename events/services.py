"""The only write paths for network events and registrations.

Every write locks the event's row first, so people registering and unregistering at the
same moment queue up: the confirmed never exceed the places, and the waiting list moves up
strictly in its order (``waiting_since``, then ``pk``). Each change queues its mail through
the outbox in the same transaction, so a rolled-back change sends nothing.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.permissions import event_registration_cities
from events.enums import RegistrationStatus
from events.models import Event, Registration
from events.selectors import waiting_list, waiting_position
from events.validators import (
    validate_not_started,
    validate_registration_city,
    validate_registration_open,
)

CONFIRMED = RegistrationStatus.CONFIRMED
WAITING = RegistrationStatus.WAITING
CANCELLED = RegistrationStatus.CANCELLED

EVENT_FIELDS = ("programme", "kind", "title", "starts_at", "ends_at", "format", "place", "link",
                "description", "capacity", "registration_closes_at")


def _lock_event(event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _confirmed_count(event) -> int:
    return Registration.objects.filter(event=event, status=CONFIRMED).count()


def _has_place(event, confirmed: int) -> bool:
    return event.capacity is None or confirmed < event.capacity


def _queue_time(event, now: datetime) -> datetime:
    """``now``, or just after the last in line if that is not earlier: arrival under the lock
    is the order, even when two servers' clocks (or an injected ``now``) disagree."""
    last = Registration.objects.filter(event=event, status=WAITING).aggregate(
        last=Max("waiting_since"))["last"]
    if last is not None and last >= now:
        return last + timedelta(microseconds=1)
    return now


def _mail(registration: Registration, *, kind: str, template: str, attach: bool,
          **context) -> None:
    from notifications.services import message_queue

    user = registration.user
    message_queue(
        kind=kind, to=user.email, recipient=user, related=registration,
        template=f"events/email/{template}",
        context={"event": registration.event, "registration": registration,
                 "city": registration.city, "site_url": settings.SITE_URL, **context},
        attachments=("event_ics",) if attach else (),
    )


def _mail_status(registration: Registration) -> None:
    """Confirm a registration: a place (with the .ics) or a place on the waiting list."""
    if registration.status == CONFIRMED:
        _mail(registration, kind="event_registered", template="registered", attach=True)
    else:
        _mail(registration, kind="event_waiting", template="waiting", attach=False,
              position=waiting_position(registration))


def _fill_places(event: Event, *, now: datetime) -> list[Registration]:
    """Promote the first in line while places are free; tell each of them. Needs the lock."""
    if now >= event.starts_at:
        return []  # a begun or past event's list is history
    promoted = []
    confirmed = _confirmed_count(event)
    while _has_place(event, confirmed):
        first = waiting_list(event).select_related("user", "city").first()
        if first is None:
            break
        first.status, first.waiting_since = CONFIRMED, None
        first.event = event
        first.save(update_fields=["status", "waiting_since", "updated_at"])
        _mail(first, kind="event_promoted", template="promoted", attach=True)
        promoted.append(first)
        confirmed += 1
    return promoted


def registration_create(*, event: Event, user, city, now: datetime | None = None
                        ) -> Registration:
    """Register ``user`` for ``event`` on behalf of ``city``, or put them on the waiting list.

    Open until the registration deadline, to the second (``now <= registration_closes_at``),
    and never once the event has started; ``city`` must be one the user speaks for that is
    in a live tandem of the event's programme. A person already registered or waiting gets
    their registration back unchanged; one who unregistered before is registered anew, at
    the end of the waiting list if it is full. A mail confirms either outcome.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(event)
        validate_registration_open(registration_closes_at=event.registration_closes_at,
                                   starts_at=event.starts_at, now=now)
        existing = (Registration.objects.select_for_update(of=("self",))
                    .select_related("city").filter(event=event, user=user).first())
        if existing is not None and existing.is_active:
            return existing
        validate_registration_city(city=city,
                                   allowed_cities=event_registration_cities(user, event))
        registration = existing or Registration(event=event, user=user)
        registration.event, registration.city, registration.created_at = event, city, now
        if _has_place(event, _confirmed_count(event)):
            registration.status, registration.waiting_since = CONFIRMED, None
        else:
            registration.status = WAITING
            registration.waiting_since = _queue_time(event, now)
        registration.full_clean(validate_unique=False, validate_constraints=False)
        registration.save()
        _mail_status(registration)
    return registration


def registration_cancel(*, registration: Registration, now: datetime | None = None
                        ) -> Registration:
    """Unregister: the place (or the place in line) is given up until the event starts.

    A freed place goes at once to the first on the waiting list, who is told by mail with
    the .ics attached. Cancelling a cancelled registration changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(registration.event)
        registration = (Registration.objects.select_for_update(of=("self",))
                        .select_related("city", "user").get(pk=registration.pk))
        registration.event = event
        if registration.status == CANCELLED:
            return registration
        validate_not_started(starts_at=event.starts_at, now=now)
        was_confirmed = registration.status == CONFIRMED
        registration.status, registration.waiting_since = CANCELLED, None
        registration.save(update_fields=["status", "waiting_since", "updated_at"])
        if was_confirmed:
            _fill_places(event, now=now)
    return registration


def event_fill_places(*, event: Event, now: datetime | None = None) -> list[Registration]:
    """Give free places (after staff raised the capacity) to the waiting list, in its order.

    Returns the people who moved up; each gets a mail with the .ics attached.
    """
    now = now or timezone.now()
    with transaction.atomic():
        return _fill_places(_lock_event(event), now=now)


def event_create(*, programme, title: str, starts_at: datetime, ends_at: datetime,
                 registration_closes_at: datetime, **fields) -> Event:
    """Announce a network event (staff, in the admin; the demo data)."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"event_create() got unexpected fields: {sorted(unknown)}")
    event = Event(programme=programme, title=title, starts_at=starts_at, ends_at=ends_at,
                  registration_closes_at=registration_closes_at, **fields)
    event.full_clean()
    event.save()
    return event


def event_update(*, event: Event, now: datetime | None = None, **changes
                 ) -> tuple[Event, list[Registration]]:
    """Change an event; more places move the waiting list up.

    Every change raises the iCalendar SEQUENCE, so calendars replace their copy. Fewer
    places than people registered take nobody's place away: nobody moves up until enough
    have unregistered. Returns the event and the people who moved up.
    """
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"event_update() got unexpected fields: {sorted(unknown)}")
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(event)
        changed = {name: value for name, value in changes.items()
                   if getattr(event, name) != value}
        if not changed:
            return event, []
        for name, value in changed.items():
            setattr(event, name, value)
        event.sequence += 1
        event.full_clean()
        event.save()
        return event, _fill_places(event, now=now)
