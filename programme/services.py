from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programme.countries import GERMANY
from programme.models import City, CityContact, JoinRequest


def city_contact_verify(*, contact: CityContact, by, now: datetime) -> CityContact:
    """Record that staff member ``by`` confirmed ``contact`` speaks for its city."""
    contact.verified_by = by
    contact.verified_at = now
    contact.full_clean()
    contact.save(update_fields=["verified_by", "verified_at"])
    return contact


def german_city_for_ags(*, ags: str, name: str, population: int | None) -> City:
    """Find a German municipality by its AGS, or register it with the name given.

    The AGS identifies the municipality; a different spelling of a known one is refused
    so that two people cannot file the same municipality under two names.
    """
    city = City.objects.filter(ags=ags).first()
    if city is None:
        city = City(name=name.strip(), country=GERMANY, ags=ags, population=population)
        city.full_clean()
        city.save()
    elif city.name.casefold() != name.strip().casefold():
        raise ValidationError(
            {"name": _("The municipality key %(ags)s belongs to %(name)s.") % {
                "ags": ags, "name": city.name}}, code="ags_name_mismatch")
    return city


def join_request_create(*, user, city: City, now: datetime) -> JoinRequest:
    """Ask to speak for a municipality; its contacts are told by e-mail."""
    from notifications.services import message_queue

    if CityContact.objects.filter(user=user, city=city).exists():
        raise ValidationError(_("You already speak for %(city)s.") % {"city": city.name},
                              code="already_contact")
    with transaction.atomic():
        request, created = JoinRequest.objects.get_or_create(user=user, city=city,
                                                             decided_at=None)
        if created:
            for contact in city.contacts.select_related("user"):
                message_queue(kind="join_requested", to=contact.user.email,
                              recipient=contact.user, related=request,
                              key=f"join_requested:{request.pk}:{contact.user_id}",
                              template="programme/email/join_requested",
                              context={"request": request})
    return request


def join_request_decide(*, request: JoinRequest, by, approve: bool, now: datetime) -> JoinRequest:
    """Approve or decline a request to join; the person asking is told either way."""
    from notifications.services import message_queue

    with transaction.atomic():
        request = JoinRequest.objects.select_for_update().select_related("city", "user").get(
            pk=request.pk)
        if request.decided_at:
            raise ValidationError(_("This request has already been decided."), code="decided")
        request.approved, request.decided_by, request.decided_at = approve, by, now
        request.save()
        if approve:
            CityContact.objects.get_or_create(user=request.user, city=request.city)
        message_queue(kind="join_decided", to=request.user.email, recipient=request.user,
                      related=request, key=f"join_decided:{request.pk}",
                      template="programme/email/join_decided", context={"request": request})
    return request
