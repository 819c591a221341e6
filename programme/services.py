import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
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


def _speaks_for(user, city: City) -> bool:
    """True if ``user`` is already in: a verified contact, or let join by a request."""
    return (CityContact.objects.filter(user=user, city=city, verified_at__isnull=False).exists()
            or JoinRequest.objects.filter(user=user, city=city, approved=True).exists())


def join_request_create(*, user, city: City, now: datetime) -> JoinRequest:
    """Ask to speak for a municipality; the people who may decide are told by e-mail.

    They are its verified contacts; a municipality without one is decided by staff, who
    are told instead. Someone who only named the municipality when starting a draft may ask.
    """
    from accounts.permissions import staff_members
    from notifications.services import message_queue

    if _speaks_for(user, city):
        raise ValidationError(_("You already speak for %(city)s.") % {"city": city.name},
                              code="already_contact")
    with transaction.atomic():
        request, created = JoinRequest.objects.get_or_create(user=user, city=city,
                                                             decided_at=None)
        if created:
            deciders = [contact.user for contact in city.contacts.filter(
                verified_at__isnull=False, user__is_active=True).select_related("user")]
            context = {"request": request, "site_url": settings.SITE_URL}
            if not deciders:
                # The admin's list with just this request: its actions approve or decline.
                deciders = list(staff_members())
                context["admin_url"] = (settings.SITE_URL
                                        + reverse("admin:programme_joinrequest_changelist")
                                        + f"?id__exact={request.pk}")
            for decider in deciders:
                if decider.pk == user.pk:
                    continue  # never asked to decide on one's own request
                message_queue(kind="join_requested", to=decider.email, recipient=decider,
                              related=request, key=f"join_requested:{request.pk}:{decider.pk}",
                              template="programme/email/join_requested", context=context)
    return request


def join_request_decide(*, request: JoinRequest, by, approve: bool, now: datetime) -> JoinRequest:
    """Approve or decline a request to join; the person asking is told either way.

    Only staff or a verified contact of the municipality decide, never the person asking
    (``programme.decide_joinrequest``), wherever the call comes from: site, admin or shell.
    An approval names the person as a contact, still to be verified by staff.
    """
    from notifications.services import message_queue

    with transaction.atomic():
        request = JoinRequest.objects.select_for_update().select_related("city", "user").get(
            pk=request.pk)
        if not by.has_perm("programme.decide_joinrequest", request):
            raise ValidationError(
                _("Only the project team or a verified contact of %(city)s can decide on "
                  "this request, and never the person who asked.") % {"city": request.city.name},
                code="not_allowed")
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


def invitation_is_for(*, invitation: PartnerInvitation, user) -> bool:
    """True if ``user`` has the invited address among their verified ones (any case)."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email,
                                       verified=True).exists()


def partner_invitation_accept(*, invitation: PartnerInvitation, user, now: datetime):
    """The invited person, signed in, becomes a verified contact of the city (staff invited).

    Only an account with the invited address, verified, accepts: a forwarded or leaked link
    does not make its holder speak for the city.
    """
    with transaction.atomic():
        invitation = PartnerInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise ValidationError(_("This invitation has already been used."), code="used")
        if not invitation_is_for(invitation=invitation, user=user):
            raise ValidationError(
                _("This invitation is for %(email)s. Please log in with that address, or "
                  "ask the project team.") % {"email": invitation.email}, code="other_address")
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
