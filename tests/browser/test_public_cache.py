"""Anonymous visitors get the public pages from the cache, never someone's logged-in copy."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import log_in

pytestmark = pytest.mark.browser


def test_the_cached_programme_page_never_stands_in_for_a_logged_in_one(page, axe_check):
    page.goto("/de/")
    login_link = page.locator("header").get_by_role("link", name="Anmelden")
    expect(login_link).to_be_visible()
    axe_check(page)
    page.reload()  # the second visit is answered from the cache: the same page
    expect(login_link).to_be_visible()

    log_in(page, "krefeld@example.org")  # back on /de/, now with a session
    logout = page.locator("header").get_by_role("button", name="Abmelden")
    expect(logout).to_be_visible()
    expect(login_link).to_have_count(0)

    logout.click()
    page.wait_for_url("**/de/")
    # The goodbye message is waiting: the view answers, not the cache.
    expect(page.locator(".messages")).to_contain_text("abgemeldet")
    page.reload()
    expect(login_link).to_be_visible()
    expect(page.locator(".messages")).to_have_count(0)
    response = page.request.get("/de/infoblatt.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert page.csp_violations == [], "\n".join(page.csp_violations)
