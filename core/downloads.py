"""Files the site hands out: the download response, and the one writer of CSV and XLSX.

Every spreadsheet the platform produces is written by :func:`csv_text` or
:func:`xlsx_bytes`, so every one is formula-safe: a text that a spreadsheet program would
run as a formula (it starts with =, +, -, @, a tab or a CR) stays plain text, while numbers
and dates keep their type (a negative number is a number). Times are German time.
``tests/core/test_downloads.py`` fails if another module writes CSV or XLSX itself.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse

from core.clock import german_time

# A cell that starts like this is a formula to spreadsheet programs: never run people's text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"


def formula_safe(value):
    """``value``, with a text that a spreadsheet would run as a formula made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def download(content, content_type: str, filename: str) -> HttpResponse:
    """``content`` as a file to save, named ``filename``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _value(value):
    """A cell as both writers take it: None, a number, a date, a naive German time or text."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = german_time(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return value
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return str(value)  # lazy translations, model instances


def _csv_cell(value):
    value = _value(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return formula_safe(value)


def csv_text(header: list, rows, footer: list | None = None) -> str:
    """A table as CSV, with a BOM so that spreadsheet programs read the umlauts right."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in [header, *rows, *([footer] if footer else [])]:
        writer.writerow([_csv_cell(value) for value in row])
    return out.getvalue()


@dataclass(frozen=True)
class Sheet:
    """One table of a workbook: its tab's title, the header, the rows and a totals row."""

    title: str
    header: list
    rows: list
    footer: list | None = None
    widths: tuple[int, ...] = ()  # in characters; empty: fitted to the content
    wrap: bool = False  # wrap long texts in the rows
    freeze: str = "A2"  # the header stays in view ("B2": the first column too)


def _text_width(value) -> int:
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    return len("" if value is None else str(value))


def _fitted(header: list, rows: list) -> tuple[int, ...]:
    """Each column as wide as its longest text, from 10 to 60 characters."""
    longest = [max(_text_width(_value(row[index])) for row in [header, *rows])
               for index in range(len(header))]
    return tuple(min(max(width + 2, 10), 60) for width in longest)


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    """A workbook with a sheet per table; the header and the totals row are bold."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold, top = Font(bold=True), Alignment(wrap_text=True, vertical="top")

    def cell(sheet, value, *, strong=False, wrap=False):
        value = _value(value)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)  # openpyxl refuses control characters
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            # Always a text, never a formula (nor an error code such as "#N/A"); the quote
            # prefix keeps it a text when someone edits the cell.
            written.data_type = "s"
            if value.startswith(FORMULA_START):
                written.quotePrefix = True
        elif isinstance(value, datetime):
            written.number_format = DATETIME_FORMAT
        elif isinstance(value, date):
            written.number_format = DATE_FORMAT
        if strong:
            written.font = bold
        if strong or wrap:
            written.alignment = top
        return written

    workbook = Workbook(write_only=True)
    for table in sheets:
        rows = [list(row) for row in table.rows]
        # Excel allows 31 characters and none of []:*?/\ in a sheet's name.
        sheet = workbook.create_sheet("".join(c for c in str(table.title)
                                              if c not in "[]:*?/\\")[:31])
        for index, width in enumerate(table.widths or _fitted(table.header, rows), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = table.freeze
        sheet.append([cell(sheet, value, strong=True) for value in table.header])
        for row in rows:
            sheet.append([cell(sheet, value, wrap=table.wrap) for value in row])
        if table.footer:
            sheet.append([cell(sheet, value, strong=True) for value in table.footer])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
