"""The tandem and meeting rules (DESIGN.md rules 3 and 4) as plain checks; services call
them under a lock."""

import unicodedata
from datetime import datetime, timedelta
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
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


def validate_city_free(*, city, busy: bool) -> None:
    if busy:
        raise ValidationError(_("%(city)s is already in a tandem of this programme."),
                              code="city_taken", params={"city": city.name})


def validate_lighthouse(*, lighthouse, members) -> None:
    """Each topic's lighthouse is one of the tandem's current members."""
    if lighthouse not in members:
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
