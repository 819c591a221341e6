"""A clerk signs up, fills in the expression of interest in German, saves a draft, comes
back, submits and gets the confirmation; the closed 2022 call refuses the form."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_journey import CONFIRM_LINK, mail_text, wait_for_mail

pytestmark = pytest.mark.browser

EMAIL = "digital@bad-musterhausen.example"
PASSWORD = "Tandem-Musterhausen-2022!"


def sign_up_and_confirm(page, mailoutbox):
    page.goto("/de/accounts/signup/")
    form = page.locator("form:has(input[name='password2'])")
    form.locator("input[name='email']").fill(EMAIL)
    form.locator("input[name='name']").fill("Mara Muster")
    form.locator("input[name='password1']").fill(PASSWORD)
    form.locator("input[name='password2']").fill(PASSWORD)
    form.locator("[type='submit']").click()
    page.wait_for_url(re.compile(r"/de/accounts/confirm-email/$"))
    link = CONFIRM_LINK.search(mail_text(wait_for_mail(mailoutbox))).group(0)
    page.goto(link)
    page.locator("main form[method='post'] [type='submit']").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


def test_clerk_saves_a_draft_comes_back_and_submits(page, axe_check, mailoutbox):
    sign_up_and_confirm(page, mailoutbox)

    page.get_by_role("link", name="Interessenbekundung", exact=True).click()
    expect(page.locator("h1")).to_have_text("Meine Interessenbekundungen")
    axe_check(page)
    page.get_by_role("link", name="Formular ausprobieren").click()
    expect(page.locator("main")).to_contain_text("Frist:")
    axe_check(page)

    # A wrong AGS is explained next to the field and in the summary.
    page.get_by_label("Name der Kommune").fill("Bad Musterhausen")
    page.get_by_label("Amtlicher Gemeindeschlüssel (AGS)").fill("99123456")
    page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_role("alert")).to_contain_text("von 01 bis 16")
    axe_check(page)
    page.get_by_label("Amtlicher Gemeindeschlüssel (AGS)").fill("06411999")
    page.get_by_label("Einwohnerzahl").fill("12000")
    page.get_by_role("button", name="Weiter").click()
    expect(page.locator("h1")).to_contain_text("Interessenbekundung von Bad Musterhausen")
    expect(page.locator("main")).to_contain_text("Land: Hessen")

    # Save a draft with part of the answers.
    page.get_by_label("Funktion").fill("Digitalisierungsbeauftragte")
    page.get_by_label("Motivation").fill("Wir möchten von einer erfahrenen Stadt lernen.")
    expect(page.locator(".char-count").last).to_contain_text("von 2000 Zeichen")
    axe_check(page)
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_contain_text("gespeichert")

    # Come back later through "my applications".
    page.goto("/de/")
    page.get_by_role("link", name="Interessenbekundung", exact=True).click()
    page.get_by_role("link", name="Bad Musterhausen").click()
    page.get_by_role("link", name="Weiter bearbeiten").click()
    expect(page.get_by_label("Motivation")).to_have_value(
        "Wir möchten von einer erfahrenen Stadt lernen.")

    # Submitting without consent and topic is refused, with the draft kept.
    page.get_by_role("button", name="Einreichen").click()
    expect(page.get_by_role("alert")).to_contain_text("Bitte willigen Sie")
    axe_check(page)
    page.get_by_label("Offene Daten").select_option("follower")
    page.get_by_label("Ich willige ein").check()
    page.get_by_role("button", name="Einreichen").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"TRY-\d{4}-0001"))
    axe_check(page)

    confirmation = wait_for_mail(mailoutbox, count=2)
    assert confirmation.to == [EMAIL]
    assert re.search(r"TRY-\d{4}-0001", confirmation.subject)
    assert confirmation.attachments[0].mimetype == "application/pdf"
    assert page.csp_violations == [], "\n".join(page.csp_violations)


def test_closed_call_shows_a_notice_instead_of_the_form(page, axe_check, live_server):
    from applications.models import Call

    real_call = Call.objects.real().get()
    page.goto("/de/accounts/login/")
    page.locator("input[name='login']").fill("krefeld@example.org")
    page.locator("input[name='password']").fill("vernetzt-demo-2022")
    page.locator("main [type='submit']").click()
    page.wait_for_url("**/de/")
    page.goto(f"/de/interessenbekundung/neu/{real_call.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("Der Aufruf ist beendet")
    expect(page.locator("main")).to_contain_text("25. Februar 2022, 23:59 Uhr (MEZ)")
    expect(page.locator("main form")).to_have_count(0)
    axe_check(page)
