"""Network events as iCalendar (RFC 5545), built like the meetings' calendars.

The online link is for participants: it goes into the file attached to their confirmation,
not into the file anyone can download from the public event page.
"""

from datetime import UTC

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from applications.formatting import german_time
from events.enums import EventKind
from tandems.calendar import UID_DOMAIN, CalendarEntry, entries_ical
from tandems.enums import MeetingFormat


def event_entry(event, *, with_link: bool) -> CalendarEntry:
    """What the VEVENT of ``event`` shows, in the active language."""
    lines = [_("Kind: %(kind)s") % {"kind": EventKind(event.kind).label},
             _("Format: %(format)s") % {"format": MeetingFormat(event.format).label}]
    if event.place:
        lines.append(_("Place: %(place)s") % {"place": event.place})
    if event.link and with_link:
        lines.append(_("Online link: %(link)s") % {"link": event.link})
    if event.description:
        lines += ["", event.description]
    if event.format == MeetingFormat.ONLINE:
        location = event.link if with_link and event.link else str(MeetingFormat.ONLINE.label)
    else:
        location = event.place
    return CalendarEntry(
        uid=f"{event.uid}@{UID_DOMAIN}",
        stamp=event.updated_at.astimezone(UTC),
        start=german_time(event.starts_at),
        end=german_time(event.ends_at),
        sequence=event.sequence,
        status="CONFIRMED",
        summary=event.title,
        location=location,
        url=settings.SITE_URL + event.get_absolute_url(),  # in the active language's prefix
        description="\n".join(lines),
    )


def events_ical(events, *, language: str, with_link: bool = False, name: str = "") -> bytes:
    """One VCALENDAR with a VEVENT per event, its texts in ``language``."""
    events = list(events)
    with translation.override(language):
        entries = [event_entry(event, with_link=with_link) for event in events]
        if not name:
            name = (f"{settings.SITE_NAME}: {events[0].title}" if len(events) == 1
                    else settings.SITE_NAME)
    return entries_ical(entries, name=name)


def event_ics_attachment(related, language):
    """The outbox's ``event_ics`` renderer: the event of a registration, link included.

    Rendered when the mail is sent, so a moved event goes out with its current time; a
    registration no longer confirmed by then (unregistered meanwhile) gets no file.
    """
    from events.enums import RegistrationStatus
    from events.models import Registration

    if related is None:
        return None
    if isinstance(related, Registration):
        if related.status != RegistrationStatus.CONFIRMED:
            return None
        event = related.event
    else:
        event = related
    return (f"event-{event.pk}.ics", events_ical([event], language=language, with_link=True),
            "text/calendar")
