"""Issue 17, item 0: taking over a municipality, step by step, through the real pages.

A newly signed-up person asks to join Krefeld, starts a practice draft with Krefeld's public
AGS (which names them as an unverified contact), tries to approve their own request, deletes
the draft, tries again, then goes for Krefeld's 2022 entry and Hamm's accepted one. Every
step that would give them a say is refused and changes nothing. (The personal data download
is tested with accounts/services.py.)
"""

import pytest
from django.core import mail
from django.urls import reverse

from applications.enums import EoiStatus
from applications.models import Call, ExpressionOfInterest
from programme.models import City, CityContact, JoinRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_stranger_cannot_take_over_a_municipality(client, seeded,
                                                     django_capture_on_commit_callbacks):
    krefeld, hamm = City.objects.get(name="Krefeld"), City.objects.get(name="Hamm")
    entry_2022 = ExpressionOfInterest.objects.get(city=krefeld, call__is_practice=False)
    accepted = ExpressionOfInterest.objects.get(city=hamm, call__is_practice=False)
    assert accepted.status == EoiStatus.ACCEPTED
    before = {eoi.pk: (eoi.status, eoi.motivation) for eoi in (entry_2022, accepted)}
    practice = Call.objects.get(is_practice=True)
    mallory = UserFactory(email="mallory@example.org")
    client.force_login(mallory)

    # 1. Ask to join Krefeld: its verified contact is told, and decides.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:join", args=[krefeld.pk]))
    assert response.status_code == 302
    request = JoinRequest.objects.get(user=mallory, city=krefeld)
    assert [m.to for m in mail.outbox] == [["krefeld@example.org"]]

    # 2. Start a practice draft with Krefeld's public AGS and name: allowed, and only that.
    response = client.post(reverse("applications:start", args=[practice.pk]),
                           {"name": "Krefeld", "ags": "05114000", "population": "227000"})
    assert response.status_code == 302
    draft = ExpressionOfInterest.objects.get(call=practice, city=krefeld)
    assert CityContact.objects.get(user=mallory, city=krefeld).verified_at is None
    mine = client.get(reverse("applications:mine"))
    assert list(mine.context["expressions"]) == [draft]

    def try_everything():
        """Approve the own request; read, download and change the others' entries."""
        decide = client.post(reverse("applications:decide_join", args=[request.pk]),
                             {"decision": "approve"})
        assert decide.status_code == 404
        for name in ("applications:detail", "applications:pdf", "applications:edit"):
            assert client.get(reverse(name, args=[entry_2022.pk])).status_code == 404, name
        for eoi in (entry_2022, accepted):
            assert client.post(reverse("applications:edit", args=[eoi.pk]),
                               {"save": "1", "motivation": "Übernommen"}).status_code == 404
            assert client.post(reverse("applications:withdraw", args=[eoi.pk])).status_code \
                == 404
        request.refresh_from_db()
        assert request.decided_at is None
        for eoi in (entry_2022, accepted):
            eoi.refresh_from_db()
            assert (eoi.status, eoi.motivation) == before[eoi.pk]

    # 3. With the draft and its claim to Krefeld ...
    try_everything()
    # 4. ... and after deleting the draft, which takes the claim with it.
    response = client.post(reverse("applications:delete", args=[draft.pk]))
    assert response.status_code == 302
    assert not CityContact.objects.filter(user=mallory, city=krefeld).exists()
    try_everything()
    assert list(client.get(reverse("applications:mine")).context["expressions"]) == []


def test_my_list_shows_only_the_draft_one_started(client, seeded):
    """Item 7: a draft for Bielefeld does not list Bielefeld's withdrawn 2022 entry."""
    bielefeld = City.objects.get(name="Bielefeld")
    old = ExpressionOfInterest.objects.get(city=bielefeld, call__is_practice=False)
    client.force_login(UserFactory())
    practice = Call.objects.get(is_practice=True)
    client.post(reverse("applications:start", args=[practice.pk]),
                {"name": "Bielefeld", "ags": bielefeld.ags, "population": "334000"})
    page = client.get(reverse("applications:mine"))
    (listed,) = page.context["expressions"]
    assert listed.call == practice
    assert old.reference not in page.content.decode()
