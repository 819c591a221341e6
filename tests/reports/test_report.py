"""The funder report: totals against hand-counted fixtures, the exports, who may see it."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.enums import RESEARCHERS_GROUP
from casestudies.enums import CaseStudyStatus
from casestudies.models import CaseStudy
from casestudies.services import casestudy_create
from events.models import Event, Registration
from programme.models import Programme
from reports.selectors import funder_report, report_year
from tandems.enums import MeetingStatus
from tandems.models import Tandem
from tandems.services import meeting_set_status, membership_add, membership_end
from tests.factories import (
    CityFactory,
    ProgrammeFactory,
    UserFactory,
    meeting_factory,
    member_contact,
    tandem_factory,
)

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
LATER = datetime(2024, 6, 1, tzinfo=BERLIN)  # "now" when meetings are marked as held


def at(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def held(tandem, when, **fields):
    meeting = meeting_factory(tandem, starts_at=when, **fields)
    return meeting_set_status(meeting=meeting, status=MeetingStatus.HELD, now=LATER)


def event(programme, title, starts, **fields):
    return Event.objects.create(programme=programme, title=title, starts_at=starts,
                                ends_at=starts + timedelta(hours=6),
                                registration_closes_at=starts - timedelta(days=7), **fields)


def register(event, user, city, status="confirmed"):
    return Registration.objects.create(event=event, user=user, city=city, status=status)


@pytest.fixture
def world():
    """Hand-counted data; the figures for 2023 are written out in the tests below.

    Tandems: Aachen – Maastricht and Bonn – Gent (Gent leaves mid-2023, Brugge joins);
    a third tandem is formed only in 2024, a fourth belongs to another programme.
    """
    programme = ProgrammeFactory(name_en="#ConnectedinEurope")
    # An older programme: the report is on the current (newest) one.
    older = ProgrammeFactory(runs_from=date(2016, 1, 1))
    aachen, bonn = CityFactory(name="Aachen"), CityFactory(name="Bonn")
    maastricht = CityFactory(name="Maastricht", country="NL", ags=None)
    gent = CityFactory(name="Gent", country="BE", ags=None)
    brugge = CityFactory(name="Brugge", country="BE", ags=None)
    one = tandem_factory(programme=programme, german=aachen, partner=maastricht)
    two = tandem_factory(programme=programme, german=bonn, partner=gent)
    late = tandem_factory(programme=programme, german=CityFactory(name="Celle"),
                          partner=CityFactory(name="Delft", country="NL", ags=None),
                          formed_on=date(2024, 2, 1))
    other = tandem_factory(programme=older, german=CityFactory(name="Essen"),
                           partner=CityFactory(name="Eindhoven", country="NL", ags=None))

    # Aachen – Maastricht: 2022 one online; 2023 one cancelled, then on site and hybrid held.
    held(one, at(2022, 6, 1), format="online", title="Kick-off")
    cancelled = meeting_factory(one, starts_at=at(2023, 2, 1), title="Abgesagt")
    meeting_set_status(meeting=cancelled, status=MeetingStatus.CANCELLED, now=LATER)
    held(one, at(2023, 3, 1), format="on_site", title="Besuch in Aachen",
         participants="Anna Alt\nBernd Berg\n\n  Carla Christ  \n")
    held(one, at(2023, 9, 1), format="hybrid", title="Besuch in Maastricht", host=maastricht,
         participants="Dora Dahl")
    # Bonn – Gent / Brugge: 2022 one on site; 2023 one online held, one still planned.
    held(two, at(2022, 10, 1), format="on_site", title="Erstes Treffen")
    held(two, at(2023, 4, 1), format="online", title="Online-Runde")
    membership_end(membership=two.memberships.get(city=gent), left_on=date(2023, 6, 30))
    membership_add(tandem=two, city=brugge, joined_on=date(2023, 7, 1))
    meeting_factory(two, starts_at=at(2023, 11, 20), title="Noch geplant")
    held(late, at(2024, 3, 1), title="Spät")
    held(other, at(2023, 5, 5), title="Anderes Programm")

    # Network events: two in 2023; one in 2022; one just after New Year 2024 in German time
    # (still 2023 in UTC); one of another programme.
    berlin = event(programme, "Netzwerkkonferenz Berlin", at(2023, 10, 23),
                   kind="conference")
    workshop = event(programme, "Online-Workshop", at(2023, 12, 5), format="online")
    kickoff = event(programme, "Kick-off", at(2022, 5, 17))
    new_year = event(programme, "Neujahrstreffen", at(2024, 1, 1, 0, 30))
    elsewhere = event(older, "Fremde Konferenz", at(2023, 6, 1))
    u1, u2, u3, u4, u5, u6 = (UserFactory() for _ in range(6))
    register(berlin, u1, aachen)
    register(berlin, u2, aachen)
    register(berlin, u3, maastricht)
    register(berlin, u4, bonn, "waiting")
    register(berlin, u5, bonn, "cancelled")
    register(workshop, u1, aachen)  # the same person at a second event
    register(workshop, u3, maastricht, "cancelled")
    register(workshop, u6, bonn)
    register(workshop, u4, bonn, "waiting")
    register(kickoff, u1, aachen)
    register(new_year, u2, aachen)
    register(elsewhere, u5, bonn)
    return programme


# -- the figures ----------------------------------------------------------------------------

def test_report_counts_held_meetings_per_tandem_and_format(world):
    report = funder_report(programme=world, year=2023)
    rows = {row.name: row for row in report.tandems}
    assert list(rows) == ["Aachen – Maastricht", "Bonn – Gent / Brugge"]
    assert rows["Aachen – Maastricht"].held == 2
    assert rows["Aachen – Maastricht"].per_format == {"on_site": 1, "online": 0, "hybrid": 1}
    assert rows["Bonn – Gent / Brugge"].per_format == {"on_site": 0, "online": 1, "hybrid": 0}
    totals = report.totals
    assert (totals.tandems, totals.tandems_meeting, totals.meetings_held) == (2, 2, 3)
    assert totals.per_format == {"on_site": 1, "online": 1, "hybrid": 1}
    assert totals.participant_lines == 4


def test_report_lists_each_held_meeting_with_participants_and_host(world):
    meetings = funder_report(programme=world, year=2023).meetings
    assert [(m.tandem, m.date, m.title, m.format, m.host, m.participants) for m in meetings] == [
        ("Aachen – Maastricht", date(2023, 3, 1), "Besuch in Aachen", "on_site", "Aachen",
         ["Anna Alt", "Bernd Berg", "Carla Christ"]),
        ("Aachen – Maastricht", date(2023, 9, 1), "Besuch in Maastricht", "hybrid",
         "Maastricht", ["Dora Dahl"]),
        ("Bonn – Gent / Brugge", date(2023, 4, 1), "Online-Runde", "online", "Bonn", []),
    ]


def test_report_counts_confirmed_people_per_city_and_event(world):
    report = funder_report(programme=world, year=2023)
    assert [(e.title, e.confirmed, e.cities) for e in report.events] == [
        ("Netzwerkkonferenz Berlin", 3, 2), ("Online-Workshop", 2, 2)]
    assert [(c.name, c.per_event, c.registrations, c.people) for c in report.cities] == [
        ("Aachen", [2, 1], 3, 2), ("Bonn", [0, 1], 1, 1), ("Maastricht", [1, 0], 1, 1)]
    totals = report.totals
    assert (totals.events, totals.registrations, totals.people, totals.cities) == (2, 5, 4, 3)


def test_report_for_another_year_names_the_members_of_that_year(world):
    report = funder_report(programme=world, year=2022)
    assert [(row.name, row.held) for row in report.tandems] == [
        ("Aachen – Maastricht", 1), ("Bonn – Gent", 1)]
    assert report.totals.per_format == {"on_site": 1, "online": 1, "hybrid": 0}
    assert [(e.title, e.confirmed) for e in report.events] == [("Kick-off", 1)]
    later = funder_report(programme=world, year=2024)
    assert [(row.name, row.held) for row in later.tandems] == [
        ("Aachen – Maastricht", 0), ("Bonn – Brugge", 0), ("Celle – Delft", 1)]
    assert (later.totals.tandems_meeting, later.totals.people) == (1, 1)  # the New Year event


def test_report_opens_on_the_latest_meeting_year_up_to_today():
    programme = ProgrammeFactory()  # meeting years 2022-2024
    assert report_year(programme=programme, today=date(2023, 5, 1)) == 2023
    assert report_year(programme=programme, today=date(2030, 1, 1)) == 2024
    assert report_year(programme=programme, today=date(2021, 1, 1)) == 2022


def test_report_on_the_demo_data_counts_two_meetings_per_tandem_in_2022(seeded):
    # core/demo.py MEETING_PLAN: an online and an on-site meeting in 2022 for all six tandems.
    report = funder_report(programme=Programme.objects.current(), year=2022)
    assert report.totals.tandems == 6 and report.totals.tandems_meeting == 6
    assert report.totals.meetings_held == 12
    assert [row.held for row in report.tandems] == [2] * 6
    assert report.totals.per_format == {"on_site": 6, "online": 6, "hybrid": 0}
    assert "Krefeld – Sofia" in [row.name for row in report.tandems]
    assert "Krefeld – Venlo" in [row.name for row in
                                 funder_report(programme=report.programme, year=2024).tandems]


def _grow(programme):
    """More of everything: tandems, a membership change, meetings, events and people."""
    for n in range(2):  # the programme's six places: three taken, three to go
        tandem = tandem_factory(programme=programme)
        held(tandem, at(2023, 3, 1 + n), participants="A\nB")
        held(tandem, at(2023, 8, 1 + n), format="online")
    gent = CityFactory(name="Gent2", country="BE", ags=None)
    tandem = tandem_factory(programme=programme, partner=gent)
    membership_end(membership=tandem.memberships.get(city=gent), left_on=date(2023, 6, 30))
    membership_add(tandem=tandem, city=CityFactory(country="BE", ags=None),
                   joined_on=date(2023, 7, 1))
    for n in range(3):
        extra = event(programme, f"Workshop {n}", at(2023, 2, 1 + n))
        for _ in range(4):
            register(extra, UserFactory(), CityFactory())


def test_report_keeps_a_constant_number_of_queries(world, staff_client):
    def count(callable_):
        with CaptureQueriesContext(connection) as queries:
            callable_()
        return len(queries)

    small = count(lambda: funder_report(programme=world, year=2023))
    small_page = count(lambda: staff_client.get("/en/bericht/2023/"))
    _grow(world)
    report = funder_report(programme=world, year=2023)
    assert report.totals.meetings_held == 7 and report.totals.events == 5
    assert count(lambda: funder_report(programme=world, year=2023)) == small <= 6
    assert count(lambda: staff_client.get("/en/bericht/2023/")) == small_page


def test_the_case_study_status_reaches_the_page_and_every_export(world, staff_client):
    aachen_tandem = Tandem.objects.get(memberships__city__name="Aachen")
    case_study = casestudy_create(tandem=aachen_tandem, title="Fallstudie Aachen")
    CaseStudy.objects.filter(pk=case_study.pk).update(status=CaseStudyStatus.WITH_CITIES)
    with translation.override("en"):
        report = funder_report(programme=world, year=2023)
        assert [row.extra for row in report.tandems] == [{"case_study": "with the cities"},
                                                         {"case_study": None}]
    assert "with the cities" in staff_client.get("/en/bericht/2023/").content.decode()
    rows = list(csv.reader(io.StringIO(staff_client.get(
        "/en/bericht/2023/?format=csv&table=tandems").content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Case study (today)"
    assert [row[-1] for row in rows[1:3]] == ["with the cities", ""]
    sheet = load_workbook(io.BytesIO(staff_client.get(
        "/en/bericht/2023/?format=xlsx").content))["Tandems"]
    assert (sheet.cell(1, 6).value, sheet.cell(2, 6).value) == ("Case study (today)",
                                                                "with the cities")


# -- the page and the exports ---------------------------------------------------------------

def test_staff_see_the_report_page_with_year_links_and_accessible_tables(world, staff_client):
    response = staff_client.get("/en/bericht/2023/")
    assert response.status_code == 200
    html = response.content.decode()
    for year in (2022, 2023, 2024):
        assert f'href="/en/bericht/{year}/"' in html
    assert 'aria-current="page" href="/en/bericht/2023/"' in html
    assert "<caption>Meetings held per tandem in 2023</caption>" in html
    assert '<th scope="row">Aachen – Maastricht</th>' in html
    assert '<th scope="col">Tandem</th>' in html
    assert "<li>Carla Christ</li>" in html and "Noch geplant" not in html
    assert "Anderes Programm" not in html and "Fremde Konferenz" not in html
    for link in ("?format=pdf", "?format=xlsx", "?format=csv&amp;table=meetings",
                 "?format=csv&amp;table=attendance"):
        assert f'href="{link}"' in html
    assert "<style" not in html and "style=" not in html


def test_the_report_redirects_to_the_latest_meeting_year(world, staff_client):
    from django.utils import timezone

    response = staff_client.get("/en/bericht/")
    expected = report_year(programme=Programme.objects.current(), today=timezone.now().date())
    assert response.status_code == 302 and response.url == f"/en/bericht/{expected}/"


def test_meetings_csv_has_one_row_per_held_meeting(world, staff_client):
    response = staff_client.get("/en/bericht/2023/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="funder-report-2023-meetings.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Tandem", "Date", "Title", "Format", "Host city", "Participants",
                       "Number of participants"]
    assert rows[1] == ["Aachen – Maastricht", "2023-03-01", "Besuch in Aachen", "on site",
                       "Aachen", "Anna Alt; Bernd Berg; Carla Christ", "3"]
    assert len(rows) == 4


def test_attendance_csv_has_a_row_per_city_and_the_totals(world, staff_client):
    response = staff_client.get("/en/bericht/2023/?format=csv&table=attendance")
    assert 'filename="funder-report-2023-attendance.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["City", "Country", "Netzwerkkonferenz Berlin (23/10/2023)",
                       "Online-Workshop (05/12/2023)", "Registrations", "People"]
    assert rows[1:] == [["Aachen", "Germany", "2", "1", "3", "2"],
                        ["Bonn", "Germany", "0", "1", "1", "1"],
                        ["Maastricht", "Netherlands", "1", "0", "1", "1"],
                        ["Total", "", "3", "2", "5", "4"]]


def test_xlsx_has_a_sheet_per_table_with_the_figures(world, staff_client):
    response = staff_client.get("/en/bericht/2023/?format=xlsx")
    assert response.status_code == 200
    assert 'filename="funder-report-2023.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Summary", "Tandems", "Meetings", "Attendance", "Events"]
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
    assert summary["Meetings held"] == 3 and summary["People at network events"] == 4
    assert summary["Tandems with at least one meeting held"] == 2
    meetings = list(workbook["Meetings"].iter_rows(values_only=True))
    assert len(meetings) == 4
    assert meetings[1][:3] == ("Aachen – Maastricht", datetime(2023, 3, 1), "Besuch in Aachen")
    tandems = list(workbook["Tandems"].iter_rows(values_only=True))
    assert tandems[-1] == ("Total", 3, 1, 1, 1, None)
    events = list(workbook["Events"].iter_rows(values_only=True))
    assert events[1][:5] == ("Netzwerkkonferenz Berlin", datetime(2023, 10, 23), "conference",
                             "on site", 3)


def test_pdf_is_a_tagged_a4_report_with_the_tandems_and_totals(world, staff_client):
    response = staff_client.get("/en/bericht/2023/?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="funder-report-2023.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/Lang"] == "en"
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "#ConnectedinEurope" in text and "Funder report 2023" in text.replace("\n", " ")
    for name in ("Aachen", "Maastricht", "Bonn", "Brugge", "Carla Christ"):
        assert name in text
    assert "People at network events 4" in text.replace("\n", " ")
    assert f"1 / {len(reader.pages)}" in text


# -- who may see it, and bad input ------------------------------------------------------------

def test_only_staff_may_see_the_report(world, client):
    tandem = world.tandems.first()
    assert client.get("/en/bericht/2023/").status_code == 302
    assert "/accounts/login/" in client.get("/en/bericht/").url
    client.force_login(member_contact(tandem))
    assert client.get("/en/bericht/2023/").status_code == 403
    assert client.get("/en/bericht/2023/?format=csv").status_code == 403
    assert client.get("/en/bericht/").status_code == 403
    researcher = UserFactory()
    researcher.groups.add(Group.objects.get_or_create(name=RESEARCHERS_GROUP)[0])
    client.force_login(researcher)
    assert client.get("/en/bericht/2023/?format=pdf").status_code == 403
    assert client.get("/en/bericht/2099/").status_code == 403  # no hint which years exist


@pytest.mark.parametrize("year", [2021, 2025])
def test_a_year_outside_the_meeting_years_is_not_found(world, staff_client, year):
    assert staff_client.get(f"/en/bericht/{year}/").status_code == 404


@pytest.mark.parametrize("query", ["format=docx", "format=", "format=csv&table=nope"])
def test_an_unknown_format_or_table_is_a_bad_request(world, staff_client, query):
    response = staff_client.get(f"/en/bericht/2023/?{query}")
    assert response.status_code == 400
    assert "Unknown" in response.content.decode()


def test_the_page_works_in_german_too(world, staff_client):
    response = staff_client.get("/de/bericht/2023/")
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    assert "23. Oktober 2023" in response.content.decode()


def test_the_admin_links_to_the_report(staff_client):
    html = staff_client.get("/admin/").content.decode()
    assert 'href="/de/bericht/"' in html or 'href="/en/bericht/"' in html


def test_the_exports_neutralise_formulas_in_city_names_titles_and_participants(staff_client):
    from tests.spreadsheets import FORMULAS, assert_csv_formula_safe, assert_xlsx_formula_safe

    formula, plus, minus, at_sign = FORMULAS
    tandem = tandem_factory(programme=ProgrammeFactory(),
                            german=CityFactory(name=formula),
                            partner=CityFactory(name=plus, country="NL", ags=None))
    german, partner = (m.city for m in tandem.memberships.order_by("city__country"))
    held(tandem, at(2023, 3, 1), host=german, title=minus, participants=at_sign)
    held(tandem, at(2023, 9, 1), host=partner, title="Besuch", participants="Anna")
    rows = assert_csv_formula_safe(staff_client.get(
        "/en/bericht/2023/?format=csv&table=meetings").content)
    assert rows[1][-1] == "1"  # a number stays a number
    workbook = assert_xlsx_formula_safe(staff_client.get("/en/bericht/2023/?format=xlsx").content)
    assert workbook["Meetings"]["G2"].data_type == "n"
