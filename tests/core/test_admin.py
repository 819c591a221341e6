"""What the project's admin pages share (core/admin.py)."""

import pytest
from django.contrib import admin
from django.utils import translation

from applications.models import ExpressionOfInterest
from core.admin import PlainActionCheckbox
from tests.factories import CallFactory, CityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["de", "en"])
def test_plain_action_checkbox_is_the_markup_django_renders(language):
    from html5lib import parse

    eoi = ExpressionOfInterest.objects.create(
        call=CallFactory(), city=CityFactory(name="Krefeld <Süd>"), reference="VIE-2022-007")
    django_admin = admin.ModelAdmin(ExpressionOfInterest, admin.site)
    plain = type("Plain", (PlainActionCheckbox, admin.ModelAdmin), {})(
        ExpressionOfInterest, admin.site)
    with translation.override(language):
        ours, djangos = plain.action_checkbox(eoi), django_admin.action_checkbox(eoi)

    def attributes(html):
        node = parse(html, namespaceHTMLElements=False).find(".//input")
        return dict(node.attrib)

    assert attributes(ours) == attributes(djangos)
    assert attributes(ours)["aria-label"].endswith(str(eoi))


# -- the history: readable, never restored ---------------------------------------------------

HISTORY = "/admin/applications/expressionofinterest/{pk}/history/"


@pytest.fixture
def decided(db):
    """An entry submitted at 23:30 German time on the deadline day, then shortlisted."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from applications.services import eoi_change_status

    berlin = ZoneInfo("Europe/Berlin")
    with time_machine.travel(datetime(2022, 2, 25, 23, 30, tzinfo=berlin), tick=False):
        eoi = ExpressionOfInterest.objects.create(
            call=CallFactory(), city=CityFactory(name="Krefeld"), status="submitted",
            reference="VIE-2022-0004", motivation="Von Sofia lernen")
    with time_machine.travel(datetime(2022, 3, 2, 9, 15, tzinfo=berlin), tick=False):
        eoi_change_status(eoi=eoi, to="shortlisted", by=None, reason="Passt gut",
                          now=datetime(2022, 3, 2, 9, 15, tzinfo=berlin))
    return eoi


@pytest.mark.parametrize(("language", "expected"), [
    ("de", ["2. März 2022, 09:15", "<strong>Status:</strong> eingereicht &rarr; in der engeren "
            "Wahl", "Passt gut", "25. Februar 2022, 23:30"]),
    ("en", ["2 March 2022, 09:15", "<strong>Status:</strong> submitted &rarr; shortlisted",
            "Passt gut", "25 February 2022, 23:30"]),
])
def test_history_shows_labels_display_values_and_german_time(staff_client, decided, language,
                                                             expected):
    page = staff_client.get(HISTORY.format(pk=decided.pk), HTTP_ACCEPT_LANGUAGE=language)
    html = page.content.decode()
    assert page.status_code == 200
    for text in expected:
        assert text in html
    assert "None" not in html and "Revert" not in html and "Wiederherstellen" not in html


def test_history_version_is_read_only_with_display_values(staff_client, decided):
    first = decided.history.earliest()
    page = staff_client.get(f"{HISTORY.format(pk=decided.pk)}{first.history_id}/",
                            HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<th scope=\"row\">Status</th><td>submitted</td>" in html
    assert "<th scope=\"row\">Submitted at</th><td>–</td>" in html  # nothing, not "None"
    assert "<form" not in html.split('id="content-main"')[1]  # nothing to save


def test_history_revert_post_is_refused_and_changes_nothing(staff_client, decided):
    first = decided.history.earliest()
    count = decided.history.count()
    response = staff_client.post(f"{HISTORY.format(pk=decided.pk)}{first.history_id}/",
                                 {"status": "draft", "reference": "", "_save": "1"},
                                 HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.redirect_chain == [(HISTORY.format(pk=decided.pk), 302)]
    assert "kept to read, not to restore" in response.content.decode()
    decided.refresh_from_db()
    assert (decided.status, decided.reference) == ("shortlisted", "VIE-2022-0004")
    assert decided.history.count() == count


@pytest.mark.parametrize("path", ["abc/history/", "1/history/abc/", "abc/history/1/",
                                  "1/history/99999/"])
def test_history_with_a_bad_id_is_not_found(staff_client, decided, path):
    assert staff_client.get(f"/admin/applications/expressionofinterest/{path}").status_code == 404
