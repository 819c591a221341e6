"""The main forms work with the keyboard alone, every focused control shows its focus, and
an error summary is announced (role="alert") and leads to its field."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FOCUS_VISIBLE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return {tag: el.tagName, name: el.getAttribute('name') || el.textContent.trim().slice(0, 30),
            visible: outline || style.boxShadow !== 'none'};
}"""


def tab_to(page, selector, limit=60):
    """Press Tab until ``selector`` has the focus; check the focus is visible on the way."""
    hidden = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_VISIBLE)
        # BODY: the focus went round past the last control to the browser's own.
        if not focused["visible"] and focused["tag"] != "BODY":
            hidden.append(focused)
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            assert hidden == [], f"focus not visible on: {hidden}"
            return
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def test_log_in_and_start_an_expression_of_interest_with_the_keyboard(page, axe_check):
    page.goto("/de/accounts/login/")
    tab_to(page, "input[name='login']")
    page.keyboard.type("krefeld@example.org")
    tab_to(page, "input[name='password']")
    page.keyboard.type("vernetzt-demo-2022")
    page.keyboard.press("Enter")
    page.wait_for_url("**/de/")

    page.goto("/de/interessenbekundung/")
    tab_to(page, "main a[href*='/interessenbekundung/neu/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/interessenbekundung/neu/**")
    tab_to(page, "input[name='name']")
    page.keyboard.type("Tastaturhausen")
    tab_to(page, "input[name='ags']")
    page.keyboard.type("99123456")
    page.keyboard.press("Enter")

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("von 01 bis 16")
    axe_check(page)
    # The summary's link takes the keyboard to the field in question.
    tab_to(page, ".error-summary a[href='#id_ags']")
    page.keyboard.press("Enter")
    expect(page.locator("#id_ags")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("06411999")
    tab_to(page, "input[name='population']")
    page.keyboard.type("12000")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Tastaturhausen")

    # The expression of interest itself: text, a topic, consent, submit.
    tab_to(page, "textarea[name='motivation']")
    page.keyboard.type("Wir lernen gern von erfahrenen Städten.")
    tab_to(page, "select[name='topic_open-data']")
    page.keyboard.press("ArrowDown")  # the first choice after "no interest"
    expect(page.locator("select[name='topic_open-data']")).not_to_have_value("")
    tab_to(page, "input[name='consent']")
    page.keyboard.press("Space")
    expect(page.locator("input[name='consent']")).to_be_checked()
    tab_to(page, "button[name='submit']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("TRY-")
    axe_check(page)
    assert page.csp_violations == [], "\n".join(page.csp_violations)
