import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from applications.formatting import deadline_date, deadline_text

BERLIN = ZoneInfo("Europe/Berlin")
DEADLINE = datetime(2022, 2, 25, 23, 59, 59, tzinfo=BERLIN)


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Tokyo"])
def process_zone(request):
    """Run with the process in another time zone: the deadline must read the same."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if previous is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = previous
    time.tzset()


@pytest.mark.parametrize(("language", "expected"), [
    ("de", "25. Februar 2022, 23:59 Uhr (MEZ)"),
    ("en", "25 February 2022, 23:59 (CET, German time)"),
])
def test_deadline_reads_in_german_time_whatever_the_server_zone(process_zone, language, expected):
    with translation.override(language):
        assert deadline_text(DEADLINE) == expected
        # The same instant given in UTC reads the same.
        assert deadline_text(DEADLINE.astimezone(ZoneInfo("UTC"))) == expected


@pytest.mark.parametrize(("language", "expected"), [
    ("de", "25. Februar 2022"), ("en", "25 February 2022"),
])
def test_deadline_date_in_words(language, expected):
    with translation.override(language):
        assert deadline_date(DEADLINE) == expected


def test_summer_time_is_named():
    with translation.override("de"):
        assert deadline_text(datetime(2022, 7, 1, 12, 0, tzinfo=BERLIN)).endswith("Uhr (MESZ)")
