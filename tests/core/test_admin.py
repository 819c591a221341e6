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
