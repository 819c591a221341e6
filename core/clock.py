"""The programme's clock: German time (Europe/Berlin), whatever the server's or the user's
zone. The one definition every layer uses (deadlines, files, the admin's history, citations).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

PROGRAMME_ZONE = ZoneInfo("Europe/Berlin")


def german_time(moment: datetime) -> datetime:
    """Return ``moment`` in German time, whatever the server's or the user's zone."""
    return moment.astimezone(PROGRAMME_ZONE)
