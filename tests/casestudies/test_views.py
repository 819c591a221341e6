"""The researchers' pages: reading, editing with a preview, conflicts, versions, restore."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casestudies.enums import CaseStudyStatus
from casestudies.models import SECTION_MAX, CaseStudy
from casestudies.services import Item, casestudy_create, casestudy_save
from core.unsaved import SESSION_KEY
from tests.casestudies.conftest import FUNDING, POLITICS, make_researcher, set_status
from tests.factories import UserFactory, member_contact, tandem_factory

pytestmark = pytest.mark.django_db
researcher = make_researcher


def study(*, researchers=(), items=(FUNDING,), **changes):
    case_study = casestudy_create(tandem=tandem_factory(), title="Fallstudie Krefeld – Venlo",
                                  researchers=researchers)
    return casestudy_save(case_study=case_study, base_version=1, by=None,
                          changes={"context": "Zwei Städte am Niederrhein.", **changes},
                          items=list(items))


def edit_data(case_study, *, version=None, items=(), **changes):
    data = {"version": version or case_study.version, "title": case_study.title,
            "language": case_study.language,
            **{name: getattr(case_study, name) for name in CaseStudy.SECTIONS}, **changes}
    data.update({"items-TOTAL_FORMS": len(items), "items-INITIAL_FORMS": len(items),
                 "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000})
    for index, item in enumerate(items):
        data.update({f"items-{index}-{key}": value for key, value in item.as_dict().items()})
        data[f"items-{index}-ORDER"] = index + 1
    return data


def edit_url(case_study):
    return f"/de/fallstudien/{case_study.pk}/edit/"


def test_an_assigned_researcher_saves_a_new_version(client):
    author = researcher()
    case_study = study(researchers=[author])
    client.force_login(author)
    page = client.get(edit_url(case_study))
    assert page.status_code == 200 and "Zwei Städte am Niederrhein." in page.content.decode()
    response = client.post(edit_url(case_study), edit_data(
        case_study, context="Zwei Städte, ein Fluss.", items=[POLITICS, FUNDING]))
    assert response.status_code == 302 and response.url == case_study.get_absolute_url()
    case_study.refresh_from_db()
    assert case_study.version == 3 and case_study.context == "Zwei Städte, ein Fluss."
    assert [i.category.slug for i in case_study.items.all()] == [
        "funding", "political-support"]  # ordered by kind: barriers first
    assert case_study.history.get(version=3).history_user == author


def test_the_order_field_orders_the_items_and_delete_removes_one(client):
    author = researcher()
    case_study = study(researchers=[author], items=[FUNDING])
    client.force_login(author)
    second = Item("barrier", "staff-skills", "local", "Zu wenig Personal")
    data = edit_data(case_study, items=[FUNDING, second])
    data["items-0-ORDER"], data["items-1-ORDER"] = 2, 1
    assert client.post(edit_url(case_study), data).status_code == 302
    assert [i.text for i in case_study.items.all()] == ["Zu wenig Personal",
                                                        "Kein Budget für Sensorik"]
    case_study.refresh_from_db()
    data = edit_data(case_study, items=[second, FUNDING])
    data["items-0-DELETE"] = "on"
    assert client.post(edit_url(case_study), data).status_code == 302
    assert [i.text for i in case_study.items.all()] == ["Kein Budget für Sensorik"]


def test_the_preview_shows_sanitised_html_and_saves_nothing(client):
    author = researcher()
    case_study = study(researchers=[author])
    client.force_login(author)
    response = client.post(edit_url(case_study), {**edit_data(
        case_study, context="# Ausgangslage\n\n**fett** <script>alert(1)</script>"),
        "action": "preview"})
    html = response.content.decode()
    assert response.status_code == 200
    preview = html.split('id="preview"')[1].split("</section>")[0]
    assert "<h3>Ausgangslage</h3>" in preview and "<strong>fett</strong>" in preview
    assert "<script>alert(1)</script>" not in html
    case_study.refresh_from_db()
    assert case_study.version == 2 and case_study.context == "Zwei Städte am Niederrhein."


def test_the_second_of_two_editors_gets_a_conflict_page_with_both_texts(client):
    first, second = researcher(), researcher()
    case_study = study(researchers=[first, second])
    casestudy_save(case_study=case_study, base_version=2, by=first,
                   changes={"context": "Text der ersten Person."})
    client.force_login(second)
    response = client.post(edit_url(case_study), edit_data(
        case_study, version=2, context="Text der zweiten Person."))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Text der ersten Person." in html.split('id="theirs"')[1].split("</section>")[0]
    form = html.split('id="case-study-form"')[1]
    assert "Text der zweiten Person." in form and 'name="version" value="3"' in form
    case_study.refresh_from_db()
    assert case_study.context == "Text der ersten Person." and case_study.version == 3


def test_over_long_text_is_refused_with_a_message_and_nothing_changes(client):
    author = researcher()
    case_study = study(researchers=[author])
    client.force_login(author)
    response = client.post(edit_url(case_study), edit_data(
        case_study, results="x" * (SECTION_MAX + 1)))
    assert response.status_code == 400
    assert "höchstens 20000 Zeichen" in response.content.decode()
    assert CaseStudy.objects.get().version == 2


def test_a_bad_item_row_is_named_in_the_summary(client):
    author = researcher()
    case_study = study(researchers=[author])
    client.force_login(author)
    data = edit_data(case_study, items=[FUNDING])
    data["items-0-category"] = "no-such-category"
    response = client.post(edit_url(case_study), data)
    assert response.status_code == 400
    assert 'href="#id_items-0-category"' in response.content.decode()


def test_an_expired_login_keeps_the_text_for_after_logging_in(client):
    author = researcher()
    case_study = study(researchers=[author])
    response = client.post(edit_url(case_study), edit_data(case_study, context="Lang getippt."))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert "csrfmiddlewaretoken" not in client.session[SESSION_KEY][edit_url(case_study)]
    client.force_login(author)
    page = client.get(edit_url(case_study)).content.decode()
    assert "Lang getippt." in page
    assert CaseStudy.objects.get().context == "Zwei Städte am Niederrhein."


def test_researchers_not_assigned_read_but_may_not_edit(client):
    case_study = study(researchers=[researcher()])
    client.force_login(researcher())
    assert client.get(case_study.get_absolute_url()).status_code == 200
    assert client.get(f"/de/fallstudien/{case_study.pk}/versions/").status_code == 200
    assert client.get(edit_url(case_study)).status_code == 403
    assert client.post(edit_url(case_study), edit_data(case_study)).status_code == 403
    assert client.post(f"/de/fallstudien/{case_study.pk}/versions/1/restore/",
                       {"base_version": 2}).status_code == 403
    assert CaseStudy.objects.get().version == 2


@pytest.mark.parametrize("who", ["anonymous", "contact", "user"])
def test_a_draft_and_its_versions_are_not_found_for_others(client, who):
    case_study = study()
    if who == "contact":
        client.force_login(member_contact(case_study.tandem))
    elif who == "user":
        client.force_login(UserFactory())
    base = f"/de/fallstudien/{case_study.pk}/"
    for url in (base, base + "versions/", base + "versions/1/", base + "compare/?from=1&to=2"):
        assert client.get(url).status_code == 404, url
    assert client.post(base + "versions/1/restore/", {"base_version": 2}).status_code == 404
    if who != "anonymous":
        assert client.get(base + "edit/").status_code == 404
    assert f'id="case-study-{case_study.pk}"' not in client.get("/de/fallstudien/").content.decode()


def test_the_tandem_contacts_read_their_study_once_it_is_with_the_cities(client):
    case_study = study()
    set_status(case_study, CaseStudyStatus.WITH_CITIES)
    client.force_login(member_contact(case_study.tandem))
    assert client.get(case_study.get_absolute_url()).status_code == 200
    assert client.get(f"/de/fallstudien/{case_study.pk}/versions/").status_code == 403
    other = study()
    set_status(other, CaseStudyStatus.WITH_CITIES)
    assert client.get(other.get_absolute_url()).status_code == 404


def test_the_public_reads_a_published_study_only(client):
    draft, published = study(), study(title="Veröffentlicht")
    set_status(published, CaseStudyStatus.PUBLISHED)
    html = client.get("/en/fallstudien/").content.decode()
    assert "Veröffentlicht" in html and f'id="case-study-{draft.pk}"' not in html
    assert client.get(f"/en/fallstudien/{published.pk}/").status_code == 200
    assert client.get(f"/en/fallstudien/{draft.pk}/").status_code == 404


def test_a_study_in_review_is_not_edited_on_this_page(client):
    author = researcher()
    case_study = study(researchers=[author])
    set_status(case_study, CaseStudyStatus.IN_REVIEW)
    client.force_login(author)
    page = client.get(edit_url(case_study))
    assert page.status_code == 200 and 'id="case-study-form"' not in page.content.decode()
    response = client.post(edit_url(case_study), edit_data(case_study, context="Neu"))
    assert response.status_code == 200 and CaseStudy.objects.get().context != "Neu"


def test_compare_shows_removed_and_added_words_and_items(client):
    author = researcher()
    case_study = study(researchers=[author])
    casestudy_save(case_study=case_study, base_version=2, by=author,
                   changes={"context": "Zwei Städte an der Maas."}, items=[FUNDING, POLITICS])
    client.force_login(author)
    html = client.get(f"/de/fallstudien/{case_study.pk}/compare/?from=2&to=3").content.decode()
    assert re.search(r"<del>.*Niederrhein.*</del>", html)
    assert re.search(r"<ins>.*Maas.*</ins>", html)
    assert re.search(r"<ins>.*Rückhalt des Oberbürgermeisters.*</ins>", html)
    assert "Kein Budget" in html and "<del><span class=\"visually-hidden\">entfernt" in html


@pytest.mark.parametrize("query, status", [("", 400), ("?from=a&to=2", 400),
                                           ("?from=1&to=99", 404)])
def test_compare_with_bad_versions_answers_clearly(client, query, status):
    author = researcher()
    case_study = study(researchers=[author])
    client.force_login(author)
    assert client.get(f"/de/fallstudien/{case_study.pk}/compare/{query}").status_code == status


def test_restore_makes_an_old_version_the_newest(client):
    author = researcher()
    case_study = study(researchers=[author])
    casestudy_save(case_study=case_study, base_version=2, by=author,
                   changes={"context": "Später geändert."}, items=[])
    client.force_login(author)
    response = client.post(f"/de/fallstudien/{case_study.pk}/versions/2/restore/",
                           {"base_version": 3})
    assert response.status_code == 302
    case_study.refresh_from_db()
    assert case_study.version == 4 and case_study.context == "Zwei Städte am Niederrhein."
    assert [i.text for i in case_study.items.all()] == ["Kein Budget für Sensorik"]
    stale = client.post(f"/de/fallstudien/{case_study.pk}/versions/3/restore/",
                        {"base_version": 3}, follow=True)
    assert "nichts wiederhergestellt" in stale.content.decode()
    assert CaseStudy.objects.get().version == 4


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_and_the_history_keep_a_constant_query_count(client):
    author = researcher()
    case_study = study(researchers=[author])
    client.force_login(author)
    history = f"/de/fallstudien/{case_study.pk}/versions/"
    before = count_queries(client, "/de/fallstudien/"), count_queries(client, history)
    for n in range(4):
        study(researchers=[author, researcher()])
        casestudy_save(case_study=case_study, base_version=case_study.version + n, by=author,
                       changes={"sources": f"Quelle {n}"})
    assert (count_queries(client, "/de/fallstudien/"), count_queries(client, history)) == before


def test_the_detail_and_edit_pages_keep_a_constant_query_count(client):
    author = researcher()
    case_study = study(researchers=[author])
    client.force_login(author)
    urls = (case_study.get_absolute_url(), edit_url(case_study))
    before = [count_queries(client, url) for url in urls]
    casestudy_save(case_study=case_study, base_version=2, by=author, items=[FUNDING] * 12)
    assert [count_queries(client, url) for url in urls] == before
