from django import template
from django.utils.formats import date_format

from programme.enums import DatePrecision

register = template.Library()


@register.filter
def milestone_dates(milestone):
    """Return a milestone's date or span in the active language, as precise as it is known."""
    fmt = "YEAR_MONTH_FORMAT" if milestone.precision == DatePrecision.MONTH else "DATE_FORMAT"
    start = date_format(milestone.starts_on, fmt)
    if not milestone.ends_on or milestone.ends_on == milestone.starts_on:
        return start
    return f"{start} – {date_format(milestone.ends_on, fmt)}"
