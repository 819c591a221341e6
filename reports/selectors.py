"""The funder report: what the programme did in one year, counted straight from the data.

:func:`funder_report` reads everything in a fixed number of queries, whatever the number
of tandems, meetings, events or registrations, and returns plain dataclasses that the
page, the CSV, the XLSX and the PDF (``reports.exports``) all render the same way.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from applications.formatting import PROGRAMME_ZONE, german_time
from casestudies.enums import CaseStudyStatus
from events.enums import RegistrationStatus
from events.models import Event, Registration
from programme.countries import Country
from tandems.enums import MeetingFormat, MeetingStatus
from tandems.models import Meeting, Membership, Tandem


@dataclass(frozen=True)
class TandemColumn:
    """An extra per-tandem column: ``values`` reads it for all tandems in one query."""

    key: str
    label: str | Promise
    values: Callable[[list[Tandem], int], dict[int, object]]


def case_study_statuses(tandems: list[Tandem], year: int) -> dict[int, str]:
    """Each tandem's case-study status as it is today (a study is not kept per year)."""
    from casestudies.models import CaseStudy

    rows = CaseStudy.objects.filter(tandem__in=[t.pk for t in tandems]).values_list(
        "tandem_id", "status")
    labels = dict(CaseStudyStatus.choices)
    return {tandem_id: str(labels[status]) for tandem_id, status in rows}


# Extra per-tandem columns, shown on the page and in every export after the meeting
# figures; each reads its values for all tandems in one query.
TANDEM_COLUMNS: list[TandemColumn] = [
    TandemColumn("case_study", _("Case study (today)"), case_study_statuses),
]


@dataclass(frozen=True)
class MeetingRow:
    tandem: str
    date: date
    title: str
    format: str
    format_label: str
    host: str
    participants: list[str]


@dataclass
class TandemRow:
    pk: int
    name: str
    meetings: list[MeetingRow]
    per_format: dict[str, int]  # MeetingFormat value -> meetings held, every format present
    extra: dict[str, object] = field(default_factory=dict)  # TANDEM_COLUMNS key -> value

    @property
    def held(self) -> int:
        return len(self.meetings)


@dataclass(frozen=True)
class EventRow:
    pk: int
    date: date
    title: str
    kind_label: str
    format_label: str
    confirmed: int  # confirmed registrations
    cities: int  # cities these people came for


@dataclass(frozen=True)
class CityRow:
    name: str
    country: str
    per_event: list[int]  # confirmed registrations per event, in the order of Report.events
    registrations: int  # confirmed registrations over all events of the year
    people: int  # distinct people among them


@dataclass(frozen=True)
class Totals:
    tandems: int
    tandems_meeting: int  # tandems with at least one held meeting
    meetings_held: int
    per_format: dict[str, int]
    participant_lines: int  # participants named at the held meetings (one line each)
    events: int
    registrations: int  # confirmed registrations over all events
    people: int  # distinct people with a confirmed registration
    cities: int  # distinct cities they came for


@dataclass
class Report:
    programme: object
    year: int
    tandems: list[TandemRow]
    events: list[EventRow]
    cities: list[CityRow]
    totals: Totals
    columns: list[TandemColumn]
    formats: list[tuple[str, str]]  # (value, label) of every meeting format, in order

    @property
    def meetings(self) -> list[MeetingRow]:
        """Every held meeting, tandem by tandem, then by date."""
        return [meeting for row in self.tandems for meeting in row.meetings]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The calendar year in German time, as [start, end) instants."""
    return (datetime(year, 1, 1, tzinfo=PROGRAMME_ZONE),
            datetime(year + 1, 1, 1, tzinfo=PROGRAMME_ZONE))


def report_year(*, programme, today: date) -> int:
    """The year the report opens with: the latest meeting year up to ``today``'s year."""
    years = [year for year in programme.meeting_years if year <= today.year]
    return years[-1] if years else programme.first_meeting_year


def participant_lines(text: str) -> list[str]:
    """The participants of a meeting: one person per non-empty line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _tandems(*, programme, year: int, formats: list[str]) -> list[TandemRow]:
    """The programme's tandems that existed in ``year``, with the meetings held then."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    existed = Q(formed_on__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gte=first))
    # The members of that year only: "Krefeld – Sofia" in 2023, "Krefeld – Venlo" in 2024,
    # "Krefeld – Sofia / Venlo" for a year in which the partner changed.
    members = (Membership.objects.during(first, last)
               .select_related("city").order_by("joined_on", "pk"))
    held = (Meeting.objects.filter(year=year, status=MeetingStatus.HELD)
            .select_related("host").order_by("starts_at", "pk"))
    tandems = list(Tandem.objects.filter(existed, programme=programme).prefetch_related(
        Prefetch("memberships", queryset=members, to_attr="year_members"),
        Prefetch("meetings", queryset=held, to_attr="held"),
    ))
    rows = []
    for tandem in tandems:
        name = tandem.name_with(tandem.year_members)
        meetings = [MeetingRow(
            tandem=name, date=german_time(m.starts_at).date(), title=m.title, format=m.format,
            format_label=str(m.get_format_display()), host=m.host.name,
            participants=participant_lines(m.participants)) for m in tandem.held]
        per_format = dict.fromkeys(formats, 0)
        for meeting in meetings:
            per_format[meeting.format] = per_format.get(meeting.format, 0) + 1
        rows.append(TandemRow(pk=tandem.pk, name=name, meetings=meetings,
                              per_format=per_format))
    for column in TANDEM_COLUMNS:
        values = column.values(tandems, year)
        for row in rows:
            row.extra[column.key] = values.get(row.pk)
    return rows


def _events(*, programme, year: int) -> tuple[list[Event], list[tuple[int, int, int]], dict]:
    """The year's network events and their confirmed registrations (event, person, city)."""
    start, end = year_bounds(year)
    events = list(Event.objects.filter(programme=programme, starts_at__gte=start,
                                       starts_at__lt=end).order_by("starts_at", "pk"))
    registrations = (Registration.objects
                     .filter(event__in=[e.pk for e in events],
                             status=RegistrationStatus.CONFIRMED)
                     .values_list("event_id", "user_id", "city_id", "city__name",
                                  "city__country"))
    cities, confirmed = {}, []
    for event_id, user_id, city_id, name, country in registrations:
        cities[city_id] = (name, country)
        confirmed.append((event_id, user_id, city_id))
    return events, confirmed, cities


def funder_report(*, programme, year: int) -> Report:
    """Count meetings held per tandem and event attendance per city in ``year``.

    At most five queries plus one per extra tandem column, however much data there is.
    """
    formats = [value for value, _label in MeetingFormat.choices]
    tandems = _tandems(programme=programme, year=year, formats=formats)
    events, confirmed, city_names = _events(programme=programme, year=year)

    per_event = Counter(event for event, _user, _city in confirmed)
    per_event_city = Counter((event, city) for event, _user, city in confirmed)
    event_rows = [EventRow(
        pk=e.pk, date=german_time(e.starts_at).date(), title=e.title,
        kind_label=str(e.get_kind_display()), format_label=str(e.get_format_display()),
        confirmed=per_event[e.pk],
        cities=len({city for event, _user, city in confirmed if event == e.pk}),
    ) for e in events]

    people_of = defaultdict(set)
    for _event, user, city in confirmed:
        people_of[city].add(user)
    city_rows = sorted((CityRow(
        name=name, country=_country_label(country),
        per_event=[per_event_city[(e.pk, city_id)] for e in events],
        registrations=sum(per_event_city[(e.pk, city_id)] for e in events),
        people=len(people_of[city_id]),
    ) for city_id, (name, country) in city_names.items()),
        key=lambda row: (row.name.casefold(), row.country))

    totals = Totals(
        tandems=len(tandems),
        tandems_meeting=sum(1 for row in tandems if row.held),
        meetings_held=sum(row.held for row in tandems),
        per_format={value: sum(row.per_format.get(value, 0) for row in tandems)
                    for value in formats},
        participant_lines=sum(len(m.participants) for row in tandems for m in row.meetings),
        events=len(events),
        registrations=len(confirmed),
        people=len({user for _event, user, _city in confirmed}),
        cities=len(city_names),
    )
    return Report(programme=programme, year=year, tandems=tandems, events=event_rows,
                  cities=city_rows, totals=totals, columns=list(TANDEM_COLUMNS),
                  formats=[(value, str(label)) for value, label in MeetingFormat.choices])


def _country_label(code: str) -> str:
    return str(Country(code).label) if code in Country.values else code
