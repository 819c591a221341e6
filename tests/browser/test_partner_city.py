"""An invited partner-city contact signs up in English, accepts and completes the profile."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_journey import CONFIRM_LINK, mail_text, wait_for_mail

pytestmark = pytest.mark.browser
EMAIL = "smart@sofia.example"
PASSWORD = "Tandem-Sofia-2022!"


def test_invited_partner_completes_the_city_profile(page, axe_check, mailoutbox):
    from accounts.models import User
    from programme.models import City
    from programme.services import partner_invite

    sofia = City.objects.get(name="Sofia")
    from django.utils import timezone

    invitation = partner_invite(city=sofia, email=EMAIL, now=timezone.now(),
                                by=User.objects.get(email="staff@example.org"))
    path = f"/en/partner/invitation/{invitation.token}/"

    page.goto("/en/accounts/signup/")
    form = page.locator("form:has(input[name='password2'])")
    form.locator("input[name='email']").fill(EMAIL)
    form.locator("input[name='name']").fill("Sofia Contact")
    form.locator("select[name='language']").select_option("en")
    form.locator("input[name='password1']").fill(PASSWORD)
    form.locator("input[name='password2']").fill(PASSWORD)
    form.locator("[type='submit']").click()
    page.wait_for_url(re.compile(r"/en/accounts/confirm-email/$"))
    verification = next(m for m in mailoutbox if "confirm-email" in mail_text(m))
    page.goto(CONFIRM_LINK.search(mail_text(verification)).group(0))
    page.locator("main form[method='post'] [type='submit']").click()

    page.goto(path)
    expect(page.locator("h1")).to_have_text("Speak for Sofia")
    axe_check(page)
    page.get_by_role("button", name="Accept the invitation").click()
    expect(page.locator("h1")).to_have_text("Profile of Sofia")
    page.get_by_label("Time zone").fill("Mars/Base")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Europe/Amsterdam")
    axe_check(page)
    page.get_by_label("Time zone").fill("Europe/Sofia")
    page.get_by_label("Smart participation").select_option("lighthouse")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    assert wait_for_mail(mailoutbox, count=2)
