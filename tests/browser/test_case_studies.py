"""A researcher edits a case study, previews it, compares two versions and restores one."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import log_in

pytestmark = pytest.mark.browser


def test_a_researcher_edits_previews_compares_and_restores(page, axe_check):
    from casestudies.models import CaseStudy

    case_study = CaseStudy.objects.filter(researchers__email="researcher@example.org").first()
    assert case_study is not None, "the demo data assigns the case studies to the researcher"
    original = case_study.context
    start = case_study.version

    log_in(page, "researcher@example.org")
    page.locator("header nav a[href='/de/fallstudien/']").click()
    page.locator(f"#case-study-{case_study.pk} a").click()
    expect(page.locator("h1")).to_have_text(case_study.title)
    axe_check(page)

    page.locator("#edit-link").click()
    page.locator("#id_context").fill("## Ausgangslage\n\nKrefeld und Venlo: **neu** geschrieben.")
    page.locator("#preview-button").click()
    preview = page.locator("#preview")
    expect(preview.locator("h4")).to_have_text("Ausgangslage")
    expect(preview.locator("strong")).to_have_text("neu")
    expect(page.locator("#id_context")).to_have_value(
        "## Ausgangslage\n\nKrefeld und Venlo: **neu** geschrieben.")
    axe_check(page)

    page.locator("#save-button").click()
    expect(page.locator("main .alert-success")).to_be_visible()
    expect(page.locator("#section-context")).to_contain_text("Krefeld und Venlo: neu geschrieben.")
    assert CaseStudy.objects.get(pk=case_study.pk).version == start + 1

    page.locator("#versions-link").click()
    expect(page.locator(f"#version-{start + 1}")).to_be_visible()
    axe_check(page)
    page.locator(f"#from-{start}").check()
    page.locator(f"#to-{start + 1}").check()
    page.locator("#compare-button").click()
    expect(page.locator("#change-context")).to_be_visible()
    expect(page.locator("main ins", has_text="neu")).to_be_visible()
    expect(page.locator("main del").first).to_be_visible()
    axe_check(page)

    page.goto(f"/de/fallstudien/{case_study.pk}/versions/{start}/")
    axe_check(page)
    page.locator("#restore-button").click()
    expect(page.locator("main .alert-success")).to_be_visible()
    restored = CaseStudy.objects.get(pk=case_study.pk)
    assert restored.version == start + 2 and restored.context == original
    expect(page.locator("#case-study-meta")).to_contain_text(str(start + 2))
    assert page.csp_violations == [], "\n".join(page.csp_violations)
