from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from applications.services import eoi_start
from programme.models import CityContact, JoinRequest
from programme.services import join_request_create, join_request_decide
from tests.factories import CallFactory, CityFactory, UserFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
OPEN = datetime(2022, 2, 20, 10, 0, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def during_the_call():
    with time_machine.travel(OPEN, tick=False):
        yield


@pytest.fixture
def eoi():
    city = CityFactory(name="Krefeld", ags="05114000", website="https://www.krefeld.de")
    return eoi_start(call=CallFactory(), city=city, user=UserFactory(email="a@krefeld.de"),
                     now=OPEN)


def test_second_person_asks_to_join_and_a_contact_approves(eoi, client,
                                                           django_capture_on_commit_callbacks):
    colleague = UserFactory(email="b@krefeld.de", language="en")
    client.force_login(colleague)
    # The colleague is told an entry exists, without seeing it, and can ask to join.
    response = client.post(f"/de/interessenbekundung/neu/{eoi.call.pk}/",
                           {"name": "Krefeld", "ags": "05114000"})
    html = response.content.decode()
    assert response.status_code == 400 and "Krefeld" in html and "Motivation" not in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/de/interessenbekundung/beitreten/{eoi.city.pk}/")
    request = JoinRequest.objects.get(user=colleague)
    assert [m.to for m in mail.outbox] == [["a@krefeld.de"]]
    assert client.get(f"/de/interessenbekundung/{eoi.pk}/").status_code == 404

    client.force_login(eoi.created_by)
    page = client.get(f"/de/interessenbekundung/{eoi.pk}/").content.decode()
    assert "b@krefeld.de" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/de/interessenbekundung/anfrage/{request.pk}/", {"decision": "approve"})
    assert CityContact.objects.filter(user=colleague, city=eoi.city).exists()
    assert mail.outbox[-1].to == ["b@krefeld.de"]
    assert mail.outbox[-1].subject.endswith("You now speak for Krefeld")

    client.force_login(colleague)
    assert client.get(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/").status_code == 200


def test_only_the_municipalitys_contacts_or_staff_decide(eoi, client):
    request = join_request_create(user=UserFactory(), city=eoi.city, now=OPEN)
    client.force_login(UserFactory())
    response = client.post(f"/de/interessenbekundung/anfrage/{request.pk}/",
                           {"decision": "approve"})
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.decided_at is None


def test_declined_request_grants_nothing_and_is_decided_once(eoi):
    person = UserFactory()
    request = join_request_create(user=person, city=eoi.city, now=OPEN)
    join_request_decide(request=request, by=eoi.created_by, approve=False, now=OPEN)
    assert not CityContact.objects.filter(user=person).exists()
    with pytest.raises(ValidationError):
        join_request_decide(request=request, by=eoi.created_by, approve=True, now=OPEN)


def test_a_contact_cannot_ask_again(eoi):
    with pytest.raises(ValidationError):
        join_request_create(user=eoi.created_by, city=eoi.city, now=OPEN)


def test_asking_twice_keeps_one_open_request(eoi):
    person = UserFactory()
    first = join_request_create(user=person, city=eoi.city, now=OPEN)
    assert join_request_create(user=person, city=eoi.city, now=OPEN).pk == first.pk


@pytest.mark.parametrize(("email", "website", "hint"), [
    ("a@krefeld.de", "https://www.krefeld.de", True),
    ("a@verwaltung.krefeld.de", "https://www.krefeld.de/", True),
    ("a@gmail.com", "https://www.krefeld.de", False),
    ("a@notkrefeld.de", "https://krefeld.de", False),
    ("a@krefeld.de", "", None),
])
def test_staff_see_whether_the_email_domain_is_the_municipalitys(email, website, hint):
    contact = CityContact(user=UserFactory.build(email=email),
                          city=CityFactory.build(website=website))
    assert contact.email_matches_website is hint


def test_data_download_holds_everything_about_the_person(eoi, client):
    client.force_login(eoi.created_by)
    response = client.get("/de/accounts/data/")
    assert response["Content-Disposition"].startswith("attachment")
    data = response.json()
    assert data["account"]["email"] == "a@krefeld.de"
    assert data["speaks_for"][0]["ags"] == "05114000"
    assert data["expressions_of_interest"][0]["municipality"] == "Krefeld"
    assert set(data) >= {"email_addresses", "requests_to_join", "emails_sent_to_you",
                         "reminders_switched_off"}
