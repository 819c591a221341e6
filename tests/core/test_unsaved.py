"""The unsaved-input store keeps only what the page's form defines, within small caps."""

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from casestudies.models import ITEM_TEXT_MAX, SECTION_MAX, CaseStudy
from casestudies.validators import MAX_ITEMS
from casestudies.views import case_study_edit
from core.unsaved import (
    MAX_BYTES,
    MAX_PAGES,
    SESSION_KEY,
    SHORT,
    login_required_keeping_post,
    unsaved_post,
)
from tandems.models import MINUTES_MAX
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TOO_LONG = "too long to be kept"


class NoteForm(forms.Form):
    text = forms.CharField(max_length=50)
    version = forms.IntegerField()


class RowForm(forms.Form):
    text = forms.CharField(max_length=10)


class LongForm(forms.Form):
    text = forms.CharField(max_length=2 * MAX_BYTES)


def the_page(request, **kwargs):
    return HttpResponse("the page")


note_page = login_required_keeping_post(
    NoteForm, formsets={"rows": forms.formset_factory(RowForm, max_num=3, can_delete=True)},
)(the_page)
long_page = login_required_keeping_post(LongForm)(the_page)


def post(view, path, data, session=None, user=None, **kwargs):
    """POST ``data`` to ``view`` (by default as a visitor whose login expired)."""
    request = RequestFactory().post(path, data)
    request.session = session if session is not None else SessionStore()
    request.user = user or AnonymousUser()
    request._messages = FallbackStorage(request)
    request.response = view(request, **kwargs)
    return request


def kept(request, path=None) -> dict:
    return request.session[SESSION_KEY][path or request.path]


def test_only_the_fields_of_the_form_and_its_formset_are_kept():
    request = post(note_page, "/page/", {
        "text": "Getippt", "version": "3", "csrfmiddlewaretoken": "x", "is_staff": "on",
        "unknown": "y" * 1000, "rows-TOTAL_FORMS": "1", "rows-0-text": "Zeile",
        "rows-0-DELETE": "on", "rows-0-extra": "z", "rows-7-text": "past the maximum"})
    assert request.response.status_code == 302
    assert kept(request) == {"text": "Getippt", "version": "3", "rows-TOTAL_FORMS": "1",
                             "rows-0-text": "Zeile", "rows-0-DELETE": "on"}


def test_each_field_is_kept_only_as_long_as_the_form_allows():
    request = post(note_page, "/page/", {"text": "a" * 1000, "version": "9" * 1000,
                                         "rows-0-text": "b" * 1000})
    assert kept(request) == {"text": "a" * 50, "version": "9" * SHORT, "rows-0-text": "b" * 10}


def test_formset_rows_beyond_its_maximum_are_not_kept():
    rows = {f"rows-{n}-text": str(n) for n in range(100)}
    request = post(note_page, "/page/", {"rows-TOTAL_FORMS": "100", **rows})
    assert kept(request) == {"rows-TOTAL_FORMS": "3", "rows-0-text": "0", "rows-1-text": "1",
                             "rows-2-text": "2"}


def test_only_the_latest_pages_are_kept():
    session = SessionStore()
    for n in range(MAX_PAGES + 2):
        post(note_page, f"/page/{n}/", {"text": str(n)}, session)
    assert list(session[SESSION_KEY]) == [f"/page/{n}/" for n in range(2, MAX_PAGES + 2)]


def test_older_pages_give_way_to_stay_within_the_byte_budget():
    session = SessionStore()
    third = "x" * (MAX_BYTES // 3)
    for n in range(3):
        request = post(long_page, f"/page/{n}/", {"text": third}, session)
    assert list(session[SESSION_KEY]) == ["/page/1/", "/page/2/"]
    assert TOO_LONG not in str(list(get_messages(request)))


def test_a_page_too_big_alone_is_not_kept_and_the_person_is_told():
    session = SessionStore()
    post(note_page, "/small/", {"text": "kurz"}, session)
    with translation.override("en"):  # the message is read in English below
        request = post(long_page, "/huge/", {"text": "ä" * (MAX_BYTES // 2)}, session)
        assert TOO_LONG in str(list(get_messages(request))[-1])
    assert request.response.status_code == 302
    assert list(session[SESSION_KEY]) == []


def test_the_kept_fields_are_given_back_once():
    request = post(note_page, "/page/", {"text": "Getippt"})
    again = RequestFactory().get("/page/")
    again.session = request.session
    assert unsaved_post(again) == {"text": "Getippt"}
    assert unsaved_post(again) is None


def test_a_logged_in_post_goes_to_the_view_and_keeps_nothing():
    request = post(note_page, "/page/", {"text": "Getippt"}, user=UserFactory())
    assert request.response.content == b"the page"
    assert SESSION_KEY not in request.session


def test_the_case_study_page_keeps_its_fields_at_the_lengths_of_its_forms():
    request = post(case_study_edit, "/de/fallstudien/1/edit/", {
        "context": "k" * (SECTION_MAX + 5), "title": "t" * 500, "version": "2",
        "items-TOTAL_FORMS": "500", "items-0-text": "i" * 5000, "items-0-DELETE": "on",
        f"items-{MAX_ITEMS}-text": "one row too many"}, pk=1)
    assert kept(request) == {
        "title": "t" * CaseStudy._meta.get_field("title").max_length,
        "context": "k" * SECTION_MAX, "version": "2", "items-TOTAL_FORMS": str(MAX_ITEMS),
        "items-0-text": "i" * ITEM_TEXT_MAX, "items-0-DELETE": "on"}


def test_a_flood_of_big_posts_to_pages_that_need_a_login_leaves_a_small_session(client):
    """The issue's 12 MB session: many pages, a thousand fields each, long texts."""
    junk = {f"field{n}": "x" * 1000 for n in range(990)}  # Django refuses over 1,000
    for meeting in range(1, 6):
        response = client.post(f"/de/tandems/1/meetings/{meeting}/minutes/",
                               {"text": "ü" * 100_000, "version": "1", **junk})
        assert response.status_code == 302
    for case_study in range(1, 6):
        rows = {f"items-{n}-text": "ß" * 100 for n in range(900)}
        response = client.post(f"/de/fallstudien/{case_study}/edit/", {
            "title": "t" * 100_000, "items-TOTAL_FORMS": "900", **rows})
        assert response.status_code == 302
    session = Session.objects.get()
    assert len(session.session_data) < 1.4 * MAX_BYTES  # signed and base64-encoded
    pages = client.session[SESSION_KEY]
    assert 0 < len(pages) <= MAX_PAGES
    for fields in pages.values():
        assert set(fields) <= {"title", "text", "version", "items-TOTAL_FORMS"} | {
            f"items-{n}-text" for n in range(MAX_ITEMS)}
        assert len(fields.get("text", "")) <= MINUTES_MAX
