"""A large dataset for the benchmarks, created in bulk and within the platform's rules.

``seed_large()`` adds, next to whatever is there (normally the demo data):

- 2,000 German municipalities with valid, unique AGS keys and 500 partner cities;
- 10,000 expressions of interest over five calls (the demo programme's 2022 call and four
  closed calls of benchmark programmes), at most one per city and call;
- 170 programmes (meeting years 2022-2024, six tandems each at most) with 1,000 tandems:
  one German and one partner city each, a city in at most one tandem per programme, each
  topic led by one of the two members;
- 6,000 meetings: two a year per tandem in 2022, 2023 and 2024 (slots 1 and 2);
- 1,000 case studies (one per tandem) with six coded items each and their version 1 in
  the history.

It writes with ``bulk_create`` (no services, no mail): benchmark data only, in a throwaway
database. ``scale`` multiplies every count (0.1 for a quick try); a progress bar per stage
goes to stderr.
"""

import sys
import time
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
BATCH = 2000
PARTNER_COUNTRIES = [("NL", "Europe/Amsterdam"), ("IT", "Europe/Rome"), ("PL", "Europe/Warsaw"),
                     ("GR", "Europe/Athens"), ("RO", "Europe/Bucharest"), ("BG", "Europe/Sofia"),
                     ("FR", "Europe/Paris"), ("ES", "Europe/Madrid")]
MEETING_SLOTS = [(2022, 5, 1), (2022, 10, 2), (2023, 3, 1), (2023, 9, 2), (2024, 4, 1),
                 (2024, 10, 2)]


class Progress:
    """``\\r`` + a bar and a percentage on stderr, one line per stage."""

    def __init__(self, label: str, total: int, enabled: bool):
        self.label, self.total, self.enabled, self.done = label, max(total, 1), enabled, 0
        self.started = time.perf_counter()
        self.show()

    def show(self):
        if not self.enabled:
            return
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        sys.stderr.write(f"\r{self.label:<22} [{bar:<30}] {share:6.1%}")
        sys.stderr.flush()

    def add(self, n: int):
        self.done += n
        self.show()

    def finish(self) -> float:
        seconds = time.perf_counter() - self.started
        self.done = self.total
        self.show()
        if self.enabled:
            sys.stderr.write(f"  {seconds:6.2f} s\n")
            sys.stderr.flush()
        return seconds


def _bulk(model, objs, progress: Progress):
    """``bulk_create`` in batches, advancing ``progress``; return the saved objects."""
    saved = []
    for start in range(0, len(objs), BATCH):
        chunk = objs[start:start + BATCH]
        saved.extend(model.objects.bulk_create(chunk))
        progress.add(len(chunk))
    return saved


def _ags_keys(count: int, taken: set[str]) -> list[str]:
    """``count`` valid AGS keys (Land 01-16, eight digits) not in ``taken``."""
    from programme.validators import validate_ags

    keys, n = [], 0
    while len(keys) < count:
        key = f"{1 + n % 16:02d}8{n // 16:05d}"
        n += 1
        if key not in taken:
            validate_ags(key)
            keys.append(key)
    return keys


def seed_large(*, scale: float = 1.0, progress: bool = True) -> dict[str, float]:
    """Create the large dataset; return the seconds per stage."""
    from django.db import connection, transaction

    from applications.models import Call, ExpressionOfInterest
    from casestudies.enums import ItemKind, Level
    from casestudies.models import CaseStudy, Category, CodedItem
    from casestudies.services import categories_ensure
    from programme.models import City, Programme, Topic
    from tandems.enums import MeetingStatus, TandemState
    from tandems.models import Meeting, Membership, Tandem, TandemTopic

    n_germans = max(int(2000 * scale), 6)
    n_partners = max(int(500 * scale), 6)
    n_programmes = max(int(170 * scale), 1)
    n_tandems = min(max(int(1000 * scale), 1), n_programmes * 6, n_partners * 6)
    n_eois_per_call = n_germans  # five calls: 10,000 at scale 1
    timings: dict[str, float] = {}
    topics = list(Topic.objects.order_by("slug"))
    categories_ensure()
    categories = list(Category.objects.filter(is_active=True).order_by("order", "slug"))
    if not topics or not categories:
        raise RuntimeError("seed_large() needs topics and categories: run core.demo.seed() first")

    with transaction.atomic():
        # Cities.
        bar = Progress("cities", n_germans + n_partners, progress)
        taken = set(City.objects.exclude(ags=None).values_list("ags", flat=True))
        germans = _bulk(City, [
            City(name=f"Bench-Gemeinde {n:05d}", country="DE", ags=ags,
                 population=5_000 + n * 37 % 500_000, languages="de")
            for n, ags in enumerate(_ags_keys(n_germans, taken))], bar)
        partners = _bulk(City, [
            City(name=f"Bench City {n:04d}", country=PARTNER_COUNTRIES[n % 8][0],
                 time_zone=PARTNER_COUNTRIES[n % 8][1], population=20_000 + n * 101,
                 languages="en")
            for n in range(n_partners)], bar)
        timings["cities"] = bar.finish()

        # Programmes and calls. They start a month before the demo programme, so that the
        # public site keeps presenting that one (``Programme.objects.current()``).
        bar = Progress("programmes and calls", n_programmes + 4, progress)
        programmes = _bulk(Programme, [
            Programme(slug=f"bench-{n:03d}", name_de=f"Bench-Programm {n}",
                      name_en=f"Bench programme {n}", runs_from=date(2020, 12, 1),
                      runs_until=date(2024, 12, 31), first_meeting_year=2022,
                      last_meeting_year=2024, max_tandems=6, max_meetings_per_year=2,
                      contact_name="Bench", contact_email="bench@example.org")
            for n in range(n_programmes)], bar)
        calls = list(Call.objects.real().filter(programme__slug="vernetztineuropa")[:1])
        calls += _bulk(Call, [
            Call(programme=programmes[n % n_programmes],
                 opens_at=datetime(2021, 1 + n, 1, tzinfo=BERLIN),
                 closes_at=datetime(2021, 1 + n, 25, 23, 59, 59, tzinfo=BERLIN))
            for n in range(5 - len(calls))], bar)
        timings["programmes and calls"] = bar.finish()

        # Expressions of interest: every German bench city once per call.
        statuses = ["submitted", "accepted", "declined", "waitlisted", "withdrawn"]
        bar = Progress("expressions", n_eois_per_call * len(calls), progress)
        eois = []
        for c, call in enumerate(calls):
            for n, city in enumerate(germans[:n_eois_per_call]):
                submitted = call.opens_at + timedelta(days=n % 20, minutes=n)
                eois.append(ExpressionOfInterest(
                    call=call, city=city, status=statuses[(n + c) % 5],
                    reference=f"BENCH-{c}-{n:05d}", population=city.population,
                    contact_name=f"Kontakt {n}", contact_email=f"kontakt{n}@bench.example",
                    motivation="Wir möchten voneinander lernen.", meeting_years=[2022, 2023],
                    submitted_at=submitted, consent_at=submitted))
        _bulk(ExpressionOfInterest, eois, bar)
        timings["expressions"] = bar.finish()

        # Tandems: tandem i belongs to programme i % P; its cities are distinct within it.
        bar = Progress("tandems", n_tandems * 5, progress)
        tandems = _bulk(Tandem, [
            Tandem(programme=programmes[i % n_programmes], state=TandemState.ACTIVE,
                   formed_on=date(2022, 5, 17)) for i in range(n_tandems)], bar)
        members = []
        for i, tandem in enumerate(tandems):
            german = germans[i % n_germans]
            partner = partners[(i + i // n_programmes * 7) % n_partners]
            members.append((tandem, german, partner))
        _bulk(Membership, [
            Membership(tandem=t, city=c, programme_id=t.programme_id, is_german=c is g,
                       joined_on=date(2022, 5, 17))
            for t, g, p in members for c in (g, p)], bar)
        _bulk(TandemTopic, [
            TandemTopic(tandem=t, topic=topics[(i + k) % len(topics)],
                        lighthouse=g if k == 0 else p)
            for i, (t, g, p) in enumerate(members) for k in range(2)], bar)
        timings["tandems"] = bar.finish()

        # Meetings: two a year per tandem, 2022-2024, in slots 1 and 2.
        bar = Progress("meetings", n_tandems * len(MEETING_SLOTS), progress)
        meetings = []
        for i, (tandem, german, partner) in enumerate(members):
            for n, (year, month, slot) in enumerate(MEETING_SLOTS):
                starts = datetime(year, month, 1 + i % 27, 10, tzinfo=BERLIN)
                meetings.append(Meeting(
                    tandem=tandem, title=f"Treffen {n + 1}", starts_at=starts,
                    ends_at=starts + timedelta(hours=4), host=german if n % 2 else partner,
                    place="Rathaus", agenda="1. Begrüßung\n2. Austausch\n3. Nächste Schritte",
                    status=MeetingStatus.HELD, year=year, slot=slot, uid=uuid.uuid4()))
        _bulk(Meeting, meetings, bar)
        timings["meetings"] = bar.finish()

        # Case studies: one per tandem, six coded items each, version 1 in the history.
        bar = Progress("case studies", n_tandems * 8, progress)
        studies = _bulk(CaseStudy, [
            CaseStudy(tandem=t, title=f"Fallstudie {g.name} – {p.name}", language="de",
                      context="Ausgangslage der beiden Städte.",
                      transfer="- Thema: geleitet von der Partnerstadt")
            for t, g, p in members], bar)
        items = []
        for s, study in enumerate(studies):
            for k in range(6):
                items.append(CodedItem(
                    case_study=study, kind=ItemKind.BARRIER if k < 3 else ItemKind.DRIVER,
                    category=categories[(s + k) % len(categories)],
                    level=[Level.LOCAL, Level.NATIONAL, Level.EUROPEAN][k % 3],
                    text=f"Punkt {k + 1} der Fallstudie {s}.", order=k))
        _bulk(CodedItem, items, bar)
        CaseStudy.history.bulk_history_create(studies, batch_size=BATCH)
        bar.add(len(studies))
        timings["case studies"] = bar.finish()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the statistics autovacuum would gather by itself
    return timings
