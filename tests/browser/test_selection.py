"""Staff log in with two factors, filter the applications, score one and accept one."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def current_code() -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))


def test_staff_review_and_decide(page, axe_check, live_server):
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.models import User
    from applications.models import ExpressionOfInterest

    TOTP.activate(User.objects.get(email="staff@example.org"), SECRET)
    page.goto("/admin/")
    page.locator("input[name='login']").fill("staff@example.org")
    page.locator("input[name='password']").fill("vernetzt-demo-2022")
    page.locator("main [type='submit']").click()
    page.locator("input[name='code']").fill(current_code())
    page.locator("main form:has(input[name='code']) .btn-primary").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto("/admin/applications/expressionofinterest/?land=05")
    expect(page.locator("#result_list")).to_contain_text("Krefeld")
    expect(page.locator("#result_list")).not_to_contain_text("München")
    axe_check(page)

    krefeld = ExpressionOfInterest.objects.get(city__name="Krefeld", call__is_practice=False)
    page.goto(f"/admin/applications/expressionofinterest/{krefeld.pk}/score/")
    for select in page.locator("select").all():
        select.select_option("4")
    axe_check(page)
    page.locator("input[type='submit']").click()
    expect(page.locator(".messagelist")).to_contain_text("gespeichert")

    page.goto("/admin/applications/expressionofinterest/dashboard/")
    expect(page.locator("svg[role='img']")).to_have_count(4)
    axe_check(page)

    waitlisted = ExpressionOfInterest.objects.filter(status="waitlisted").first()
    page.goto(f"/admin/applications/expressionofinterest/?q={waitlisted.reference}")
    page.locator("input[name='_selected_action']").first.check()
    page.locator("select[name='action']").select_option("mark_accepted")
    page.locator("button[name='index']").click()
    page.locator("textarea[name='reason']").fill("Ein Platz ist frei geworden.")
    axe_check(page)
    page.locator("input[type='submit']").click()
    expect(page.locator(".messagelist")).to_contain_text("1 Interessenbekundung geändert")
    waitlisted.refresh_from_db()
    assert waitlisted.status == "accepted"

    # The history says who decided what, and why; it restores nothing.
    page.goto(f"/admin/applications/expressionofinterest/{waitlisted.pk}/history/")
    expect(page.locator("#change-history")).to_contain_text(
        "Status: auf der Warteliste → angenommen")
    expect(page.locator("#change-history")).to_contain_text("Ein Platz ist frei geworden.")
    axe_check(page)
    page.locator("#change-history a").last.click()
    expect(page.locator("#content-main input[type=submit]")).to_have_count(0)
    axe_check(page)
