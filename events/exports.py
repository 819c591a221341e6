"""The participant lists of events as CSV or Excel, for staff (in the admin's language).

Per event the confirmed come first, then the waiting list in its order; unregistered people
are left out. Times are German time.
"""

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _

from applications.formatting import german_time
from core.downloads import download, formula_safe
from events.selectors import participants

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _header() -> list[str]:
    return [_("Event"), _("Name"), _("E-mail"), _("City"), _("Country"), _("Status"),
            _("Position on the waiting list"), _("Registered at (German time)")]


def participant_rows(events) -> list[list]:
    """One row per registered or waiting person of ``events`` (a fixed number of queries)."""
    return [[*map(formula_safe, (r.event.title, r.user.name, r.user.email, r.city.name)),
             r.city.get_country_display(), r.get_status_display(), r.position,
             german_time(r.created_at).replace(tzinfo=None, microsecond=0)]
            for r in participants(events)]


def participants_csv(events) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the umlauts right
    writer = csv.writer(out)
    writer.writerow(_header())
    for row in participant_rows(events):
        *rest, registered = row
        writer.writerow(["" if v is None else v for v in rest]
                        + [registered.strftime("%Y-%m-%d %H:%M:%S")])
    return out.getvalue()


def participants_xlsx(events) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Participants")[:31]
    sheet.append(_header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in participant_rows(events):
        sheet.append(row)
        sheet.cell(sheet.max_row, len(row)).number_format = "yyyy-mm-dd hh:mm:ss"
    for letter, width in zip("ABCDEFGH", (40, 28, 32, 22, 16, 22, 12, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def participants_response(events, fmt: str, *, name: str = "participants") -> HttpResponse:
    """A download of the participant lists of ``events``; ``fmt`` is "csv" or "xlsx"."""
    if fmt == "csv":
        return download(participants_csv(events), "text/csv; charset=utf-8", f"{name}.csv")
    return download(participants_xlsx(events), XLSX_TYPE, f"{name}.xlsx")
