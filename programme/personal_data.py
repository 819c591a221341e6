"""The programme's sections of the personal-data download (see accounts/personal_data.py):
the cities a person speaks for, requests to join and partner invitations."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import (
    CLEAR,
    DELETE,
    REFUSE,
    Relation,
    Section,
    addressed_to,
    choice,
    moment,
    register,
)
from programme.models import CityContact, JoinRequest, PartnerInvitation


def _city(city) -> dict:
    return {"city": city.name, "country": choice(city, "country"), "ags": city.ags}


def cities_of(user) -> list[dict]:
    return [{**_city(c.city), "function": c.function, "since": moment(c.created_at),
             "verified": c.verified_at is not None, "verified_at": moment(c.verified_at)}
            for c in CityContact.objects.filter(user=user).select_related("city")
            .order_by("created_at", "pk")]


def contacts_verified_by(user) -> list[dict]:
    # The contact's city and when: the other person's name and address are theirs.
    return [{**_city(c.city), "verified_at": moment(c.verified_at)}
            for c in CityContact.objects.filter(verified_by=user).select_related("city")
            .order_by("verified_at", "pk")]


def join_requests_of(user) -> list[dict]:
    return [{**_city(r.city), "asked_at": moment(r.created_at), "approved": r.approved,
             "decided_at": moment(r.decided_at)}
            for r in JoinRequest.objects.filter(user=user).select_related("city")
            .order_by("created_at", "pk")]


def join_requests_decided_by(user) -> list[dict]:
    return [{**_city(r.city), "approved": r.approved, "decided_at": moment(r.decided_at)}
            for r in JoinRequest.objects.filter(decided_by=user).select_related("city")
            .order_by("decided_at", "pk")]


def invitations_to(user) -> list[dict]:
    # Never the token: it is the invitation's key.
    invitations = PartnerInvitation.objects.filter(addressed_to(user, "email")
                                                   | Q(accepted_by=user))
    return [{**_city(i.city), "email": i.email, "invited_at": moment(i.created_at),
             "accepted_by_you": i.accepted_by_id == user.pk, "accepted_at": moment(i.accepted_at)}
            for i in invitations.select_related("city").order_by("created_at", "pk")]


def invitations_sent_by(user) -> list[dict]:
    # The city and when; the invited address is the other person's.
    return [{**_city(i.city), "invited_at": moment(i.created_at),
             "accepted_at": moment(i.accepted_at)}
            for i in PartnerInvitation.objects.filter(invited_by=user).select_related("city")
            .order_by("created_at", "pk")]


def register_sections() -> None:
    register(Section(
        key="speaks_for", title=_("The cities you speak for"),
        relations=(Relation("programme.CityContact.user", DELETE),), export=cities_of))
    register(Section(
        key="requests_to_join", title=_("Your requests to speak for a municipality"),
        relations=(Relation("programme.JoinRequest.user", DELETE),), export=join_requests_of))
    register(Section(
        key="invitations_to_you", title=_("Invitations to speak for a partner city"),
        # The invitation is the project team's record of whom they invited: it stays.
        relations=(Relation("programme.PartnerInvitation.accepted_by", CLEAR),),
        export=invitations_to))
    register(Section(
        key="contacts_you_verified", title=_("City contacts you verified (staff)"),
        relations=(Relation("programme.CityContact.verified_by", CLEAR),),
        export=contacts_verified_by))
    register(Section(
        key="requests_you_decided", title=_("Requests to join you decided"),
        relations=(Relation("programme.JoinRequest.decided_by", CLEAR),),
        export=join_requests_decided_by))
    register(Section(
        key="invitations_you_sent", title=_("Invitations you sent to partner cities (staff)"),
        relations=(Relation("programme.PartnerInvitation.invited_by", REFUSE,
                            what=_("invitations you sent to partner cities")),),
        export=invitations_sent_by))
