from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError

from applications.services import eoi_start
from programme.models import CityContact, JoinRequest
from programme.services import join_request_create, join_request_decide
from tests.factories import CallFactory, CityFactory, StaffFactory, UserFactory

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


@pytest.fixture
def verified(eoi):
    """A staff-verified contact of Krefeld: one who speaks for it."""
    user = UserFactory(email="v@krefeld.de")
    CityContact.objects.create(user=user, city=eoi.city, verified_at=OPEN)
    return user


def test_second_person_asks_to_join_and_a_verified_contact_approves(
        eoi, verified, client, django_capture_on_commit_callbacks):
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
    # Told: who may decide (the verified contact), not the starter of a draft.
    assert [m.to for m in mail.outbox] == [["v@krefeld.de"]]
    assert "/interessenbekundung/" in mail.outbox[0].body  # where to decide, as a link
    assert client.get(f"/de/interessenbekundung/{eoi.pk}/").status_code == 404

    # The starter works on the draft but does not decide who speaks for Krefeld.
    client.force_login(eoi.created_by)
    page = client.get(f"/de/interessenbekundung/{eoi.pk}/").content.decode()
    assert "b@krefeld.de" not in page

    client.force_login(verified)
    page = client.get(f"/de/interessenbekundung/{eoi.pk}/").content.decode()
    assert "b@krefeld.de" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/de/interessenbekundung/anfrage/{request.pk}/", {"decision": "approve"})
    request.refresh_from_db()
    assert (request.approved, request.decided_by) == (True, verified)
    # Named as a contact, still to be verified by staff.
    assert CityContact.objects.get(user=colleague, city=eoi.city).verified_at is None
    assert mail.outbox[-1].to == ["b@krefeld.de"]
    assert mail.outbox[-1].subject.endswith("You now speak for Krefeld")

    client.force_login(colleague)
    assert client.get(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/").status_code == 200


def test_only_the_municipalitys_verified_contacts_or_staff_decide(eoi, client):
    request = join_request_create(user=UserFactory(), city=eoi.city, now=OPEN)
    for person in (UserFactory(), eoi.created_by, StaffFactory(second_factor=False)):
        client.force_login(person)
        response = client.post(f"/de/interessenbekundung/anfrage/{request.pk}/",
                               {"decision": "approve"})
        assert response.status_code == 404
    request.refresh_from_db()
    assert request.decided_at is None


def test_the_decision_service_refuses_who_has_no_say(eoi, verified):
    """Also from the admin and the shell: staff or a verified contact, never the asker."""
    asking = UserFactory()
    request = join_request_create(user=asking, city=eoi.city, now=OPEN)
    CityContact.objects.create(user=asking, city=eoi.city)  # a claim, from a draft
    for by in (asking, eoi.created_by, StaffFactory(second_factor=False), UserFactory()):
        with pytest.raises(ValidationError) as error:
            join_request_decide(request=request, by=by, approve=True, now=OPEN)
        assert error.value.code == "not_allowed"
    request.refresh_from_db()
    assert request.decided_at is None
    staff_asking = StaffFactory()
    own = join_request_create(user=staff_asking, city=eoi.city, now=OPEN)
    with pytest.raises(ValidationError):
        join_request_decide(request=own, by=staff_asking, approve=True, now=OPEN)
    assert join_request_decide(request=request, by=StaffFactory(), approve=True,
                               now=OPEN).approved


def test_declined_request_grants_nothing_and_is_decided_once(eoi, verified):
    person = UserFactory()
    request = join_request_create(user=person, city=eoi.city, now=OPEN)
    join_request_decide(request=request, by=verified, approve=False, now=OPEN)
    assert not CityContact.objects.filter(user=person).exists()
    with pytest.raises(ValidationError):
        join_request_decide(request=request, by=verified, approve=True, now=OPEN)


def test_who_already_speaks_for_the_municipality_cannot_ask_again(eoi, verified):
    with pytest.raises(ValidationError):
        join_request_create(user=verified, city=eoi.city, now=OPEN)
    joiner = UserFactory()
    request = join_request_create(user=joiner, city=eoi.city, now=OPEN)
    join_request_decide(request=request, by=verified, approve=True, now=OPEN)
    with pytest.raises(ValidationError):
        join_request_create(user=joiner, city=eoi.city, now=OPEN)
    # Starting a draft is no say: its starter may ask to join like anybody else.
    assert join_request_create(user=eoi.created_by, city=eoi.city, now=OPEN).user == \
        eoi.created_by


def test_asking_twice_keeps_one_open_request(eoi):
    person = UserFactory()
    first = join_request_create(user=person, city=eoi.city, now=OPEN)
    assert join_request_create(user=person, city=eoi.city, now=OPEN).pk == first.pk


def test_a_municipality_without_a_verified_contact_is_decided_by_staff(
        eoi, client, django_capture_on_commit_callbacks):
    """Nobody speaks for it yet: staff with a second factor are told, the claimant is not."""
    staff = StaffFactory(email="team@example.org")
    StaffFactory(second_factor=False, email="no-2fa@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        request = join_request_create(user=UserFactory(), city=eoi.city, now=OPEN)
    (message,) = mail.outbox
    assert message.to == [staff.email]
    # The link opens the admin's list with just this request and its approve action.
    link = next(line for line in message.body.splitlines() if "/admin/" in line)
    client.force_login(staff)
    page = client.get(link.removeprefix(settings.SITE_URL))
    assert page.status_code == 200
    assert [row.pk for row in page.context["cl"].result_list] == [request.pk]
    assert "approve" in dict(page.context["action_form"].fields["action"].choices)


def test_staff_deciding_their_own_request_in_the_admin_get_a_message(eoi, client):
    staff = StaffFactory()
    request = join_request_create(user=staff, city=eoi.city, now=OPEN)
    client.force_login(staff)
    response = client.post("/admin/programme/joinrequest/", {
        "action": "approve", "_selected_action": [request.pk]}, follow=True)
    assert response.status_code == 200
    assert any(message.level_tag == "error" for message in response.context["messages"])
    request.refresh_from_db()
    assert request.decided_at is None


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
