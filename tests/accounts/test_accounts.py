import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_signup_stores_name_and_language_and_sends_a_verification(
    client, seeded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/accounts/signup/", {
            "email": "clerk@example.org", "password1": "a-long-secret-phrase-42",
            "password2": "a-long-secret-phrase-42", "name": "Clara Clerk", "language": "en",
        })
    assert response.status_code == 302
    user = User.objects.get(email="clerk@example.org")
    assert (user.name, user.language) == ("Clara Clerk", "en")
    assert len(mail.outbox) == 1
    assert re.search(r"/accounts/confirm-email/\S+/", mail.outbox[0].body)


def test_signup_with_bad_input_is_a_400_in_german(client, seeded):
    response = client.post("/de/accounts/signup/", {"email": "kein-mail", "password1": "x",
                                                     "password2": "y", "name": ""})
    assert response.status_code == 400
    assert "Bitte" in response.content.decode() or "gültige" in response.content.decode()
    assert not User.objects.filter(email="kein-mail").exists()


def test_login_requires_a_verified_address(client, seeded):
    UserFactory(email="new@example.org")  # verified by the factory
    response = client.post("/en/accounts/login/", {"login": "new@example.org",
                                                   "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get("/en/").context["user"].is_authenticated


def test_staff_without_two_factor_is_sent_to_set_it_up(client, seeded):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate" in response["Location"]


def test_staff_with_two_factor_reaches_the_admin(client, seeded):
    staff = UserFactory(is_staff=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP,
                                 data={"secret": "x"})
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


SET_UP = 'href="/de/accounts/2fa/totp/activate/"'


@pytest.mark.parametrize("path", ["/de/bericht/2023/", "/de/bericht/2023/?format=csv",
                                  "/de/fallstudien/synthesis/", "/de/tandems/timeline/"])
def test_staff_without_two_factor_are_ordinary_users_told_how_to_get_their_rights(
        client, seeded, path):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(path)
    html = response.content.decode()
    if path.startswith("/de/bericht/") or "synthesis" in path:
        assert response.status_code == 403
    else:  # the timeline of an ordinary user: their own tandems' meetings (none)
        assert response.status_code == 200 and "Krefeld – Venlo" not in html
    assert SET_UP in html and "/admin/" not in html


def test_staff_with_two_factor_see_the_administration_and_no_reminder(client, seeded):
    staff = UserFactory(is_staff=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP,
                                 data={"secret": "x"})
    client.force_login(staff)
    html = client.get("/de/").content.decode()
    assert 'href="/admin/"' in html and SET_UP not in html


def test_non_staff_do_not_need_two_factor(client, seeded):
    client.force_login(UserFactory())
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/en/accounts/2fa/totp/activate/"' not in html and 'href="/admin/"' not in html


def test_delete_account_needs_the_password(client, seeded):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/de/accounts/delete/", {"password": "falsch"})
    assert response.status_code == 400
    assert "Das Passwort ist nicht richtig." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_delete_account_removes_the_user_and_logs_out(client, seeded):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/de/accounts/delete/", {"password": "correct horse battery"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not client.get("/de/").context["user"].is_authenticated


@pytest.mark.parametrize("path", ["/de/accounts/login/", "/de/accounts/signup/",
                                  "/de/accounts/password/reset/"])
def test_german_account_pages_address_people_formally(client, seeded, path):
    html = client.get(path).content.decode()
    for informal in ("Du hast", "Gib deine", "kontaktiere uns", " dein ", " dir "):
        assert informal not in html
