"""The network events' section of the personal-data download (see accounts/personal_data.py)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import DELETE, Relation, Section, choice, moment, register
from events.enums import RegistrationStatus
from events.models import Registration
from events.services import registration_cancel


def registrations_of(user) -> list[dict]:
    return [{"event": r.event.title, "starts_at": moment(r.event.starts_at),
             "for_city": r.city.name, "status": choice(r, "status"),
             "registered_at": moment(r.created_at),
             "on_the_waiting_list_since": moment(r.waiting_since)}
            for r in Registration.objects.filter(user=user).select_related("event", "city")
            .order_by("event__starts_at", "pk")]


def cancel_coming_registrations(user) -> None:
    """Give up the places for events still to come, so the waiting list moves up."""
    now = timezone.now()
    coming = (Registration.objects.filter(user=user, event__starts_at__gt=now)
              .exclude(status=RegistrationStatus.CANCELLED))
    for registration in coming:
        registration_cancel(registration=registration, now=now)


def register_sections() -> None:
    register(Section(
        key="event_registrations", title=_("Your registrations for network events"),
        # Registrations of past events go too: the funder report counts one person fewer.
        relations=(Relation("events.Registration.user", DELETE),),
        export=registrations_of, erase=cancel_coming_registrations))
