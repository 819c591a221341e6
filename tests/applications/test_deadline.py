"""The deadline rule: 25 February 2022 23:59:59 German time is in, 00:00:00 is out."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from applications.models import LateEntry
from applications.validators import is_within_deadline, validate_within_deadline
from tests.factories import CallFactory

BERLIN = ZoneInfo("Europe/Berlin")
ZONES = ["UTC", "America/Los_Angeles", "Asia/Tokyo", "Europe/Berlin"]
INSTANTS = [
    (datetime(2021, 11, 30, 23, 59, 59, tzinfo=BERLIN), False),
    (datetime(2021, 12, 1, 0, 0, 0, tzinfo=BERLIN), True),
    (datetime(2022, 2, 25, 12, 0, 0, tzinfo=BERLIN), True),
    (datetime(2022, 2, 25, 23, 59, 59, tzinfo=BERLIN), True),
    (datetime(2022, 2, 25, 23, 59, 59, 999999, tzinfo=BERLIN), True),
    (datetime(2022, 2, 26, 0, 0, 0, tzinfo=BERLIN), False),
    (datetime(2022, 3, 1, 9, 0, 0, tzinfo=BERLIN), False),
]


@pytest.fixture
def call():
    return CallFactory.build()  # opens 1 Dec 2021 00:00, closes 25 Feb 2022 23:59:59 Berlin


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("instant", "inside"), INSTANTS)
def test_deadline_in_german_time_whatever_the_process_zone(call, zone, instant, inside):
    local = instant.astimezone(ZoneInfo(zone))
    with time_machine.travel(local, tick=False):
        assert is_within_deadline(call=call, now=timezone.now()) is inside


def test_closed_call_message_names_the_deadline_in_the_users_language(call):
    after = datetime(2022, 2, 26, tzinfo=BERLIN)
    for language, text in [("de", "25. Februar 2022, 23:59 Uhr (MEZ)"),
                           ("en", "25 February 2022, 23:59 (CET, German time)")]:
        with translation.override(language), pytest.raises(ValidationError) as error:
            validate_within_deadline(call=call, now=after)
        assert error.value.code == "call_closed"
        assert text in error.value.messages[0]


def test_call_not_yet_open_has_its_own_message(call):
    with pytest.raises(ValidationError) as error:
        validate_within_deadline(call=call, now=datetime(2021, 11, 1, tzinfo=BERLIN))
    assert error.value.code == "call_not_open"


@pytest.mark.parametrize(("moment", "inside"), [
    (datetime(2022, 3, 4, 23, 59, 59, tzinfo=BERLIN), True),
    (datetime(2022, 3, 5, 0, 0, 0, tzinfo=BERLIN), False),
])
def test_late_entry_extends_the_deadline_for_one_city_until_it_expires(call, moment, inside):
    late = LateEntry(expires_at=datetime(2022, 3, 4, 23, 59, 59, tzinfo=BERLIN))
    assert is_within_deadline(call=call, now=moment, late_entry=late) is inside
    assert is_within_deadline(call=call, now=moment) is False
