import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from tests.factories import MilestoneFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

PAGES = ["/de/", "/en/", "/de/impressum/", "/en/impressum/", "/de/datenschutz/",
         "/en/datenschutz/", "/de/barrierefreiheit/", "/en/barrierefreiheit/",
         "/de/leichte-sprache/", "/en/leichte-sprache/", "/de/accounts/login/",
         "/en/accounts/signup/", "/de/tandems/", "/en/tandems/"]

# Any attribute that could make the browser contact a host: it must stay on ours.
REFERENCE = re.compile(r"""(?:src|href|action|srcset|poster|data)\s*=\s*["']([^"']+)["']""", re.I)


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_in_its_language(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 200
    assert f'<html lang="{path[1:3]}">' in response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_page_references_no_other_host(client, seeded, path):
    html = client.get(path).content.decode()
    foreign = [url for url in REFERENCE.findall(html)
               if re.match(r"^(?:[a-z]+:)?//", url, re.I)]
    assert foreign == []
    assert "url(http" not in html


def test_programme_page_states_the_deadline_in_german(client, seeded):
    html = client.get("/de/").content.decode()
    assert "25. Februar 2022, 23:59 Uhr (MEZ)" in html


def test_programme_page_states_the_deadline_in_english(client, seeded):
    html = client.get("/en/").content.decode()
    assert "25 February 2022, 23:59 (CET, German time)" in html


def test_programme_page_facts_come_from_the_database(client, seeded):
    from programme.models import Programme

    Programme.objects.update(max_tandems=7, max_meetings_per_year=3, contact_email="x@example.org")
    html = client.get("/en/").content.decode()
    assert "7 tandems" in html
    assert "at most 3 times a calendar year from 2022 to 2024" in html
    assert "x@example.org" in html


def test_programme_page_marks_the_open_practice_call(client, seeded):
    html = client.get("/en/").content.decode()
    assert "Practice call: try the form" in html
    # The 2022 call stays closed; the practice call does not change the deadline shown.
    assert "closed on <strong>25 February 2022" in html


def test_programme_page_without_programme_is_404(client, db):
    assert client.get("/de/").status_code == 404


def test_programme_page_query_count_is_constant(client, seeded, django_assert_num_queries):
    from programme.models import Programme

    programme = Programme.objects.get()
    client.get("/de/")  # warm up: sessions, content types
    cache.clear()  # the view itself, not the public page cache
    with django_assert_num_queries(4):
        client.get("/de/")
    OrganisationFactory.create_batch(10, programme=programme)
    MilestoneFactory.create_batch(10, programme=programme)
    cache.clear()
    with django_assert_num_queries(4):
        response = client.get("/de/")
    assert response.content.decode().count("Partner 1") >= 1


def test_language_switch_links_to_the_same_page(client, seeded):
    html = client.get("/de/impressum/").content.decode()
    assert 'href="/en/impressum/" hreflang="en"' in html


def test_unknown_page_is_a_styled_404(client, seeded):
    response = client.get("/de/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_root_redirects_to_a_language(client, seeded):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_reverse_follows_the_active_language():
    with translation.override("en"):
        assert reverse("programme:infosheet") == "/en/infoblatt.pdf"


def test_server_error_page_is_styled_and_bilingual(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/de/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert 'lang="de"' in html and 'lang="en"' in html
    assert "/static/css/site.css" in html
