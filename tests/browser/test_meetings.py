"""A member plans the tandem's meeting, is refused a third one that year, takes it home."""

from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import expect

from tests.browser.support import log_in

pytestmark = pytest.mark.browser


def plan(page, title, starts, ends):
    page.get_by_role("link", name="Treffen planen").click()
    page.locator("#id_title").fill(title)
    page.locator("#id_starts_at").fill(starts)
    page.locator("#id_ends_at").fill(ends)
    page.get_by_label("Format").select_option(label="vor Ort")
    page.get_by_label("Ort", exact=True).fill("Rathaus Krefeld, Von-der-Leyen-Platz 1")
    page.get_by_role("button", name="Treffen planen").click()


def test_member_plans_a_meeting_is_refused_a_third_and_downloads_the_calendar(page, axe_check):
    log_in(page, "krefeld@example.org")
    page.get_by_role("link", name="Tandems", exact=True).click()
    page.get_by_role("link", name="Ihr Tandem: Krefeld – Venlo").click()
    expect(page.locator("#places")).to_contain_text("2024: 1 von 2 frei")
    axe_check(page)

    plan(page, "Abschlusstreffen", "2024-10-09T10:00", "2024-10-09T16:00")
    expect(page.locator("h1")).to_have_text("Abschlusstreffen")
    expect(page.locator("main")).to_contain_text("9. Oktober 2024, 10:00–16:00 (deutsche Zeit)")
    axe_check(page)

    page.get_by_role("link", name="Zurück zum Tandem Krefeld – Venlo").click()
    expect(page.locator("#places")).to_contain_text("2024: 0 von 2 frei")
    plan(page, "Noch ein Treffen", "2024-11-20T10:00", "2024-11-20T12:00")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("hat 2024 schon 2 Treffen")
    expect(page.locator("#id_title")).to_have_value("Noch ein Treffen")  # nothing typed is lost
    axe_check(page)

    page.get_by_role("link", name="Zurück zum Tandem Krefeld – Venlo").click()
    page.get_by_role("link", name="Abschlusstreffen", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Zum Kalender hinzufügen (.ics)").click()
    event = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes()).walk(
        "VEVENT")[0]
    assert str(event["summary"]).startswith("Abschlusstreffen")
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"

    page.get_by_label("Art des Dokuments").select_option(label="Tagesordnung")
    page.get_by_label("Datei").set_input_files(files=[{
        "name": "Tagesordnung.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"}])
    page.get_by_role("button", name="Hochladen").click()
    expect(page.locator("main")).to_contain_text("Das Dokument „Tagesordnung.pdf“ ist hochgeladen.")
    expect(page.get_by_role("link", name="Tagesordnung.pdf")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Protokoll", exact=True).click()
    page.get_by_label("Protokoll").fill("Vereinbart: Krefeld schickt die Folien bis Freitag.")
    page.get_by_role("button", name="Protokoll speichern").click()
    expect(page.locator("main")).to_contain_text("Das Protokoll ist gespeichert.")
    expect(page.locator("main")).to_contain_text("Version 1, zuletzt bearbeitet von")
    axe_check(page)

    page.goto("/de/tandems/")
    page.get_by_role("link", name="Ihr Tandem: Krefeld – Venlo").click()
    page.get_by_role("link", name="Die Treffen im eigenen Kalender abonnieren").click()
    expect(page.locator("h1")).to_have_text("Treffen im eigenen Kalender")
    axe_check(page)
    assert page.csp_violations == [], "\n".join(page.csp_violations)
