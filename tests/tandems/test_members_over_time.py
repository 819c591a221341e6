"""Pages and the funder report show the members of their date, and "lighthouse to be agreed"
for a topic whose leading city has withdrawn."""

import importlib
import re
from datetime import date
from types import SimpleNamespace

import pytest

from accounts.models import User
from programme.models import City, Topic
from reports.selectors import funder_report
from tandems.models import Tandem
from tandems.services import membership_add, membership_end, tandem_set_topics
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def krefeld(seeded):
    """The demo's Krefeld tandem, its partner Venlo withdrawn on 30 June 2024 (not replaced)."""
    tandem = Tandem.objects.get(memberships__city__name="Krefeld")
    membership_end(membership=tandem.memberships.get(city__name="Venlo"),
                   left_on=date(2024, 6, 30))
    return tandem


def test_the_public_page_says_lighthouse_to_be_agreed_and_keeps_the_tandem_drawn(client,
                                                                                   krefeld):
    html = client.get("/de/tandems/").content.decode()
    assert "Digitale Beteiligung: <em>Leuchtturm noch offen</em>" in html
    assert "Krefeld – Partnerstadt noch offen" in html  # the drawing's text alternative
    assert "Venlo" not in html and "geleitet von Venlo" not in html
    html = client.get("/en/tandems/").content.decode()
    assert "Smart participation: <em>lighthouse to be agreed</em>" in html


def test_the_members_page_shows_the_topic_to_be_agreed_without_a_follower(client, krefeld):
    client.force_login(User.objects.get(email="krefeld@example.org"))
    html = client.get(f"/de/tandems/{krefeld.pk}/").content.decode()
    row = html.split("<td>Digitale Beteiligung</td>")[1].split("</tr>")[0]
    assert '<td colspan="2"><em>Leuchtturm noch offen</em></td>' in row
    assert "Krefeld" not in row  # Krefeld does not become the follower of an open topic
    html = client.get(f"/en/tandems/{krefeld.pk}/").content.decode()
    assert "<em>Lighthouse to be agreed</em>" in html
    assert "Venlo (Netherlands): 1 January 2024 – 30 June 2024" in html


def test_a_follower_is_the_other_current_member(client, seeded):
    tandem = Tandem.objects.get(memberships__city__name="Utrecht")
    client.force_login(User.objects.get(email="utrecht@example.org"))
    html = re.sub(r">\s+<", "><", client.get(f"/en/tandems/{tandem.pk}/").content.decode())
    assert "<td>Urban digital twins</td><td>München</td><td>Utrecht</td>" in html


def test_the_funder_report_names_each_year_by_its_members(seeded):
    programme = Tandem.objects.get(memberships__city__name="Krefeld").programme
    names = {year: {row.name for row in funder_report(programme=programme, year=year).tandems
                    if row.name.startswith("Krefeld")} for year in (2023, 2024)}
    assert names == {2023: {"Krefeld – Sofia"}, 2024: {"Krefeld – Venlo"}}


def test_the_funder_report_names_both_partners_of_a_year_with_a_change(seeded):
    tandem = Tandem.objects.get(memberships__city__name="Hamm")
    membership_end(membership=tandem.memberships.get(city__name="Arezzo"),
                   left_on=date(2024, 5, 31))
    membership_add(tandem=tandem, city=CityFactory(name="Siena", country="IT", ags=None),
                   joined_on=date(2024, 6, 1))
    names = [row.name for row in funder_report(programme=tandem.programme, year=2024).tandems]
    assert "Hamm – Arezzo / Siena" in names and "Hamm – Arezzo" not in names


def test_the_demo_case_study_names_each_topics_lighthouse(seeded):
    from casestudies.models import CaseStudy

    transfer = CaseStudy.objects.get(tandem__memberships__city__name="Arnsberg").transfer
    assert "- Straßenbeleuchtung: geleitet von Arnsberg" in transfer


def row(pk, city, joined_on, left_on=None, *, tandem=1, is_german=False):
    return SimpleNamespace(pk=pk, tandem_id=tandem, is_german=is_german, city_id=city,
                           programme_id=1, joined_on=joined_on, left_on=left_on)


def test_the_migration_dates_a_withdrawal_the_old_action_could_only_date_today():
    """The reported case: Sofia withdrawn "today" in summer 2024, Venlo joined on 1 January."""
    separate = importlib.import_module(
        "tandems.migrations.0004_membership_dates_and_open_lighthouses").separate_overlaps
    krefeld = row(1, "krefeld", date(2022, 5, 17), is_german=True)
    sofia = row(2, "sofia", date(2022, 5, 17), date(2024, 6, 30))
    venlo = row(3, "venlo", date(2024, 1, 1))
    assert separate([krefeld, sofia, venlo]) == [sofia]
    assert sofia.left_on == date(2023, 12, 31)
    # The same city in two tandems of the programme at once: the first stay ends first.
    first, second = (row(4, "gent", date(2022, 5, 17), date(2023, 9, 30), tandem=2),
                     row(5, "gent", date(2023, 7, 1), tandem=3))
    assert separate([first, second]) == [first] and first.left_on == date(2023, 6, 30)
    # An overlap that dates cannot explain stops the migration with the two ids.
    with pytest.raises(RuntimeError, match="Memberships 6 and 7 overlap"):
        separate([row(6, "a", date(2022, 5, 17)), row(7, "b", date(2023, 1, 1),
                                                       date(2023, 6, 30))])


def test_staff_choose_a_lighthouse_among_the_current_members_again(krefeld):
    topic = Topic.objects.get(slug="smart-participation")
    tandem_set_topics(tandem=krefeld, topics={topic: City.objects.get(name="Krefeld")})
    assert krefeld.topics.get(topic=topic).lighthouse.name == "Krefeld"
