"""The only write paths for expressions of interest and late entries.

Each applicant action checks the deadline rule (``validators.validate_within_deadline``)
first, whoever calls it: the form, the admin, a command or the shell. Staff decisions
(issue: selection) do not pass through here and go on after the close.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from applications.enums import EoiStatus
from applications.formatting import deadline_text, german_time
from applications.models import Call, ExpressionOfInterest, LateEntry, Score, TopicInterest
from applications.validators import (
    DECISIONS,
    validate_complete_for_submission,
    validate_country_eligible,
    validate_status_change,
    validate_within_deadline,
)
from programme.models import CityContact, JoinRequest

EDITABLE = (EoiStatus.DRAFT, EoiStatus.SUBMITTED)
EOI_FIELDS = ("population", "contact_name", "contact_function", "contact_department",
              "contact_email", "contact_phone", "experience", "motivation",
              "preferred_countries", "working_languages", "meeting_years")


def late_entry_for(*, call: Call, city) -> LateEntry | None:
    return LateEntry.objects.filter(call=call, city=city).first()


def _check_deadline(*, call: Call, city, now: datetime) -> None:
    validate_within_deadline(call=call, now=now, late_entry=late_entry_for(call=call, city=city))


def eoi_start(*, call: Call, city, user, now: datetime) -> ExpressionOfInterest:
    """Start a draft for a municipality; the person who starts it works on this draft.

    They are also named as an unverified contact of the municipality: a claim for staff to
    verify, which opens nothing else (accounts.permissions).
    """
    _check_deadline(call=call, city=city, now=now)
    validate_country_eligible(call=call, city=city)
    exists = ValidationError(
        _("An expression of interest for %(city)s already exists in this call. You can ask "
          "to be added: its verified contacts or the project team decide."), code="exists",
        params={"city": city.name})
    if ExpressionOfInterest.objects.filter(call=call, city=city).exists():
        raise exists
    eoi = ExpressionOfInterest(call=call, city=city, created_by=user, contact_name=user.name,
                               contact_email=user.email, population=city.population)
    try:
        with transaction.atomic():
            eoi.save()  # the unique constraint decides between two people at the same time
            CityContact.objects.get_or_create(user=user, city=city)
    except IntegrityError as error:
        raise exists from error
    return eoi


def eoi_update(*, eoi: ExpressionOfInterest, data: dict, topics: dict, consent: bool,
               now: datetime) -> ExpressionOfInterest:
    """Save a draft or change a submitted expression of interest while the call is open.

    ``topics`` maps each chosen Topic to its role; the saved version is kept in history.
    """
    with transaction.atomic():
        eoi = ExpressionOfInterest.objects.select_for_update().get(pk=eoi.pk)
        _check_deadline(call=eoi.call, city=eoi.city, now=now)
        if eoi.status not in EDITABLE:
            raise ValidationError(_("This expression of interest can no longer be changed."),
                                  code="not_editable")
        for name in EOI_FIELDS:
            if name in data:
                setattr(eoi, name, data[name])
        eoi.consent_at = (eoi.consent_at or now) if consent else None
        eoi.full_clean(exclude=["call", "city", "created_by"])
        eoi.save()
        _set_topics(eoi, topics)
        if eoi.status == EoiStatus.SUBMITTED:
            validate_complete_for_submission(eoi=eoi)
    return eoi


def _set_topics(eoi: ExpressionOfInterest, topics: dict) -> None:
    """Make the chosen topics and roles the expression's own, in a fixed number of queries."""
    current = {interest.topic_id: interest for interest in eoi.topic_interests.all()}
    chosen = {topic.pk: role for topic, role in topics.items()}
    removed = [interest.pk for topic_id, interest in current.items() if topic_id not in chosen]
    if removed:
        TopicInterest.objects.filter(pk__in=removed).delete()
    changed = [current[t] for t, role in chosen.items() if t in current and current[t].role != role]
    for interest in changed:
        interest.role = chosen[interest.topic_id]
    if changed:
        bulk_update_with_history(changed, TopicInterest, ["role"])
    new = [TopicInterest(eoi=eoi, topic_id=t, role=role) for t, role in chosen.items()
           if t not in current]
    if new:
        bulk_create_with_history(new, TopicInterest)


def _next_reference(call: Call) -> str:
    """The call's next reference; the caller holds the call's row lock.

    It follows the highest reference the call has ever given, read from the history, which
    keeps those of deleted entries too: a reference is never given twice.
    """
    prefix = f"{'TRY' if call.is_practice else 'VIE'}-{german_time(call.closes_at).year}-"
    highest = (ExpressionOfInterest.history.filter(call_id=call.pk, reference__startswith=prefix)
               .order_by(Length("reference").desc(), "-reference")
               .values_list("reference", flat=True).first() or "").removeprefix(prefix)
    return f"{prefix}{(int(highest) if highest.isdigit() else 0) + 1:04d}"


def eoi_submit(*, eoi: ExpressionOfInterest, user, now: datetime) -> ExpressionOfInterest:
    """Submit a complete draft: give it a reference and confirm it by e-mail with a PDF copy."""
    from notifications.services import message_queue

    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=eoi.call_id)  # one numbering at a time
        eoi = ExpressionOfInterest.objects.select_for_update().get(pk=eoi.pk)
        _check_deadline(call=eoi.call, city=eoi.city, now=now)
        if eoi.status != EoiStatus.DRAFT:
            raise ValidationError(_("This expression of interest has already been submitted."),
                                  code="already_submitted")
        validate_complete_for_submission(eoi=eoi)
        eoi.status, eoi.submitted_at = EoiStatus.SUBMITTED, now
        eoi.reference = eoi.reference or _next_reference(call)
        eoi.save()
        message_queue(
            kind="eoi_submitted", to=user.email, recipient=user, related=eoi,
            template="applications/email/eoi_submitted", key=f"eoi_submitted:{eoi.pk}",
            context={"eoi": eoi, "deadline": deadline_text(eoi.call.closes_at)},
            attachments=("eoi_pdf",),
        )
    return eoi


def eoi_withdraw(*, eoi: ExpressionOfInterest, by, now: datetime) -> ExpressionOfInterest:
    """Withdraw an expression of interest; the applicant may, before and after the close."""
    if eoi.status == EoiStatus.WITHDRAWN:
        return eoi
    return eoi_change_status(eoi=eoi, to=EoiStatus.WITHDRAWN, by=by, now=now,
                             reason=_("Withdrawn by the municipality."))


def eoi_change_status(*, eoi: ExpressionOfInterest, to: str, by, reason: str, now: datetime,
                      reason_in_mail: bool = False) -> ExpressionOfInterest:
    """Move an expression of interest through the selection: the one way to change its status.

    Records who, when and why in the history. A decision (shortlisted, accepted,
    waitlisted, declined) is mailed to everybody who works on the entry (its starter, the
    people let join and the verified contacts; not someone who merely claims the
    municipality) in their language, with the reason if staff chose to include it.
    """
    from accounts.permissions import people_of_expressions
    from notifications.services import message_queue

    with transaction.atomic():
        eoi = (ExpressionOfInterest.objects.select_for_update()
               .select_related("call", "city").get(pk=eoi.pk))
        validate_status_change(current=eoi.status, to=to, reason=reason)
        eoi.status = to
        eoi._history_user, eoi._change_reason = by, reason.strip()
        eoi.save()
        if to in DECISIONS:
            version = eoi.history.latest().history_id
            for person in people_of_expressions([eoi])[eoi.pk]:
                message_queue(
                    kind="eoi_decision", to=person.email, recipient=person,
                    related=eoi, key=f"eoi_decision:{eoi.pk}:{version}:{person.pk}",
                    template="applications/email/eoi_decision",
                    context={"eoi": eoi, "reason": reason.strip() if reason_in_mail else ""},
                )
    return eoi


def eoi_delete_draft(*, eoi: ExpressionOfInterest) -> None:
    """Delete a draft that was never submitted (also after the close).

    The starter's unverified claim to the municipality goes with it, unless another entry
    they started or an approved request to join still stands behind it.
    """
    eoi = ExpressionOfInterest.objects.get(pk=eoi.pk)
    if eoi.status != EoiStatus.DRAFT or eoi.submitted_at:
        raise ValidationError(_("Only a draft that was never submitted can be deleted."),
                              code="not_a_draft")
    with transaction.atomic():
        eoi.delete()
        starter, city = eoi.created_by_id, eoi.city_id
        still_needed = (
            ExpressionOfInterest.objects.filter(created_by=starter, city=city).exists()
            or JoinRequest.objects.filter(user=starter, city=city, approved=True).exists())
        if starter and not still_needed:
            CityContact.objects.filter(user=starter, city=city, verified_at=None).delete()


def late_entry_grant(*, call: Call, city, reason: str, expires_at: datetime, by,
                     now: datetime) -> LateEntry:
    """Let one municipality enter or change its expression of interest until ``expires_at``."""
    if expires_at <= now:
        raise ValidationError({"expires_at": _("A late entry must end in the future.")},
                              code="expired")
    entry = LateEntry.objects.filter(call=call, city=city).first() or LateEntry(call=call,
                                                                                 city=city)
    entry.reason, entry.expires_at, entry.granted_by, entry.granted_at = reason, expires_at, by, now
    entry.full_clean()
    entry.save()  # the history keeps who granted what, and every change
    return entry


def scores_save(*, eoi: ExpressionOfInterest, reviewer, scores: dict) -> list[Score]:
    """Save one reviewer's scores: ``scores`` maps each Criterion to (value, note).

    A value of None leaves the criterion out: no score is saved for it, and this reviewer's
    earlier score for it goes. Only the programme's criteria can be scored.
    """
    saved = []
    with transaction.atomic():
        for criterion, (value, note) in scores.items():
            if criterion.programme_id != eoi.call.programme_id:
                raise ValidationError(_("%(criterion)s is not a criterion of this call's "
                                        "programme.") % {"criterion": criterion},
                                      code="foreign_criterion")
            mine = Score.objects.filter(eoi=eoi, criterion=criterion, reviewer=reviewer)
            if value is None:
                mine.delete()
                continue
            score = mine.first() or Score(eoi=eoi, criterion=criterion, reviewer=reviewer)
            score.value, score.note = value, note
            score.full_clean()
            score.save()
            saved.append(score)
    return saved


ANONYMISED = "—"


def eois_purge(*, older_than_days: int, now: datetime, dry_run: bool = False) -> list[str]:
    """Anonymise declined and withdrawn expressions of interest after the retention period.

    The municipality, call, status, topics and scores stay for the programme's figures;
    the contact person, free texts and every stored version of them go.
    """
    cutoff = now - timedelta(days=older_than_days)
    due = ExpressionOfInterest.objects.filter(
        status__in=[EoiStatus.DECLINED, EoiStatus.WITHDRAWN], updated_at__lt=cutoff,
    ).exclude(contact_name=ANONYMISED).select_related("city")
    purged = [f"{eoi.reference or eoi.pk} {eoi.city.name}" for eoi in due]
    if dry_run or not purged:
        return purged
    with transaction.atomic():
        ids = list(due.values_list("pk", flat=True))
        personal = {"contact_name": ANONYMISED, "contact_function": "", "contact_department": "",
                    "contact_email": "", "contact_phone": "", "experience": "",
                    "motivation": ""}
        ExpressionOfInterest.objects.filter(pk__in=ids).update(**personal)
        ExpressionOfInterest.history.filter(id__in=ids).update(**personal)
        Score.objects.filter(eoi_id__in=ids).update(note="")
    return purged
