"""How a call's deadline reads: the same on the page, in the info sheet and in e-mails."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _

PROGRAMME_ZONE = ZoneInfo("Europe/Berlin")


def german_time(moment: datetime) -> datetime:
    """Return ``moment`` in German time, whatever the server's or the user's zone."""
    return moment.astimezone(PROGRAMME_ZONE)


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
