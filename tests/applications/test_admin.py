import csv
import io

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from applications.enums import EoiStatus
from applications.models import Criterion, ExpressionOfInterest, Score, TopicInterest
from applications.selectors import EXPORT_COLUMNS
from programme.models import City, CityContact
from tests.factories import CallFactory, CityFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = "/admin/applications/expressionofinterest/"


def staff_member(client=None):
    staff = UserFactory(is_staff=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    if client is not None:
        client.force_login(staff)
    return staff


@pytest.fixture
def applications():
    call = CallFactory()
    topic = TopicFactory(slug="open-data")
    made = {}
    for name, ags, status, role in [("Kiel", "01002000", "submitted", "lighthouse"),
                                    ("Hamm", "05915000", "submitted", "follower"),
                                    ("Jena", "16053000", "declined", "follower")]:
        city = CityFactory(name=name, ags=ags)
        eoi = ExpressionOfInterest.objects.create(call=call, city=city, status=status,
                                                  reference=f"VIE-2022-{len(made) + 1:04d}")
        TopicInterest.objects.create(eoi=eoi, topic=topic, role=role)
        made[name] = eoi
    contact = CityContact.objects.create(user=UserFactory(), city=made["Hamm"].city)
    contact.verified_at = contact.created_at
    contact.save()
    return made


@pytest.mark.parametrize(("query", "expected"), [
    ("land=05", {"Hamm"}), ("topic=open-data&role=lighthouse", {"Kiel"}),
    ("verified=yes", {"Hamm"}), ("verified=no", {"Kiel", "Jena"}),
    ("status__exact=declined", {"Jena"}), ("q=16053000", {"Jena"}), ("q=Kiel", {"Kiel"}),
])
def test_filters_and_search(client, applications, query, expected):
    staff_member(client)
    response = client.get(f"{LIST}?{query}")
    shown = {eoi.city.name for eoi in response.context["cl"].result_list}
    assert shown == expected


def test_only_staff_reach_the_review(client, applications):
    eoi = applications["Kiel"]
    client.force_login(UserFactory())
    for url in [LIST, f"{LIST}{eoi.pk}/change/", f"{LIST}{eoi.pk}/score/", f"{LIST}export.csv",
                f"{LIST}export.xlsx", "/admin/applications/criterion/"]:
        assert client.get(url).status_code == 302, url


def test_decision_action_asks_for_a_reason_then_decides_and_mails(
    client, applications, django_capture_on_commit_callbacks
):
    staff = staff_member(client)
    eoi = applications["Hamm"]
    data = {"action": "mark_accepted", "_selected_action": [eoi.pk]}
    page = client.post(LIST, data)
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()
    assert client.post(LIST, {**data, "apply": "1", "reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        client.post(LIST, {**data, "apply": "1", "reason": "Passt zu Arezzo",
                           "reason_in_mail": "on"})
    eoi.refresh_from_db()
    assert eoi.status == EoiStatus.ACCEPTED
    assert eoi.history.latest().history_user == staff
    assert len(mail.outbox) == 1 and "Passt zu Arezzo" in mail.outbox[0].body


def test_reviewers_see_the_others_scores_only_after_their_own(client, applications):
    eoi = applications["Kiel"]
    criteria = [Criterion.objects.create(programme=eoi.call.programme, name_de=n, name_en=n)
                for n in ("Erfahrung", "Motivation")]
    other = staff_member()
    for criterion in criteria:
        Score.objects.create(eoi=eoi, criterion=criterion, reviewer=other, value=5,
                             note="geheim")
    staff_member(client)
    listing = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "5.0 (5–5" not in listing and "score first" in listing
    assert "geheim" not in client.get(f"{LIST}{eoi.pk}/change/").content.decode()

    form = {f"value_{c.pk}": "3" for c in criteria} | {f"note_{c.pk}": "" for c in criteria}
    assert client.post(f"{LIST}{eoi.pk}/score/", {**form, f"value_{criteria[0].pk}": "9"}
                       ).status_code == 400
    assert client.post(f"{LIST}{eoi.pk}/score/", form).status_code == 302
    assert "geheim" in client.get(f"{LIST}{eoi.pk}/change/").content.decode()
    assert "4.0 (3–5, 2)" in client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_export_follows_the_filters_with_scores(client, applications):
    staff_member(client)
    response = client.get(f"{LIST}export.csv?topic=open-data&role=follower")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Reference" and "Score average" in rows[0]
    assert sorted(row[1] for row in rows[1:]) == ["Hamm", "Jena"]
    workbook = load_workbook(io.BytesIO(client.get(f"{LIST}export.xlsx?land=16").content))
    sheet_rows = list(workbook.active.values)
    assert [row[1] for row in sheet_rows[1:]] == ["Jena"]


def test_review_list_query_count_does_not_grow(client):
    staff_member(client)
    call = CallFactory()

    def add(n, offset):
        cities = City.objects.bulk_create(
            City(name=f"Gemeinde {offset + i}", country="DE", ags=f"09{offset + i:06d}")
            for i in range(n))
        ExpressionOfInterest.objects.bulk_create(
            ExpressionOfInterest(call=call, city=city, status="submitted") for city in cities)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    add(10, 0)
    count()
    few = count()
    add(990, 10)
    assert count() == few
    # More calls (each named with its programme in the filter) cost no query either.
    for n in range(4):
        call = CallFactory()
        add(1, 2000 + n)
    assert count() == few


def test_dashboard_counts_real_submissions_and_draws_labelled_svg(client, applications):
    from applications.models import ExpressionOfInterest as Eoi

    Eoi.objects.create(call=CallFactory(is_practice=True), city=CityFactory(), status="declined")
    staff_member(client)
    response = client.get(f"{LIST}dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 expressions of interest" in html
    assert html.count('<svg role="img"') == 4
    figures = response.context["figures"]
    assert {b["label"]: b["value"] for b in figures["status"]["bars"]}["declined"] == 1
    lands = {b["label"]: b["value"] for b in figures["land"]["bars"]}
    assert (lands["Schleswig-Holstein"], lands["Thuringia"], lands["Bavaria"]) == (1, 1, 0)


def test_export_neutralises_formulas_in_municipality_names(client, applications):
    from tests.spreadsheets import FORMULAS, assert_csv_formula_safe, assert_xlsx_formula_safe

    call = applications["Kiel"].call
    for n, name in enumerate(FORMULAS):
        ExpressionOfInterest.objects.create(call=call, city=CityFactory(name=name),
                                            status="submitted", population=1000 + n,
                                            reference=f"VIE-2022-{n + 10:04d}")
    staff_member(client)
    rows = assert_csv_formula_safe(client.get(f"{LIST}export.csv").content)
    assert rows[4][5] == "1000"  # the population stays a number
    sheet = assert_xlsx_formula_safe(client.get(f"{LIST}export.xlsx").content).active
    assert (sheet["F5"].value, sheet["F5"].data_type) == (1000, "n")


def scored_by(eoi, reviewer, value):
    criterion = Criterion.objects.get_or_create(programme=eoi.call.programme, name_de="Passung",
                                                name_en="Fit")[0]
    return Score.objects.create(eoi=eoi, criterion=criterion, reviewer=reviewer, value=value)


def test_export_shows_only_the_scores_of_entries_the_reviewer_has_scored(client, applications):
    other, me = staff_member(), staff_member(client)
    scored_by(applications["Kiel"], other, 5)  # Kiel: only the other reviewer
    scored_by(applications["Hamm"], other, 4)  # Hamm: both
    scored_by(applications["Hamm"], me, 2)
    columns = ["score_average", "score_min", "score_max", "reviewers"]

    def scores(rows):
        header = rows[0]
        at = [header.index(label) for key, label in EXPORT_COLUMNS if key in columns]
        return {row[1]: [row[i] for i in at] for row in rows[1:]}

    csv_rows = list(csv.reader(io.StringIO(
        client.get(f"{LIST}export.csv", HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig"))))
    assert scores(csv_rows) == {"Kiel": ["score first", "", "", ""],
                                "Hamm": ["3.0", "2", "4", "2"], "Jena": ["", "", "", ""]}
    sheet = load_workbook(io.BytesIO(client.get(f"{LIST}export.xlsx").content)).active
    xlsx = scores([list(row) for row in sheet.iter_rows(values_only=True)])
    assert xlsx["Hamm"] == [3, 2, 4, 2] and xlsx["Kiel"][1:] == [None, None, None]
    assert "5" not in str(xlsx["Kiel"])


def test_score_form_starts_unscored_and_needs_a_choice_or_leave_out_per_criterion(
        client, applications):
    eoi = applications["Kiel"]
    fit, size = (Criterion.objects.create(programme=eoi.call.programme, name_de=n, name_en=n)
                 for n in ("Passung", "Größe"))
    me = staff_member(client)
    Score.objects.create(eoi=eoi, criterion=size, reviewer=me, value=2)
    url = f"{LIST}{eoi.pk}/score/"
    form = client.get(url, HTTP_ACCEPT_LANGUAGE="en").context["form"]
    assert (form[f"value_{fit.pk}"].value(), form[f"value_{size.pk}"].value()) == ("", "2")

    untouched = {f"value_{fit.pk}": "", f"value_{size.pk}": "",
                 f"note_{fit.pk}": "", f"note_{size.pk}": ""}
    refused = client.post(url, untouched, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert errors[f"value_{fit.pk}"] == ["Choose a score for “Passung”, or leave it out."]
    assert errors[f"value_{size.pk}"] == ["Choose a score for “Größe”, or leave it out."]
    assert list(Score.objects.values_list("value", flat=True)) == [2]  # nothing saved

    saved = client.post(url, {**untouched, f"value_{fit.pk}": "4",
                              f"value_{size.pk}": "leave-out"})
    assert saved.status_code == 302
    assert list(Score.objects.values_list("criterion", "value")) == [(fit.pk, 4)]
