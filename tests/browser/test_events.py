"""A contact of a tandem city registers for a network event, sees it confirmed, takes the
calendar file home, finds it on the timeline and unregisters again.

Locators use ids, roles and data attributes, not texts, so the journey holds once the German
translations arrive; the page itself runs in German (/de/).
"""

from datetime import timedelta
from pathlib import Path

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event, Registration
from notifications.models import Message
from programme.models import Programme
from tests.browser.support import log_in

pytestmark = pytest.mark.browser
TITLE = "Herbstworkshop Datenräume"


def test_a_contact_registers_for_an_event(page, axe_check):
    start = (timezone.now() + timedelta(days=40)).replace(second=0, microsecond=0)
    event = Event.objects.create(
        programme=Programme.objects.current(), title=TITLE, kind="workshop",
        starts_at=start, ends_at=start + timedelta(hours=5), place="Berlin, Rotes Rathaus",
        capacity=2, registration_closes_at=start - timedelta(days=7),
        description="Gemeinsame Datenräume der Tandemstädte.")

    log_in(page, "krefeld@example.org")
    page.locator("header nav a[href='/de/veranstaltungen/']").click()
    page.wait_for_url("**/de/veranstaltungen/")
    expect(page.locator("#upcoming")).to_contain_text(TITLE)
    expect(page.locator("#past")).to_contain_text("[Demo] Netzwerkkonferenz in Paris")
    axe_check(page)

    page.locator("#upcoming").get_by_role("link", name=TITLE).click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("#my-registration")).to_have_attribute("data-status", "none")
    expect(page.locator("#places")).to_contain_text("2")
    axe_check(page)

    page.locator("#register-button").click()
    expect(page.locator("#my-registration")).to_have_attribute("data-status", "confirmed")
    expect(page.locator("#my-status")).to_contain_text("Krefeld")
    expect(page.locator("main .messages .alert-success")).to_be_visible()
    expect(page.locator("#places")).to_contain_text("1")
    axe_check(page)

    registration = Registration.objects.get(event=event, user__email="krefeld@example.org")
    assert registration.status == "confirmed" and registration.city.name == "Krefeld"
    mail = Message.objects.get(kind="event_registered", recipient=registration.user)
    assert mail.language == "de" and mail.attachments == ["event_ics"]
    assert f"/de/veranstaltungen/{event.pk}/" in mail.body_text

    with page.expect_download() as download:
        page.locator(f"a[href='/de/veranstaltungen/{event.pk}/calendar.ics']").click()
    vevent = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes()).walk(
        "VEVENT")[0]
    assert str(vevent["summary"]) == TITLE
    assert vevent["dtstart"].params["TZID"] == "Europe/Berlin"

    page.goto("/de/tandems/timeline/")
    expect(page.locator("h1")).to_be_visible()
    events_on_the_timeline = page.locator("section[aria-labelledby='events-heading']")
    expect(events_on_the_timeline.get_by_role("link", name=TITLE)).to_be_visible()
    expect(page.locator("table")).to_contain_text("Krefeld")
    axe_check(page)

    page.locator("header nav a[href='/de/veranstaltungen/']").click()
    expect(page.locator(f"#event-{event.pk} .my-status")).to_have_attribute(
        "data-status", "confirmed")

    page.locator("#upcoming").get_by_role("link", name=TITLE).click()
    page.locator("#unregister-button").click()
    expect(page.locator("#my-registration")).to_have_attribute("data-status", "none")
    expect(page.locator("#register-button")).to_be_visible()
    axe_check(page)
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert page.csp_violations == [], "\n".join(page.csp_violations)
