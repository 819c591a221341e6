"""The tandem and meeting rules (DESIGN.md rules 3 and 4) as plain checks; services call
them under a lock."""

import unicodedata
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from applications.formatting import german_time
from tandems.enums import MeetingStatus, TandemState

STATE_CHANGES = {
    TandemState.FORMING: {TandemState.ACTIVE, TandemState.DISSOLVED},
    TandemState.ACTIVE: {TandemState.ENDED, TandemState.DISSOLVED},
    TandemState.ENDED: set(),
    TandemState.DISSOLVED: set(),
}


def validate_pair(*, german_city, partner_city) -> None:
    """A tandem is one German municipality and one city from another European country."""
    if not german_city.is_german or partner_city.is_german:
        raise ValidationError(
            _("A tandem joins one German municipality and one city from another country."),
            code="pair")


def validate_free_place(*, programme, live_tandems: int) -> None:
    if live_tandems >= programme.max_tandems:
        raise ValidationError(
            _("The programme already has its %(max)s tandems."), code="full",
            params={"max": programme.max_tandems})


# -- memberships over time ---------------------------------------------------------------
# A membership covers joined_on..left_on, both days included (left_on is the last day; None
# while the city is still a member). The services create open memberships only, so a new
# one from ``joined_on`` overlaps every other that has not ended before ``joined_on``.

def _day(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


def _blocking(memberships, joined_on: date):
    """The membership that an open membership from ``joined_on`` would overlap, if any:
    a current one first, else the one that ended last."""
    overlapping = [m for m in memberships if m.left_on is None or m.left_on >= joined_on]
    return max(overlapping, key=lambda m: m.left_on or date.max, default=None)


def validate_join_date(*, joined_on: date, formed_on: date, today: date) -> None:
    """A city joins today or on a past date (German time), not before its tandem formed.

    A membership without a last day counts as current everywhere (pages, permissions,
    constraints), so a join is recorded when it has happened, never ahead.
    """
    if joined_on > today:
        raise ValidationError(
            _("A city joins a tandem today or on an earlier date, not after today "
              "(%(today)s)."), code="join_future", params={"today": _day(today)})
    if joined_on < formed_on:
        raise ValidationError(
            _("The tandem was formed on %(formed)s; a city cannot join it earlier."),
            code="join_before_formed", params={"formed": _day(formed_on)})


def validate_one_city_per_side(*, joined_on: date, side) -> None:
    """A tandem is two cities on every date: never two German members or two partners.

    ``side``: the tandem's memberships on the joining city's side (German or not).
    """
    other = _blocking(side, joined_on)
    if other is None:
        return
    if other.left_on is None:
        raise ValidationError(
            _("%(city)s is a current member of this tandem from the same side; a tandem is "
              "one German municipality and one partner city. Record its withdrawal first."),
            code="pair", params={"city": other.city.name})
    raise ValidationError(
        _("%(city)s was a member of this tandem until %(last)s (its last day), so a city from "
          "the same side can join from %(next)s."), code="pair",
        params={"city": other.city.name, "last": _day(other.left_on),
                "next": _day(other.left_on + timedelta(days=1))})


def validate_city_free(*, city, joined_on: date, memberships) -> None:
    """A city is in at most one tandem of a programme at any date.

    ``memberships``: the city's memberships in the programme, in any of its tandems.
    """
    other = _blocking(memberships, joined_on)
    if other is None:
        return
    if other.left_on is None:
        raise ValidationError(_("%(city)s is already in a tandem of this programme."),
                              code="city_taken", params={"city": city.name})
    raise ValidationError(
        _("%(city)s was in a tandem of this programme until %(last)s; it can join another one "
          "from %(next)s."), code="city_taken",
        params={"city": city.name, "last": _day(other.left_on),
                "next": _day(other.left_on + timedelta(days=1))})


def validate_withdrawal(*, membership, left_on: date, today: date, hosted=()) -> None:
    """A withdrawal is dated today or earlier (German time), not before the city joined,
    and not before a meeting the city hosts in the tandem.

    ``hosted``: the meetings of the tandem, not cancelled, that the city hosts.
    """
    city = membership.city.name
    if membership.left_on is not None:
        raise ValidationError(_("%(city)s has already withdrawn; its last day was %(last)s."),
                              code="already_left",
                              params={"city": city, "last": _day(membership.left_on)})
    if left_on > today:
        raise ValidationError(_("A withdrawal cannot be dated after today (%(today)s)."),
                              code="left_future", params={"today": _day(today)})
    if left_on < membership.joined_on:
        raise ValidationError(
            _("%(city)s joined this tandem on %(joined)s; its last day cannot be earlier."),
            code="left_before_join", params={"city": city, "joined": _day(membership.joined_on)})
    later = sorted((m for m in hosted if german_time(m.starts_at).date() > left_on),
                   key=lambda m: m.starts_at)
    if later:
        raise ValidationError(
            _("%(city)s hosts the meeting “%(meeting)s” on %(day)s, after that date. Date the "
              "withdrawal on or after that day, or give the meeting another host or cancel it "
              "first."), code="hosts_later_meeting",
            params={"city": city, "meeting": later[-1].title,
                    "day": _day(german_time(later[-1].starts_at).date())})


def validate_lighthouse(*, lighthouse, members) -> None:
    """Each topic's lighthouse is one of the tandem's current members, or still to be
    agreed (None) after the city that led it withdrew."""
    if lighthouse is not None and lighthouse not in members:
        raise ValidationError(
            _("%(city)s is not a current member of this tandem and cannot lead a topic."),
            code="lighthouse_not_member", params={"city": lighthouse.name})


def validate_state_change(*, current: str, to: str) -> None:
    if to not in STATE_CHANGES[current]:
        raise ValidationError(
            _("A tandem that is %(current)s cannot become %(to)s."), code="state",
            params={"current": TandemState(current).label, "to": TandemState(to).label})


# -- meetings (DESIGN.md rule 4) ---------------------------------------------------------

MEETING_STATUS_CHANGES = {
    MeetingStatus.PLANNED: {MeetingStatus.HELD, MeetingStatus.CANCELLED},
    MeetingStatus.HELD: {MeetingStatus.PLANNED},
    MeetingStatus.CANCELLED: {MeetingStatus.PLANNED},
}
MAX_MEETING_LENGTH = timedelta(days=7)


def validate_meeting_times(*, starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": ValidationError(
            _("A meeting ends after it starts."), code="ends_before_start")})
    if ends_at - starts_at > MAX_MEETING_LENGTH:
        raise ValidationError({"ends_at": ValidationError(
            _("A meeting lasts at most seven days; please check the dates."), code="too_long")})


def validate_meeting_year(*, programme, starts_at: datetime) -> None:
    """Meetings take place in the programme's meeting years only (German time)."""
    years = programme.meeting_years
    if german_time(starts_at).year not in years:
        raise ValidationError({"starts_at": ValidationError(
            _("Tandems meet from %(first)s to %(last)s; please choose a date in those years."),
            code="outside_years", params={"first": years[0], "last": years[-1]})})


def validate_meeting_place(*, programme, year: int, live_meetings: int) -> None:
    """At most ``max_meetings_per_year`` meetings that are not cancelled per tandem and year."""
    if live_meetings >= programme.max_meetings_per_year:
        raise ValidationError({"starts_at": ValidationError(
            _("This tandem already has %(max)s meetings in %(year)s. Cancel one of them or "
              "choose another year."),
            code="year_full", params={"max": programme.max_meetings_per_year, "year": year})})


def validate_meeting_host(*, host, members) -> None:
    if host not in members:
        raise ValidationError({"host": ValidationError(
            _("The host is one of the tandem's two cities on the day of the meeting."),
            code="host_not_member")})


def validate_meeting_status_change(*, current: str, to: str, starts_at: datetime,
                                   now: datetime) -> None:
    if to not in MEETING_STATUS_CHANGES[current]:
        raise ValidationError(
            _("A meeting that is %(current)s cannot become %(to)s."), code="status",
            params={"current": MeetingStatus(current).label, "to": MeetingStatus(to).label})
    if to == MeetingStatus.HELD and starts_at > now:
        raise ValidationError(_("A meeting can be marked as held once it has started."),
                              code="not_started")


# -- meeting documents -------------------------------------------------------------------

# What may be uploaded, by detected content: MIME type -> the extensions its name may have.
# Content is read with ``filetype`` (magic bytes); the browser's type and the name alone
# prove nothing.
DOCUMENT_TYPES = {
    "application/pdf": ("pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
    "application/msword": ("doc",),
    "application/vnd.ms-excel": ("xls",),
    "application/vnd.ms-powerpoint": ("ppt",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/webp": ("webp",),
}
# filetype tells the legacy (OLE) Office formats apart only by heuristics, so one of them
# may be taken for another: within this family the name's extension decides the type.
OLE_FAMILY = {"doc": "application/msword", "xls": "application/vnd.ms-excel",
              "ppt": "application/vnd.ms-powerpoint"}
DOCUMENT_HEAD_BYTES = 8192  # as much as filetype ever looks at
DOCUMENT_NAME_MAX = 200


def document_name(name: str) -> str:
    """Return a file name fit to keep and to send back: no path, no control characters,
    at most ``DOCUMENT_NAME_MAX`` characters with the extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    # A browser may send a Windows path; only the last part is the name.
    name = PurePosixPath(name.replace("\\", "/")).name
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = " ".join(name.split()).strip(" .") or "document"
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:DOCUMENT_NAME_MAX]
    return stem[:DOCUMENT_NAME_MAX - len(extension) - 1] + "." + extension


def document_max_mb() -> str:
    """The upload limit in MB as people read it in the current language (20, 2,5)."""
    mb = round(settings.MEETING_DOCUMENT_MAX_BYTES / 2**20, 1)
    return number_format(int(mb) if mb == int(mb) else mb)


def validate_document(*, head: bytes, size: int, name: str) -> str:
    """Return the MIME type of an uploaded meeting document, or raise if it may not be kept.

    ``head`` is the file's first bytes (``DOCUMENT_HEAD_BYTES``), ``size`` its length and
    ``name`` its (cleaned) file name, whose extension has to fit the detected content.
    """
    if size <= 0 or not head:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > settings.MEETING_DOCUMENT_MAX_BYTES:
        raise ValidationError(_("The file is too large: at most %(max)s MB are allowed."),
                              code="too_large", params={"max": document_max_mb()})
    detected = filetype.guess_mime(bytes(head[:DOCUMENT_HEAD_BYTES]))
    if detected not in DOCUMENT_TYPES:
        raise ValidationError(
            _("This type of file cannot be uploaded. Please upload a PDF, an office document "
              "(Word, Excel, PowerPoint or OpenDocument) or an image (PNG, JPEG or WebP)."),
            code="type")
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    if detected in OLE_FAMILY.values() and extension in OLE_FAMILY:
        return OLE_FAMILY[extension]
    if extension not in DOCUMENT_TYPES[detected]:
        expected = DOCUMENT_TYPES[detected][0]
        raise ValidationError(
            _("“%(name)s” is mislabelled: its content is of type %(type)s, which does not "
              "match its name. Please give it the extension .%(extension)s or choose the "
              "right file."),
            code="mislabelled",
            params={"name": name, "type": expected.upper(), "extension": expected})
    return detected


# -- minutes -----------------------------------------------------------------------------

def validate_minutes_allowed(*, status: str, starts_at: datetime, now: datetime) -> None:
    """Minutes are written about a meeting that has taken place, not a cancelled one."""
    if status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting has no minutes."), code="cancelled")
    if starts_at > now:
        raise ValidationError(_("Minutes can be written once the meeting has started."),
                              code="not_started")
