"""The meeting rule through the members' pages and the admin, and who may do what."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tandems.enums import MeetingStatus
from tandems.models import Meeting, Tandem
from tandems.services import meeting_set_status
from tests.factories import meeting_factory, member_contact, tandem_factory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def form(title="Abschlusstreffen", starts="2024-10-09T10:00", ends="2024-10-09T16:00", **extra):
    return {"title": title, "starts_at": starts, "ends_at": ends, "format": "on_site",
            "place": "Rathaus", "link": "", "agenda": "", "participants": "", **extra}


@pytest.fixture
def krefeld(client, seeded):
    """The Krefeld–Venlo tandem (2024: one place left) and its German contact, logged in."""
    client.force_login(User.objects.get(email="krefeld@example.org"))
    return Tandem.objects.get(memberships__city__name="Krefeld")


def host_id(tandem, name="Krefeld"):
    return tandem.memberships.get(city__name=name).city_id


def test_the_tandem_page_shows_meetings_and_places_left(client, krefeld):
    page = client.get(f"/de/tandems/{krefeld.pk}/").content.decode()
    assert "[Demo] Gegenbesuch" in page
    assert "2023: 0 von 2 frei" in page and "2024: 1 von 2 frei" in page
    assert f'href="/de/tandems/{krefeld.pk}/meetings/new/"' in page


def test_a_member_plans_a_meeting_and_is_refused_a_third_in_the_year(client, krefeld):
    url = f"/de/tandems/{krefeld.pk}/meetings/new/"
    response = client.post(url, form(host=host_id(krefeld)))
    meeting = Meeting.objects.get(title="Abschlusstreffen")
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert (meeting.year, meeting.slot, meeting.starts_at) == (
        2024, 2, datetime(2024, 10, 9, 10, tzinfo=BERLIN))
    assert meeting.created_by.email == "krefeld@example.org"
    response = client.post(url, form(title="Noch eins", starts="2024-11-20T10:00",
                                     ends="2024-11-20T12:00", host=host_id(krefeld)))
    assert response.status_code == 400
    assert "hat 2024 schon 2 Treffen" in response.content.decode()
    assert not Meeting.objects.filter(title="Noch eins").exists()


@pytest.mark.parametrize(("starts", "ends", "message"), [
    ("2025-03-01T10:00", "2025-03-01T12:00", "von 2022 bis 2024"),
    ("2024-03-01T10:00", "2024-03-01T09:00", "endet nach seinem Beginn"),
    ("2024-03-01T10:00", "kein Datum", "gültiges Datum"),
])
def test_bad_dates_get_a_clear_message_in_german(client, krefeld, starts, ends, message):
    response = client.post(f"/de/tandems/{krefeld.pk}/meetings/new/",
                           form(starts=starts, ends=ends, host=host_id(krefeld)))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Meeting.objects.filter(title="Abschlusstreffen").exists()


def test_the_form_speaks_english_on_the_english_pages(client, krefeld):
    response = client.post(f"/en/tandems/{krefeld.pk}/meetings/new/",
                           form(starts="2023-11-01T10:00", ends="2023-11-01T12:00",
                                host=host_id(krefeld)))
    assert response.status_code == 400
    assert "This tandem already has 2 meetings in 2023" in response.content.decode()


def test_a_host_from_outside_the_tandem_is_refused(client, krefeld):
    other = Tandem.objects.get(memberships__city__name="Hamm")
    response = client.post(f"/de/tandems/{krefeld.pk}/meetings/new/",
                           form(host=host_id(other, "Hamm")))
    assert response.status_code == 400
    assert not Meeting.objects.filter(title="Abschlusstreffen").exists()


def test_moving_a_meeting_into_a_full_year_on_the_edit_page_is_refused(client, krefeld):
    meeting = krefeld.meetings.get(year=2024)
    response = client.post(f"/de/tandems/{krefeld.pk}/meetings/{meeting.pk}/edit/",
                           form(title=meeting.title, starts="2023-05-01T10:00",
                                ends="2023-05-01T12:00", host=meeting.host_id))
    assert response.status_code == 400
    meeting.refresh_from_db()
    assert meeting.year == 2024


def test_editing_a_meeting_saves_and_raises_its_sequence(client, krefeld):
    meeting = krefeld.meetings.get(year=2024)
    sequence = meeting.sequence
    response = client.post(f"/de/tandems/{krefeld.pk}/meetings/{meeting.pk}/edit/",
                           form(title="Neuer Titel", starts="2024-04-17T11:00",
                                ends="2024-04-17T13:00", host=meeting.host_id))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title, meeting.sequence) == ("Neuer Titel", sequence + 1)


def test_cancelling_frees_a_place_and_planning_again_needs_one(client, krefeld):
    first, second = krefeld.meetings.filter(year=2023)
    status_url = f"/de/tandems/{krefeld.pk}/meetings/{first.pk}/status/"
    assert first.status == MeetingStatus.HELD
    response = client.post(status_url, {"status": "cancelled"})
    assert response.status_code == 400
    assert "„stattgefunden“ kann nicht „abgesagt“ werden" in response.content.decode()
    meeting_set_status(meeting=first, status=MeetingStatus.PLANNED)
    assert client.post(status_url, {"status": "cancelled"}).status_code == 302
    assert client.post(f"/de/tandems/{krefeld.pk}/meetings/new/", form(
        starts="2023-11-01T10:00", ends="2023-11-01T12:00",
        host=host_id(krefeld, "Krefeld"))).status_code == 302
    response = client.post(status_url, {"status": "planned"})
    assert response.status_code == 400
    assert "hat 2023 schon 2 Treffen" in response.content.decode()
    assert client.post(status_url, {"status": "gone"}).status_code == 400
    assert client.get(status_url).status_code == 405


def test_nobody_reaches_another_tandems_meetings(client, krefeld):
    other = Tandem.objects.get(memberships__city__name="Hamm")
    theirs = other.meetings.first()
    for url in (f"/de/tandems/{other.pk}/meetings/new/",
                f"/de/tandems/{other.pk}/meetings/{theirs.pk}/",
                f"/de/tandems/{other.pk}/meetings/{theirs.pk}/edit/",
                f"/de/tandems/{krefeld.pk}/meetings/{theirs.pk}/",  # wrong tandem in the URL
                f"/de/tandems/{krefeld.pk}/meetings/{theirs.pk}/edit/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/de/tandems/{other.pk}/meetings/{theirs.pk}/status/",
                       {"status": "cancelled"}).status_code == 404
    assert client.post(f"/de/tandems/{other.pk}/meetings/new/",
                       form(host=host_id(other, "Hamm"))).status_code == 404
    assert not Meeting.objects.filter(title="Abschlusstreffen").exists()


def test_an_unverified_contact_sees_nothing_of_the_tandem(client):
    # Anyone may claim a municipality when starting a draft; staff verify who speaks for it.
    tandem = tandem_factory()
    meeting = meeting_factory(tandem)
    client.force_login(member_contact(tandem, verified=False))
    for url in (f"/de/tandems/{tandem.pk}/", meeting.get_absolute_url(),
                f"/de/tandems/{tandem.pk}/meetings/new/",
                f"/de/tandems/{tandem.pk}/meetings/{meeting.pk}/edit/"):
        assert client.get(url).status_code == 404, url


def test_the_partner_sees_the_times_in_german_and_in_its_own_time(client):
    from tests.factories import CityFactory

    athens = CityFactory(name="Athen", country="GR", ags=None, time_zone="Europe/Athens")
    tandem = tandem_factory(partner=athens)
    meeting = meeting_factory(tandem, starts_at=datetime(2023, 5, 10, 10, tzinfo=BERLIN))
    client.force_login(member_contact(tandem, german=False, language="en"))
    page = client.get(f"/en/tandems/{tandem.pk}/meetings/{meeting.pk}/").content.decode()
    assert "10 May 2023, 10:00" in page and "(German time)" in page
    assert "11:00–14:00 local time in Athen" in page


def test_anonymous_visitors_are_sent_to_log_in(client):
    tandem = tandem_factory()
    meeting = meeting_factory(tandem)
    for url in (f"/de/tandems/{tandem.pk}/meetings/new/", meeting.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_meeting_pages_keep_a_constant_query_count(client):
    tandem = tandem_factory()
    first = meeting_factory(tandem, starts_at=datetime(2022, 6, 1, 10, tzinfo=BERLIN))
    client.force_login(member_contact(tandem))
    pages = [f"/de/tandems/{tandem.pk}/", first.get_absolute_url(),
             f"/de/tandems/{tandem.pk}/meetings/new/"]
    before = [queries(client, url) for url in pages]
    for year in (2022, 2023, 2024):
        for month in (11,) if year == 2022 else (3, 9):
            meeting_factory(tandem, starts_at=datetime(year, month, 1, 10, tzinfo=BERLIN))
    assert [queries(client, url) for url in pages] == before


def test_staff_plan_in_the_admin_under_the_same_cap(staff_client, seeded):
    tandem = Tandem.objects.get(memberships__city__name="Krefeld")
    data = {"tandem": tandem.pk, "title": "Vom Projektteam", "starts_at_0": "2023-11-01",
            "starts_at_1": "10:00", "ends_at_0": "2023-11-01", "ends_at_1": "12:00",
            "format": "online", "host": host_id(tandem), "place": "", "link": "",
            "agenda": "", "participants": "", "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0"}
    response = staff_client.post("/admin/tandems/meeting/add/", data)
    assert response.status_code == 200
    assert "hat 2023 schon 2 Treffen" in response.content.decode()
    response = staff_client.post("/admin/tandems/meeting/add/", {
        **data, "starts_at_0": "2024-11-01", "ends_at_0": "2024-11-01"})
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="Vom Projektteam")
    assert (meeting.year, meeting.slot) == (2024, 2)
    page = staff_client.get(f"/admin/tandems/meeting/{meeting.pk}/change/").content.decode()
    assert "2024: 0 von 2 frei" in page
    staff_client.post("/admin/tandems/meeting/", {
        "action": "mark_cancelled", "_selected_action": [meeting.pk]})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.slot) == (MeetingStatus.CANCELLED, None)


def test_the_admin_list_keeps_a_constant_query_count(staff_client):
    tandem = tandem_factory()
    meeting_factory(tandem, starts_at=datetime(2022, 6, 1, 10, tzinfo=BERLIN))
    before = queries(staff_client, "/admin/tandems/meeting/")
    for n in range(4):
        other = tandem_factory(programme=tandem.programme)
        meeting_factory(other, starts_at=datetime(2023, 3, 1 + n, 10, tzinfo=BERLIN))
    assert queries(staff_client, "/admin/tandems/meeting/") == before


def test_the_demo_meetings_keep_the_rule(seeded):
    from django.db.models import Count

    per_year = (Meeting.objects.live().values("tandem", "year").annotate(n=Count("pk"))
                .values_list("n", flat=True))
    assert Meeting.objects.count() == 30 and max(per_year) == 2
    sofia_hosted = Meeting.objects.filter(host__name="Sofia").values_list("year", flat=True)
    assert set(sofia_hosted) == {2022, 2023}  # and Venlo from 2024, when it joined
    assert Meeting.objects.filter(host__name="Venlo", year__lt=2024).count() == 0
