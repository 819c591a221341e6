import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programme.countries import GERMANY
from programme.models import City, CityContact, CityTopic, JoinRequest, PartnerInvitation


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


def partner_invite(*, city: City, email: str, by, now: datetime) -> PartnerInvitation:
    """Invite a partner city's contact by e-mail (in English) to speak for the city."""
    from notifications.services import message_queue

    if city.is_german:
        raise ValidationError({"city": _("Invitations are for partner cities; German "
                                         "municipalities express interest themselves.")},
                              code="german_city")
    invitation = PartnerInvitation(city=city, email=email, invited_by=by,
                                   token=secrets.token_urlsafe(32))
    invitation.full_clean()
    with transaction.atomic():
        invitation.save()
        message_queue(kind="partner_invitation", to=email, related=invitation, language="en",
                      key=f"partner_invitation:{invitation.pk}",
                      template="programme/email/partner_invitation",
                      context={"invitation": invitation,
                               "url": f"{settings.SITE_URL}/en/partner/invitation/"
                                      f"{invitation.token}/"})
    return invitation


def partner_invitation_accept(*, invitation: PartnerInvitation, user, now: datetime):
    """The invited person, signed in, becomes a verified contact of the city (staff invited)."""
    with transaction.atomic():
        invitation = PartnerInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise ValidationError(_("This invitation has already been used."), code="used")
        invitation.accepted_by, invitation.accepted_at = user, now
        invitation.save()
        contact, _created = CityContact.objects.get_or_create(user=user, city=invitation.city)
        if not contact.verified_at:
            city_contact_verify(contact=contact, by=invitation.invited_by, now=now)
    return contact


def city_profile_update(*, city: City, data: dict, topics: dict) -> City:
    """A partner city's profile: size, working languages, time zone, topics and roles."""
    with transaction.atomic():
        for name in ("population", "languages", "time_zone"):
            setattr(city, name, data[name])
        city.full_clean()
        city.save()
        city.topics.exclude(topic__in=list(topics)).delete()
        for topic, role in topics.items():
            CityTopic.objects.update_or_create(city=city, topic=topic, defaults={"role": role})
    return city
