"""How a call's deadline reads: the same on the page, in the info sheet and in e-mails."""

from datetime import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.clock import PROGRAMME_ZONE, german_time  # noqa: F401 - imported from here too


def deadline_date(moment: datetime) -> str:
    """Return the German calendar date in words: "25. Februar 2022" / "25 February 2022"."""
    return date_format(german_time(moment), "DATE_FORMAT")


def deadline_text(moment: datetime) -> str:
    """Return date, time and the named zone: "25. Februar 2022, 23:59 Uhr (MEZ)"."""
    local = german_time(moment)
    zone = _("CEST, German time") if local.dst() else _("CET, German time")
    return _("%(date)s, %(time)s (%(zone)s)") % {
        "date": date_format(local, "DATE_FORMAT"),
        "time": date_format(local, "TIME_FORMAT"),
        "zone": zone,
    }
