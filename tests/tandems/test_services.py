import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from tandems.enums import TandemState
from tandems.models import Membership, Tandem
from tandems.services import (
    membership_add,
    membership_end,
    tandem_create,
    tandem_set_state,
    tandem_set_topics,
)
from tests.factories import CityFactory, ProgrammeFactory, TopicFactory
from tests.support import postgres_available, require

pytestmark = pytest.mark.django_db
FORMED = date(2022, 5, 17)


def german(name="Krefeld"):
    return CityFactory(name=name)


def partner(name="Sofia", country="BG"):
    return CityFactory(name=name, country=country, ags=None)


@pytest.fixture
def programme():
    return ProgrammeFactory(max_tandems=2)


def pair(programme, g=None, p=None, topics=None):
    g, p = g or german(), p or partner()
    return tandem_create(programme=programme, german_city=g, partner_city=p,
                         topics=topics if topics is not None else {}, formed_on=FORMED)


def test_a_tandem_joins_a_german_and_a_partner_city_with_roles_per_topic(programme):
    g, p = german(), partner()
    participation, data = TopicFactory(slug="participation"), TopicFactory(slug="open-data")
    tandem = pair(programme, g, p, {participation: p, data: g})
    assert [m.city for m in tandem.current_memberships()] == [g, p]
    assert {t.topic.slug: t.lighthouse for t in tandem.topics.all()} == {
        "participation": p, "open-data": g}


@pytest.mark.parametrize(("first", "second"), [("DE", "DE"), ("NL", "BG"), ("NL", "DE")])
def test_a_tandem_needs_one_german_and_one_partner(programme, first, second):
    cities = [CityFactory(country=c, ags=None if c != "DE" else f"0511{n:04d}")
              for n, c in enumerate((first, second))]
    with pytest.raises(ValidationError) as error:
        tandem_create(programme=programme, german_city=cities[0], partner_city=cities[1],
                      topics={}, formed_on=FORMED)
    assert error.value.code == "pair"
    assert not Tandem.objects.exists()


def test_a_city_is_in_at_most_one_live_tandem_per_programme(programme):
    krefeld = german()
    pair(programme, krefeld, partner())
    with pytest.raises(ValidationError) as error:
        pair(programme, krefeld, partner("Venlo", "NL"))
    assert error.value.code == "city_taken"
    # In another programme it may take part again.
    pair(ProgrammeFactory(), krefeld, partner("Utrecht", "NL"))


def test_the_database_refuses_a_second_live_membership(programme):
    tandem = pair(programme)
    with pytest.raises(IntegrityError):
        Membership.objects.create(tandem=pair(programme, german("Hamm"), partner("Arezzo", "IT")),
                                  city=tandem.current_memberships()[0].city,
                                  programme=programme, is_german=True, joined_on=FORMED)


def test_the_programme_has_at_most_its_number_of_live_tandems(programme):
    first = pair(programme, german("Hamm"), partner("Arezzo", "IT"))
    pair(programme, german("Pirna"), partner("Bolesławiec", "PL"))
    with pytest.raises(ValidationError) as error:
        pair(programme)
    assert error.value.code == "full"
    tandem_set_state(tandem=first, state=TandemState.DISSOLVED, on=date(2022, 6, 1))
    pair(programme)  # a dissolved tandem frees its place


def test_a_lighthouse_is_one_of_the_two_current_members(programme):
    tandem = pair(programme)
    with pytest.raises(ValidationError) as error:
        tandem_set_topics(tandem=tandem, topics={TopicFactory(): partner("Utrecht", "NL")})
    assert error.value.code == "lighthouse_not_member"


def test_withdrawal_keeps_the_tandem_and_a_new_partner_joins():
    programme = ProgrammeFactory()
    krefeld, sofia, venlo = german(), partner(), partner("Venlo", "NL")
    topic = TopicFactory()
    tandem = pair(programme, krefeld, sofia, {topic: sofia})
    tandem_set_state(tandem=tandem, state=TandemState.ACTIVE, on=FORMED)
    membership_end(membership=tandem.memberships.get(city=sofia), left_on=date(2023, 12, 31))
    assert tandem.topics.get().lighthouse is None  # to be agreed until staff set new roles
    membership_add(tandem=tandem, city=venlo, joined_on=date(2024, 1, 1))
    tandem_set_topics(tandem=tandem, topics={topic: venlo})
    tandem = Tandem.objects.prefetch_related("memberships__city").get(pk=tandem.pk)
    assert [m.city for m in tandem.current_memberships()] == [krefeld, venlo]
    assert [(m.city.name, m.left_on) for m in tandem.memberships.all()] == [
        ("Krefeld", None), ("Sofia", date(2023, 12, 31)), ("Venlo", None)]
    assert str(tandem) == "Krefeld – Venlo"


def test_a_second_partner_cannot_join_while_one_is_in(programme):
    tandem = pair(programme)
    with pytest.raises(ValidationError) as error:
        membership_add(tandem=tandem, city=partner("Venlo", "NL"), joined_on=FORMED)
    assert error.value.code == "pair"


def test_nobody_joins_an_ended_tandem(programme):
    tandem = pair(programme)
    tandem_set_state(tandem=tandem, state=TandemState.ACTIVE, on=FORMED)
    tandem_set_state(tandem=tandem, state=TandemState.ENDED, on=date(2024, 12, 31))
    assert not Membership.objects.filter(left_on=None).exists()
    with pytest.raises(ValidationError):
        membership_add(tandem=tandem, city=partner("Venlo", "NL"), joined_on=date(2025, 1, 1))
    with pytest.raises(ValidationError):
        tandem_set_state(tandem=tandem, state=TandemState.ACTIVE, on=date(2025, 1, 1))


@pytest.mark.django_db(transaction=True)
def test_two_staff_filling_the_last_place_at_once_get_one_tandem():
    require(postgres_available(), "the race needs PostgreSQL's row locks")
    programme = ProgrammeFactory(max_tandems=1)
    pairs = [(german(f"Stadt {n}"), partner(f"Partner {n}", "NL")) for n in range(4)]
    barrier, outcomes = threading.Barrier(len(pairs)), []

    def create(g, p):
        try:
            barrier.wait()
            tandem_create(programme=programme, german_city=g, partner_city=p, topics={},
                          formed_on=FORMED)
            outcomes.append("created")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=p) for p in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "full", "full", "full"]
    assert Tandem.objects.count() == 1
