from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.db.models import Prefetch

from applications.formatting import PROGRAMME_ZONE, german_time
from programme.models import CityContact
from tandems.models import Meeting, Membership, Tandem, TandemTopic


def tandems_with_members(queryset=None):
    """Tandems with members, cities, contacts and topics in a fixed number of queries."""
    queryset = queryset if queryset is not None else Tandem.objects.all()
    return queryset.select_related("programme").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("city")),
        Prefetch("topics", queryset=TandemTopic.objects.select_related("topic", "lighthouse")),
    )


@dataclass(frozen=True)
class TopicRole:
    """A topic of a tandem as its page shows it: who leads, who follows."""

    topic: object
    lighthouse: object  # a City, or None: "lighthouse to be agreed"
    lighthouse_name: str
    follower: object  # the other current member, or None


def topic_roles(tandem) -> list[TopicRole]:
    """Each topic's lighthouse and follower among the current members, query-free with
    :func:`tandems_with_members`; no follower while the lighthouse is to be agreed."""
    members = [m.city for m in tandem.current_memberships()]
    return [TopicRole(topic=item.topic, lighthouse=item.lighthouse,
                      lighthouse_name=item.lighthouse_name,
                      follower=next((c for c in members if c != item.lighthouse), None)
                      if item.lighthouse else None)
            for item in tandem.topics.all()]


@dataclass(frozen=True)
class YearPlaces:
    year: int
    used: int
    max: int

    @property
    def left(self) -> int:
        return max(self.max - self.used, 0)


def meeting_places(tandem, meetings) -> list[YearPlaces]:
    """Used and free meeting places per meeting year, from the tandem's meetings in hand."""
    programme = tandem.programme
    used = {year: 0 for year in programme.meeting_years}
    for meeting in meetings:
        if meeting.is_live and meeting.year in used:
            used[meeting.year] += 1
    return [YearPlaces(year, count, programme.max_meetings_per_year)
            for year, count in used.items()]


# A winter and a summer instant: two zones with the same offsets at both show the same clock.
_SEASONS = (datetime(2023, 1, 15, tzinfo=UTC), datetime(2023, 7, 15, tzinfo=UTC))


def other_clocks(cities) -> list:
    """The cities whose clocks differ from German time, so pages show their local time too."""
    def differs(city):
        zone = ZoneInfo(city.time_zone)
        return any(moment.astimezone(zone).utcoffset()
                   != moment.astimezone(PROGRAMME_ZONE).utcoffset() for moment in _SEASONS)

    return [city for city in cities if differs(city)]


def contacts_of(cities):
    """The people who speak for ``cities``: verified contacts, not someone's mere claim."""
    return (CityContact.objects.filter(city__in=cities, verified_at__isnull=False)
            .select_related("user", "city")
            .order_by("city__name", "user__name"))


def diagram(tandems) -> dict:
    """Lay out the pairs for an SVG: German cities left, partners right, a line per tandem.

    A tandem whose city has withdrawn and not yet been replaced keeps its row, with that
    side open (``None``).
    """
    rows = []
    for tandem in tandems:
        members = tandem.current_memberships()
        german = next((m.city for m in members if m.is_german), None)
        partner = next((m.city for m in members if not m.is_german), None)
        if german or partner:
            rows.append({"german": german.name if german else None,
                         "partner": partner.name if partner else None,
                         "country": partner.get_country_display() if partner else "",
                         "y": 30 + len(rows) * 44})
    return {"rows": rows, "height": 30 + len(rows) * 44}


def pairing_input(programme):
    """The assistant's candidates: accepted German cities and registered partner cities not
    in a live tandem of ``programme`` (practice calls never count), and the free places."""
    from applications.enums import EoiStatus
    from applications.models import ExpressionOfInterest
    from programme.models import City
    from tandems.pairing import Candidate

    busy = Membership.objects.filter(programme=programme, left_on=None).values("city")
    expressions = (ExpressionOfInterest.objects
                   .filter(call__programme=programme, call__is_practice=False,
                           status=EoiStatus.ACCEPTED)
                   .exclude(city__in=busy).select_related("city")
                   .prefetch_related("topic_interests__topic"))
    germans = [Candidate(
        key=e.city.pk, name=e.city.name, country=e.city.country,
        population=e.population or e.city.population,
        languages=frozenset(filter(None, e.city.languages.split(","))),
        topics={t.topic.slug: t.role for t in e.topic_interests.all()},
        preferred_countries=frozenset(e.preferred_countries)) for e in expressions]
    partners = [Candidate(
        key=c.pk, name=c.name, country=c.country, population=c.population,
        languages=frozenset(filter(None, c.languages.split(","))),
        topics={t.topic.slug: t.role for t in c.topics.all()})
        for c in (City.objects.exclude(country="DE").exclude(pk__in=busy)
                  .filter(topics__isnull=False).distinct().prefetch_related("topics__topic"))]
    free = programme.max_tandems - programme.tandems.live().count()
    return germans, partners, max(free, 0)


def pairing_rules(programme) -> tuple[set, set]:
    """Staff's exclusions and must-pairs for the assistant, as (german, partner) key pairs."""
    from tandems.models import PairingRule

    rules = PairingRule.objects.filter(programme=programme).values_list(
        "kind", "german_city_id", "partner_city_id")
    excluded = {(g, p) for kind, g, p in rules if kind == PairingRule.Kind.EXCLUDE}
    required = {(g, p) for kind, g, p in rules if kind == PairingRule.Kind.REQUIRE}
    return excluded, required


def calendar_meetings(queryset=None):
    """Meetings with what an iCalendar event names (tandem, members, host), query-free per row."""
    queryset = queryset if queryset is not None else Meeting.objects.all()
    return queryset.select_related("tandem", "host").prefetch_related(
        Prefetch("tandem__memberships", queryset=Membership.objects.select_related("city")))


# -- the timeline -------------------------------------------------------------------------

TIMELINE_LABEL_WIDTH = 260
TIMELINE_YEAR_WIDTH = 240
TIMELINE_ROW_HEIGHT = 48


@dataclass
class TimelineMarker:
    x: float
    title: str
    when: datetime
    year: int
    status: str  # planned, held, cancelled; "event" for network events
    url: str


@dataclass
class TimelineRow:
    label: str
    y: int
    markers: list
    places: list  # per year: figures and squares (see _cell); empty for the events row
    tandem: object = None


def _x(moment, years) -> float:
    """The horizontal position of ``moment`` (German time) on the timeline."""
    local = german_time(moment)
    start = datetime(local.year, 1, 1, tzinfo=local.tzinfo)
    share = (local - start).total_seconds() / (366 * 24 * 3600)
    return round(TIMELINE_LABEL_WIDTH + (local.year - years[0] + share) * TIMELINE_YEAR_WIDTH, 1)


def _cell(place: YearPlaces, right: int) -> dict:
    """A year of one tandem: its figures and a square per place (filled when used)."""
    boxes = [{"x": right - 16 * (place.max - n) - 4, "used": n < place.used}
             for n in range(place.max)]
    return {"year": place.year, "used": place.used, "max": place.max, "left": place.left,
            "boxes": boxes}


def timeline(*, programme, tandems, events) -> dict:
    """Lay out tandems x meeting years with meetings and network events as markers.

    ``tandems`` come with members and meetings prefetched (``timeline_tandems``); the
    layout itself runs no query.
    """
    years = list(programme.meeting_years)
    rows = []
    for tandem in tandems:
        meetings = [m for m in tandem.meetings.all() if m.year in years]
        rows.append(TimelineRow(
            label=str(tandem), y=0, tandem=tandem, places=[
                _cell(place, TIMELINE_LABEL_WIDTH + (index + 1) * TIMELINE_YEAR_WIDTH)
                for index, place in enumerate(meeting_places(tandem, meetings))],
            markers=[TimelineMarker(_x(m.starts_at, years), m.title, m.starts_at, m.year,
                                    m.status, m.get_absolute_url()) for m in meetings]))
    in_years = [e for e in events if german_time(e.starts_at).year in years]
    rows.append(TimelineRow(label="", y=0, places=[], markers=[
        TimelineMarker(_x(e.starts_at, years), e.title, e.starts_at,
                       german_time(e.starts_at).year, "event", e.get_absolute_url())
        for e in in_years]))
    for index, row in enumerate(rows):
        row.y = 40 + index * TIMELINE_ROW_HEIGHT
    return {
        "years": [{"year": y, "x": TIMELINE_LABEL_WIDTH + i * TIMELINE_YEAR_WIDTH}
                  for i, y in enumerate(years)],
        # The list under the drawing names every event, also one outside the meeting years.
        "rows": rows, "events": events, "first_year": years[0], "last_year": years[-1],
        "width": TIMELINE_LABEL_WIDTH + len(years) * TIMELINE_YEAR_WIDTH,
        "height": 40 + len(rows) * TIMELINE_ROW_HEIGHT,
        "year_width": TIMELINE_YEAR_WIDTH,
    }


def timeline_tandems(queryset):
    """Tandems with members and meetings, for the timeline, in three queries."""
    return tandems_with_members(queryset).prefetch_related(
        Prefetch("meetings", queryset=Meeting.objects.order_by("starts_at")))
