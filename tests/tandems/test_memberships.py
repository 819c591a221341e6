"""A tandem is two cities on every date (DESIGN.md rule 3), and withdrawals are dated.

A membership covers ``joined_on`` to ``left_on``, both days included: ``left_on`` is the
city's last day in the tandem, so a new city from the same side joins on the next day at
the earliest (the demo: Sofia's last day 31 December 2023, Venlo from 1 January 2024).
"""

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from tandems.enums import MeetingStatus, TandemState
from tandems.models import Membership, Tandem
from tandems.services import (
    meeting_set_status,
    membership_add,
    membership_end,
    tandem_create,
    tandem_set_state,
    tandem_set_topics,
)
from tests.factories import CityFactory, ProgrammeFactory, TopicFactory, meeting_factory
from tests.support import postgres_available, require

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
FORMED = date(2022, 5, 17)
EXIT = date(2023, 6, 30)
# "Now" for the tests: a fixed day, 10:00 German time.
TODAY = date(2024, 3, 14)
NOW = datetime(2024, 3, 14, 10, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def cities():
    return {"krefeld": CityFactory(name="Krefeld"),
            "sofia": CityFactory(name="Sofia", country="BG", ags=None),
            "venlo": CityFactory(name="Venlo", country="NL", ags=None)}


@pytest.fixture
def tandem(cities):
    return tandem_create(programme=ProgrammeFactory(), german_city=cities["krefeld"],
                         partner_city=cities["sofia"], topics={}, formed_on=FORMED, now=NOW)


def sofia(tandem):
    return tandem.memberships.get(city__name="Sofia")


def message(error: ValidationError) -> str:
    return " ".join(error.messages)


def end_sofia(tandem, left_on=EXIT):
    return membership_end(membership=sofia(tandem), left_on=left_on, now=NOW)


# -- joining after a withdrawal ------------------------------------------------------------

def test_a_new_partner_joins_the_day_after_the_exit(tandem, cities):
    end_sofia(tandem)
    venlo = membership_add(tandem=tandem, city=cities["venlo"], joined_on=EXIT + timedelta(1),
                           now=NOW)
    assert (venlo.joined_on, venlo.left_on) == (date(2023, 7, 1), None)
    assert [m.city for m in Tandem.objects.get(pk=tandem.pk).current_memberships()] == [
        cities["krefeld"], cities["venlo"]]


@pytest.mark.parametrize("joined_on", [EXIT, EXIT - timedelta(1), date(2022, 12, 1)],
                         ids=["on the exit day", "the day before", "months before"])
def test_a_new_partner_cannot_join_on_or_before_the_previous_partners_last_day(
        tandem, cities, joined_on):
    end_sofia(tandem)
    with pytest.raises(ValidationError) as error:
        membership_add(tandem=tandem, city=cities["venlo"], joined_on=joined_on, now=NOW)
    assert error.value.code == "pair"
    # The message names the previous partner, its last day and the first free day.
    assert message(error.value) == (
        "Sofia was a member of this tandem until 30 June 2023 (its last day), so a city from "
        "the same side can join from 1 July 2023.")
    assert not Membership.objects.filter(city=cities["venlo"]).exists()


def test_a_new_partner_cannot_join_while_the_previous_one_has_not_withdrawn(tandem, cities):
    with pytest.raises(ValidationError) as error:
        membership_add(tandem=tandem, city=cities["venlo"], joined_on=date(2024, 1, 1), now=NOW)
    assert error.value.code == "pair"
    assert "Sofia is a current member of this tandem" in message(error.value)


def test_a_join_is_dated_today_at_the_latest_in_german_time(tandem, cities):
    end_sofia(tandem)
    # 23:30 UTC on 13 March is already 14 March in Germany.
    late_evening = datetime(2024, 3, 13, 23, 30, tzinfo=UTC)
    with pytest.raises(ValidationError) as error:
        membership_add(tandem=tandem, city=cities["venlo"], joined_on=date(2024, 3, 15),
                       now=late_evening)
    assert error.value.code == "join_future"
    assert "not after today (14 March 2024)" in message(error.value)
    assert membership_add(tandem=tandem, city=cities["venlo"], joined_on=date(2024, 3, 14),
                          now=late_evening).joined_on == date(2024, 3, 14)


def test_a_city_cannot_join_before_the_tandem_was_formed(tandem, cities):
    membership_end(membership=sofia(tandem), left_on=FORMED, now=NOW)
    with pytest.raises(ValidationError) as error:
        membership_add(tandem=tandem, city=cities["venlo"], joined_on=date(2022, 1, 1), now=NOW)
    assert error.value.code == "join_before_formed"


def test_a_tandem_is_not_formed_in_the_future(cities):
    with pytest.raises(ValidationError) as error:
        tandem_create(programme=ProgrammeFactory(), german_city=cities["krefeld"],
                      partner_city=cities["sofia"], topics={}, formed_on=TODAY + timedelta(1),
                      now=NOW)
    assert error.value.code == "join_future"
    assert not Tandem.objects.exists()


def test_a_city_is_in_one_tandem_of_a_programme_at_a_time(tandem, cities):
    """Sofia may form a new tandem of the same programme once her last day has passed."""
    end_sofia(tandem)
    programme = tandem.programme
    hamm = CityFactory(name="Hamm")
    for formed_on in (EXIT, date(2023, 1, 1)):
        with pytest.raises(ValidationError) as error:
            tandem_create(programme=programme, german_city=hamm, partner_city=cities["sofia"],
                          topics={}, formed_on=formed_on, now=NOW)
        assert error.value.code == "city_taken"
        assert message(error.value) == (
            "Sofia was in a tandem of this programme until 30 June 2023; it can join "
            "another one from 1 July 2023.")
    again = tandem_create(programme=programme, german_city=hamm, partner_city=cities["sofia"],
                          topics={}, formed_on=EXIT + timedelta(1), now=NOW)
    assert again.memberships.get(city=cities["sofia"]).joined_on == date(2023, 7, 1)
    # The same city joining an existing tandem of the programme keeps the same rule.
    tandem_set_state(tandem=again, state=TandemState.DISSOLVED, on=date(2023, 8, 31), now=NOW)
    other = tandem_create(programme=programme, german_city=CityFactory(name="Pirna"),
                          partner_city=cities["venlo"], topics={}, formed_on=FORMED, now=NOW)
    membership_end(membership=other.memberships.get(city=cities["venlo"]),
                   left_on=date(2023, 8, 1), now=NOW)
    with pytest.raises(ValidationError) as error:
        membership_add(tandem=other, city=cities["sofia"], joined_on=date(2023, 8, 31), now=NOW)
    assert error.value.code == "city_taken"
    membership_add(tandem=other, city=cities["sofia"], joined_on=date(2023, 9, 1), now=NOW)


# -- dated withdrawals ---------------------------------------------------------------------

@pytest.mark.parametrize("left_on", [TODAY, TODAY - timedelta(1), FORMED],
                         ids=["today", "yesterday", "on the day it joined"])
def test_a_withdrawal_is_dated_today_or_earlier(tandem, left_on):
    assert end_sofia(tandem, left_on).left_on == left_on


def test_a_withdrawal_is_not_dated_after_today_in_german_time(tandem):
    # 23:30 on 14 March in Germany: 15 March is still tomorrow.
    evening = datetime(2024, 3, 14, 23, 30, tzinfo=BERLIN)
    with pytest.raises(ValidationError) as error:
        membership_end(membership=sofia(tandem), left_on=date(2024, 3, 15), now=evening)
    assert error.value.code == "left_future"
    assert message(error.value) == "A withdrawal cannot be dated after today (14 March 2024)."
    assert sofia(tandem).left_on is None
    # 00:30 in Germany (still the 14th in UTC) it is the 15th's turn.
    after_midnight = datetime(2024, 3, 14, 23, 30, tzinfo=UTC)
    membership_end(membership=sofia(tandem), left_on=date(2024, 3, 15), now=after_midnight)


def test_a_withdrawal_is_not_dated_before_the_city_joined(tandem):
    with pytest.raises(ValidationError) as error:
        end_sofia(tandem, FORMED - timedelta(1))
    assert error.value.code == "left_before_join"
    assert message(error.value) == (
        "Sofia joined this tandem on 17 May 2022; its last day cannot be earlier.")


def test_a_withdrawal_is_not_dated_before_a_meeting_the_city_hosts(tandem, cities):
    meeting = meeting_factory(tandem, host=cities["sofia"], title="Besuch in Sofia",
                              starts_at=datetime(2023, 9, 20, 10, tzinfo=BERLIN))
    with pytest.raises(ValidationError) as error:
        end_sofia(tandem, date(2023, 9, 19))
    assert error.value.code == "hosts_later_meeting"
    assert message(error.value) == (
        "Sofia hosts the meeting “Besuch in Sofia” on 20 September 2023, after that date. "
        "Date the withdrawal on or after that day, or give the meeting another host or "
        "cancel it first.")
    # The meeting's own day is still in (the last day counts), and a cancelled meeting does
    # not hold the city back.
    assert end_sofia(tandem, date(2023, 9, 20)).left_on == date(2023, 9, 20)
    meeting.refresh_from_db()
    assert meeting.host == cities["sofia"]


def test_a_cancelled_meeting_does_not_hold_a_withdrawal_back(tandem, cities):
    meeting = meeting_factory(tandem, host=cities["sofia"],
                              starts_at=datetime(2023, 9, 20, 10, tzinfo=BERLIN))
    meeting_set_status(meeting=meeting, status=MeetingStatus.CANCELLED, now=NOW)
    assert end_sofia(tandem, date(2023, 6, 30)).left_on == date(2023, 6, 30)


def test_a_withdrawal_is_recorded_once(tandem):
    end_sofia(tandem)
    with pytest.raises(ValidationError) as error:
        end_sofia(tandem, TODAY)
    assert error.value.code == "already_left"
    assert message(error.value) == "Sofia has already withdrawn; its last day was 30 June 2023."
    assert sofia(tandem).left_on == EXIT


def test_ending_a_tandem_keeps_the_dates_of_its_members_possible(tandem):
    tandem_set_state(tandem=tandem, state=TandemState.ACTIVE, on=FORMED, now=NOW)
    for on, code in ((FORMED - timedelta(1), "left_before_join"),
                     (TODAY + timedelta(1), "left_future")):
        with pytest.raises(ValidationError) as error:
            tandem_set_state(tandem=tandem, state=TandemState.ENDED, on=on, now=NOW)
        assert error.value.code == code
    tandem.refresh_from_db()
    assert tandem.state == TandemState.ACTIVE
    tandem_set_state(tandem=tandem, state=TandemState.ENDED, on=TODAY, now=NOW)
    assert set(tandem.memberships.values_list("left_on", flat=True)) == {TODAY}


# -- the topics a leaving city led -----------------------------------------------------------

def test_the_topics_the_leaving_city_led_become_to_be_agreed(tandem, cities):
    participation, data = TopicFactory(), TopicFactory()
    tandem_set_topics(tandem=tandem, topics={participation: cities["sofia"],
                                             data: cities["krefeld"]})
    end_sofia(tandem)
    roles = {t.topic: t.lighthouse for t in tandem.topics.all()}
    # Not passed silently to Krefeld: staff choose once a new partner has joined.
    assert roles == {participation: None, data: cities["krefeld"]}
    assert str(tandem.topics.get(topic=participation)).endswith(": lighthouse to be agreed")
    membership_add(tandem=tandem, city=cities["venlo"], joined_on=date(2023, 7, 1), now=NOW)
    with pytest.raises(ValidationError) as error:
        tandem_set_topics(tandem=tandem, topics={participation: cities["sofia"],
                                                 data: cities["krefeld"]})
    assert error.value.code == "lighthouse_not_member"
    tandem_set_topics(tandem=tandem, topics={participation: cities["venlo"], data: None})
    assert {t.topic: t.lighthouse for t in tandem.topics.all()} == {
        participation: cities["venlo"], data: None}


def test_when_both_cities_have_left_every_topic_is_to_be_agreed(tandem, cities):
    topic = TopicFactory()
    tandem_set_topics(tandem=tandem, topics={topic: cities["krefeld"]})
    end_sofia(tandem)
    membership_end(membership=tandem.memberships.get(city=cities["krefeld"]), left_on=EXIT,
                   now=NOW)
    assert [(t.topic, t.lighthouse) for t in tandem.topics.all()] == [(topic, None)]


# -- the database backs the rule ---------------------------------------------------------

def overlapping_row(tandem, city, joined_on, left_on=None):
    return Membership(tandem=tandem, city=city, programme=tandem.programme,
                      is_german=city.is_german, joined_on=joined_on, left_on=left_on)


def test_the_database_refuses_a_withdrawal_before_joining(tandem):
    row = sofia(tandem)
    row.left_on = FORMED - timedelta(1)
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_the_database_refuses_two_partners_at_once_whatever_the_path(tandem, cities):
    require(postgres_available(), "the exclusion constraint exists on PostgreSQL only")
    end_sofia(tandem)
    # A direct write that skips the service: Venlo from the day of Sofia's exit, ended.
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        overlapping_row(tandem, cities["venlo"], EXIT, date(2023, 12, 31)).save()
    assert "membership_one_city_per_side_at_a_time" in str(error.value)
    overlapping_row(tandem, cities["venlo"], EXIT + timedelta(1), date(2023, 12, 31)).save()


def test_the_database_refuses_a_city_in_two_tandems_of_a_programme_at_once(tandem, cities):
    require(postgres_available(), "the exclusion constraint exists on PostgreSQL only")
    end_sofia(tandem)
    other = tandem_create(programme=tandem.programme, german_city=CityFactory(name="Hamm"),
                          partner_city=cities["venlo"], topics={}, formed_on=FORMED, now=NOW)
    membership_end(membership=other.memberships.get(city=cities["venlo"]),
                   left_on=date(2022, 12, 31), now=NOW)
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        overlapping_row(other, cities["sofia"], date(2023, 1, 1), EXIT).save()
    assert "membership_one_tandem_per_city_at_a_time" in str(error.value)
    # In another programme the same dates are fine.
    elsewhere = tandem_create(programme=ProgrammeFactory(), german_city=CityFactory(),
                              partner_city=CityFactory(country="NL", ags=None), topics={},
                              formed_on=FORMED, now=NOW)
    membership_end(membership=elsewhere.memberships.get(is_german=False), left_on=FORMED,
                   now=NOW)
    overlapping_row(elsewhere, cities["sofia"], date(2022, 6, 1), EXIT).save()


@pytest.mark.django_db(transaction=True)
def test_two_staff_adding_a_partner_at_once_get_one(cities):
    require(postgres_available(), "the race needs PostgreSQL's row locks")
    tandem = tandem_create(programme=ProgrammeFactory(), german_city=cities["krefeld"],
                           partner_city=cities["sofia"], topics={}, formed_on=FORMED, now=NOW)
    end_sofia(tandem)
    newcomers = [cities["venlo"], *(CityFactory(country="NL", ags=None) for _ in range(3))]
    barrier, outcomes = threading.Barrier(len(newcomers)), []

    def add(city):
        try:
            barrier.wait()
            membership_add(tandem=tandem, city=city, joined_on=date(2023, 7, 1), now=NOW)
            outcomes.append("joined")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(city,)) for city in newcomers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["joined", "pair", "pair", "pair"]
    assert tandem.memberships.filter(is_german=False, left_on=None).count() == 1
