"""Files the site hands out: the download response, and cells safe for spreadsheets."""

from django.http import HttpResponse

# A cell that starts like this is a formula to spreadsheet programs: never run people's text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
