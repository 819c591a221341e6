"""Staff record withdrawals and new partners in the admin; the service's rules hold there.

The admin's Membership "Withdraw" action asks for the last day on a page of its own, the
add form checks the join date, and the TandemTopic inline offers the current members only.
"""

from datetime import date, datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.utils import timezone

from applications.formatting import PROGRAMME_ZONE
from tandems.models import Membership, TandemTopic
from tandems.services import membership_end, tandem_create, tandem_set_topics
from tests.factories import CityFactory, ProgrammeFactory, TopicFactory, meeting_factory

pytestmark = pytest.mark.django_db
LIST = "/admin/tandems/membership/"
# The admin's "today" in these tests: 14 March 2024, German time.
TODAY = date(2024, 3, 14)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2024, 3, 14, 10, tzinfo=PROGRAMME_ZONE), tick=False):
        yield


@pytest.fixture
def tandem():
    return tandem_create(programme=ProgrammeFactory(), german_city=CityFactory(name="Krefeld"),
                         partner_city=CityFactory(name="Sofia", country="BG", ags=None),
                         topics={}, formed_on=date(2022, 5, 17))


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def withdraw(client, memberships, **data):
    return client.post(LIST, {"action": "withdraw",
                              "_selected_action": [m.pk for m in memberships], **data},
                       HTTP_ACCEPT_LANGUAGE="en")


def test_withdraw_asks_for_the_last_day_defaulting_to_today(staff_client, tandem):
    sofia = tandem.memberships.get(city__name="Sofia")
    page = withdraw(staff_client, [sofia])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="date"' in html and 'value="2024-03-14"' in html and 'max="2024-03-14"' in html
    assert "Sofia" in html and 'name="apply"' in html
    sofia.refresh_from_db()
    assert sofia.left_on is None  # nothing happens before the date is confirmed


def test_withdraw_with_a_date_ends_the_membership_on_that_day(staff_client, tandem):
    sofia = tandem.memberships.get(city__name="Sofia")
    response = withdraw(staff_client, [sofia], apply="1", left_on="2023-12-31")
    assert response.status_code == 302
    sofia.refresh_from_db()
    assert sofia.left_on == date(2023, 12, 31)
    assert texts(response) == ["1 membership ended."]


def test_withdraw_refuses_each_row_it_cannot_end_with_its_reason(staff_client, tandem):
    other = tandem_create(programme=ProgrammeFactory(), german_city=CityFactory(name="Hamm"),
                          partner_city=CityFactory(name="Arezzo", country="IT", ags=None),
                          topics={}, formed_on=date(2022, 5, 17))
    arezzo, sofia = (other.memberships.get(city__name="Arezzo"),
                     tandem.memberships.get(city__name="Sofia"))
    meeting_factory(other, host=arezzo.city, title="Besuch in Arezzo",
                    starts_at=datetime(2023, 9, 20, 10, tzinfo=PROGRAMME_ZONE))
    krefeld = tandem.memberships.get(city__name="Krefeld")
    membership_end(membership=krefeld, left_on=date(2023, 1, 31))
    response = withdraw(staff_client, [sofia, arezzo, krefeld], apply="1",
                        left_on="2023-06-30")
    assert response.status_code == 302
    assert texts(response) == [
        "1 membership ended.",
        "Krefeld (Sofia): Krefeld has already withdrawn; its last day was 31 January 2023.",
        "Arezzo (Hamm – Arezzo): Arezzo hosts the meeting “Besuch in Arezzo” on 20 September "
        "2023, after that date. Date the withdrawal on or after that day, or give the meeting "
        "another host or cancel it first."]
    assert Membership.objects.get(pk=sofia.pk).left_on == date(2023, 6, 30)
    assert Membership.objects.get(pk=arezzo.pk).left_on is None


def test_withdraw_refuses_a_day_after_today(staff_client, tandem):
    sofia = tandem.memberships.get(city__name="Sofia")
    response = withdraw(staff_client, [sofia], apply="1", left_on="2024-03-15")
    assert texts(response) == [
        "0 memberships ended.",
        "Sofia (Krefeld – Sofia): A withdrawal cannot be dated after today (14 March 2024)."]
    sofia.refresh_from_db()
    assert sofia.left_on is None


def test_withdraw_without_a_valid_date_shows_the_page_again(staff_client, tandem):
    sofia = tandem.memberships.get(city__name="Sofia")
    page = withdraw(staff_client, [sofia], apply="1", left_on="31.02.2023")
    assert page.status_code == 400
    assert "Enter a valid date." in page.content.decode()


def test_the_add_form_checks_the_join_date_against_the_last_partners_exit(staff_client,
                                                                           tandem):
    membership_end(membership=tandem.memberships.get(city__name="Sofia"),
                   left_on=date(2023, 12, 31))
    venlo = CityFactory(name="Venlo", country="NL", ags=None)
    data = {"tandem": tandem.pk, "city": venlo.pk}
    page = staff_client.post(f"{LIST}add/", {**data, "joined_on": "2023-12-31"},
                             HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    field_errors = page.context["adminform"].form.errors["joined_on"]
    assert field_errors == ["Sofia was a member of this tandem until 31 December 2023 (its last "
                            "day), so a city from the same side can join from 1 January 2024."]
    page = staff_client.post(f"{LIST}add/", {**data, "joined_on": "2024-03-15"},
                             HTTP_ACCEPT_LANGUAGE="en")
    assert "not after today (14 March 2024)" in page.content.decode()
    assert not Membership.objects.filter(city=venlo).exists()
    response = staff_client.post(f"{LIST}add/", {**data, "joined_on": "2024-01-01"})
    assert response.status_code == 302
    assert Membership.objects.get(city=venlo).joined_on == date(2024, 1, 1)


def test_the_topic_inline_offers_the_current_members_and_to_be_agreed(staff_client, tandem):
    sofia = tandem.memberships.get(city__name="Sofia")
    topic = TopicFactory(name_en="Smart participation")
    tandem_set_topics(tandem=tandem, topics={topic: sofia.city})
    membership_end(membership=sofia, left_on=date(2023, 12, 31))
    venlo = CityFactory(name="Venlo", country="NL", ags=None)
    Membership.objects.create(tandem=tandem, city=venlo, programme=tandem.programme,
                              is_german=False, joined_on=date(2024, 1, 1))
    url = f"/admin/tandems/tandem/{tandem.pk}/change/"
    page = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    field = page.context["inline_admin_formsets"][1].formset.forms[0].fields["lighthouse"]
    assert [str(label) for _value, label in field.choices] == [
        "lighthouse to be agreed", "Krefeld", "Venlo"]
    row = TandemTopic.objects.get()
    form = {"topics-TOTAL_FORMS": "1", "topics-INITIAL_FORMS": "1", "topics-MIN_NUM_FORMS": "0",
            "topics-MAX_NUM_FORMS": "1000", "topics-0-id": row.pk, "topics-0-tandem": tandem.pk,
            "topics-0-topic": topic.pk, "topics-0-lighthouse": sofia.city.pk,
            "memberships-TOTAL_FORMS": "3", "memberships-INITIAL_FORMS": "3",
            "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
            **{f"memberships-{n}-{name}": value
               for n, m in enumerate(tandem.memberships.order_by("joined_on", "pk"))
               for name, value in (("id", m.pk), ("tandem", tandem.pk))}}
    refused = staff_client.post(url, form, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200  # Sofia is no choice any more
    assert TandemTopic.objects.get().lighthouse is None
    staff_client.post(url, {**form, "topics-0-lighthouse": venlo.pk})
    assert TandemTopic.objects.get().lighthouse == venlo


def test_the_admins_today_is_german_time(staff_client, tandem):
    """At 00:30 on 15 March in Germany (still the 14th in UTC) the page offers the 15th."""
    sofia = tandem.memberships.get(city__name="Sofia")
    late = datetime(2024, 3, 15, 0, 30, tzinfo=PROGRAMME_ZONE)
    with time_machine.travel(late, tick=False):
        assert timezone.now().date() == TODAY
        page = withdraw(staff_client, [sofia])
    assert 'value="2024-03-15"' in page.content.decode()
