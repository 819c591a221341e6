"""iCalendar files for meetings (RFC 5545): one meeting to download, or a subscription feed.

Times are written in Europe/Berlin with a VTIMEZONE, never in UTC or as a fixed offset, so
a calendar keeps a 10:00 meeting at 10:00 German time on both sides of a clock change.
"""

import hashlib
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vDuration

from applications.formatting import PROGRAMME_ZONE, german_time
from tandems.enums import MeetingFormat, MeetingStatus
from tandems.selectors import calendar_meetings

PRODID = "-//adelphi//#vernetztinEuropa tandem meetings//EN"
UID_DOMAIN = "vernetztineuropa"
# Calendar apps that honour it fetch a subscription this often (RFC 7986; Outlook's name).
REFRESH = timedelta(hours=1)
_END = b"END:VCALENDAR\r\n"
# Serialising one event with icalendar takes about 0.4 ms, so a staff feed of 6,000 meetings
# would take seconds; each event's bytes are cached under a hash of everything they show, so
# a changed meeting gets a new key and nothing can go stale. Bump the version to drop them.
_EVENT_CACHE = "ical-event:1:"
_EVENT_CACHE_SECONDS = 7 * 24 * 60 * 60
# A whole feed is cached under its meetings' ids and change times, so a changed, added or
# removed meeting shows at once; a renamed city reaches the feed within this time.
_FEED_CACHE = "ical-feed:1:"
FEED_CACHE_SECONDS = 10 * 60


class CalendarEntry(NamedTuple):
    """Everything a VEVENT shows: the cache key is a hash of these.

    Times are German time (see :func:`applications.formatting.german_time`); ``stamp`` is UTC.
    Network events (``events.calendar``) build these too and share :func:`entries_ical`.
    """

    uid: str
    stamp: datetime
    start: datetime
    end: datetime
    sequence: int
    status: str
    summary: str
    location: str
    url: str
    description: str


def meetings_ical(meetings, *, name: str, language: str) -> bytes:
    """Return one VCALENDAR with a VEVENT per meeting, its texts in ``language``.

    Pass meetings from :func:`tandems.selectors.calendar_meetings`, so that naming tandems and
    host cities costs no query per meeting.
    """
    with translation.override(language):
        # Translated and named once per calendar, not per meeting: a feed may hold thousands.
        texts = _texts()
        tandems = {}
        events = []
        for meeting in meetings:
            if meeting.tandem_id not in tandems:
                tandems[meeting.tandem_id] = str(meeting.tandem)
            events.append(_fields(meeting, texts=texts, tandem=tandems[meeting.tandem_id]))
    return entries_ical(events, name=name)


def entries_ical(entries, *, name: str) -> bytes:
    """Return one VCALENDAR named ``name`` with a VEVENT per :class:`CalendarEntry`.

    Adds Europe/Berlin's VTIMEZONE for the years the entries touch; each VEVENT's bytes come
    from the cache when nothing it shows has changed.
    """
    entries = list(entries)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.calendar_name = name
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    head = calendar.to_ical()
    parts = [head.removesuffix(_END)]
    if entries:
        years = [moment.year for entry in entries for moment in (entry.start, entry.end)]
        parts.append(_vtimezone(min(years), max(years)))
    parts += _vevents(entries)
    parts.append(_END)
    return b"".join(parts)


def feed_ical(meetings, *, name: str, language: str) -> bytes:
    """:func:`meetings_ical` for a subscription feed of the ``meetings`` queryset, cached.

    Calendar apps fetch feeds every hour or so; an unchanged feed then costs one aggregate
    query instead of loading thousands of meetings. Any change to a meeting raises the
    newest ``updated_at``; a meeting more or less changes the count and the sum of keys.
    """
    state = meetings.order_by().aggregate(count=Count("pk"), keys=Sum("pk"),
                                          newest=Max("updated_at"))
    key = _FEED_CACHE + hashlib.sha256(
        repr((name, language, sorted(state.items()))).encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        body = meetings_ical(calendar_meetings(meetings), name=name, language=language)
        cache.set(key, body, FEED_CACHE_SECONDS)
    return body


def _texts() -> dict:
    """The event texts in the active language."""
    return {"format": _("Format: %(format)s"), "host": _("Host city: %(city)s"),
            "link": _("Online link: %(link)s"), "agenda": _("Agenda:"),
            "cancelled": _("Cancelled: %(meeting)s"),
            "formats": {value: str(label) for value, label in MeetingFormat.choices}}


def _fields(meeting, *, texts: dict, tandem: str) -> CalendarEntry:
    """Read what the event shows from ``meeting``, in the active language."""
    online = meeting.format == MeetingFormat.ONLINE
    lines = [texts["format"] % {"format": texts["formats"][meeting.format]},
             texts["host"] % {"city": meeting.host.name}]
    if meeting.link:
        lines.append(texts["link"] % {"link": meeting.link})
    if meeting.agenda:
        lines += ["", texts["agenda"], meeting.agenda]
    summary = f"{meeting.title} ({tandem})"
    cancelled = meeting.status == MeetingStatus.CANCELLED
    if cancelled:  # some apps show a cancelled event of a subscription like any other
        summary = texts["cancelled"] % {"meeting": summary}
    return CalendarEntry(
        uid=f"{meeting.uid}@{UID_DOMAIN}",
        stamp=meeting.updated_at.astimezone(UTC),
        start=german_time(meeting.starts_at),
        end=german_time(meeting.ends_at),
        sequence=meeting.sequence,
        status="CANCELLED" if cancelled else "CONFIRMED",
        summary=summary,
        location=meeting.link if online else (meeting.place or meeting.host.name),
        url=settings.SITE_URL + meeting.get_absolute_url(),  # in the active language's prefix
        description="\n".join(lines),
    )


@lru_cache(maxsize=16)
def _vtimezone(first_year: int, last_year: int) -> bytes:
    """Europe/Berlin's rules for the years the events touch."""
    return Timezone.from_tzid(PROGRAMME_ZONE.key, first_date=date(first_year, 1, 1),
                              last_date=date(last_year + 1, 1, 1)).to_ical()


def _vevents(events: list[CalendarEntry]) -> list[bytes]:
    keys = [_EVENT_CACHE + hashlib.sha256(repr(tuple(e)).encode()).hexdigest() for e in events]
    cached = cache.get_many(keys)
    missing = {key: _vevent(event) for key, event in zip(keys, events, strict=True)
               if key not in cached}
    if missing:
        cache.set_many(missing, _EVENT_CACHE_SECONDS)
    return [cached[key] if key in cached else missing[key] for key in keys]


def _vevent(fields: CalendarEntry) -> bytes:
    event = Event()
    event.add("uid", fields.uid)
    event.add("dtstamp", fields.stamp)
    event.add("dtstart", fields.start)  # zoneinfo-aware, so written with TZID=Europe/Berlin
    event.add("dtend", fields.end)
    event.add("sequence", fields.sequence)
    event.add("status", fields.status)
    event.add("summary", fields.summary)
    if fields.location:
        event.add("location", fields.location)
    event.add("url", fields.url)
    event.add("description", fields.description)
    return event.to_ical()
