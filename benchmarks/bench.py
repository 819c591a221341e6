"""``make bench``: query counts of the main pages at small (demo) and large data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vernetzt_bench \\
        .venv/bin/python benchmarks/bench.py [--scale 1.0]

In a throwaway PostgreSQL database of its own (``bench_<name>``, dropped afterwards) it
loads the demo data, fetches each page below through the real URLs and views and counts
its queries, then adds the large dataset (``benchmarks/seed_large.py``) and counts again.
A page whose count grows with the data runs a query per row: a bug. The figures are
printed and written to ``benchmarks/results/query_counts.json``.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    sys.exit("benchmarks/bench.py needs PostgreSQL: set DATABASE_URL=postgres://... "
             "(for example postgres://postgres@127.0.0.1:5432/vernetzt_bench).")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from benchmarks.support import in_throwaway_database  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "query_counts.json"


def prepare() -> dict:
    """The demo data plus what the pages need: return the clients and URLs to fetch."""
    from allauth.mfa.models import Authenticator
    from django.urls import reverse
    from django.utils import timezone, translation

    from accounts.models import User
    from applications.models import Call
    from applications.services import eoi_start
    from casestudies.enums import CaseStudyStatus
    from casestudies.models import CaseStudy
    from core.demo import seed
    from programme.models import City
    from tandems.models import CalendarFeed, Tandem

    started = time.perf_counter()
    seed()
    seconds = time.perf_counter() - started
    now = timezone.now()
    staff = User.objects.get(email="staff@example.org")
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    clerk = User.objects.get(email="krefeld@example.org")
    practice = Call.objects.practice().open_at(now).first()
    draft = eoi_start(call=practice, city=City.objects.get(name="Krefeld"), user=clerk, now=now)
    tandem = Tandem.objects.get(memberships__city__name="Krefeld", memberships__left_on=None)
    # Publish a demo case study: its latest version (2) is the one the public reads.
    study = CaseStudy.objects.get(tandem=tandem)
    CaseStudy.objects.filter(pk=study.pk).update(
        status=CaseStudyStatus.PUBLISHED, published_version=study.version, published_at=now,
        status_changed_at=now)
    feed = CalendarFeed.objects.create(user=staff)

    public, staff_client, clerk_client = Client(), Client(), Client()
    staff_client.force_login(staff)
    clerk_client.force_login(clerk)
    with translation.override("de"):
        pages = [
            ("programme page", public, reverse("programme:page")),
            ("information sheet (PDF)", public, reverse("programme:infosheet")),
            ("expression of interest form", clerk_client,
             reverse("applications:edit", args=[draft.pk])),
            ("admin: expressions of interest", staff_client,
             "/admin/applications/expressionofinterest/"),
            ("tandem page", staff_client, reverse("tandems:detail", args=[tandem.pk])),
            ("calendar feed (staff)", public, feed.get_absolute_url()),
            ("timeline", staff_client, reverse("tandems:timeline")),
            ("case study (published)", public, reverse("casestudies:detail", args=[study.pk])),
            ("case study PDF", public, reverse("casestudies:pdf", args=[study.pk])),
        ]
    return {"pages": pages, "seconds": seconds}


def measure(pages) -> dict[str, dict]:
    """Fetch each page once with an empty cache; its status, queries, seconds and bytes."""
    from django.core.cache import cache

    figures = {}
    for label, client, url in pages:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            seconds = time.perf_counter() - started
        if response.status_code != 200:
            print(f"warning: {label} ({url}) answered {response.status_code}", file=sys.stderr)
        figures[label] = {"url": url, "status": response.status_code, "queries": len(queries),
                          "seconds": round(seconds, 3), "bytes": len(response.content)}
    return figures


def run(scale: float) -> None:
    from benchmarks.seed_large import seed_large

    prepared = prepare()
    small = measure(prepared["pages"])
    print("Seeding the large dataset:", file=sys.stderr)
    stages = seed_large(scale=scale)
    large = measure(prepared["pages"])

    print(f"\nSeeding on {connection.vendor} (scale {scale}):")
    print(f"  {'demo data (core.demo.seed)':<28} {prepared['seconds']:8.2f} s")
    for stage, seconds in stages.items():
        print(f"  {stage:<28} {seconds:8.2f} s")
    print(f"  {'total large':<28} {sum(stages.values()):8.2f} s")

    print(f"\n{'page':<32} {'queries small':>13} {'queries large':>13} {'equal?':>7}"
          f" {'s small':>8} {'s large':>8}")
    growing = []
    for label in small:
        s, big = small[label], large[label]
        equal = s["queries"] == big["queries"]
        if not equal:
            growing.append(label)
        print(f"{label:<32} {s['queries']:>13} {big['queries']:>13} {'yes' if equal else 'NO':>7}"
              f" {s['seconds']:>8.3f} {big['seconds']:>8.3f}")
    if growing:
        print(f"\nQuery count grows with the data (a bug): {', '.join(growing)}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "database": connection.vendor, "scale": scale,
        "seeding_seconds": {"demo": round(prepared["seconds"], 3),
                            **{k: round(v, 3) for k, v in stages.items()}},
        "pages": {label: {"url": small[label]["url"], "small": small[label],
                          "large": large[label],
                          "equal": small[label]["queries"] == large[label]["queries"]}
                  for label in small},
        "growing": growing,
    }, indent=2, ensure_ascii=False) + "\n")
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply every count of the large dataset (default 1.0)")
    args = parser.parse_args()
    in_throwaway_database(run, args.scale)


if __name__ == "__main__":
    main()
