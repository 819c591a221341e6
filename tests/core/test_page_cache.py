"""Anonymous visitors of the public pages are answered from the cache (core/page_cache.py)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Call
from core import page_cache
from tests.support import closed_port

pytestmark = pytest.mark.django_db


def test_second_anonymous_visit_is_answered_without_a_query(
        client, seeded, django_assert_num_queries):
    first = client.get("/de/")
    with django_assert_num_queries(0):
        second = client.get("/de/")
    assert second.status_code == 200
    assert second.content == first.content
    for header in ("Content-Type", "Content-Security-Policy", "X-Frame-Options",
                   "Content-Language"):
        assert second[header] == first[header]


def test_each_language_of_each_public_page_is_kept_apart(client, seeded,
                                                         django_assert_num_queries):
    paths = ["/de/", "/en/", "/de/infoblatt.pdf", "/en/infoblatt.pdf"]
    for path in paths:
        client.get(path)
    with django_assert_num_queries(0):
        cached = {path: client.get(path) for path in paths}
    assert '<html lang="de">' in cached["/de/"].content.decode()
    assert '<html lang="en">' in cached["/en/"].content.decode()
    assert "-Informationsblatt-de.pdf" in cached["/de/infoblatt.pdf"]["Content-Disposition"]
    assert "-Information-sheet-en.pdf" in cached["/en/infoblatt.pdf"]["Content-Disposition"]


def test_a_logged_in_visitor_never_gets_the_anonymous_copy(client, seeded):
    from accounts.models import User

    assert "Abmelden" not in client.get("/de/").content.decode()
    client.force_login(User.objects.get(email="krefeld@example.org"))
    assert "Abmelden" in client.get("/de/").content.decode()


def test_a_visitor_with_a_message_waiting_reaches_the_view(client, seeded):
    client.get("/de/")
    client.cookies["messages"] = "waiting"
    with CaptureQueriesContext(connection) as queries:
        client.get("/de/")
    assert len(queries) > 0, "the view ran: it read the programme"


def test_a_query_string_bypasses_the_cache(client, seeded):
    with mock.patch.object(page_cache, "cache") as cache:
        client.get("/de/?utm=x")
    cache.get.assert_not_called()
    cache.set.assert_not_called()


def test_a_page_that_did_not_opt_in_costs_no_cache_read(client, seeded):
    with mock.patch.object(page_cache, "cache") as cache:
        cache.get.return_value = None
        assert client.get("/de/fallstudien/").status_code == 200
        assert client.get("/de/fallstudien/").status_code == 200
    cache.get.assert_not_called()
    cache.set.assert_not_called()


def test_a_page_is_kept_only_until_the_call_opens_or_closes(client, seeded, settings):
    call = Call.objects.filter(is_practice=False).get()
    settings.PUBLIC_PAGE_CACHE_SECONDS = 3600
    with mock.patch("django.utils.timezone.now",
                    return_value=call.closes_at - timedelta(seconds=90)), \
            mock.patch.object(page_cache, "cache") as cache:
        cache.get.return_value = None
        client.get("/de/")
    (_key, _value, seconds), _ = cache.set.call_args
    assert 85 <= seconds <= 90, "the page says 'open' only until the deadline"


def test_entries_are_bounded_by_the_setting(client, seeded, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 120
    with mock.patch.object(page_cache, "cache") as cache:
        cache.get.return_value = None
        client.get("/de/infoblatt.pdf")
    (_key, _value, seconds), _ = cache.set.call_args
    assert seconds == 120


def test_changed_programme_data_reaches_the_next_anonymous_visitor(
        client, seeded, django_capture_on_commit_callbacks):
    from programme.models import Programme

    assert "x@example.org" not in client.get("/en/").content.decode()
    programme = Programme.objects.get()
    programme.contact_email = "x@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        programme.save()
    assert "x@example.org" in client.get("/en/").content.decode()
    call = Call.objects.filter(is_practice=False).get()
    call.closes_at = timezone.now() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        call.save()
    assert "closed on" in client.get("/en/").content.decode()


def test_an_unreachable_cache_still_serves_the_page(client, seeded, settings):
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"}}
    # The first visit stores nothing, the second finds nothing: both reach the view.
    assert [client.get("/de/").status_code for _ in range(2)] == [200, 200]


def test_a_host_that_is_not_allowed_is_still_refused(client, seeded):
    client.get("/de/")
    assert client.get("/de/", HTTP_HOST="evil.example").status_code == 400
