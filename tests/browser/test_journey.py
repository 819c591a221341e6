"""The first journey: a German municipality reads the programme page, switches to English,
downloads the information sheet, signs up, verifies its e-mail address and logs in.

Every page visited is checked with axe (WCAG 2.1 A/AA, no serious or critical violation).
"""

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EMAIL = "kontakt@geestland.example"
PASSWORD = "Tandem-Geestland-2022!"
CONFIRM_LINK = re.compile(r"https?://[^\s<>\"']+/accounts/confirm-email/[^\s<>\"']+")


def wait_for_mail(outbox, count=1, timeout=60.0):
    """Wait until the outbox holds ``count`` mails (the timeout only bounds a hang)."""
    deadline = time.monotonic() + timeout
    while len(outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(outbox) >= count, f"expected {count} e-mail(s), outbox has {len(outbox)}"
    return outbox[count - 1]


def mail_text(message) -> str:
    parts = [message.body]
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            parts.append(content)
    return "\n".join(parts)


def logout_button(page):
    return page.get_by_role("button", name=re.compile(r"^(Log out|Abmelden)$"))


def test_programme_language_switch_infosheet_signup_login(
    page, live_server, axe_check, mailoutbox
):
    # The programme page in German.
    response = page.goto("/de/")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("main")).to_contain_text("25. Februar 2022")
    axe_check(page)

    # Switch to English on the same page.
    language_nav = page.get_by_role("navigation", name="Sprache")
    language_nav.locator('a[hreflang="en"]').click()
    page.wait_for_url(f"{live_server.url}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("25 February 2022")
    axe_check(page)

    # Download the information sheet linked from the page.
    infosheet_link = page.locator('main a[href$="infoblatt.pdf"]').first
    expect(infosheet_link).to_have_attribute("href", re.compile(r"^(/en/|.*/en/)infoblatt\.pdf$"))
    pdf = page.request.get(infosheet_link.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"].split(";")[0].strip() == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # Sign up.
    page.goto("/en/accounts/signup/")
    axe_check(page)
    form = page.locator("form:has(input[name='password2'])")
    form.locator("input[name='email']").fill(EMAIL)
    form.locator("input[name='password1']").fill(PASSWORD)
    form.locator("input[name='password2']").fill(PASSWORD)
    form.locator("input[name='name']").fill("Gesa Geestland")
    form.locator("select[name='language']").select_option("de")
    form.locator("[type='submit']").click()
    page.wait_for_url(re.compile(r"/en/accounts/confirm-email/$"))
    axe_check(page)

    # Verify the address with the link from the mail.
    message = wait_for_mail(mailoutbox)
    assert message.to == [EMAIL]
    match = CONFIRM_LINK.search(mail_text(message))
    assert match, f"no confirmation link in the mail:\n{message.body}"
    page.goto(match.group(0))
    axe_check(page)
    page.locator("main form[method='post'] [type='submit']").click()
    expect(logout_button(page)).to_be_visible()
    axe_check(page)

    # Log out, then log in again with the new account.
    logout_button(page).click()
    expect(page.get_by_role("link", name=re.compile(r"^(Log in|Anmelden)$"))).to_be_visible()
    expect(logout_button(page)).to_have_count(0)

    page.goto("/en/accounts/login/")
    axe_check(page)
    form = page.locator("form:has(input[name='password'])")
    form.locator("input[name='login']").fill(EMAIL)
    form.locator("input[name='password']").fill(PASSWORD)
    form.locator("[type='submit']").click()
    expect(logout_button(page)).to_be_visible()
    axe_check(page)

    assert page.csp_violations == [], "\n".join(page.csp_violations)
