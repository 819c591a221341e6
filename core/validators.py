"""Rule checks shared by every app's fields."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Everything ``str.splitlines()`` breaks a line at: CR and LF, and the rarer separators a
# mail program or a spreadsheet may show as a break all the same.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def validate_single_line(value: str) -> None:
    """Refuse a line break in a name, title or other one-line text.

    These texts end up in mail subjects and bodies, calendar entries and file names, where a
    line break could start a header or a line of its own.
    """
    if value and not LINE_BREAKS.isdisjoint(value):
        raise ValidationError(_("Please write this on one line, without line breaks."),
                              code="single_line")
