"""The funder report as tables, and those tables as a page, CSV, XLSX and an A4 PDF.

:func:`report_tables` is the one definition of every table (columns, rows, totals); the
page, the PDF, the CSV and the workbook only render it, so they always agree.
Cells are ``str``, ``int``, ``date`` or a ``list`` of lines (a meeting's participants).
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.downloads import LIST_SEPARATOR, XLSX_TYPE, Sheet, csv_text, xlsx_bytes
from reports.selectors import Report

CSV_TABLES = ("meetings", "tandems", "attendance", "events", "summary")
DEFAULT_CSV_TABLE = "meetings"
XLSX_CONTENT_TYPE = XLSX_TYPE


@dataclass(frozen=True)
class Table:
    key: str
    title: str  # a heading on the page, the sheet's name in the workbook
    caption: str
    header: list[str]
    rows: list[list]
    footer: list | None = None
    numeric: frozenset[int] = frozenset()  # indexes of columns that hold figures


def _tandem_table(report: Report) -> Table:
    extra = report.columns
    header = [_("Tandem"), _("Meetings held"),
              *[capfirst(label) for _value, label in report.formats],
              *[str(column.label) for column in extra]]
    rows = [[row.name, row.held, *[row.per_format.get(value, 0) for value, _l in report.formats],
             *[row.extra.get(column.key) for column in extra]] for row in report.tandems]
    totals = report.totals
    footer = [_("Total"), totals.meetings_held,
              *[totals.per_format[value] for value, _l in report.formats],
              *["" for _column in extra]]
    return Table("tandems", _("Tandems"),
                 _("Meetings held per tandem in %(year)s") % {"year": report.year},
                 header, rows, footer, frozenset(range(1, 2 + len(report.formats))))


def _meeting_table(report: Report) -> Table:
    header = [_("Tandem"), _("Date"), _("Title"), _("Format"), _("Host city"),
              _("Participants"), _("Number of participants")]
    rows = [[m.tandem, m.date, m.title, m.format_label, m.host, m.participants,
             len(m.participants)] for m in report.meetings]
    return Table("meetings", _("Meetings"),
                 _("Meetings held in %(year)s, one row per meeting") % {"year": report.year},
                 header, rows, None, frozenset({6}))


def _event_header(event) -> str:
    return _("%(title)s (%(date)s)") % {"title": event.title,
                                        "date": date_format(event.date, "SHORT_DATE_FORMAT")}


def _attendance_table(report: Report) -> Table:
    events = report.events
    header = [_("City"), _("Country"), *[_event_header(e) for e in events],
              _("Registrations"), _("People")]
    rows = [[c.name, c.country, *c.per_event, c.registrations, c.people] for c in report.cities]
    footer = [_("Total"), "", *[e.confirmed for e in events], report.totals.registrations,
              report.totals.people]
    return Table("attendance", _("Attendance"),
                 _("Attendance at network events per city in %(year)s: confirmed "
                   "registrations per event; the people column counts each person once")
                 % {"year": report.year},
                 header, rows, footer, frozenset(range(2, 4 + len(events))))


def _event_table(report: Report) -> Table:
    header = [_("Event"), _("Date"), _("Kind"), _("Format"), _("Registrations"), _("Cities")]
    rows = [[e.title, e.date, e.kind_label, e.format_label, e.confirmed, e.cities]
            for e in report.events]
    footer = [_("Total"), "", "", "", report.totals.registrations, report.totals.cities]
    return Table("events", _("Events"),
                 _("Network events in %(year)s; the total of cities counts each city once")
                 % {"year": report.year},
                 header, rows, footer, frozenset({4, 5}))


def _summary_table(report: Report) -> Table:
    totals = report.totals
    rows = [
        [_("Tandems in the year"), totals.tandems],
        [_("Tandems with at least one meeting held"), totals.tandems_meeting],
        [_("Meetings held"), totals.meetings_held],
        *[[_("Meetings held: %(format)s") % {"format": label}, totals.per_format[value]]
          for value, label in report.formats],
        [_("Participants named at the meetings held"), totals.participant_lines],
        [_("Network events"), totals.events],
        [_("Confirmed registrations for network events"), totals.registrations],
        [_("People at network events"), totals.people],
        [_("Cities at network events"), totals.cities],
    ]
    return Table("summary", _("Summary"),
                 _("Key figures for %(year)s") % {"year": report.year},
                 [_("Figure"), _("Number")], rows, None, frozenset({1}))


def report_tables(report: Report) -> list[Table]:
    """Every table of the report, in the order the page and the PDF show them."""
    return [_summary_table(report), _tandem_table(report), _meeting_table(report),
            _attendance_table(report), _event_table(report)]


def report_table(report: Report, key: str) -> Table:
    return next(table for table in report_tables(report) if table.key == key)


def filename(report: Report, extension: str, table: str = "") -> str:
    stem = f"funder-report-{report.year}"
    return f"{stem}-{table}.{extension}" if table else f"{stem}.{extension}"


# -- the page and the PDF -------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    text: str
    lines: list[str] | None = None
    numeric: bool = False


def _cell(value, numeric: bool) -> Cell:
    if isinstance(value, list):
        return Cell(text=LIST_SEPARATOR.join(value), lines=value)
    if isinstance(value, date):
        return Cell(text=date_format(value, "DATE_FORMAT"))
    return Cell(text="" if value is None else str(value), numeric=numeric)


def display(table: Table) -> dict:
    """A table for the templates: cells as text (dates in the user's style) or lines."""
    def cells(row):
        return [_cell(value, index in table.numeric) for index, value in enumerate(row)]

    return {"key": table.key, "title": table.title, "caption": table.caption,
            "header": [Cell(text=label, numeric=index in table.numeric)
                       for index, label in enumerate(table.header)],
            "rows": [cells(row) for row in table.rows],
            "footer": cells(table.footer) if table.footer else None}


def report_context(report: Report) -> dict:
    return {"report": report, "programme": report.programme, "year": report.year,
            "tables": [display(table) for table in report_tables(report)]}


def report_pdf(report: Report) -> bytes:
    """Render the report to a tagged A4 PDF (PDF/UA-1), like the information sheet."""
    from weasyprint import CSS, HTML

    html = render_to_string("reports/report_pdf.html", {
        **report_context(report), "lang": (get_language() or "de")[:2]})
    stylesheet = CSS(filename=finders.find("reports/report_pdf.css"))
    return HTML(string=html).write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1")


# -- CSV and XLSX -------------------------------------------------------------------------

def report_csv(report: Report, key: str = DEFAULT_CSV_TABLE) -> str:
    """One table as CSV: a header row, a row per line and the totals row, if any."""
    table = report_table(report, key)
    return csv_text(table.header, table.rows, table.footer)


def report_xlsx(report: Report) -> bytes:
    """One workbook, a sheet per table: Summary, Tandems, Meetings, Attendance, Events."""
    return xlsx_bytes([Sheet(table.title, table.header, table.rows, table.footer, freeze="B2")
                       for table in report_tables(report)])
