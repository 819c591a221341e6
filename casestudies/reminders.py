"""Review reminders: staff when a case study waits in review, the cities when their approval
is pending, each after a number of days (settings ``CASE_STUDY_REVIEW_REMINDER_DAYS`` and
``CASE_STUDY_APPROVAL_REMINDER_DAYS``).

The occasion is the day the reminder falls due (the day the study entered the stage plus
the days), so each stay in review, and each round with the cities, is reminded once; a
study that moved on is no longer current.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from accounts.permissions import staff_members
from applications.formatting import german_time
from casestudies.enums import CaseStudyStatus, ReviewAction
from casestudies.models import CaseStudy, ReviewStep
from notifications.registry import Due, ReminderKind
from programme.models import CityContact
from tandems.models import Membership


def _waiting(status: str, days: int, now):
    """Studies in ``status`` whose ``days`` run out today (German dates)."""
    today = german_time(now).date()
    studies = (CaseStudy.objects.filter(status=status,
                                        status_changed_at__lte=now - timedelta(days=days - 1),
                                        status_changed_at__gt=now - timedelta(days=days + 1))
               .select_related("tandem"))
    return [(study, today) for study in studies if _falls_due(study, days) == today]


def _falls_due(case_study, days: int):
    return german_time(case_study.status_changed_at).date() + timedelta(days=days)


def review_due(now):
    """Every active staff member, for each study in review longer than the set days."""
    days = settings.CASE_STUDY_REVIEW_REMINDER_DAYS
    studies = _waiting(CaseStudyStatus.IN_REVIEW, days, now)
    staff = list(staff_members()) if studies else []
    for case_study, day in studies:
        for user in staff:
            yield Due(recipient=user, related=case_study, occasion=day,
                      context={"case_study": case_study, "days": days,
                               "site_url": settings.SITE_URL})


def approval_due(now):
    """The verified contacts of each member city that has not approved in this round."""
    days = settings.CASE_STUDY_APPROVAL_REMINDER_DAYS
    contacts = CityContact.objects.filter(verified_at__isnull=False, user__is_active=True)
    waiting = dict(_waiting(CaseStudyStatus.WITH_CITIES, days, now))
    studies = CaseStudy.objects.filter(pk__in=[s.pk for s in waiting]).prefetch_related(
        Prefetch("tandem__memberships",
                 queryset=Membership.objects.filter(left_on=None).select_related("city")
                 .prefetch_related(Prefetch("city__contacts", queryset=contacts.select_related(
                     "user")))),
        Prefetch("review_steps", queryset=ReviewStep.objects.filter(
            action=ReviewAction.APPROVE), to_attr="approvals"))
    for case_study in studies:
        approved = {s.city_id for s in case_study.approvals if s.round == case_study.review_round}
        for membership in case_study.tandem.memberships.all():
            if membership.city_id in approved:
                continue
            for contact in membership.city.contacts.all():
                yield Due(recipient=contact.user, related=case_study,
                          occasion=_falls_due(case_study, days),
                          context={"case_study": case_study, "city": membership.city,
                                   "days": days, "site_url": settings.SITE_URL})


def still_waiting(status: str, days_setting: str):
    def is_current(case_study, occasion, now) -> bool:
        return (case_study.status == status and case_study.status_changed_at is not None
                and _falls_due(case_study, getattr(settings, days_setting)) == occasion)

    return is_current


CASE_STUDY_REMINDERS = [
    ReminderKind(name="casestudy_review_waiting",
                 label=_("Case study waiting in review (staff)"),
                 template="casestudies/email/review_waiting", due=review_due,
                 is_current=still_waiting(CaseStudyStatus.IN_REVIEW,
                                            "CASE_STUDY_REVIEW_REMINDER_DAYS")),
    ReminderKind(name="casestudy_approval_pending",
                 label=_("Case study waiting for your city's approval"),
                 template="casestudies/email/approval_pending", due=approval_due,
                 is_current=still_waiting(CaseStudyStatus.WITH_CITIES,
                                            "CASE_STUDY_APPROVAL_REMINDER_DAYS")),
]
