"""An unreachable database answers 503 in the page's language and keeps a refused form's input.

Here the database "goes away" by making every new cursor fail as psycopg does when
PostgreSQL is down; tests/core/test_database_outage.py stops a real PostgreSQL.
"""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from core import views
from tests.factories import UserFactory
from tests.support import hidden_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: '
                               "Connection refused")

    def go_down():
        monkeypatch.setattr(connection, "cursor", refused)

    return go_down


def test_a_page_is_503_in_german_under_de_with_retry_after(database_down):
    database_down()
    response = Client(raise_request_exception=False).get("/de/tandems/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Language"] == "de"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert '<html lang="de">' in page
    assert "Die Website ist gerade nicht erreichbar" in page
    assert 'href="/de/tandems/"' in page, "try again: the same address"


def test_a_page_is_503_in_english_under_en(database_down):
    database_down()
    response = Client(raise_request_exception=False).get("/en/tandems/",
                                                         HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 503
    assert "The site is unavailable for a moment" in response.content.decode()


def test_a_failure_in_a_middleware_is_503_too(client, database_down, caplog):
    # Logged in, under /admin/: the staff two-factor middleware reads the user (and so the
    # session) before any view runs. Django turns that exception into a response right
    # there, which is why the handler is handler500.
    client.force_login(UserFactory())
    client.raise_request_exception = False
    database_down()
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "The site is unavailable for a moment" in response.content.decode()
    assert "accounts/middleware.py" in caplog.text, "raised in the middleware"


def test_a_refused_form_shows_what_was_typed_and_can_send_it_again(client, database_down):
    client.force_login(UserFactory())
    client.raise_request_exception = False
    database_down()
    posted = {"csrfmiddlewaretoken": "token-123", "motivation": "Wir wollen lernen.\nViel.",
              "preferred_countries": ["NL", "BG"], "items-TOTAL_FORMS": "2",
              "password": "geheim", "save": "1"}
    response = client.post("/de/interessenbekundung/3/bearbeiten/?next=/de/", posted)
    assert response.status_code == 503
    page = response.content.decode()
    assert 'action="/de/interessenbekundung/3/bearbeiten/?next=/de/"' in page
    assert hidden_fields(page) == [
        ("csrfmiddlewaretoken", "token-123"), ("motivation", "Wir wollen lernen.\nViel."),
        ("preferred_countries", "NL"), ("preferred_countries", "BG"),
        ("items-TOTAL_FORMS", "2"), ("save", "1")]
    assert "Wir wollen lernen.\nViel.</textarea>" in page, "to copy"
    assert "geheim" not in page
    assert "Passwörter werden aus Sicherheitsgründen nicht aufbewahrt" in page
    assert ">token-123<" not in page and ">2</textarea>" not in page, "only what was typed"


def test_files_cannot_be_carried_and_the_page_says_so(client, database_down):
    client.force_login(UserFactory())
    client.raise_request_exception = False
    database_down()
    response = client.post("/en/tandems/1/meetings/1/documents/", {
        "document-kind": "agenda",
        "document-file": SimpleUploadedFile("agenda.pdf", b"%PDF-1.4", "application/pdf")})
    page = response.content.decode()
    assert response.status_code == 503
    assert "Files cannot be kept" in page and "<li>agenda.pdf</li>" in page
    assert hidden_fields(page) == [("document-kind", "agenda")]


def test_the_page_is_rendered_without_the_database(django_db_blocker):
    request = RequestFactory().post("/en/accounts/login/", {"login": "a@example.org"})
    with django_db_blocker.block():
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            response = views.server_error(request)
    assert response.status_code == 503
    assert "a@example.org" in response.content.decode()


def test_an_error_caused_by_an_unreachable_database_is_503(rf):
    try:
        try:
            raise OperationalError("the connection is lost")
        except OperationalError as lost:
            raise RuntimeError("rendering failed") from lost
    except RuntimeError:
        assert views.server_error(rf.get("/de/")).status_code == 503


def test_any_other_error_is_the_usual_500_page(rf):
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = views.server_error(rf.get("/de/"))
    assert response.status_code == 500
    assert "Ein Fehler ist aufgetreten" in response.content.decode()
