import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from programme.models import CityContact
from tandems.models import Tandem
from tests.factories import with_second_factor

pytestmark = pytest.mark.django_db


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_public_page_shows_the_live_tandems_their_topics_and_a_drawn_diagram(client, seeded):
    html = client.get("/de/tandems/").content.decode()
    assert "Krefeld – Venlo" in html and "Sofia" not in html
    assert "Urbane digitale Zwillinge: geleitet von München" in html
    assert '<svg role="img"' in html and "München – Utrecht" in html


def test_members_see_their_own_tandem_only(client, seeded):
    mine = Tandem.objects.get(memberships__city__name="Krefeld", memberships__left_on=None)
    other = Tandem.objects.get(memberships__city__name="Hamm")
    client.force_login(User.objects.get(email="krefeld@example.org"))
    page = client.get(f"/de/tandems/{mine.pk}/").content.decode()
    assert "Venlo" in page and "Sofia" in page and "31. Dezember 2023" in page
    assert client.get(f"/de/tandems/{other.pk}/").status_code == 404
    client.force_login(User.objects.get(email="utrecht@example.org"))
    assert client.get(f"/en/tandems/{mine.pk}/").status_code == 404


def test_the_tandem_page_names_only_verified_contacts(client, seeded):
    """Someone who named Krefeld when starting a draft is not shown as its contact."""
    tandem = Tandem.objects.get(memberships__city__name="Krefeld", memberships__left_on=None)
    claimant = User.objects.create_user("claimant@example.org", "x")
    CityContact.objects.create(user=claimant, city=tandem.memberships.get(
        city__name="Krefeld").city)
    client.force_login(User.objects.get(email="krefeld@example.org"))
    page = client.get(f"/de/tandems/{tandem.pk}/").content.decode()
    assert "krefeld@example.org" in page and "claimant@example.org" not in page


def test_a_tandem_page_without_a_confirmed_contact_says_so(client, seeded):
    from tests.factories import StaffFactory

    tandem = Tandem.objects.get(memberships__city__name="Pirna", memberships__left_on=None)
    assert not CityContact.objects.filter(city__memberships__tandem=tandem,
                                          verified_at__isnull=False).exists()
    client.force_login(StaffFactory())
    page = client.get(f"/en/tandems/{tandem.pk}/").content.decode()
    assert "No contact has been confirmed by the project team yet." in page


def test_a_withdrawn_citys_contacts_no_longer_see_the_tandem(client, seeded):
    sofia_contact = User.objects.create_user("sofia@example.org", "x")
    CityContact.objects.create(user=sofia_contact, city_id=Tandem.objects.get(
        memberships__city__name="Krefeld").memberships.get(city__name="Sofia").city_id)
    client.force_login(sofia_contact)
    tandem = Tandem.objects.get(memberships__city__name="Sofia")
    assert client.get(f"/en/tandems/{tandem.pk}/").status_code == 404


def test_tandem_pages_keep_a_constant_query_count(client, seeded):
    from programme.models import City, Topic
    from tandems.services import tandem_set_topics

    tandem = Tandem.objects.get(memberships__city__name="Hamm")
    client.force_login(with_second_factor(User.objects.get(email="staff@example.org")))
    detail, public = f"/de/tandems/{tandem.pk}/", "/de/tandems/"
    queries(client, detail)
    before = (queries(client, detail), queries(client, public))
    hamm = City.objects.get(name="Hamm")
    tandem_set_topics(tandem=tandem, topics={t: hamm for t in Topic.objects.all()})
    for n in range(10):
        CityContact.objects.create(user=User.objects.create_user(f"hamm{n}@example.org", "x"),
                                   city=hamm)
    assert (queries(client, detail), queries(client, public)) == before
