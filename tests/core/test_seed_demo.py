import io

import pytest
from django.core import serializers
from django.core.management import call_command

from accounts.models import User
from applications.models import Call
from programme.models import City, CityContact, Programme

pytestmark = pytest.mark.django_db

MODELS = [Programme, City, CityContact, Call, User]


def snapshot():
    return {m.__name__: serializers.serialize("json", m.objects.order_by("pk")) for m in MODELS}


def test_seed_demo_loads_the_real_programme_and_prints_the_logins():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    for email in ["staff@example.org", "researcher@example.org", "krefeld@example.org",
                  "utrecht@example.org"]:
        assert email in text
    assert "vernetzt-demo-2022" in text
    assert City.objects.count() == 13
    assert City.objects.filter(country="DE").count() == 6
    assert City.objects.filter(name="Venlo").exists()
    real = Call.objects.real().get()
    assert real.closes_at.isoformat() == "2022-02-25T22:59:59+00:00"
    assert Call.objects.practice().count() == 1
    assert User.objects.get(email="staff@example.org").is_staff


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    before = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == before


def test_seed_demo_password_option_sets_the_shared_password(client):
    call_command("seed_demo", "--password", "another-demo-secret", stdout=io.StringIO())
    assert User.objects.get(email="krefeld@example.org").check_password("another-demo-secret")


def test_demo_contacts_speak_for_their_city():
    call_command("seed_demo", stdout=io.StringIO())
    krefeld_contact = User.objects.get(email="krefeld@example.org")
    assert krefeld_contact.has_perm("programme.speak_for_city", City.objects.get(name="Krefeld"))
    assert not krefeld_contact.has_perm("programme.speak_for_city", City.objects.get(name="Hamm"))
