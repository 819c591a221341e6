from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.db.models import Prefetch

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
    from applications.formatting import PROGRAMME_ZONE

    def differs(city):
        zone = ZoneInfo(city.time_zone)
        return any(moment.astimezone(zone).utcoffset()
                   != moment.astimezone(PROGRAMME_ZONE).utcoffset() for moment in _SEASONS)

    return [city for city in cities if differs(city)]


def contacts_of(cities):
    return (CityContact.objects.filter(city__in=cities).select_related("user", "city")
            .order_by("city__name", "user__name"))


def diagram(tandems) -> dict:
    """Lay out the pairs for an SVG: German cities left, partners right, a line per tandem."""
    rows = []
    for i, tandem in enumerate(tandems):
        members = tandem.current_memberships()
        if len(members) == 2:
            rows.append({"german": members[0].city.name, "partner": members[1].city.name,
                         "country": members[1].city.get_country_display(), "y": 30 + i * 44})
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
