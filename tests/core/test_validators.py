"""Names, titles and other one-line texts refuse line breaks (they reach mail headers)."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.forms import SignupForm
from core.validators import validate_single_line
from programme.services import german_city_for_ags
from tests.factories import CallFactory, UserFactory

pytestmark = pytest.mark.django_db

BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("value", ["", "Katrin Kommune", "Referentin für Digitales – Team 2",
                                   "Dr. Müller-Lüdenscheidt", "Tab\tinside", "😀"])
def test_a_single_line_passes(value):
    validate_single_line(value)


@pytest.mark.parametrize("line_break", BREAKS, ids=[repr(b) for b in BREAKS])
def test_a_line_break_is_refused(line_break):
    with pytest.raises(ValidationError) as refused:
        validate_single_line(f"Katrin{line_break}Bcc: everyone@example.org")
    assert refused.value.code == "single_line"


@pytest.mark.parametrize("field", [
    "accounts.User.name", "applications.ExpressionOfInterest.contact_name",
    "applications.ExpressionOfInterest.contact_function",
    "applications.ExpressionOfInterest.contact_department",
    "applications.ExpressionOfInterest.contact_phone", "programme.City.name",
    "programme.CityContact.function", "tandems.Meeting.title", "tandems.Meeting.place",
    "events.Event.title", "events.Event.place", "casestudies.CaseStudy.title",
    "tandems.MeetingDocument.name", "programme.Topic.name_de", "programme.Programme.name_de",
])
def test_the_one_line_fields_of_the_models_use_the_validator(field):
    app_label, model, name = field.split(".")
    validators = apps.get_model(app_label, model)._meta.get_field(name).validators
    assert validate_single_line in validators


def test_the_sign_up_form_refuses_a_name_with_a_line_break():
    form = SignupForm({"name": "Katrin Kommune\r\nBcc: everyone@example.org",
                       "language": "de"})
    assert not form.is_valid()
    assert form.errors["name"] == ["Bitte schreiben Sie dies in eine Zeile, ohne "
                                   "Zeilenumbrüche."]


def test_a_service_refuses_a_city_name_with_a_line_break():
    with pytest.raises(ValidationError) as refused:
        german_city_for_ags(ags="05114000", name="Krefeld\nBcc: x", population=None)
    assert "name" in refused.value.message_dict


def test_the_start_form_shows_the_refusal_of_a_city_name_with_a_line_break(client):
    now = timezone.now()
    call = CallFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=9))
    client.force_login(UserFactory())
    response = client.post(f"/de/interessenbekundung/neu/{call.pk}/",
                           {"name": "Krefeld\r\nBcc: x", "ags": "05114000"})
    assert response.status_code == 400
    assert "ohne Zeilenumbrüche" in response.content.decode()
