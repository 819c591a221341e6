"""Reminders for unsubmitted drafts: 7 days and 1 day before their call closes."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import people_of_expressions
from applications.enums import EoiStatus
from applications.formatting import german_time
from applications.models import ExpressionOfInterest
from notifications.registry import Due, ReminderKind


def drafts_due(days_before: int):
    """Who is due the reminder ``days_before`` the close: everybody who works on an open
    draft (its starter, the people let join, the verified contacts).

    The occasion is the reminder's own day, so each draft gets each reminder once.
    """

    def due(now):
        today = timezone.localdate(now)
        closing_day = today + timedelta(days=days_before)
        drafts = list(ExpressionOfInterest.objects
                      .filter(status=EoiStatus.DRAFT, call__closes_at__date=closing_day,
                              call__closes_at__gte=now)
                      .select_related("call", "city"))
        people = people_of_expressions(drafts)
        for eoi in drafts:
            for person in people[eoi.pk]:
                yield Due(recipient=person, related=eoi, occasion=today, context={"eoi": eoi})

    return due


def draft_still_open(eoi, occasion, now) -> bool:
    return eoi.status == EoiStatus.DRAFT and german_time(now) <= german_time(eoi.call.closes_at)


DRAFT_REMINDERS = [
    ReminderKind(name="eoi_draft_7_days", label=_("Unsubmitted expression of interest: "
                                                  "7 days before the deadline"),
                 template="applications/email/eoi_draft_reminder", due=drafts_due(7),
                 is_current=draft_still_open),
    ReminderKind(name="eoi_draft_1_day", label=_("Unsubmitted expression of interest: "
                                                 "1 day before the deadline"),
                 template="applications/email/eoi_draft_reminder", due=drafts_due(1),
                 is_current=draft_still_open),
]
