"""A researcher reads the synthesis: the chart, the matrix and the items behind a figure."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import log_in

pytestmark = pytest.mark.browser


def test_a_researcher_reads_the_synthesis_of_the_demo_case_studies(page, axe_check):
    log_in(page, "researcher@example.org")
    page.goto("/de/fallstudien/synthesis/")
    expect(page.locator("h1")).to_be_visible()

    chart = page.locator("svg#synthesis-chart[role='img']")
    expect(chart).to_be_visible()
    expect(chart.locator("title")).to_have_count(1)
    assert chart.locator("rect.bar-barrier").count() >= 8  # a pair of bars per category
    assert chart.locator("rect.bar-driver").count() == chart.locator("rect.bar-barrier").count()
    fill = chart.locator("rect.bar-barrier").first.evaluate("r => getComputedStyle(r).fill")
    assert fill == "rgb(26, 79, 139)"  # site.css styles the bars, no inline style needed

    matrix = page.locator("#synthesis-matrix")
    expect(matrix.locator("caption")).to_be_visible()
    expect(matrix.locator("thead th[scope='col']")).to_have_count(1 + 6 + 1)  # six tandems
    expect(matrix.locator("thead")).to_contain_text("Krefeld")
    axe_check(page)

    link = matrix.locator("tbody td a").first
    target = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**/de/fallstudien/synthesis/{target}")
    heading = page.locator(target)
    expect(heading).to_be_in_viewport()
    expect(heading.locator("a")).to_have_attribute("href", re.compile(r"^/de/fallstudien/\d+/$"))
    assert page.csp_violations == [], "\n".join(page.csp_violations)
