"""Two Django 5.2 admin bugs that malformed input reached, mended (core/django_fixes.py)."""

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect

from applications.models import LateEntry
from tests.factories import CityFactory, meeting_factory, tandem_factory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", [
    "starts_at__year=9999", "starts_at__year=" + "9" * 20,
    "starts_at__year=9999&starts_at__month=12&starts_at__day=31",
])
def test_a_date_hierarchy_year_out_of_range_is_a_lookup_the_list_refuses(staff_client,
                                                                          query):
    response = staff_client.get(f"/admin/tandems/meeting/?{query}")
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


def test_an_autocomplete_widget_given_an_id_that_is_no_key_shows_nothing_chosen():
    field = LateEntry._meta.get_field("city")
    widget = AutocompleteSelect(field, admin.site)
    widget.choices = field.formfield().choices
    city = CityFactory()
    assert "selected" in widget.render("city", str(city.pk))
    for value in ("abc", "1.5", "9" * 20):
        assert "selected" not in widget.render("city", value)


def test_admin_pages_with_an_autocomplete_id_that_is_no_key_show_the_form(staff_client):
    assert staff_client.get("/admin/applications/lateentry/add/?city=abc").status_code == 200
    meeting = meeting_factory(tandem_factory())
    response = staff_client.post(f"/admin/tandems/meeting/{meeting.pk}/change/",
                                 {"host": "abc"})
    assert response.status_code == 200
    assert "host" in response.context["adminform"].form.errors
