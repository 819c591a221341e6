"""A case study goes from draft to published: the researcher submits, staff send it to the
cities, Krefeld approves (staff approve for Venlo, which has no demo contact), staff
publish, and the public reads it and downloads the PDF."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import log_in
from tests.browser.test_selection import SECRET, current_code

pytestmark = pytest.mark.browser


def test_a_case_study_is_reviewed_approved_published_and_read(page, axe_check, live_server):
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.models import User
    from casestudies.models import CaseStudy
    from notifications.models import Message

    case_study = CaseStudy.objects.get(tandem__memberships__city__name="Krefeld",
                                       tandem__memberships__left_on=None)
    url = f"/de/fallstudien/{case_study.pk}/"

    log_in(page, "researcher@example.org")
    page.goto(url)
    page.locator("#review-submit-comment").fill("Bitte prüfen.")
    page.locator("#review-submit-button").click()
    expect(page.locator("main .alert-success")).to_be_visible()
    expect(page.locator("#review")).to_contain_text("in Prüfung")
    axe_check(page)

    # Staff, in a browser of their own: send it to the cities, approve for Venlo.
    TOTP.activate(User.objects.get(email="staff@example.org"), SECRET)
    staff_context = page.context.browser.new_context(locale="de-DE",
                                                     base_url=live_server.url)
    staff = staff_context.new_page()
    log_in(staff, "staff@example.org", code=current_code)
    staff.goto(url)
    staff.locator("#review-send_to_cities-button").click()
    expect(staff.locator("#review")).to_contain_text("bei den Städten")
    staff.locator("#review-approve-city").select_option(label="Venlo")
    staff.locator("#review-approve-comment").fill("Venlo hat per E-Mail zugestimmt.")
    staff.locator("#review-approve-button").click()
    expect(staff.locator("#review")).to_contain_text("Venlo hat per E-Mail zugestimmt.")

    # Krefeld's contact reads the working copy and approves for their city.
    page.context.clear_cookies()
    log_in(page, "krefeld@example.org")
    page.goto(url)
    expect(page.locator("h1")).to_have_text(case_study.title)
    axe_check(page)
    page.locator("#review-approve-button").click()
    expect(page.locator("main .alert-success")).to_be_visible()
    assert Message.objects.filter(kind="casestudy_approve",
                                  recipient__email="krefeld@example.org").exists()

    staff.goto(url)
    staff.locator("#review-publish-button").click()
    expect(staff.locator("#review")).to_contain_text("veröffentlicht")
    staff_context.close()

    # The public reads the published version, with its citation line, and downloads it.
    page.context.clear_cookies()
    page.goto("/de/fallstudien/")
    page.locator(f"#case-study-{case_study.pk} a").click()
    expect(page.locator("#published-note")).to_be_visible()
    expect(page.locator("#review")).to_have_count(0)
    axe_check(page)
    response = page.request.get(f"{url}pdf/")
    assert response.status == 200 and response.body()[:4] == b"%PDF"
    assert page.csp_violations == [], "\n".join(page.csp_violations)
