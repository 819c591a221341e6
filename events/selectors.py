"""Reading events and registrations for pages, the admin and exports, in a fixed number of
queries however many events and people there are."""

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Value, When

from events.enums import RegistrationStatus
from events.models import Event, Registration

CONFIRMED = RegistrationStatus.CONFIRMED
WAITING = RegistrationStatus.WAITING


def with_counts(queryset=None):
    """Events annotated with ``confirmed_count`` and ``waiting_count`` (one query for all)."""
    queryset = queryset if queryset is not None else Event.objects.all()
    return queryset.annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=CONFIRMED)),
        waiting_count=Count("registrations", filter=Q(registrations__status=WAITING)))


def waiting_list(event):
    """The event's waiting list, first in line first."""
    return Registration.objects.filter(event=event, status=WAITING).order_by(
        "waiting_since", "pk")


def waiting_position(registration) -> int | None:
    """1 for the first in line; None unless ``registration`` is on the waiting list."""
    if registration.status != WAITING:
        return None
    ahead = Registration.objects.filter(
        Q(waiting_since__lt=registration.waiting_since)
        | Q(waiting_since=registration.waiting_since, pk__lt=registration.pk),
        event_id=registration.event_id, status=WAITING).count()
    return ahead + 1


@dataclass(frozen=True)
class Places:
    """How full an event is, for the pages: ``left`` is None when places are unlimited."""

    capacity: int | None
    confirmed: int
    waiting: int

    @property
    def left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed, 0)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.confirmed >= self.capacity


def places(event) -> Places:
    """Read the places of an event annotated by :func:`with_counts`."""
    return Places(capacity=event.capacity, confirmed=event.confirmed_count,
                  waiting=event.waiting_count)


def my_registrations(user, events) -> dict:
    """``user``'s registrations for ``events`` by event id, with their city (one query)."""
    if not user.is_authenticated:
        return {}
    return {r.event_id: r for r in Registration.objects.filter(
        user=user, event__in=[e.pk for e in events]).select_related("city")}


def participants(events):
    """The registrations (not the cancelled ones) of ``events`` for the participant list:
    per event, the confirmed first in order of registration, then the waiting list in its
    order; each row carries ``position`` (None for the confirmed)."""
    rows = list(Registration.objects
                .filter(event__in=events, status__in=[CONFIRMED, WAITING])
                .select_related("event", "user", "city")
                .annotate(rank=Case(When(status=CONFIRMED, then=Value(0)), default=Value(1),
                                    output_field=IntegerField()))
                .order_by("event__starts_at", "event_id", "rank", "waiting_since",
                          "created_at", "pk"))
    position, current = 0, None
    for row in rows:
        if row.event_id != current:
            position, current = 0, row.event_id
        if row.status == WAITING:
            position += 1
            row.position = position
        else:
            row.position = None
    return rows
