"""Meeting reminders: the tandem's members 14 days and 2 days before, with the .ics attached,
and 7 days after a held meeting while its minutes are missing.

A reminder's occasion is the meeting's German date, so a moved meeting gets reminders for
its new date; the old ones, if still unsent, are skipped because they are no longer current.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from applications.formatting import german_time
from notifications.registry import Due, ReminderKind
from programme.models import CityContact
from tandems.enums import MeetingStatus
from tandems.models import Meeting, Membership, Minutes

# The tandem's current cities and their staff-verified contacts, who get the reminders.
_CURRENT_CONTACTS = Prefetch(
    "tandem__memberships",
    queryset=Membership.objects.filter(left_on=None).select_related("city")
    .prefetch_related(Prefetch("city__contacts", queryset=CityContact.objects.filter(
        verified_at__isnull=False).select_related("user"))))


def meetings_due(days_before: int, until_days_before: int = 0):
    """Who is due: every contact of the current member cities of each planned meeting that
    starts within ``days_before`` days, and not yet within ``until_days_before`` days (the
    later reminder's turn). A window rather than one day, so a sweep that missed a day
    still sends; the reminder key keeps it to one mail.
    """

    def due(now):
        today = german_time(now).date()
        meetings = (Meeting.objects
                    .filter(status=MeetingStatus.PLANNED, starts_at__gt=now,
                            starts_at__lt=now + timedelta(days=days_before + 1))
                    .select_related("tandem", "host").prefetch_related(_CURRENT_CONTACTS))
        for meeting in meetings:
            day = german_time(meeting.starts_at).date()
            if not until_days_before < (day - today).days <= days_before:
                continue
            for membership in meeting.tandem.memberships.all():
                for contact in membership.city.contacts.all():
                    yield Due(recipient=contact.user, related=meeting, occasion=day,
                              context={"meeting": meeting, "tandem": meeting.tandem,
                                       "days": (day - today).days,
                                       "site_url": settings.SITE_URL})

    return due


def meeting_still_on(meeting, occasion, now) -> bool:
    """Still planned, on the same day, and not begun."""
    return (meeting.status == MeetingStatus.PLANNED and meeting.starts_at > now
            and german_time(meeting.starts_at).date() == occasion)


def meeting_ics_attachment(meeting, language):
    from tandems.calendar import meetings_ical

    if meeting is None:
        return None
    return (f"meeting-{meeting.pk}.ics",
            meetings_ical([meeting], name=meeting.title, language=language),
            "text/calendar")


MINUTES_AFTER = timedelta(days=7)


def minutes_due(now):
    """The contacts of each held meeting that ended seven days ago and has no minutes yet.

    The occasion is that seventh day, so each meeting is reminded once.
    """
    today = german_time(now).date()
    meetings = (Meeting.objects
                .filter(status=MeetingStatus.HELD, minutes__isnull=True,
                        ends_at__lte=now - MINUTES_AFTER + timedelta(days=1),
                        ends_at__gt=now - MINUTES_AFTER - timedelta(days=1))
                .select_related("tandem", "host").prefetch_related(_CURRENT_CONTACTS))
    for meeting in meetings:
        if german_time(meeting.ends_at).date() + MINUTES_AFTER != today:
            continue
        for membership in meeting.tandem.memberships.all():
            for contact in membership.city.contacts.all():
                yield Due(recipient=contact.user, related=meeting, occasion=today,
                          context={"meeting": meeting, "tandem": meeting.tandem,
                                   "site_url": settings.SITE_URL})


def minutes_still_missing(meeting, occasion, now) -> bool:
    return meeting.status == MeetingStatus.HELD and not Minutes.objects.filter(
        meeting=meeting).exists()


TANDEM_REMINDERS = [
    ReminderKind(name="meeting_14_days", label=_("Tandem meeting: 14 days before"),
                 template="tandems/email/meeting_reminder", due=meetings_due(14, 2),
                 is_current=meeting_still_on, attachments=("meeting_ics",)),
    ReminderKind(name="meeting_2_days", label=_("Tandem meeting: 2 days before"),
                 template="tandems/email/meeting_reminder", due=meetings_due(2),
                 is_current=meeting_still_on, attachments=("meeting_ics",)),
    ReminderKind(name="minutes_missing", label=_("Minutes still missing, 7 days after a meeting"),
                 template="tandems/email/minutes_missing", due=minutes_due,
                 is_current=minutes_still_missing),
]
