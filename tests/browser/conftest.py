"""Browser harness: Playwright (sync API) driving Debian's Chromium against a live server.

Every visited page can be checked with ``axe_check(page)`` (axe-core, WCAG 2.1 A/AA);
a serious or critical violation fails the test. Outside CI the tests skip when no
Chromium is installed; with ``CI=true`` that skip is a failure (see tests/support.py).
"""

import os

import pytest

from tests.support import chromium_path, require

# Playwright's sync API runs an asyncio event loop in this thread, which makes Django's
# async-safety guard refuse ORM calls from the test (seeding, flushing, reading mail).
# The live server answers in its own thread; the test itself is strictly sequential.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # the network is closed: no update or sync calls
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILING_IMPACTS = {"serious", "critical"}
# Only bounds a hang: each step waits for its condition (a page, a locator, an expectation),
# however long a busy machine takes, up to this.
TIMEOUT_MS = 60_000


def pytest_collection_modifyitems(items):
    """Every test under tests/browser/ is a browser test (`-m "not browser"` leaves them out)."""
    here = os.path.dirname(__file__) + os.sep
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    require(executable, "Debian's Chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def demo_data(transactional_db):
    """The demo programme (2022 call, cities, demo accounts) in the live server's database."""
    from core.demo import seed

    return seed()


@pytest.fixture(autouse=True)
def _totp_codes_outlast_a_slow_step(settings):
    """A code the test reads stays valid while a busy machine types and submits it: the
    previous 30-second step is accepted too (allauth's default accepts only the current one)."""
    settings.MFA_TOTP_TOLERANCE = 1


@pytest.fixture
def page(browser, live_server, demo_data):
    """A fresh German-speaking browser tab against the live server.

    The site's Content-Security-Policy stays enforced (axe is injected through the
    DevTools protocol, which CSP does not block); any CSP violation the browser reports
    is collected in ``page.csp_violations`` so tests can assert there are none.
    """
    from playwright.sync_api import expect

    context = browser.new_context(locale="de-DE", base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)  # expect() has its own default of 5 s
    tab = context.new_page()
    tab.csp_violations = []

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            tab.csp_violations.append(f"{tab.url}: {message.text}")

    tab.on("console", on_console)
    try:
        yield tab
    finally:
        context.close()


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} serious/critical axe violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation.get('helpUrl', '')}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {node.get('html', '').strip()[:200]}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def run_axe(page) -> list[dict]:
    """Serious and critical WCAG 2.1 A/AA violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    return [v for v in results.response["violations"] if v.get("impact") in AXE_FAILING_IMPACTS]


@pytest.fixture
def axe_check():
    """``axe_check(page)``: fail the test on any serious or critical WCAG 2.1 A/AA violation."""

    def check(page) -> None:
        page.wait_for_load_state("load")
        violations = run_axe(page)
        if violations:
            pytest.fail(format_violations(page.url, violations), pytrace=False)

    return check
