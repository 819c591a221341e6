"""Staff in the admin: the event list with its counts, the participant list and its exports,
and more places moving the waiting list up."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from events.enums import RegistrationStatus
from events.models import Event, Registration
from events.services import registration_cancel, registration_create
from notifications.models import Message
from tests.events.conftest import city_of, upcoming
from tests.factories import member_contact

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/events/event/"


@pytest.fixture
def event_with_people(programme, tandem):
    """Capacity 2: Anna and Bernd registered, Carla, Dirk waiting, Emil unregistered."""
    event = upcoming(programme, capacity=2, title="Netzwerkkonferenz")
    people = {}
    for name in ("Anna", "Bernd", "Carla", "Dirk", "Emil"):
        people[name] = member_contact(tandem, name=f"{name} Muster",
                                      email=f"{name.lower()}@example.org")
    people["Bernd"].name = "=HYPERLINK(1)"  # a name that looks like a formula
    people["Bernd"].save()
    registrations = {name: registration_create(event=event, user=user, city=city_of(user))
                     for name, user in people.items()}
    registration_cancel(registration=registrations["Emil"])
    return event


def test_the_changelist_shows_counts_in_a_constant_number_of_queries(staff_client, programme,
                                                                     tandem):
    def add(n):
        for k in range(n):
            event = upcoming(programme, days=10 + k, capacity=1)
            for _ in range(3):
                user = member_contact(tandem)
                registration_create(event=event, user=user, city=city_of(user))

    add(2)
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    few = len(captured)
    page = response.content.decode()
    assert '<td class="field-confirmed">1</td>' in page
    assert '<td class="field-waiting">2</td>' in page
    add(8)
    with CaptureQueriesContext(connection) as captured:
        assert staff_client.get(CHANGELIST).status_code == 200
    assert len(captured) == few


def test_the_change_page_lists_the_confirmed_then_the_waiting_list(staff_client,
                                                                    event_with_people):
    response = staff_client.get(f"{CHANGELIST}{event_with_people.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    order = [page.index(f"{name.lower()}@example.org") for name in ("Anna", "Bernd", "Carla",
                                                                     "Dirk", "Emil")]
    assert order == sorted(order)
    assert f"/admin/events/event/{event_with_people.pk}/participants.csv" in page


def rows_of_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csv_export_lists_the_confirmed_then_the_waiting_list(staff_client,
                                                                   event_with_people):
    response = staff_client.post(CHANGELIST, {"action": "export_csv",
                                              "_selected_action": [event_with_people.pk]},
                                 HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="participants.csv"'
    header, *rows = rows_of_csv(response.content)
    assert header == ["Event", "Name", "E-mail", "City", "Country", "Status",
                      "Position on the waiting list", "Registered at (German time)"]
    assert [row[2] for row in rows] == ["anna@example.org", "bernd@example.org",
                                        "carla@example.org", "dirk@example.org"]
    assert [row[6] for row in rows] == ["", "", "1", "2"]
    assert rows[0][0] == "Netzwerkkonferenz" and rows[0][1] == "Anna Muster"
    assert rows[1][1] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    assert rows[0][4] == "Germany" and rows[0][5] == "registered"
    assert rows[2][5] == "on the waiting list"
    registered = Registration.objects.get(user__email="anna@example.org").created_at
    assert rows[0][7] == timezone.localtime(registered).strftime("%Y-%m-%d %H:%M:%S")


def test_the_xlsx_export_of_one_event(staff_client, event_with_people, programme, tandem):
    other = upcoming(programme, days=50, title="Andere")
    user = member_contact(tandem)
    registration_create(event=other, user=user, city=city_of(user))
    response = staff_client.get(f"{CHANGELIST}{event_with_people.pk}/participants.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="participants-event-{event_with_people.pk}.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert len(header) == 8
    assert [row[2] for row in rows] == ["anna@example.org", "bernd@example.org",
                                        "carla@example.org", "dirk@example.org"]
    assert [row[6] for row in rows] == [None, None, 1, 2]
    name = sheet.cell(3, 2)  # a text, marked as one, never a formula
    assert (name.value, name.data_type, name.quotePrefix) == ("=HYPERLINK(1)", "s", True)
    registered = Registration.objects.get(user__email="anna@example.org").created_at
    assert rows[0][7] == timezone.localtime(registered).replace(tzinfo=None, microsecond=0)


def test_the_exports_of_several_events_keep_each_events_order(staff_client, programme,
                                                              tandem):
    first = upcoming(programme, days=20, capacity=1, title="Erste")
    second = upcoming(programme, days=10, capacity=1, title="Zweite")
    for event in (first, second):
        for _ in range(3):
            user = member_contact(tandem)
            registration_create(event=event, user=user, city=city_of(user))
    response = staff_client.post(CHANGELIST, {"action": "export_xlsx",
                                              "_selected_action": [first.pk, second.pk]})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [(r[0], r[6]) for r in rows[1:]] == [("Zweite", None), ("Zweite", 1),
                                                ("Zweite", 2), ("Erste", None), ("Erste", 1),
                                                ("Erste", 2)]


@pytest.mark.parametrize("url", ["{pk}/participants.pdf", "999/participants.csv"])
def test_a_bad_export_address_is_404(staff_client, event_with_people, url):
    assert staff_client.get(CHANGELIST + url.format(pk=event_with_people.pk)
                            ).status_code == 404


def test_only_staff_reach_the_admin_and_its_exports(client, event_with_people, tandem):
    client.force_login(member_contact(tandem))
    response = client.get(f"{CHANGELIST}{event_with_people.pk}/participants.csv")
    assert response.status_code == 302 and "/admin/login/" in response.url


def admin_form(event, **changes) -> dict:
    local = {name: timezone.localtime(getattr(event, name))
             for name in ("starts_at", "ends_at", "registration_closes_at")}
    data = {"programme": event.programme_id, "kind": event.kind, "title": event.title,
            "format": event.format, "place": event.place, "link": event.link,
            "description": event.description, "capacity": event.capacity or "",
            "registrations-TOTAL_FORMS": 0, "registrations-INITIAL_FORMS": 0}
    for name, moment in local.items():
        data[f"{name}_0"] = moment.strftime("%Y-%m-%d")
        data[f"{name}_1"] = moment.strftime("%H:%M:%S")
    data.update(changes)
    return data


def test_more_places_in_the_admin_move_the_waiting_list_up(staff_client, event_with_people):
    event = event_with_people
    response = staff_client.post(f"{CHANGELIST}{event.pk}/change/",
                                 admin_form(event, capacity=3), follow=True,
                                 HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "1 person moved up from the waiting list" in response.content.decode()
    statuses = dict(Registration.objects.filter(event=event).values_list("user__email",
                                                                         "status"))
    assert statuses["carla@example.org"] == RegistrationStatus.CONFIRMED
    assert statuses["dirk@example.org"] == RegistrationStatus.WAITING
    assert Message.objects.filter(kind="event_promoted",
                                  recipient__email="carla@example.org").exists()
    event.refresh_from_db()
    assert (event.capacity, event.sequence) == (3, 1)


def test_the_admin_refuses_an_event_that_breaks_a_rule(staff_client, event_with_people):
    event = event_with_people
    closes = timezone.localtime(event.starts_at + timedelta(hours=1))
    response = staff_client.post(f"{CHANGELIST}{event.pk}/change/", admin_form(
        event, registration_closes_at_0=closes.strftime("%Y-%m-%d"),
        registration_closes_at_1=closes.strftime("%H:%M:%S")), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200  # the form again, with the error
    assert "Registration closes at the latest when the event starts." in (
        response.content.decode())
    assert Event.objects.get(pk=event.pk).sequence == 0


def test_staff_add_an_event_in_the_admin(staff_client, programme):
    start = timezone.localtime(timezone.now() + timedelta(days=40)).replace(microsecond=0)
    data = {"programme": programme.pk, "kind": "workshop", "title": "Neu", "format": "online",
            "place": "", "link": "meet.example.org/neu", "description": "", "capacity": "20",
            "starts_at_0": start.strftime("%Y-%m-%d"), "starts_at_1": "10:00:00",
            "ends_at_0": start.strftime("%Y-%m-%d"), "ends_at_1": "12:00:00",
            "registration_closes_at_0": start.strftime("%Y-%m-%d"),
            "registration_closes_at_1": "09:00:00",
            "registrations-TOTAL_FORMS": 0, "registrations-INITIAL_FORMS": 0}
    response = staff_client.post(f"{CHANGELIST}add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(title="Neu")
    assert event.link == "https://meet.example.org/neu" and event.capacity == 20


def test_the_participant_lists_neutralise_formulas_in_names_and_cities(staff_client, programme):
    from tests.factories import CityFactory, tandem_factory
    from tests.spreadsheets import FORMULAS, assert_csv_formula_safe, assert_xlsx_formula_safe

    tandem = tandem_factory(programme=programme, german=CityFactory(name=FORMULAS[0]))
    event = upcoming(programme, title="@x")
    for name in FORMULAS[1:]:
        user = member_contact(tandem, name=name)
        registration_create(event=event, user=user, city=city_of(user))
    url = f"{CHANGELIST}{event.pk}/participants"
    assert len(assert_csv_formula_safe(staff_client.get(f"{url}.csv").content)) == 4
    sheet = assert_xlsx_formula_safe(staff_client.get(f"{url}.xlsx").content).active
    assert [cell.is_date for cell in sheet["H"][1:]] == [True] * 3  # times stay times
