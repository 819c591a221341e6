"""The public sees the tandems; a city's contact finds their own tandem page."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_contact_finds_their_tandem(page, axe_check):
    page.goto("/de/tandems/")
    expect(page.locator("h1")).to_have_text("Tandems und teilnehmende Städte")
    expect(page.locator("svg[role='img']")).to_be_visible()
    axe_check(page)

    page.goto("/de/accounts/login/")
    page.locator("input[name='login']").fill("krefeld@example.org")
    page.locator("input[name='password']").fill("vernetzt-demo-2022")
    page.locator("main .btn-primary").click()
    page.wait_for_url("**/de/")
    page.get_by_role("link", name="Tandems", exact=True).click()
    page.get_by_role("link", name="Ihr Tandem: Krefeld – Venlo").click()
    expect(page.locator("h1")).to_have_text("Tandem Krefeld – Venlo")
    expect(page.locator("main table").first).to_contain_text("Digitale Beteiligung")
    expect(page.locator("main")).to_contain_text("Sofia")
    axe_check(page)
    assert page.csp_violations == [], "\n".join(page.csp_violations)
