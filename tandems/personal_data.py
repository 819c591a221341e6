"""The tandems' sections of the personal-data download (see accounts/personal_data.py):
meetings planned, minutes and documents, calendar subscriptions.

Meetings, minutes and documents belong to the tandem and stay when an account is deleted,
without the person's name.
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
    versions_saved,
)
from tandems.models import CalendarFeed, Meeting, MeetingDocument, Minutes


def _meeting(meeting) -> dict:
    return {"tandem": text(meeting.tandem), "meeting": meeting.title,
            "starts_at": moment(meeting.starts_at)}


def meetings_planned_by(user) -> list[dict]:
    return [{**_meeting(m), "ends_at": moment(m.ends_at), "format": choice(m, "format"),
             "host": m.host.name, "place": m.place, "link": m.link, "agenda": m.agenda,
             "participants": m.participants, "status": choice(m, "status")}
            for m in Meeting.objects.filter(created_by=user).select_related("host")
            .order_by("starts_at", "pk")]


def minutes_written_by(user) -> list[dict]:
    """Every version of minutes the person saved, with its text."""
    rows = list(Minutes.history.filter(Q(history_user=user) | Q(updated_by=user))
                .order_by("history_date"))
    meetings = Meeting.objects.in_bulk({row.meeting_id for row in rows})
    return [{**(_meeting(meetings[row.meeting_id]) if row.meeting_id in meetings
                else {"meeting": f"#{row.meeting_id}"}),
             "version": row.version, "saved_at": moment(row.history_date), "text": row.text}
            for row in rows]


def documents_uploaded_by(user) -> list[dict]:
    # What is recorded about the upload; the file itself is the tandem's, on its page.
    return [{**_meeting(d.meeting), "file_name": d.name, "kind": choice(d, "kind"),
             "type": d.content_type, "size_in_bytes": d.size,
             "uploaded_at": moment(d.uploaded_at)}
            for d in MeetingDocument.objects.filter(uploaded_by=user).select_related("meeting")
            .order_by("uploaded_at", "pk")]


def calendar_feeds_of(user) -> list[dict]:
    # Never the token: it is the feed's secret address.
    return [{"tandem": text(f.tandem) if f.tandem_id else str(_("all your tandems")),
             "made_at": moment(f.created_at)}
            for f in CalendarFeed.objects.filter(user=user).select_related("tandem")
            .order_by("created_at", "pk")]


HISTORY = ("tandems.HistoricalTandem", "tandems.HistoricalMembership",
           "tandems.HistoricalTandemTopic", "tandems.HistoricalMeeting")


def register_sections() -> None:
    register(Section(
        key="meetings_you_planned", title=_("Tandem meetings you planned"),
        relations=(Relation("tandems.Meeting.created_by", CLEAR),
                   Relation("tandems.HistoricalMeeting.created_by", CLEAR)),
        export=meetings_planned_by))
    register(Section(
        key="minutes_you_wrote", title=_("Versions of meeting minutes you wrote"),
        relations=(Relation("tandems.Minutes.updated_by", CLEAR),
                   Relation("tandems.HistoricalMinutes.updated_by", CLEAR),
                   history_user("tandems.HistoricalMinutes")),
        export=minutes_written_by))
    register(Section(
        key="documents_you_uploaded", title=_("Meeting documents you uploaded (their details)"),
        relations=(Relation("tandems.MeetingDocument.uploaded_by", CLEAR),),
        export=documents_uploaded_by))
    register(Section(
        key="calendar_subscriptions", title=_("Your calendar subscriptions (without their "
                                              "secret addresses)"),
        relations=(Relation("tandems.CalendarFeed.user", DELETE),), export=calendar_feeds_of))
    register(Section(
        key="tandem_versions_you_saved",
        title=_("Versions of tandems, memberships and meetings you saved"),
        relations=tuple(history_user(label) for label in HISTORY),
        export=lambda user: versions_saved(user, *HISTORY)))
