import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from programme.models import CityContact, CityTopic, PartnerInvitation
from programme.services import partner_invitation_accept, partner_invite
from tests.factories import CityFactory, TopicFactory, UserFactory

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
    staff = UserFactory(is_staff=True)
    invitation = partner_invite(city=utrecht, email="a@utrecht.example", by=staff,
                                now=timezone.now())
    partner_invitation_accept(invitation=invitation, user=UserFactory(), now=timezone.now())
    with pytest.raises(ValidationError):
        partner_invitation_accept(invitation=invitation, user=UserFactory(), now=timezone.now())
    with pytest.raises(ValidationError):
        partner_invite(city=CityFactory(), email="b@example.org", by=staff, now=timezone.now())
    assert PartnerInvitation.objects.count() == 1
