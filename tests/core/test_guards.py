"""Malformed requests are turned away before a view or the database (core/guards.py)."""

import pytest
from django.core.exceptions import BadRequest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.test import Client

from core.guards import ALLOWED_METHODS, MAX_FORMS, _check_management_forms
from tests.factories import meeting_factory, member_contact, tandem_factory
from tests.security.test_permission_matrix import PDF

pytestmark = pytest.mark.django_db

DENIED = ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()",
          "interest-cohort=()", "browsing-topics=()"]


def denies_features(response) -> bool:
    policy = response["Permissions-Policy"]
    return all(feature in policy.split(", ") for feature in DENIED)


# -- Permissions-Policy -----------------------------------------------------------------------

def test_a_page_a_static_file_a_cached_page_and_an_error_deny_the_browser_features(
        client, seeded, django_assert_num_queries):
    assert denies_features(client.get("/de/"))
    with django_assert_num_queries(0):  # answered from the public page cache
        assert denies_features(client.get("/de/"))
    static = client.get("/static/css/site.css")
    b"".join(static.streaming_content)
    assert static.status_code == 200
    assert denies_features(static)  # served by WhiteNoise, before any other middleware
    assert denies_features(client.get("/de/gibt-es-nicht/"))
    assert denies_features(client.get("/de/?q=%00"))
    assert denies_features(client.put("/de/"))


def test_the_admin_and_a_download_deny_the_browser_features(staff_client):
    assert denies_features(staff_client.get("/admin/"))
    tandem = tandem_factory()
    meeting = meeting_factory(tandem)
    upload = SimpleUploadedFile("Agenda.pdf", PDF)
    response = staff_client.post(f"/de/tandems/{tandem.pk}/meetings/{meeting.pk}/documents/",
                                 {"document-kind": "agenda", "document-file": upload})
    assert response.status_code == 302
    download = staff_client.get(meeting.documents.get().get_absolute_url())
    b"".join(download.streaming_content)
    assert denies_features(download)


# -- methods ----------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["put", "delete", "patch", "trace"])
@pytest.mark.parametrize("path", ["/de/", "/admin/", "/de/accounts/login/", "/healthz",
                                  "/static/css/site.css"])
def test_a_method_no_view_handles_is_a_405_with_the_methods_that_are(staff_client, method,
                                                                      path):
    response = getattr(staff_client, method)(path)
    assert not response.streaming
    assert response.status_code == 405
    assert response["Allow"] == ", ".join(ALLOWED_METHODS)


def test_get_head_post_and_options_still_reach_the_views(client, seeded):
    assert client.get("/de/").status_code == 200
    assert client.head("/de/").status_code == 200
    assert client.options("/de/accounts/login/").status_code == 200
    assert client.post("/de/accounts/login/", {"login": "x@example.org"}).status_code == 400


# -- NUL bytes --------------------------------------------------------------------------------

@pytest.mark.parametrize("request_args", [
    ("get", "/de/tandems/%00/", {}), ("get", "/calendar/ab%00cd.ics", {}),
    ("get", "/de/", {"q": "a\x00"}), ("get", "/de/", {"a\x00": "1"}),
    ("post", "/de/accounts/login/", {"login": "a\x00@example.org", "password": "x"}),
    ("post", "/de/accounts/signup/", {"name\x00": "x"}),
], ids=["path", "calendar token", "query value", "query name", "form value", "form name"])
def test_a_nul_byte_in_the_path_query_or_a_form_field_is_a_400(client, request_args):
    method, path, data = request_args
    assert getattr(client, method)(path, data).status_code == 400


def test_a_400_says_what_happened_in_german_and_english(client):
    page = client.get("/de/?q=%00").content.decode()
    assert "Ungültige Anfrage" in page and "Bad request" in page


def test_a_nul_byte_in_a_cookie_is_a_400(client):
    # Django reads octal escapes in a quoted cookie value: "\000" is a NUL byte, and a
    # session key with it went to the database.
    response = client.get("/de/accounts/login/", HTTP_COOKIE='sessionid="abcdefgh\\000"')
    assert response.status_code == 400


def test_an_uploaded_file_may_contain_nul_bytes(client):
    """Only the text fields are looked at: a file's binary content is its own business."""
    tandem = tandem_factory()
    meeting = meeting_factory(tandem)
    client.force_login(member_contact(tandem))
    content = PDF.replace(b"%%EOF", b"\x00" * 64 + b"%%EOF")
    response = client.post(f"/de/tandems/{tandem.pk}/meetings/{meeting.pk}/documents/", {
        "document-kind": "agenda", "document-file": SimpleUploadedFile("Agenda.pdf", content)})
    assert response.status_code == 302
    with meeting.documents.get().file.open("rb") as stored:
        assert stored.read() == content


# -- the admin --------------------------------------------------------------------------------

def counts(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    defaults = {"TOTAL_FORMS": "2", "INITIAL_FORMS": "1", "MIN_NUM_FORMS": "0",
                "MAX_NUM_FORMS": "1000"}
    for name, value in {**defaults, **values}.items():
        data[f"topics-{name}"] = value
    return data


@pytest.mark.parametrize("values", [
    {}, {"INITIAL_FORMS": "2"}, {"TOTAL_FORMS": str(MAX_FORMS), "INITIAL_FORMS": "0"},
    {"MIN_NUM_FORMS": "", "MAX_NUM_FORMS": ""},
], ids=["as sent", "all initial", "the most rows", "optional counts left out"])
def test_formset_counts_the_admin_sends_pass(values):
    _check_management_forms(counts(**values))


@pytest.mark.parametrize("values", [
    {"TOTAL_FORMS": "abc"}, {"TOTAL_FORMS": "-1"}, {"INITIAL_FORMS": "-1"},
    {"INITIAL_FORMS": "3"}, {"TOTAL_FORMS": str(MAX_FORMS + 1)}, {"MAX_NUM_FORMS": "x"},
    {"INITIAL_FORMS": "0", "1-id": "7"},
], ids=["no number", "negative total", "negative initial", "more initial than total",
        "too many rows", "a maximum that is no number", "a new row with an id"])
def test_tampered_formset_counts_are_refused(values):
    data = counts(**{k: v for k, v in values.items() if k != "1-id"})
    if "1-id" in values:
        data["topics-1-id"] = values["1-id"]
    with pytest.raises(BadRequest):
        _check_management_forms(data)


def test_tampered_counts_posted_to_the_admin_are_a_400(staff_client):
    tandem = tandem_factory()
    response = staff_client.post(f"/admin/tandems/tandem/{tandem.pk}/change/",
                                 {"topics-TOTAL_FORMS": "-1", "topics-INITIAL_FORMS": "0"})
    assert response.status_code == 400


@pytest.mark.parametrize("path", [
    "/admin/tandems/meeting/abc/history/", "/admin/tandems/meeting/1.5/history/",
    "/admin/tandems/meeting/{pk}/history/abc/", "/admin/tandems/meeting/x/history/1/",
])
def test_an_admin_object_id_that_is_no_key_is_a_404(staff_client, path):
    meeting = meeting_factory(tandem_factory())
    assert staff_client.get(path.format(pk=meeting.pk)).status_code == 404


def test_an_admin_object_id_that_is_no_key_sends_a_visitor_to_the_login():
    response = Client().get("/admin/tandems/meeting/abc/history/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("query", ["foo=bar", "status__nope=1"])
def test_the_export_with_a_lookup_the_list_refuses_goes_back_to_the_list_with_a_message(
        staff_client, query):
    url = f"/admin/applications/expressionofinterest/export.csv?{query}"
    response = staff_client.get(url, follow=True)
    assert response.redirect_chain[0][0] == "/admin/applications/expressionofinterest/"
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
