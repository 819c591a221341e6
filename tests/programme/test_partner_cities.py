import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from programme.models import CityContact, CityTopic, PartnerInvitation
from programme.services import partner_invitation_accept, partner_invite
from tests.factories import CityFactory, StaffFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def utrecht():
    return CityFactory(name="Utrecht", country="NL", ags=None)


def test_staff_invite_a_partner_contact_who_accepts_and_completes_the_profile(
    client, utrecht, django_capture_on_commit_callbacks
):
    staff = UserFactory(is_staff=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/programme/partnerinvitation/add/",
                               {"city": utrecht.pk, "email": "digital@utrecht.example"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["digital@utrecht.example"] and "Utrecht" in message.subject
    link = re.search(r"http://\S+/en/partner/invitation/\S+/", message.body).group(0)

    partner = UserFactory(email="digital@utrecht.example", language="en")
    client.force_login(partner)
    path = link.split("8000", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response["Location"].endswith(f"/partner/city/{utrecht.pk}/")
    assert CityContact.objects.get(user=partner, city=utrecht).verified_by == staff

    topic = TopicFactory(slug="interoperability")
    response = client.post(f"/en/partner/city/{utrecht.pk}/", {
        "population": "360000", "languages": "nl,en", "time_zone": "Europe/Amsterdam",
        "topic_interoperability": "lighthouse"})
    assert response.status_code == 302
    utrecht.refresh_from_db()
    assert (utrecht.population, utrecht.languages) == (360_000, "nl,en")
    assert CityTopic.objects.get(city=utrecht, topic=topic).role == "lighthouse"


def test_profile_refuses_a_made_up_time_zone_in_english(client, utrecht):
    user = UserFactory()
    CityContact.objects.create(user=user, city=utrecht, verified_at=timezone.now())
    client.force_login(user)
    response = client.post(f"/en/partner/city/{utrecht.pk}/", {"time_zone": "Mars/Base"})
    assert response.status_code == 400
    assert "Europe/Amsterdam" in response.content.decode()


def test_only_verified_contacts_of_a_partner_city_edit_its_profile(client, utrecht):
    client.force_login(UserFactory())
    assert client.get(f"/en/partner/city/{utrecht.pk}/").status_code == 404
    german = CityFactory()
    user = UserFactory()
    CityContact.objects.create(user=user, city=german, verified_at=timezone.now())
    client.force_login(user)
    assert client.get(f"/en/partner/city/{german.pk}/").status_code == 404


def test_an_invitation_is_used_once_and_never_for_a_german_city(utrecht):
    staff = StaffFactory()
    invitation = partner_invite(city=utrecht, email="a@utrecht.example", by=staff,
                                now=timezone.now())
    partner_invitation_accept(invitation=invitation, user=UserFactory(email="a@utrecht.example"),
                              now=timezone.now())
    with pytest.raises(ValidationError):
        partner_invitation_accept(invitation=invitation, user=UserFactory(), now=timezone.now())
    with pytest.raises(ValidationError):
        partner_invite(city=CityFactory(), email="b@example.org", by=staff, now=timezone.now())
    assert PartnerInvitation.objects.count() == 1


@pytest.fixture
def invitation(utrecht):
    return partner_invite(city=utrecht, email="Digital@Utrecht.example", by=StaffFactory(),
                          now=timezone.now())


def test_an_invitation_is_accepted_only_with_the_invited_address(invitation, utrecht):
    holder = UserFactory(email="someone@else.example")  # the link was forwarded or leaked
    with pytest.raises(ValidationError) as error:
        partner_invitation_accept(invitation=invitation, user=holder, now=timezone.now())
    assert error.value.code == "other_address"
    assert "Digital@Utrecht.example" in error.value.messages[0]
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not CityContact.objects.filter(city=utrecht).exists()


def test_the_invited_address_counts_only_verified_and_in_any_case(invitation, utrecht):
    person = UserFactory(email="private@example.org")
    EmailAddress.objects.create(user=person, email="digital@utrecht.example", verified=False)
    with pytest.raises(ValidationError):
        partner_invitation_accept(invitation=invitation, user=person, now=timezone.now())
    EmailAddress.objects.filter(user=person, email="digital@utrecht.example").update(
        verified=True)
    contact = partner_invitation_accept(invitation=invitation, user=person, now=timezone.now())
    assert (contact.city, contact.verified_by) == (utrecht, invitation.invited_by)


def test_another_account_gets_a_page_that_says_whose_invitation_it_is(client, invitation,
                                                                     utrecht):
    client.force_login(UserFactory(email="someone@else.example", language="en"))
    path = f"/en/partner/invitation/{invitation.token}/"
    page = client.get(path)
    assert page.status_code == 403
    html = page.content.decode()
    assert "Digital@Utrecht.example" in html and "someone@else.example" in html
    assert "Accept the invitation" not in html and "project team" in html
    assert f'name="next" value="{path}"' in html  # log out, then back here to log in
    response = client.post(path)
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not CityContact.objects.filter(city=utrecht).exists()
