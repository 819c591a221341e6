"""A sweep that runs longer than STUCK_AFTER must not have its rows taken by the next one.

10,000 reminders through a real relay at 100 ms a mail take about 17 minutes (the local
benchmark needs ~9 ms a mail), while beat starts a sweep every two minutes and
``messages_recover_stuck`` treats a row "sending" for longer than STUCK_AFTER (15 min)
as left behind by a crash.

So ``_claim`` must stamp ``claimed_at`` with the time of the claim, not the sweep's start
time (``now``): otherwise a batch claimed late in a long sweep looks stuck at once to the
next sweep, which recovers it and sends it a second time.
"""

from collections import Counter
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.enums import MessageState
from notifications.models import Message
from notifications.services import notifications_sweep

pytestmark = pytest.mark.django_db


def test_a_sweep_longer_than_stuck_after_sends_each_reminder_once(
    reminder_kind, due_contacts, monkeypatch
):
    monkeypatch.setattr(services, "SEND_BATCH", 5)
    _city, users = due_contacts(10)
    claim, shifted = services._claim, []

    # Noon of today: the 16 minutes the clock jumps must not cross midnight, where the test
    # kind's occasion (today + 3 days) would change and make every reminder due again.
    noon = timezone.make_aware(datetime.combine(timezone.localdate(), time(12)))
    with time_machine.travel(noon, tick=True) as clock:
        def claim_after_a_slow_first_batch(queryset, *, now, limit):
            if shifted or not Message.objects.filter(state=MessageState.SENT).exists():
                return claim(queryset, now=now, limit=limit)
            shifted.append(True)
            # Sending the first batch took longer than STUCK_AFTER ...
            clock.shift(services.STUCK_AFTER + timedelta(minutes=1))
            batch = claim(queryset, now=now, limit=limit)
            # ... and beat starts the next sweep while this one sends its second batch.
            notifications_sweep(now=timezone.now())
            return batch

        monkeypatch.setattr(services, "_claim", claim_after_a_slow_first_batch)
        notifications_sweep(now=timezone.now())

    assert shifted, "the second batch was never claimed"
    sent = Counter(m.to[0] for m in mail.outbox)
    assert sent == Counter({u.email: 1 for u in users})
