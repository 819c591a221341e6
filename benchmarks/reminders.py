"""Benchmark: plan and send 10,000 due reminders; print queries, seconds and SMTP connections.

    DJANGO_SETTINGS_MODULE=config.settings.test \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vernetzt \\
        .venv/bin/python benchmarks/reminders.py [--count 10000]

It creates a throwaway database of its own (``bench_<name>``, never the test suite's
``test_<name>``, so it can run while the suite does), registers the tests' reminder
kind, creates the due reminders in bulk, and measures:

- ``reminders_plan`` with everything new, and once more with nothing new;
- ``notifications_sweep`` sending all of them through a local aiosmtpd server.

Figures, not assertions: the constant query count is asserted by
tests/notifications/test_query_counts.py. Needs the test extras (factory_boy, aiosmtpd).
"""

import argparse
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    override_settings,
)
from django.utils import timezone  # noqa: E402

from benchmarks.support import in_throwaway_database  # noqa: E402


def create_due(count: int) -> None:
    """``count`` people named on one city: each is due one reminder (the tests' kind)."""
    from accounts.models import User
    from programme.models import City, CityContact

    city = City.objects.create(name="Reminder-3", country="NL")
    password = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"bench{i}@example.org", name=f"Person {i}", password=password,
              language="de" if i % 2 else "en") for i in range(count)],
        batch_size=2000,
    )
    CityContact.objects.bulk_create([CityContact(user=u, city=city) for u in users],
                                    batch_size=2000)


class QueryCounter:
    """Counts statements by kind (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self):
        self.counts = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.counts[sql.lstrip().split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)


def measure(label, function, rows):
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - started
    rows.append((label, counter.counts, seconds))
    return result


def plan(count: int, rows: list) -> None:
    """Make ``count`` reminders due and plan them, then plan again (nothing new)."""
    from notifications import registry
    from notifications.registry import ReminderKind
    from notifications.services import reminders_plan
    from tests.notifications.conftest import city_day_due, city_still_listed

    registry.register_reminder(ReminderKind(
        name="test_reminder", label="Test reminder", template="notifications/email/reminder",
        due=city_day_due, is_current=city_still_listed))
    create_due(count)
    now = timezone.now()
    planned = measure(f"reminders_plan ({count:,} new)", lambda: reminders_plan(now=now), rows)
    again = measure("reminders_plan again (0 new)", lambda: reminders_plan(now=now), rows)
    assert len(planned) == count and again == [], (len(planned), len(again))


def run(count: int) -> None:
    from notifications.models import Message
    from notifications.services import notifications_sweep
    from tests.notifications.smtp import smtp_server

    rows = []
    plan(count, rows)
    now = timezone.now()

    with smtp_server() as server:
        mail_settings = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                         "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": server.port,
                         "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False, "EMAIL_TIMEOUT": 5,
                         "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": ""}
        with override_settings(**mail_settings):
            report = measure(f"notifications_sweep ({count:,} sent)",
                             lambda: notifications_sweep(now=now), rows)
    assert report.sent == count == len(server.messages), (report, len(server.messages))
    assert Message.objects.filter(state="sent").count() == count

    print(f"\n{count:,} due reminders on {connection.vendor} "
          f"({connection.settings_dict['NAME']})\n")
    print(f"{'step':<36} {'queries':>8} {'seconds':>8} {'per mail':>10}  statements")
    for label, counts, seconds in rows:
        per_mail = f"{seconds / count * 1000:.2f} ms" if "sweep" in label else ""
        kinds = ", ".join(f"{kind} {n:,}" for kind, n in counts.most_common())
        print(f"{label:<36} {counts.total():>8,} {seconds:>8.2f} {per_mail:>10}  {kinds}")
    print(f"\nSMTP connections opened by the sweep: {server.connections} "
          f"for {len(server.messages):,} mails, each to one recipient: "
          f"{all(len(m.rcpt_tos) == 1 for m in server.messages)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd narrates every command
    logging.getLogger("notifications").setLevel(logging.ERROR)

    in_throwaway_database(run, args.count)


if __name__ == "__main__":
    main()
