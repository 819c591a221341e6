"""The deadline rule and the other checks on expressions of interest: pure functions.

Forms, the admin, services and commands all call these; ``now`` is always passed in.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applications.enums import EoiStatus
from applications.formatting import deadline_text

# The selection workflow: which status may follow which.
TRANSITIONS = {
    EoiStatus.DRAFT: {EoiStatus.WITHDRAWN},
    EoiStatus.SUBMITTED: {EoiStatus.SHORTLISTED, EoiStatus.ACCEPTED, EoiStatus.WAITLISTED,
                          EoiStatus.DECLINED, EoiStatus.WITHDRAWN},
    EoiStatus.SHORTLISTED: {EoiStatus.ACCEPTED, EoiStatus.WAITLISTED, EoiStatus.DECLINED,
                            EoiStatus.WITHDRAWN},
    EoiStatus.WAITLISTED: {EoiStatus.SHORTLISTED, EoiStatus.ACCEPTED, EoiStatus.DECLINED,
                           EoiStatus.WITHDRAWN},
    EoiStatus.ACCEPTED: {EoiStatus.WITHDRAWN},
    EoiStatus.DECLINED: set(),
    EoiStatus.WITHDRAWN: set(),
}
DECISIONS = {EoiStatus.SHORTLISTED, EoiStatus.ACCEPTED, EoiStatus.WAITLISTED,
             EoiStatus.DECLINED}


def is_within_deadline(*, call, now: datetime, late_entry=None) -> bool:
    """True from ``opens_at`` to ``closes_at`` inclusive, or while a late entry holds.

    ``closes_at`` names the last second that is in: 23:59:59.4 is still in time,
    00:00:00 the next day is not. Aware datetimes make this independent of the
    server's time zone.
    """
    moment = now.replace(microsecond=0)
    if call.opens_at <= moment <= call.closes_at:
        return True
    return late_entry is not None and moment <= late_entry.expires_at


def validate_within_deadline(*, call, now: datetime, late_entry=None) -> None:
    """Refuse what applicants do outside the call (create, edit, submit)."""
    if is_within_deadline(call=call, now=now, late_entry=late_entry):
        return
    if now < call.opens_at:
        raise ValidationError(
            _("The call opens on %(opens)s. Expressions of interest can be entered from then on."),
            code="call_not_open", params={"opens": deadline_text(call.opens_at)},
        )
    raise ValidationError(
        _("The call closed on %(deadline)s. Expressions of interest can no longer be "
          "created, changed or submitted."),
        code="call_closed", params={"deadline": deadline_text(call.closes_at)},
    )


def validate_country_eligible(*, call, city) -> None:
    if city.country not in call.eligible_countries:
        raise ValidationError(
            _("Municipalities from this country cannot take part in this call."),
            code="country_not_eligible",
        )


def validate_complete_for_submission(*, eoi) -> None:
    """Everything a submission needs: contact, at least one topic, consent."""
    errors = {}
    for name in ("contact_name", "contact_email", "motivation"):
        if not getattr(eoi, name):
            errors[name] = ValidationError(_("This field is required to submit."),
                                           code="required")
    if not eoi.consent_at:
        errors["consent"] = ValidationError(
            _("Please agree to the processing of your data to submit."), code="consent")
    if not eoi.topic_interests.exists():
        errors["topics"] = ValidationError(
            _("Choose at least one topic and say whether you share or learn."), code="topics")
    if errors:
        raise ValidationError(errors)


def validate_status_change(*, current: str, to: str, reason: str) -> None:
    """Only the workflow's steps, and never without a reason."""
    if to not in TRANSITIONS.get(current, set()):
        raise ValidationError(
            _("An expression of interest that is %(current)s cannot become %(to)s."),
            code="transition",
            params={"current": EoiStatus(current).label, "to": EoiStatus(to).label})
    if not (reason or "").strip():
        raise ValidationError(_("Please give a reason for the decision."), code="reason")
