"""Every fixed page, the error page and a rejected form pass axe in both languages."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PATHS = [f"/{lang}/{slug}/" for lang in ("de", "en")
         for slug in ("impressum", "datenschutz", "barrierefreiheit", "leichte-sprache")]


def test_fixed_pages_are_accessible(page, axe_check):
    for path in PATHS:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("h1")).to_have_count(1)
        axe_check(page)
    assert page.csp_violations == [], "\n".join(page.csp_violations)


def test_missing_page_is_a_styled_accessible_404(page, axe_check):
    response = page.goto("/de/gibt-es-nicht/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Seite nicht gefunden")
    axe_check(page)


def test_rejected_sign_up_shows_an_error_summary_in_german(page, axe_check):
    page.goto("/de/accounts/signup/")
    form = page.locator("form:has(input[name='password2'])")
    form.locator("input[name='email']").fill("keine-adresse@")
    form.locator("input[name='name']").fill("Gesa Geestland")
    form.locator("input[name='password1']").fill("kurz")
    form.locator("input[name='password2']").fill("anders")
    # The browser's own check would stop the malformed address; the server must too.
    form.evaluate("f => f.setAttribute('novalidate', '')")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.locator("[type='submit']").click()
    assert answer.value.status == 400
    summary = page.get_by_role("alert").first
    expect(summary).to_contain_text("Bitte korrigieren Sie Folgendes")
    expect(form.locator("input[name='name']")).to_have_value("Gesa Geestland")
    axe_check(page)


def test_reminder_settings_page_is_accessible_and_saves(page, axe_check):
    from notifications import registry

    kind = registry.register_reminder(registry.ReminderKind(
        name="browser_test", label="Meeting reminders",
        template="notifications/email/reminder", due=lambda now: []))
    try:
        page.goto("/de/accounts/login/")
        form = page.locator("form:has(input[name='password'])")
        form.locator("input[name='login']").fill("krefeld@example.org")
        form.locator("input[name='password']").fill("vernetzt-demo-2022")
        form.locator("[type='submit']").click()
        page.wait_for_url("**/de/")
        page.goto("/de/accounts/reminders/")
        checkbox = page.get_by_label("Meeting reminders")
        expect(checkbox).to_be_checked()
        axe_check(page)
        checkbox.uncheck()
        page.get_by_role("button", name="Speichern").click()
        expect(page.get_by_role("status")).to_contain_text("gespeichert")
        expect(page.get_by_label("Meeting reminders")).not_to_be_checked()
        axe_check(page)
    finally:
        registry.REMINDER_KINDS.pop(kind.name, None)
