import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from applications.models import ExpressionOfInterest
from tests.factories import CallFactory, CityFactory

pytestmark = pytest.mark.django_db


def application(status):
    return ExpressionOfInterest.objects.create(
        call=CallFactory(), city=CityFactory(), status=status,
        contact_name="Katrin Kommune", contact_email="k@example.org", motivation="Geheim")


def test_purge_anonymises_old_declined_and_withdrawn_only():
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        old = {s: application(s) for s in ("declined", "withdrawn", "accepted", "waitlisted")}
    recent = application("declined")
    out = io.StringIO()
    call_command("purge_applications", "--older-than", "365", stdout=out)
    assert "Anonymised 2 expression(s) of interest" in out.getvalue()
    for status, eoi in old.items():
        eoi.refresh_from_db()
        assert (eoi.contact_email == "") is (status in ("declined", "withdrawn"))
    recent.refresh_from_db()
    assert recent.contact_email == "k@example.org"
    purged = old["declined"]
    assert not purged.history.filter(motivation="Geheim").exists()
    assert purged.city and purged.status == "declined"


def test_purge_dry_run_changes_nothing_and_a_second_run_finds_nothing():
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        eoi = application("withdrawn")
    out = io.StringIO()
    call_command("purge_applications", "--older-than", "30", "--dry-run", stdout=out)
    assert "Would anonymise 1" in out.getvalue()
    eoi.refresh_from_db()
    assert eoi.contact_email == "k@example.org"
    call_command("purge_applications", "--older-than", "30", stdout=io.StringIO())
    out = io.StringIO()
    call_command("purge_applications", "--older-than", "30", stdout=out)
    assert "Anonymised 0" in out.getvalue()
