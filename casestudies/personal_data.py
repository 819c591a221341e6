"""The case studies' sections of the personal-data download (see accounts/personal_data.py).

A case study belongs to its tandem and the programme: it stays when a researcher's account is
deleted, and so do its versions and review steps, without the person's name.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import (
    CLEAR,
    DELETE,
    Relation,
    Section,
    choice,
    history_user,
    moment,
    register,
    text,
)
from casestudies.models import CaseStudy, ReviewStep


def case_studies_of(user) -> list[dict]:
    studies = (CaseStudy.objects.filter(Q(researchers=user) | Q(updated_by=user)).distinct()
               .prefetch_related("researchers").order_by("pk"))
    return [{"title": c.title, "status": choice(c, "status"),
             "assigned_to_you": user in c.researchers.all(),
             "last_edited_by_you": c.updated_by_id == user.pk,
             "last_edited_at": moment(c.updated_at)} for c in studies]


def versions_written_by(user) -> list[dict]:
    """Every version of a case study the person saved, with its text and coded items."""
    rows = (CaseStudy.history.filter(Q(history_user=user) | Q(updated_by=user))
            .order_by("history_date"))
    return [{"case_study": text(row.instance), "version": row.version,
             "saved_at": moment(row.history_date), "language": choice(row, "language"),
             **{name: getattr(row, name) for name in CaseStudy.EDITABLE}, "coded_items": row.items}
            for row in rows]


def review_steps_by(user) -> list[dict]:
    return [{"case_study": text(s.case_study), "step": choice(s, "action"),
             "from": choice(s, "from_status"), "to": choice(s, "to_status"),
             "for_city": s.city.name if s.city_id else None, "comment": s.comment,
             "version": s.version, "at": moment(s.created_at)}
            for s in ReviewStep.objects.filter(by=user).select_related("case_study", "city")
            .order_by("created_at", "pk")]


def register_sections() -> None:
    register(Section(
        key="case_studies", title=_("Case studies assigned to you or last edited by you"),
        # Unassigned when the account goes; the study stays with its tandem.
        relations=(Relation("casestudies.CaseStudy.researchers", DELETE),
                   Relation("casestudies.CaseStudy.updated_by", CLEAR)),
        export=case_studies_of))
    register(Section(
        key="case_study_versions_you_wrote", title=_("Versions of case studies you wrote"),
        relations=(history_user("casestudies.HistoricalCaseStudy"),
                   Relation("casestudies.HistoricalCaseStudy.updated_by", CLEAR)),
        export=versions_written_by))
    register(Section(
        key="case_study_review_steps", title=_("Review steps of case studies you took"),
        relations=(Relation("casestudies.ReviewStep.by", CLEAR),), export=review_steps_by))
