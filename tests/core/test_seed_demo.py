import io

import pytest
from django.core import serializers
from django.core.management import call_command

from accounts.models import User
from applications.models import Call, ExpressionOfInterest, TopicInterest
from programme.models import City, CityContact, Programme

pytestmark = pytest.mark.django_db

MODELS = [Programme, City, CityContact, Call, User, ExpressionOfInterest, TopicInterest]


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
    tandem_cities = ["Krefeld", "Sofia", "Venlo", "Hamm", "Arezzo", "Geestland",
                     "Vari-Voula-Vouliagmeni", "München", "Utrecht", "Arnsberg", "Alba Iulia",
                     "Pirna", "Bolesławiec"]
    assert City.objects.filter(name__in=tandem_cities).count() == 13
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


def test_seed_demo_loads_the_2022_expressions_of_interest_as_history():
    call_command("seed_demo", stdout=io.StringIO())
    expressions = ExpressionOfInterest.objects.filter(call__is_practice=False)
    assert expressions.count() == 40
    accepted = set(expressions.filter(status="accepted").values_list("city__name", flat=True))
    assert {"Krefeld", "Hamm", "Geestland", "München", "Arnsberg", "Pirna"} <= accepted
    assert {"waitlisted", "declined", "withdrawn"} <= set(expressions.values_list("status",
                                                                                  flat=True))
    lands = {eoi.city.ags[:2] for eoi in expressions.select_related("city")}
    assert len(lands) == 16
    assert all(e.motivation.startswith("[Demodaten]") for e in expressions)
    assert not ExpressionOfInterest.objects.filter(call__is_practice=True).exists()


def test_seed_demo_loads_the_six_tandems_with_the_sofia_venlo_change():
    from tandems.models import Tandem

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    tandems = Tandem.objects.prefetch_related("memberships__city")
    assert sorted(str(t) for t in tandems) == [
        "Arnsberg – Alba Iulia", "Geestland – Vari-Voula-Vouliagmeni", "Hamm – Arezzo",
        "Krefeld – Venlo", "München – Utrecht", "Pirna – Bolesławiec"]
    krefeld = next(t for t in tandems if str(t) == "Krefeld – Venlo")
    assert [(m.city.name, str(m.left_on)) for m in krefeld.memberships.all()] == [
        ("Krefeld", "None"), ("Sofia", "2023-12-31"), ("Venlo", "None")]
