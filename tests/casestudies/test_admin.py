"""Staff in the admin: the case-study list, adding through the service, the categories."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casestudies.enums import CaseStudyStatus
from casestudies.models import CaseStudy, Category
from casestudies.services import casestudy_save
from tests.casestudies.conftest import (
    FUNDING,
    POLITICS,
    make_case_study,
    make_researcher,
    set_status,
)
from tests.factories import UserFactory, tandem_factory

pytestmark = pytest.mark.django_db
LIST = "/admin/casestudies/casestudy/"
ADD = LIST + "add/"
CATEGORIES = "/admin/casestudies/category/"


def change_url(case_study):
    return f"{LIST}{case_study.pk}/change/"


def studies(n):
    """``n`` case studies, each with a researcher, two versions and items."""
    made = []
    for _ in range(n):
        case_study = make_case_study(researchers=[make_researcher()])
        made.append(casestudy_save(case_study=case_study, base_version=1, by=None,
                                   changes={"context": "Kontext"}, items=[FUNDING, POLITICS]))
    return made


def inline_data(client, case_study):
    """What the change page posts for its read-only inlines: the formsets' own fields."""
    data = {}
    for inline in client.get(change_url(case_study)).context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({formset.management_form.add_prefix(name): value
                     for name, value in formset.management_form.initial.items()})
        for form in formset.forms:
            data.update({form.add_prefix(name): form[name].value() for name in form.fields
                         if form[name].value() is not None})
    return data


def test_admin_case_study_list_keeps_a_constant_number_of_queries(staff_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(LIST)
            assert response.status_code == 200
        return len(captured), response

    made = studies(3)
    few, response = queries()
    assert response.context["cl"].result_count == 3
    made += studies(7)
    many, response = queries()
    assert response.context["cl"].result_count == 10
    assert many == few
    page = response.content.decode()
    for case_study in made:
        assert str(case_study.tandem) in page and change_url(case_study) in page


def test_admin_case_study_list_searches_titles_and_member_cities(staff_client):
    krefeld, hamm = studies(2)
    city = hamm.tandem.memberships.get(is_german=False).city.name
    response = staff_client.get(LIST, {"q": city})
    assert list(response.context["cl"].result_list) == [hamm]
    response = staff_client.get(LIST, {"q": krefeld.title})
    assert list(response.context["cl"].result_list) == [krefeld]


def test_admin_case_study_list_filters_by_status(staff_client):
    draft, sent = studies(2)
    set_status(sent, CaseStudyStatus.WITH_CITIES)
    response = staff_client.get(LIST, {"status__exact": "with_cities"})
    assert list(response.context["cl"].result_list) == [sent]


def test_admin_staff_add_a_case_study_through_the_service(staff_client):
    tandem = tandem_factory()
    author = make_researcher()
    response = staff_client.post(ADD, {"tandem": tandem.pk, "title": "Fallstudie Hamm – Arezzo",
                                       "language": "en", "researchers": [author.pk]})
    assert response.status_code == 302
    case_study = CaseStudy.objects.get()
    assert (case_study.tandem, case_study.title, case_study.language, case_study.version,
            case_study.status, case_study.updated_by) == (
        tandem, "Fallstudie Hamm – Arezzo", "en", 1, CaseStudyStatus.DRAFT, staff_client.staff)
    assert list(case_study.researchers.all()) == [author]
    (row,) = case_study.history.all()
    assert (row.version, row.history_user, row.items) == (1, staff_client.staff, [])


def test_admin_add_offers_only_researchers_and_tandems_without_a_case_study(staff_client):
    taken = make_case_study()
    free = tandem_factory()
    author, outsider = make_researcher(), UserFactory()
    form = staff_client.get(ADD).context["adminform"].form
    assert list(form.fields["tandem"].queryset) == [free]
    assert list(form.fields["researchers"].queryset) == [author]
    response = staff_client.post(ADD, {"tandem": taken.tandem.pk, "title": "Zweite",
                                       "language": "de", "researchers": [outsider.pk]})
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"tandem", "researchers"}
    assert CaseStudy.objects.count() == 1 and CaseStudy.history.count() == 1


def test_admin_changing_the_researchers_makes_no_version_and_leaves_the_text(staff_client):
    (case_study,) = studies(1)
    first, second = case_study.researchers.get(), make_researcher()
    response = staff_client.post(change_url(case_study), {
        **inline_data(staff_client, case_study), "researchers": [second.pk], "title": "Neu",
        "language": "en", "context": "Überschrieben", "status": "published", "version": 9})
    assert response.status_code == 302
    saved = CaseStudy.objects.get()
    assert list(saved.researchers.all()) == [second] and first not in saved.researchers.all()
    assert (saved.title, saved.language, saved.context, saved.status, saved.version) == (
        case_study.title, "de", "Kontext", CaseStudyStatus.DRAFT, 2)
    assert [row.version for row in saved.history.order_by("history_date", "history_id")] == [1, 2]


def test_admin_change_page_shows_the_text_items_and_view_on_site(staff_client):
    (case_study,) = studies(1)
    response = staff_client.get(change_url(case_study))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.fields) == {"researchers"}
    page = response.content.decode()
    assert "Kein Budget für Sensorik" in page and "Rückhalt des Oberbürgermeisters" in page
    assert f"/fallstudien/{case_study.pk}/versions/" in page
    assert "items-TOTAL_FORMS" in page and "add-row" not in page
    content_type = ContentType.objects.get_for_model(CaseStudy)
    on_site = f"/admin/r/{content_type.pk}/{case_study.pk}/"
    assert on_site in page
    redirect = staff_client.get(on_site)
    assert redirect.status_code == 302
    assert redirect.url.endswith(f"/fallstudien/{case_study.pk}/")


def test_admin_only_a_draft_can_be_deleted(staff_client):
    draft, published = studies(2)
    set_status(published, CaseStudyStatus.PUBLISHED)
    refused = staff_client.post(f"{LIST}{published.pk}/delete/", {"post": "yes"}, follow=True,
                                HTTP_ACCEPT_LANGUAGE="en")
    assert refused.redirect_chain == [(f"{LIST}{published.pk}/change/", 302)]
    assert "stays on record" in refused.content.decode()
    assert staff_client.post(f"{LIST}{draft.pk}/delete/", {"post": "yes"}).status_code == 302
    assert list(CaseStudy.objects.all()) == [published]


def test_admin_category_list_is_editable(staff_client):
    categories = list(Category.objects.all())
    assert len(categories) == 8  # from the migration
    page = staff_client.get(CATEGORIES)
    assert page.status_code == 200
    data = {"form-TOTAL_FORMS": len(categories), "form-INITIAL_FORMS": len(categories),
            "form-MIN_NUM_FORMS": 0, "form-MAX_NUM_FORMS": 1000, "_save": "Save"}
    for n, category in enumerate(categories):
        data.update({f"form-{n}-id": category.pk, f"form-{n}-order": category.order,
                     f"form-{n}-name_de": category.name_de,
                     f"form-{n}-name_en": category.name_en})
        if category.is_active:
            data[f"form-{n}-is_active"] = "on"
    first = categories[0]
    data.update({"form-0-order": 99, "form-0-name_de": "Geld", "form-0-name_en": "Money"})
    del data["form-0-is_active"]
    response = staff_client.post(CATEGORIES, data)
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.order, first.name_de, first.name_en, first.is_active, first.slug) == (
        99, "Geld", "Money", False, "funding")
    assert list(Category.objects.values_list("slug", "name_en"))[-1] == ("funding", "Money")


def test_admin_category_add_fills_the_slug_and_keeps_it_after(staff_client):
    response = staff_client.post(CATEGORIES + "add/", {
        "slug": "open-data", "name_de": "Offene Daten", "name_en": "Open data", "order": 9,
        "is_active": "on"})
    assert response.status_code == 302
    category = Category.objects.get(slug="open-data")
    page = staff_client.get(f"{CATEGORIES}{category.pk}/change/")
    assert "slug" not in page.context["adminform"].form.fields
    refused = staff_client.post(f"{CATEGORIES}{category.pk}/delete/", {"post": "yes"})
    assert refused.status_code == 302 and Category.objects.filter(pk=category.pk).exists()


@pytest.mark.parametrize("make_user", [UserFactory, make_researcher])
def test_admin_is_closed_to_users_who_are_not_staff(client, make_user):
    (case_study,) = studies(1)
    client.force_login(make_user())
    for url in (LIST, ADD, change_url(case_study), CATEGORIES):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert "/login/" in response.url
    assert client.post(ADD, {"tandem": tandem_factory().pk, "title": "x",
                             "language": "de"}).status_code in (302, 403)
    assert CaseStudy.objects.count() == 1
