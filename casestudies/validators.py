"""Rules of case studies, as plain checks shared by the services and forms."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casestudies.enums import CaseStudyStatus

MAX_ITEMS = 60  # coded items per case study


def validate_editable(*, status: str) -> None:
    """Only a draft is written; a study in review or with the cities waits for its verdict."""
    if status != CaseStudyStatus.DRAFT:
        raise ValidationError(
            _("This case study is %(status)s and cannot be edited now."),
            code="not_editable", params={"status": CaseStudyStatus(status).label})


def validate_item_count(count: int) -> None:
    if count > MAX_ITEMS:
        raise ValidationError(
            _("A case study can have at most %(max)s barriers and drivers."),
            code="too_many_items", params={"max": MAX_ITEMS})
