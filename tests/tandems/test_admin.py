from datetime import date

import pytest

from tandems.models import Membership, Tandem
from tests.factories import CityFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db



def test_staff_pair_two_cities_through_the_service(staff_client):
    programme = ProgrammeFactory()
    krefeld, sofia = CityFactory(name="Krefeld"), CityFactory(name="Sofia", country="BG",
                                                              ags=None)
    response = staff_client.post("/admin/tandems/tandem/add/", {
        "programme": programme.pk, "german_city": krefeld.pk, "partner_city": sofia.pk,
        "formed_on": "2022-05-17"})
    assert response.status_code == 302
    tandem = Tandem.objects.get()
    assert {m.city for m in tandem.memberships.all()} == {krefeld, sofia}


def test_a_taken_city_gets_a_clear_message_and_nothing_is_saved(staff_client):
    programme = ProgrammeFactory()
    krefeld = CityFactory(name="Krefeld")
    partners = [CityFactory(name=n, country="NL", ags=None) for n in ("Venlo", "Utrecht")]
    data = {"programme": programme.pk, "german_city": krefeld.pk, "formed_on": "2022-05-17"}
    staff_client.post("/admin/tandems/tandem/add/", {**data, "partner_city": partners[0].pk})
    response = staff_client.post("/admin/tandems/tandem/add/",
                                 {**data, "partner_city": partners[1].pk},
                                 HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Krefeld is already in a tandem" in response.content.decode()
    assert Tandem.objects.count() == 1


def test_withdrawal_and_a_new_partner_in_the_admin(staff_client):
    programme = ProgrammeFactory()
    krefeld, sofia, venlo = (CityFactory(name="Krefeld"),
                             CityFactory(name="Sofia", country="BG", ags=None),
                             CityFactory(name="Venlo", country="NL", ags=None))
    staff_client.post("/admin/tandems/tandem/add/", {
        "programme": programme.pk, "german_city": krefeld.pk, "partner_city": sofia.pk,
        "formed_on": "2022-05-17"})
    tandem = Tandem.objects.get()
    sofia_membership = Membership.objects.get(city=sofia)
    staff_client.post("/admin/tandems/membership/", {
        "action": "withdraw", "_selected_action": [sofia_membership.pk], "apply": "1",
        "left_on": "2023-12-31"})
    sofia_membership.refresh_from_db()
    assert sofia_membership.left_on == date(2023, 12, 31)
    response = staff_client.post("/admin/tandems/membership/add/", {
        "tandem": tandem.pk, "city": venlo.pk, "joined_on": "2024-01-01"})
    assert response.status_code == 302
    assert tandem.memberships.filter(left_on=None).count() == 2


def test_staff_accept_a_suggestion_which_forms_the_tandem(staff_client, seeded):
    from tandems.enums import TandemState
    from tandems.services import tandem_set_state

    pirna = Tandem.objects.get(memberships__city__name="Pirna")
    tandem_set_state(tandem=pirna, state=TandemState.DISSOLVED, on=date(2022, 6, 1))
    page = staff_client.get("/admin/tandems/tandem/suggestions/", HTTP_ACCEPT_LANGUAGE="en")
    (pair,) = page.context["pairs"]
    # The proposed lighthouses are named by topic, not by slug.
    from programme.models import Topic

    names = dict(Topic.objects.values_list("slug", "name_en"))
    assert all(f"{names[slug]}: " in page.content.decode() for slug in pair.lighthouses)
    response = staff_client.post("/admin/tandems/tandem/suggestions/",
                                 {"pair": f"{pair.german.key}-{pair.partner.key}"})
    assert response.status_code == 302
    tandem = Tandem.objects.exclude(pk=pirna.pk).get(memberships__city_id=pair.german.key,
                                                     memberships__left_on=None)
    assert {t.topic.slug: t.lighthouse_id for t in tandem.topics.all()} == {
        slug: pair.german.key if lead == "german" else pair.partner.key
        for slug, lead in pair.lighthouses.items()}
    # Accepting the same suggestion again is refused with a message, not an error.
    again = staff_client.post("/admin/tandems/tandem/suggestions/",
                              {"pair": f"{pair.german.key}-{pair.partner.key}"})
    assert again.status_code == 302
