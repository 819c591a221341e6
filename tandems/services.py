"""The only write paths for tandems, memberships and topic roles (DESIGN.md rule 3).

Each takes the programme's row lock first, so two staff members pairing at the same
time cannot pass the place limit; the database constraints on Membership back the
"one live tandem per city" and "one German, one partner" rules.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from programme.models import Programme
from tandems.enums import LIVE_STATES, TandemState
from tandems.models import Membership, Tandem, TandemTopic
from tandems.validators import (
    validate_city_free,
    validate_free_place,
    validate_lighthouse,
    validate_pair,
    validate_state_change,
)


def _lock_programme(programme) -> Programme:
    return Programme.objects.select_for_update().get(pk=programme.pk)


def _city_busy(*, city, programme) -> bool:
    return Membership.objects.filter(city=city, programme=programme, left_on=None).exists()


def _join(*, tandem: Tandem, city, joined_on: date) -> Membership:
    membership = Membership(tandem=tandem, city=city, programme=tandem.programme,
                            is_german=city.is_german, joined_on=joined_on)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as error:  # a concurrent pairing won the race
        raise ValidationError(_("%(city)s is already in a tandem of this programme."),
                              code="city_taken", params={"city": city.name}) from error
    return membership


def tandem_check(*, programme, german_city, partner_city) -> None:
    """Raise if the two cities cannot be paired now; run again under the lock on save."""
    validate_pair(german_city=german_city, partner_city=partner_city)
    validate_free_place(programme=programme,
                        live_tandems=Tandem.objects.filter(programme=programme).live().count())
    for city in (german_city, partner_city):
        validate_city_free(city=city, busy=_city_busy(city=city, programme=programme))


def tandem_create(*, programme, german_city, partner_city, topics: dict, formed_on: date,
                  state: str = TandemState.FORMING) -> Tandem:
    """Pair two cities into a tandem; ``topics`` maps each Topic to its lighthouse city."""
    with transaction.atomic():
        programme = _lock_programme(programme)
        tandem_check(programme=programme, german_city=german_city, partner_city=partner_city)
        tandem = Tandem.objects.create(programme=programme, formed_on=formed_on, state=state)
        for city in (german_city, partner_city):
            _join(tandem=tandem, city=city, joined_on=formed_on)
        tandem_set_topics(tandem=tandem, topics=topics)
    return tandem


def tandem_set_topics(*, tandem: Tandem, topics: dict) -> Tandem:
    """Make ``topics`` (Topic -> lighthouse city) the tandem's topics and roles."""
    members = [m.city for m in tandem.memberships.filter(left_on=None).select_related("city")]
    for lighthouse in topics.values():
        validate_lighthouse(lighthouse=lighthouse, members=members)
    with transaction.atomic():
        tandem.topics.exclude(topic__in=list(topics)).delete()
        for topic, lighthouse in topics.items():
            TandemTopic.objects.update_or_create(tandem=tandem, topic=topic,
                                                 defaults={"lighthouse": lighthouse})
    return tandem


def membership_end(*, membership: Membership, left_on: date) -> Membership:
    """A city withdraws: its membership ends; the tandem, its history and meetings stay.

    Topics it led pass to the remaining member until staff set new roles.
    """
    with transaction.atomic():
        _lock_programme(membership.programme)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.left_on:
            return membership
        membership.left_on = left_on
        membership.save()
        remaining = membership.tandem.memberships.filter(left_on=None).select_related(
            "city").first()
        if remaining:
            membership.tandem.topics.filter(lighthouse=membership.city).update(
                lighthouse=remaining.city)
        else:
            membership.tandem.topics.all().delete()
    return membership


def membership_check(*, tandem: Tandem, city) -> None:
    """Raise if ``city`` cannot join ``tandem`` now; run again under the lock on save."""
    if tandem.state not in LIVE_STATES:
        raise ValidationError(_("This tandem has ended; nobody can join it."), code="not_live")
    validate_city_free(city=city, busy=_city_busy(city=city, programme=tandem.programme))
    if tandem.memberships.filter(left_on=None, is_german=city.is_german).exists():
        raise ValidationError(
            _("This tandem already has a current member from that side; a tandem is one "
              "German municipality and one partner city."), code="pair")


def membership_add(*, tandem: Tandem, city, joined_on: date) -> Membership:
    """A new partner joins an existing tandem (after a withdrawal)."""
    with transaction.atomic():
        _lock_programme(tandem.programme)
        tandem = Tandem.objects.select_for_update().get(pk=tandem.pk)
        membership_check(tandem=tandem, city=city)
        return _join(tandem=tandem, city=city, joined_on=joined_on)


def tandem_set_state(*, tandem: Tandem, state: str, on: date) -> Tandem:
    """Activate, end or dissolve a tandem; ending or dissolving ends its memberships."""
    with transaction.atomic():
        _lock_programme(tandem.programme)
        tandem = Tandem.objects.select_for_update().get(pk=tandem.pk)
        validate_state_change(current=tandem.state, to=state)
        tandem.state = state
        if state in (TandemState.ENDED, TandemState.DISSOLVED):
            tandem.ended_on = on
            tandem.memberships.filter(left_on=None).update(left_on=on)
        tandem.save()
    return tandem
