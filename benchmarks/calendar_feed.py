"""Benchmark: a staff member's calendar feed with 6,000 meetings; print queries and seconds.

    DJANGO_SETTINGS_MODULE=config.settings.test \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vernetzt REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python benchmarks/calendar_feed.py [--tandems 1000]

It creates a throwaway database of its own (``bench_<name>``), 1,000 tandems with six
meetings each (two a year, 2022-2024, inside the rule), and fetches the staff feed through
the real URL and view: cold (empty cache) and then warm (each event's bytes cached).
Figures, not assertions: tests/tandems/test_calendars.py asserts the constant query count.
"""

import argparse
import os
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
)

from benchmarks.support import in_throwaway_database  # noqa: E402

BERLIN = ZoneInfo("Europe/Berlin")
SLOTS = [(2022, 6), (2022, 10), (2023, 3), (2023, 9), (2024, 4), (2024, 10)]


def create(tandems: int) -> str:
    """``tandems`` tandems of two cities with six meetings each, in bulk; return a feed URL."""
    from accounts.models import User
    from programme.models import City, Programme
    from tandems.models import CalendarFeed, Meeting, Membership, Tandem

    programme = Programme.objects.create(
        slug="bench", name_de="Bench", name_en="Bench", runs_from=date(2021, 1, 1),
        runs_until=date(2024, 12, 31), first_meeting_year=2022, last_meeting_year=2024,
        max_tandems=tandems, contact_name="x", contact_email="x@example.org")
    germans = City.objects.bulk_create(
        [City(name=f"Stadt {n}", country="DE", ags=f"{n:08d}") for n in range(tandems)])
    partners = City.objects.bulk_create(
        [City(name=f"City {n}", country="NL", time_zone="Europe/Amsterdam")
         for n in range(tandems)])
    pairs = Tandem.objects.bulk_create(
        [Tandem(programme=programme, formed_on=date(2022, 5, 17), state="active")
         for _ in range(tandems)])
    Membership.objects.bulk_create(
        [Membership(tandem=t, city=c, programme=programme, is_german=c.country == "DE",
                    joined_on=date(2022, 5, 17))
         for t, g, p in zip(pairs, germans, partners, strict=True) for c in (g, p)])
    meetings = []
    for tandem, german in zip(pairs, germans, strict=True):
        for n, (year, month) in enumerate(SLOTS):
            starts = datetime(year, month, 10 + tandem.pk % 15, 10, tzinfo=BERLIN)
            meetings.append(Meeting(
                tandem=tandem, title=f"Treffen {n + 1}", starts_at=starts,
                ends_at=starts + timedelta(hours=4), host=german, year=year, slot=n % 2 + 1,
                place="Rathaus", agenda="1. Begrüßung\n2. Austausch\n3. Nächste Schritte",
                uid=uuid.uuid4()))
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    from allauth.mfa.models import Authenticator

    staff = User.objects.create_user("staff@example.org", "x", is_staff=True, language="de")
    # Staff rights need the second factor: without it the feed is an ordinary user's (empty).
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return CalendarFeed.objects.create(user=staff).get_absolute_url()


def fetch(client, url):
    from django.core.cache import cache

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return seconds, len(queries), len(response.content), response.content.count(b"BEGIN:VEVENT"), (
        cache.__class__.__name__)


def run(tandems: int) -> None:
    from django.core.cache import cache

    url = create(tandems)
    client = Client()
    cache.clear()
    rows = [("cold (empty cache)", *fetch(client, url))]
    for n in range(3):
        rows.append((f"warm #{n + 1}", *fetch(client, url)))
    print(f"\nStaff calendar feed on {connection.vendor}, cache {rows[0][5]}\n")
    print(f"{'fetch':<20} {'seconds':>8} {'queries':>8} {'events':>7} {'bytes':>10}")
    for label, seconds, queries, size, events, _ in rows:
        print(f"{label:<20} {seconds:>8.3f} {queries:>8} {events:>7,} {size:>10,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tandems", type=int, default=1000)
    args = parser.parse_args()
    in_throwaway_database(run, args.tandems)


if __name__ == "__main__":
    main()
