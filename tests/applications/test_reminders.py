from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from applications.enums import TopicRole
from applications.services import eoi_start, eoi_submit, eoi_update
from notifications.services import notifications_sweep
from tests.factories import CallFactory, CityFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
CLOSES = datetime(2022, 2, 25, 23, 59, 59, tzinfo=BERLIN)


@pytest.fixture
def draft():
    clerk = UserFactory(language="de")
    return eoi_start(call=CallFactory(), city=CityFactory(name="Pirna"), user=clerk,
                     now=datetime(2022, 2, 1, tzinfo=BERLIN))


@pytest.mark.parametrize(("day", "expected"), [
    (datetime(2022, 2, 17, 9, 0, tzinfo=BERLIN), 0),
    (datetime(2022, 2, 18, 9, 0, tzinfo=BERLIN), 1),   # 7 days before
    (datetime(2022, 2, 21, 9, 0, tzinfo=BERLIN), 0),
    (datetime(2022, 2, 24, 9, 0, tzinfo=BERLIN), 1),   # 1 day before
    (datetime(2022, 2, 25, 9, 0, tzinfo=BERLIN), 0),
])
def test_unsubmitted_drafts_are_reminded_7_days_and_1_day_before(draft, day, expected):
    notifications_sweep(now=day)
    notifications_sweep(now=day + timedelta(hours=2))  # twice the same day: still once
    assert len(mail.outbox) == expected
    if expected:
        assert "Pirna" in mail.outbox[0].subject
        assert "25. Februar 2022, 23:59 Uhr (MEZ)" in mail.outbox[0].body


def test_submitted_expressions_get_no_reminder(draft):
    eoi_update(eoi=draft, data={"contact_name": "K", "contact_email": "k@example.org",
                                "motivation": "M"},
               topics={TopicFactory(): TopicRole.FOLLOWER}, consent=True,
               now=datetime(2022, 2, 2, tzinfo=BERLIN))
    eoi_submit(eoi=draft, user=draft.created_by, now=datetime(2022, 2, 2, tzinfo=BERLIN))
    mail.outbox.clear()
    notifications_sweep(now=datetime(2022, 2, 18, 9, 0, tzinfo=BERLIN))
    assert mail.outbox == []
