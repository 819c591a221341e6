"""``make bench``: how fast the platform is, how its cost grows with data, and where it
stands against the fastest page Django serves on the same machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vernetzt_bench \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/15 \\
        .venv/bin/python benchmarks/bench.py [--scale 1.0] [--no-load]

In a throwaway PostgreSQL database of its own (``bench_<name>``, dropped afterwards) it
loads the demo data, fetches each page below and counts its queries, adds the large
dataset (``benchmarks/seed_large.py``) and counts again (a count that grows with the data
is a query per row: a bug). Then gunicorn serves the site and wrk loads each page at 4
and 32 clients next to a bare Django view (``benchmarks/load.py``); last come the PDF
renders, the pairing assistant and the planning of due reminders. It empties the Redis
database it is given (``BENCH_REDIS_URL``), never the tests' one.

The figures go to ``benchmarks/results/bench.json`` and, as tables, to
``benchmarks/results/bench.md``; a full run (scale 1 with the load test) also puts the
tables into the README's Performance section.
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
# Its own Redis database: the cold renders empty it.
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")

if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    sys.exit("benchmarks/bench.py needs PostgreSQL: set DATABASE_URL=postgres://... "
             "(for example postgres://postgres@127.0.0.1:5432/vernetzt_bench).")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from benchmarks.support import in_throwaway_database  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "bench.json"
TABLE = ROOT / "benchmarks" / "results" / "bench.md"
README_START = "<!-- make bench: start -->"
README_END = "<!-- make bench: end -->"


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
    # (label, client, URL, requests per number of clients under load)
    with translation.override("de"):
        pages = [
            ("programme page", public, reverse("programme:page"), 4000),
            ("information sheet (PDF)", public, reverse("programme:infosheet"), 4000),
            ("expression of interest form", clerk_client,
             reverse("applications:edit", args=[draft.pk]), 1000),
            ("admin: expressions of interest", staff_client,
             "/admin/applications/expressionofinterest/", 500),
            ("tandem page", staff_client, reverse("tandems:detail", args=[tandem.pk]), 1000),
            ("calendar feed (staff)", public, feed.get_absolute_url(), 500),
            ("timeline", staff_client, reverse("tandems:timeline"), 500),
            ("case study (published)", public, reverse("casestudies:detail", args=[study.pk]),
             1000),
            ("case study PDF", public, reverse("casestudies:pdf", args=[study.pk]), 4000),
        ]
    return {"pages": pages, "seconds": seconds}


def load_pages(pages) -> list:
    """The pages for wrk, each with its client's session cookie."""
    from django.conf import settings

    from benchmarks.load import Page

    name = settings.SESSION_COOKIE_NAME
    return [Page(label, url, requests=requests,
                 cookie=f"{name}={client.cookies[name].value}" if name in client.cookies else "")
            for label, client, url, requests in pages]


def database_url() -> str:
    db = connection.settings_dict
    return (f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")


def measure(pages) -> dict[str, dict]:
    """Fetch each page once with an empty cache; its status, queries, seconds and bytes."""
    from django.core.cache import cache

    figures = {}
    for label, client, url, _requests in pages:
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


def machine() -> dict:
    import platform

    import django

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "django": django.get_version(), "postgresql": postgres,
            "date": time.strftime("%Y-%m-%d")}


def renders() -> dict:
    """Cold (empty cache) and cached render of the information sheet and a case-study PDF."""
    from django.core.cache import cache
    from django.utils import timezone

    from benchmarks import casestudy_pdf
    from programme.infosheet import infosheet_pdf
    from programme.selectors import programme_facts

    facts = programme_facts(now=timezone.now())
    cache.clear()
    started = time.perf_counter()
    infosheet_pdf(facts=facts, language="de")
    cold = time.perf_counter() - started
    started = time.perf_counter()
    infosheet_pdf(facts=facts, language="de")
    cached = time.perf_counter() - started
    return {"information sheet": {"cold_seconds": cold, "cached_seconds": cached},
            "case study PDF (42 pages)": casestudy_pdf.measure(runs=1)}


def reminders_planned(count: int) -> dict:
    from benchmarks import reminders

    rows = []
    reminders.plan(count, rows)
    (_label, queries, seconds), (_again, queries_again, seconds_again) = rows
    return {"count": count, "seconds": seconds, "queries": queries.total(),
            "again_seconds": seconds_again, "again_queries": queries_again.total()}


# (what, figure, limit): the targets on two cores.
ANONYMOUS = ["programme page", "information sheet (PDF)", "case study PDF"]
LOGGED_IN = ["expression of interest form", "tandem page", "timeline"]


def targets(results: dict) -> list[dict]:
    rows = []
    under_load = results.get("load")
    if under_load:
        for label in ANONYMOUS:
            rows.append({"target": f"{label}: 32 clients, share of the bare view's req/s",
                         "value": under_load[label]["32"]["ratio_to_bare"], "limit": 0.5,
                         "met": under_load[label]["32"]["ratio_to_bare"] >= 0.5})
        for labels, limit in [(ANONYMOUS, 15), (LOGGED_IN, 60),
                              (["admin: expressions of interest"], 150)]:
            for label in labels:
                p99 = under_load[label]["4"]["p99_ms"]
                rows.append({"target": f"{label}: p99 at 4 clients (ms)", "value": p99,
                             "limit": limit, "met": p99 < limit})
    pairing = next(row for row in results["pairing"] if row["germans"] == 500)
    rows.append({"target": "pairing 500 x 500 (s)", "value": round(pairing["seconds"], 3),
                 "limit": 1, "met": pairing["seconds"] < 1})
    planned = results["reminders"]
    rows.append({"target": f"planning {planned['count']:,} reminders (s)",
                 "value": round(planned["seconds"], 2), "limit": 10,
                 "met": planned["seconds"] < 10})
    return rows


def table(results: dict) -> str:
    """The figures as Markdown, for the terminal and the README."""
    m = results["machine"]
    lines = [f"Run of {m['date']}: {m['cores']} cores ({m['cpu']}), Python {m['python']}, "
             f"Django {m['django']}, PostgreSQL {m['postgresql']} and Redis on the same "
             f"machine; scale {results['scale']}.", ""]
    under_load = results.get("load")
    if under_load:
        lines += ["gunicorn (2 workers, production settings) and wrk on loopback, a fixed "
                  "number of requests per page; latencies in ms; queries at small / large "
                  "data with an empty cache.", "",
                  "| page | req/s (4) | p50 | p95 | p99 | req/s (32) | p50 | p95 | p99 "
                  "| × bare (32) | queries |",
                  "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
        counts = results["query_counts"]
        for label, figures in under_load.items():
            four, many = figures["4"], figures["32"]
            queries = (f"{counts[label]['small']['queries']} / "
                       f"{counts[label]['large']['queries']}" if label in counts else "0")
            lines.append(
                f"| {label} | {four['requests_per_second']:,.0f} | {four['p50_ms']:.1f} | "
                f"{four['p95_ms']:.1f} | {four['p99_ms']:.1f} | "
                f"{many['requests_per_second']:,.0f} | {many['p50_ms']:.1f} | "
                f"{many['p95_ms']:.1f} | {many['p99_ms']:.1f} | {many['ratio_to_bare']:.2f} "
                f"| {queries} |")
        lines.append("")
    else:
        lines += ["| page | queries small | queries large |", "|---|--:|--:|"]
        lines += [f"| {label} | {c['small']['queries']} | {c['large']['queries']} |"
                  for label, c in results["query_counts"].items()]
        lines.append("")
    lines += ["| render | cold (s) | cached (s) |", "|---|--:|--:|"]
    for label, figures in results["renders"].items():
        lines.append(f"| {label} | {figures['cold_seconds']:.2f} | "
                     f"{figures['cached_seconds']:.4f} |")
    lines += ["", "| target | measured | limit | met |", "|---|--:|--:|---|"]
    for row in results["targets"]:
        lines.append(f"| {row['target']} | {row['value']} | {row['limit']} | "
                     f"{'yes' if row['met'] else '**no**'} |")
    pairing = ", ".join(f"{r['germans']:,} x {r['partners']:,}: {r['seconds']:.2f} s"
                        for r in results["pairing"])
    planned = results["reminders"]
    lines += ["", f"Pairing assistant (best of 3): {pairing}. Planning "
              f"{planned['count']:,} due reminders: {planned['seconds']:.2f} s in "
              f"{planned['queries']} queries (again, nothing new: "
              f"{planned['again_seconds']:.2f} s). Seeding the large dataset: "
              f"{sum(results['seeding_seconds'].values()):.1f} s."]
    return "\n".join(lines) + "\n"


def update_readme(text: str) -> None:
    readme = ROOT / "README.md"
    content = readme.read_text()
    start, end = content.index(README_START), content.index(README_END)
    readme.write_text(content[:start + len(README_START)] + "\n" + text + content[end:])


def run(scale: float, with_load: bool) -> None:
    from django.conf import settings

    from benchmarks import load, pairing
    from benchmarks.seed_large import seed_large

    prepared = prepare()
    small = measure(prepared["pages"])
    print("Seeding the large dataset:", file=sys.stderr)
    stages = seed_large(scale=scale)
    large = measure(prepared["pages"])
    growing = [label for label in small if small[label]["queries"] != large[label]["queries"]]
    results = {
        "machine": machine(), "scale": scale,
        "seeding_seconds": {"demo": round(prepared["seconds"], 3),
                            **{k: round(v, 3) for k, v in stages.items()}},
        "query_counts": {label: {"url": small[label]["url"], "small": small[label],
                                 "large": large[label], "equal": label not in growing}
                         for label in small},
        "growing": growing,
    }
    if with_load:
        print("Load (gunicorn, 2 workers; wrk):", file=sys.stderr)
        under_load = load.run(load_pages(prepared["pages"]),
                              load.server_environment(database_url(), settings.SECRET_KEY))
        # JSON keys are strings: the numbers of clients too.
        results["load"] = {label: {str(k): v for k, v in figures.items()}
                           for label, figures in under_load.items()}
    print("Renders, pairing, reminders:", file=sys.stderr)
    results["renders"] = renders()
    results["pairing"] = pairing.measure()
    results["reminders"] = reminders_planned(max(int(10_000 * scale), 100))
    results["targets"] = targets(results)

    text = table(results)
    print("\n" + text)
    if growing:
        print(f"Query count grows with the data (a bug): {', '.join(growing)}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    TABLE.write_text(text)
    written = [RESULTS, TABLE]
    if with_load and scale == 1.0:
        update_readme(text)
        written.append(ROOT / "README.md")
    print("Written to " + ", ".join(str(path.relative_to(ROOT)) for path in written))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply every count of the large dataset (default 1.0)")
    parser.add_argument("--no-load", dest="load", action="store_false",
                        help="skip the load test (gunicorn and wrk)")
    args = parser.parse_args()
    in_throwaway_database(run, args.scale, args.load)


if __name__ == "__main__":
    main()
