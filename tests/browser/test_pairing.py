"""Staff accept the assistant's suggestion; the two cities' contacts then see their tandem."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.support import log_in
from tests.browser.test_selection import SECRET, current_code

pytestmark = pytest.mark.browser


def test_staff_accept_a_suggestion_and_the_contacts_see_their_tandem(page, axe_check):
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.models import User
    from programme.models import City, CityContact
    from tandems.enums import TandemState
    from tandems.models import Tandem
    from tandems.services import tandem_set_state

    pirna = Tandem.objects.get(memberships__city__name="Pirna")
    tandem_set_state(tandem=pirna, state=TandemState.DISSOLVED, on=date(2022, 6, 1))
    TOTP.activate(User.objects.get(email="staff@example.org"), SECRET)

    log_in(page, "staff@example.org", code=current_code)
    page.goto("/admin/tandems/tandem/")
    page.get_by_role("link", name="Paarungsassistent").click()
    axe_check(page)
    row = page.locator("#content tbody tr").first
    german, partner = row.locator("td").nth(0).inner_text(), row.locator("td").nth(1).inner_text()
    row.get_by_role("button", name="Annehmen").click()
    expect(page.locator(".messagelist")).to_contain_text("ist gebildet")

    # A contact of each city sees the new tandem page.
    for n, name in enumerate((german, partner)):
        email = f"contact{n}@example.org"
        user = User.objects.create_user(email, "vernetzt-demo-2022", name=f"Kontakt {name}")
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        CityContact.objects.create(user=user, city=City.objects.get(name=name),
                                   verified_at=timezone.now())
    for n in range(2):
        page.context.clear_cookies()
        log_in(page, f"contact{n}@example.org")
        page.goto("/de/tandems/")
        page.get_by_role("link", name=f"Ihr Tandem: {german} – {partner}").click()
        expect(page.locator("h1")).to_have_text(f"Tandem {german} – {partner}")
        axe_check(page)
