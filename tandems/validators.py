"""The tandem rules (DESIGN.md rule 3) as plain checks; services call them under a lock."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tandems.enums import TandemState

STATE_CHANGES = {
    TandemState.FORMING: {TandemState.ACTIVE, TandemState.DISSOLVED},
    TandemState.ACTIVE: {TandemState.ENDED, TandemState.DISSOLVED},
    TandemState.ENDED: set(),
    TandemState.DISSOLVED: set(),
}


def validate_pair(*, german_city, partner_city) -> None:
    """A tandem is one German municipality and one city from another European country."""
    if not german_city.is_german or partner_city.is_german:
        raise ValidationError(
            _("A tandem joins one German municipality and one city from another country."),
            code="pair")


def validate_free_place(*, programme, live_tandems: int) -> None:
    if live_tandems >= programme.max_tandems:
        raise ValidationError(
            _("The programme already has its %(max)s tandems."), code="full",
            params={"max": programme.max_tandems})


def validate_city_free(*, city, busy: bool) -> None:
    if busy:
        raise ValidationError(_("%(city)s is already in a tandem of this programme."),
                              code="city_taken", params={"city": city.name})


def validate_lighthouse(*, lighthouse, members) -> None:
    """Each topic's lighthouse is one of the tandem's current members."""
    if lighthouse not in members:
        raise ValidationError(
            _("%(city)s is not a current member of this tandem and cannot lead a topic."),
            code="lighthouse_not_member", params={"city": lighthouse.name})


def validate_state_change(*, current: str, to: str) -> None:
    if to not in STATE_CHANGES[current]:
        raise ValidationError(
            _("A tandem that is %(current)s cannot become %(to)s."), code="state",
            params={"current": TandemState(current).label, "to": TandemState(to).label})
