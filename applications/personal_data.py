"""The applications' sections of the personal-data download (see accounts/personal_data.py).

An expression of interest belongs to its municipality: the download holds the entries the
person started and those that name one of their addresses as the contact, never every entry
of a city they are a contact of (those hold colleagues' names, addresses and texts).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import (
    CLEAR,
    REFUSE,
    Relation,
    Section,
    addressed_to,
    choice,
    history_user,
    moment,
    register,
    text,
    versions_saved,
)
from applications.models import ExpressionOfInterest, LateEntry, Score
from programme.countries import Country


def _own(user) -> Q:
    return Q(created_by=user) | addressed_to(user, "contact_email")


def _call(call) -> dict:
    return {"call": str(call), "practice": call.is_practice, "closes_at": moment(call.closes_at)}


def _entry(e, user) -> dict:
    """An expression of interest (or a stored version of one) as the person reads it."""
    return {
        "municipality": e.city.name, "ags": e.city.ags, **_call(e.call),
        "reference": e.reference, "status": choice(e, "status"),
        "you_started_it": e.created_by_id == user.pk,
        "population": e.population, "contact_name": e.contact_name,
        "contact_function": e.contact_function, "contact_department": e.contact_department,
        "contact_email": e.contact_email, "contact_phone": e.contact_phone,
        "experience": e.experience, "motivation": e.motivation,
        "preferred_countries": [str(Country(code).label) if code in Country.values else code
                                for code in e.preferred_countries],
        "working_languages": e.working_languages, "meeting_years": e.meeting_years,
        "consent_at": moment(e.consent_at), "started_at": moment(e.created_at),
        "submitted_at": moment(e.submitted_at),
    }


def expressions_of(user) -> list[dict]:
    entries = (ExpressionOfInterest.objects.filter(_own(user))
               .select_related("call", "city").prefetch_related("topic_interests__topic")
               .order_by("created_at", "pk"))
    # Drafts deleted since: their last stored version is still kept.
    deleted = (ExpressionOfInterest.history.filter(_own(user), history_type="-")
               .exclude(id__in=ExpressionOfInterest.objects.values("pk"))
               .select_related("call", "city").order_by("history_date"))
    return [
        *({**_entry(e, user), "deleted_at": None, "topics": [
            {"topic": t.topic.name, "role": choice(t, "role")} for t in e.topic_interests.all()
        ]} for e in entries),
        *({**_entry(row, user), "deleted_at": moment(row.history_date)} for row in deleted),
    ]


def scores_by(user) -> list[dict]:
    return [{"expression_of_interest": text(s.eoi), "criterion": s.criterion.name,
             "score": s.value, "note": s.note, "saved_at": moment(s.updated_at)}
            for s in Score.objects.filter(reviewer=user).select_related("eoi__city", "criterion")
            .order_by("eoi_id", "criterion__order", "pk")]


def late_entries_granted_by(user) -> list[dict]:
    return [{"municipality": e.city.name, **_call(e.call), "reason": e.reason,
             "valid_until": moment(e.expires_at), "granted_at": moment(e.granted_at)}
            for e in LateEntry.objects.filter(granted_by=user).select_related("city", "call")
            .order_by("granted_at", "pk")]


HISTORY = ("applications.HistoricalExpressionOfInterest", "applications.HistoricalTopicInterest",
           "applications.HistoricalLateEntry")


def register_sections() -> None:
    register(Section(
        key="expressions_of_interest",
        title=_("Expressions of interest you started or that name you as the contact"),
        # They belong to the municipality and stay; the contact details typed into them
        # are the municipality's to answer for (the retention purge removes them).
        relations=(Relation("applications.ExpressionOfInterest.created_by", CLEAR),
                   Relation("applications.HistoricalExpressionOfInterest.created_by", CLEAR)),
        export=expressions_of))
    register(Section(
        key="expression_of_interest_versions_you_saved",
        title=_("Versions of expressions of interest and late entries you saved"),
        relations=tuple(history_user(label) for label in HISTORY),
        export=lambda user: versions_saved(user, *HISTORY)))
    register(Section(
        key="scores_you_gave", title=_("Your scores of expressions of interest (staff)"),
        relations=(Relation("applications.Score.reviewer", REFUSE,
                            what=_("scores of expressions of interest")),),
        export=scores_by))
    register(Section(
        key="late_entries_you_granted", title=_("Late entries you granted (staff)"),
        relations=(Relation("applications.LateEntry.granted_by", REFUSE,
                            what=_("late entries you granted")),
                   Relation("applications.HistoricalLateEntry.granted_by", CLEAR)),
        export=late_entries_granted_by))
