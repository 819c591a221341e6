"""The network-event rules as plain checks, with ``now`` passed in; the services call them
under the event's row lock, ``Event.clean()`` and the forms call them for a message at the
field."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applications.formatting import deadline_text
from tandems.enums import MeetingFormat


def validate_event_times(*, starts_at: datetime, ends_at: datetime,
                         registration_closes_at: datetime) -> None:
    """An event ends after it starts, and registration closes no later than its start."""
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = ValidationError(_("An event ends after it starts."),
                                            code="ends_before_start")
    if registration_closes_at > starts_at:
        errors["registration_closes_at"] = ValidationError(
            _("Registration closes at the latest when the event starts."),
            code="closes_after_start")
    if errors:
        raise ValidationError(errors)


def validate_event_place(*, format: str, place: str) -> None:
    """An event on site (or hybrid) says where it takes place."""
    if format != MeetingFormat.ONLINE and not place.strip():
        raise ValidationError({"place": ValidationError(
            _("Please name the place of an event on site."), code="place_missing")})


def validate_registration_open(*, registration_closes_at: datetime, starts_at: datetime,
                               now: datetime) -> None:
    """Registering is possible up to and including the deadline's second, never once begun."""
    if now >= starts_at:
        raise ValidationError(_("This event has already started; registration is closed."),
                              code="event_started")
    if now > registration_closes_at:
        raise ValidationError(
            _("Registration closed on %(deadline)s."), code="registration_closed",
            params={"deadline": deadline_text(registration_closes_at)})


def registration_is_open(*, registration_closes_at: datetime, starts_at: datetime,
                         now: datetime) -> bool:
    """:func:`validate_registration_open` as a yes or no, for the pages."""
    try:
        validate_registration_open(registration_closes_at=registration_closes_at,
                                   starts_at=starts_at, now=now)
    except ValidationError:
        return False
    return True


def validate_not_started(*, starts_at: datetime, now: datetime) -> None:
    """A registration can be withdrawn until the event starts; afterwards it is history."""
    if now >= starts_at:
        raise ValidationError(
            _("This event has already started; the registration can no longer be changed."),
            code="event_started")


def validate_registration_city(*, city, allowed_cities) -> None:
    """A person registers for a city they speak for that takes part in the programme now."""
    if city not in allowed_cities:
        raise ValidationError(
            _("You can register only for a city you speak for that is in a tandem of this "
              "programme."), code="not_eligible")
