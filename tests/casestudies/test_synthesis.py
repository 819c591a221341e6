"""The synthesis across case studies: counts, totals, links, exports, rights and queries."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from casestudies.models import Category
from casestudies.services import Item, casestudy_save
from casestudies.synthesis import export_header, export_rows, synthesis
from tests.casestudies.conftest import (
    EU,
    FUNDING,
    POLITICS,
    SKILLS,
    make_case_study,
    make_researcher,
    make_tandem,
)
from tests.factories import UserFactory, member_contact, tandem_factory

pytestmark = pytest.mark.django_db

LICENCES = Item("barrier", "funding", "local", "Teure Lizenzen")
TRAINING = Item("driver", "staff-skills", "local", "Schulungen für das Personal")
FORMULA = Item("driver", "staff-skills", "national", "=1 Stelle mehr aus dem Förderprogramm")
MEETINGS = Item("barrier", "participation", "local", "Wenige kamen zu den Bürgerforen")


def url(language="de"):
    with translation.override(language):
        return reverse("casestudies:synthesis")


def coded(tandem, title, items):
    case_study = make_case_study(tandem=tandem, title=title)
    if items:
        casestudy_save(case_study=case_study, base_version=1, by=None, items=list(items))
    return case_study


@pytest.fixture
def studies():
    """Three case studies, counted by hand (categories in their order, inactive ones only
    when they have items):

    ==============  ===============  ===============  ==============  =============
    category        Krefeld – Venlo  Hamm – Arezzo    München – Utr.  total
    ==============  ===============  ===============  ==============  =============
    funding         1 B, 1 D         1 B                              2 B, 1 D
    staff-skills    1 B              2 D                              1 B, 2 D
    political       1 D                                               1 D
    participation                    1 B (inactive)                   1 B
    total           2 B, 2 D         2 B, 2 D         0               4 B, 4 D
    ==============  ===============  ===============  ==============  =============
    """
    krefeld = coded(make_tandem("Krefeld", "Venlo"), "Fallstudie Krefeld",
                    [FUNDING, SKILLS, POLITICS, EU])
    hamm = coded(make_tandem("Hamm", "Arezzo"), "Fallstudie Hamm",
                 [LICENCES, TRAINING, FORMULA, MEETINGS])
    munich = coded(make_tandem("München", "Utrecht"), "Fallstudie München", [])
    Category.objects.filter(slug__in=["participation", "language-culture"]).update(
        is_active=False)
    return krefeld, hamm, munich


def counts(data):
    return {(row.category.slug, cell.column.name): (cell.count.barriers, cell.count.drivers)
            for row in data.rows for cell in row.cells if cell.count.total}


def test_the_matrix_counts_barriers_and_drivers_per_category_and_tandem(studies):
    data = synthesis()
    assert [column.name for column in data.columns] == [
        "Krefeld – Venlo", "Hamm – Arezzo", "München – Utrecht"]
    assert counts(data) == {
        ("funding", "Krefeld – Venlo"): (1, 1),
        ("staff-skills", "Krefeld – Venlo"): (1, 0),
        ("political-support", "Krefeld – Venlo"): (0, 1),
        ("funding", "Hamm – Arezzo"): (1, 0),
        ("staff-skills", "Hamm – Arezzo"): (0, 2),
        ("participation", "Hamm – Arezzo"): (1, 0),
    }


def test_rows_are_the_categories_in_use_or_with_items_in_their_order(studies):
    assert [row.category.slug for row in synthesis().rows] == [
        "funding", "staff-skills", "organisation-governance", "law-data-protection",
        "technology-infrastructure", "political-support", "participation"]


def test_row_and_column_totals_add_up(studies):
    data = synthesis()
    assert {row.category.slug: (row.count.barriers, row.count.drivers)
            for row in data.rows if row.count.total} == {
        "funding": (2, 1), "staff-skills": (1, 2), "political-support": (0, 1),
        "participation": (1, 0)}
    assert [(c.barriers, c.drivers) for c in data.column_totals] == [(2, 2), (2, 2), (0, 0)]
    assert (data.total.barriers, data.total.drivers) == (4, 4)


def test_the_chart_has_a_pair_of_bars_per_category_scaled_to_the_largest(studies):
    chart = synthesis().chart
    funding, skills = chart["rows"][:2]
    assert (funding.label, funding.barriers.value, funding.drivers.value) == ("Finanzierung", 2, 1)
    assert funding.barriers.width == 2 * funding.drivers.width > 0
    assert skills.drivers.width == funding.barriers.width  # 2 is the largest number
    assert funding.barriers.y < funding.drivers.y < skills.barriers.y
    assert len(chart["rows"]) == 7


def test_the_page_shows_the_chart_the_matrix_and_links_to_the_items(client, studies):
    krefeld, hamm, munich = studies
    client.force_login(make_researcher())
    response = client.get(url("en"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="img"' in html and '<title id="synthesis-chart-title">' in html
    assert "<caption>" in html and html.count('<th scope="col">') == 5  # category, 3, total
    matrix = html.split('id="synthesis-matrix"')[1].split("</table>")[0]
    assert f'href="#items-funding-{krefeld.pk}"' in matrix
    assert f'href="#items-staff-skills-{hamm.pk}"' in matrix
    assert f"#items-funding-{munich.pk}" not in matrix  # an empty cell links nowhere
    assert "2 drivers" in matrix and "1 barrier" in matrix
    listing = html.split(f'id="items-staff-skills-{hamm.pk}"')[1].split("</ul>")[0]
    assert f'href="{hamm.get_absolute_url()}"' in listing
    assert "Schulungen für das Personal" in listing and "national" in listing
    assert "Driver" in listing and "Barrier" not in listing
    assert f'id="items-funding-{krefeld.pk}"' in html and f'id="items-funding-{munich.pk}"' \
        not in html
    assert "style=" not in html.split("<main")[1]


def test_the_page_without_items_says_so(client):
    make_case_study(tandem=tandem_factory(), title="Leer")
    client.force_login(make_researcher())
    html = client.get(url()).content.decode()
    assert 'id="synthesis-empty"' in html and 'role="img"' not in html


def test_the_csv_lists_every_item_in_the_page_language(client, studies):
    krefeld, hamm, munich = studies
    client.force_login(make_researcher())
    response = client.get(url("en"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="coded-items.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["Case study", "Tandem", "Status", "Kind", "Category", "Level", "Text"]
    assert len(rows) == 1 + 8
    assert rows[1] == ["Fallstudie Krefeld", "Krefeld – Venlo", "Draft", "Barrier", "Funding",
                       "Local", "Kein Budget für Sensorik"]
    assert ["Fallstudie Hamm", "Hamm – Arezzo", "Draft", "Driver", "Staff and skills",
            "National", "'=1 Stelle mehr aus dem Förderprogramm"] in rows  # never a formula
    assert [row[4] for row in rows[1:]] == ["Funding"] * 3 + ["Staff and skills"] * 3 + [
        "Political support", "Participation"]


def test_the_xlsx_holds_the_same_rows_in_german(client, studies):
    client.force_login(make_researcher())
    response = client.get(url(), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="coded-items.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    with translation.override("de"):
        assert rows[0] == export_header()
        assert rows[1:] == export_rows()
    assert rows[1][2:6] == ["Entwurf", "Hindernis", "Finanzierung", "Lokal"]
    formula = next(row for row in sheet.iter_rows() if str(row[6].value).startswith("=1"))
    assert formula[6].data_type == "s"  # text, not a formula
    assert len(rows) == 1 + 8


def test_an_unknown_format_is_a_400_with_a_message(client, studies):
    client.force_login(make_researcher())
    response = client.get(url("en"), {"format": "pdf"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Unknown format" in response.content.decode() and "xlsx" in response.content.decode()


@pytest.mark.parametrize("output", ["", "?format=csv", "?format=xlsx"])
def test_anonymous_visitors_are_sent_to_the_login(client, output):
    response = client.get(url() + output)
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("output", ["", "?format=csv", "?format=xlsx"])
def test_city_contacts_and_plain_users_get_a_403(client, studies, output):
    krefeld = studies[0]
    for user in (member_contact(krefeld.tandem), UserFactory()):
        client.force_login(user)
        assert client.get(url() + output).status_code == 403


def test_researchers_and_staff_see_the_page(client, staff_client, studies):
    assert staff_client.get(url()).status_code == 200
    staff_client.force_login(make_researcher())
    assert staff_client.get(url()).status_code == 200


def _queries(client, output):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url() + output)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("output", ["", "?format=csv", "?format=xlsx"])
def test_the_number_of_queries_stays_the_same_as_case_studies_grow(client, output):
    client.force_login(make_researcher())
    coded(tandem_factory(), "Eins", [FUNDING])
    small = _queries(client, output)
    for index in range(4):
        coded(tandem_factory(formed_on=date(2023, 1, 1 + index)), f"Mehr {index}",
              [FUNDING, SKILLS, POLITICS, EU, LICENCES, TRAINING, MEETINGS])
    assert _queries(client, output) == small


def test_the_exports_neutralise_formulas_in_titles_and_items(staff_client):
    from tests.spreadsheets import FORMULAS, assert_csv_formula_safe, assert_xlsx_formula_safe

    coded(make_tandem(), FORMULAS[0], [Item("barrier", "funding", "local", text)
                                       for text in FORMULAS[1:]])
    rows = assert_csv_formula_safe(staff_client.get(url("en") + "?format=csv").content)
    assert len(rows) == 4
    assert_xlsx_formula_safe(staff_client.get(url("en") + "?format=xlsx").content)
