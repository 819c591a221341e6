"""Rules of case studies, as plain checks shared by the services and forms."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casestudies.enums import CaseStudyStatus, ReviewAction

MAX_ITEMS = 60  # coded items per case study


# A published study is edited into a new draft; one in review or with the cities waits.
EDITABLE_STATUSES = (CaseStudyStatus.DRAFT, CaseStudyStatus.PUBLISHED)


def validate_editable(*, status: str) -> None:
    """Only a draft, or a published study (into a new draft), is written."""
    if status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("This case study is %(status)s and cannot be edited now."),
            code="not_editable", params={"status": CaseStudyStatus(status).label})


def validate_item_count(count: int) -> None:
    if count > MAX_ITEMS:
        raise ValidationError(
            _("A case study can have at most %(max)s barriers and drivers."),
            code="too_many_items", params={"max": MAX_ITEMS})


# (status, action) -> the status after it. Approving keeps the study with the cities until
# staff publish it; asking for changes always sends it back to draft.
TRANSITIONS = {
    (CaseStudyStatus.DRAFT, ReviewAction.SUBMIT): CaseStudyStatus.IN_REVIEW,
    (CaseStudyStatus.IN_REVIEW, ReviewAction.SEND_TO_CITIES): CaseStudyStatus.WITH_CITIES,
    (CaseStudyStatus.IN_REVIEW, ReviewAction.REQUEST_CHANGES): CaseStudyStatus.DRAFT,
    (CaseStudyStatus.WITH_CITIES, ReviewAction.APPROVE): CaseStudyStatus.WITH_CITIES,
    (CaseStudyStatus.WITH_CITIES, ReviewAction.REQUEST_CHANGES): CaseStudyStatus.DRAFT,
    (CaseStudyStatus.WITH_CITIES, ReviewAction.PUBLISH): CaseStudyStatus.PUBLISHED,
}
CITY_ACTIONS = (ReviewAction.APPROVE, ReviewAction.REQUEST_CHANGES)


def validate_transition(*, status: str, action: str, comment: str, city, member_cities,
                        approved_cities) -> str:
    """Check one review step and return the status it leads to.

    ``member_cities`` are the tandem's current cities, ``approved_cities`` those that
    approved in the current round with the cities.
    """
    after = TRANSITIONS.get((status, action))
    if after is None:
        raise ValidationError(
            _("A case study that is %(status)s cannot be %(action)s."), code="not_allowed",
            params={"status": CaseStudyStatus(status).label,
                    "action": ReviewAction(action).label})
    for_a_city = status == CaseStudyStatus.WITH_CITIES and action in CITY_ACTIONS
    if for_a_city and city not in member_cities:
        raise ValidationError(_("Please name one of the tandem's cities."), code="no_city")
    if action == ReviewAction.REQUEST_CHANGES and not comment.strip():
        raise ValidationError(_("Please say in a comment which changes are needed."),
                              code="comment_required")
    if action == ReviewAction.APPROVE and city in approved_cities:
        raise ValidationError(_("%(city)s has already approved this version."),
                              code="already_approved", params={"city": city})
    if action == ReviewAction.PUBLISH:
        missing = [c.name for c in member_cities if c not in approved_cities]
        if missing:
            raise ValidationError(
                _("Not yet approved by: %(cities)s."), code="not_approved",
                params={"cities": ", ".join(missing)})
    return after
