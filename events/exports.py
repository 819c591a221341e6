"""The participant lists of events as CSV or Excel, for staff (in the admin's language).

Per event the confirmed come first, then the waiting list in its order; unregistered people
are left out. Times are German time.
"""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from core.downloads import CSV_TYPE, XLSX_TYPE, Sheet, csv_text, download, xlsx_bytes
from events.selectors import participants


def _header() -> list[str]:
    return [_("Event"), _("Name"), _("E-mail"), _("City"), _("Country"), _("Status"),
            _("Position on the waiting list"), _("Registered at (German time)")]


def participant_rows(events) -> list[list]:
    """One row per registered or waiting person of ``events`` (a fixed number of queries)."""
    return [[r.event.title, r.user.name, r.user.email, r.city.name, r.city.get_country_display(),
             r.get_status_display(), r.position, r.created_at]
            for r in participants(events)]


def participants_csv(events) -> str:
    return csv_text(_header(), participant_rows(events))


def participants_xlsx(events) -> bytes:
    return xlsx_bytes([Sheet(_("Participants"), _header(), participant_rows(events),
                             widths=(40, 28, 32, 22, 16, 22, 12, 20))])


def participants_response(events, fmt: str, *, name: str = "participants") -> HttpResponse:
    """A download of the participant lists of ``events``; ``fmt`` is "csv" or "xlsx"."""
    if fmt == "csv":
        return download(participants_csv(events), CSV_TYPE, f"{name}.csv")
    return download(participants_xlsx(events), XLSX_TYPE, f"{name}.xlsx")
