import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from applications.enums import EoiStatus
from applications.models import ExpressionOfInterest
from applications.services import eoi_change_status
from applications.validators import TRANSITIONS
from programme.models import CityContact
from tests.factories import CallFactory, CityFactory, UserFactory

pytestmark = pytest.mark.django_db


def submitted(status=EoiStatus.SUBMITTED, contacts=("de",)):
    city = CityFactory(name="Arnsberg")
    for language in contacts:
        CityContact.objects.create(user=UserFactory(language=language), city=city,
                                   verified_at=timezone.now())
    return ExpressionOfInterest.objects.create(call=CallFactory(), city=city, status=status,
                                               reference="VIE-2022-0007")


@pytest.mark.parametrize("current", list(EoiStatus))
@pytest.mark.parametrize("to", list(EoiStatus))
def test_only_the_workflows_steps_are_allowed(current, to):
    eoi = submitted(status=current)
    staff = UserFactory(is_staff=True)
    if to in TRANSITIONS[current]:
        assert eoi_change_status(eoi=eoi, to=to, by=staff, reason="Begründung",
                                 now=timezone.now()).status == to
    else:
        with pytest.raises(ValidationError):
            eoi_change_status(eoi=eoi, to=to, by=staff, reason="Begründung", now=timezone.now())
        eoi.refresh_from_db()
        assert eoi.status == current


def test_a_decision_needs_a_reason():
    eoi = submitted()
    with pytest.raises(ValidationError) as error:
        eoi_change_status(eoi=eoi, to=EoiStatus.ACCEPTED, by=UserFactory(is_staff=True),
                          reason="  ", now=timezone.now())
    assert error.value.code == "reason"


def test_every_change_is_recorded_with_who_when_and_why():
    eoi = submitted()
    staff = UserFactory(is_staff=True)
    eoi_change_status(eoi=eoi, to=EoiStatus.SHORTLISTED, by=staff, reason="Starke Motivation",
                      now=timezone.now())
    latest = eoi.history.latest()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        EoiStatus.SHORTLISTED, staff, "Starke Motivation")


@pytest.mark.parametrize(("reason_in_mail", "shown"), [(True, True), (False, False)])
def test_decision_mail_reaches_every_contact_in_their_language(
    reason_in_mail, shown, django_capture_on_commit_callbacks
):
    eoi = submitted(contacts=("de", "en"))
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        eoi_change_status(eoi=eoi, to=EoiStatus.DECLINED, by=UserFactory(is_staff=True),
                          reason="Zu viele Bewerbungen aus NRW", now=timezone.now(),
                          reason_in_mail=reason_in_mail)
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(mail.outbox) == 2 and all(len(m.to) == 1 for m in mail.outbox)
    assert any("abgelehnt" in s for s in subjects) and any("declined" in s for s in subjects)
    assert all(("Zu viele Bewerbungen aus NRW" in m.body) is shown for m in mail.outbox)


def test_withdrawal_is_not_mailed_as_a_decision(django_capture_on_commit_callbacks):
    eoi = submitted()
    with django_capture_on_commit_callbacks(execute=True):
        eoi_change_status(eoi=eoi, to=EoiStatus.WITHDRAWN, by=UserFactory(), reason="Rat",
                          now=timezone.now())
    assert mail.outbox == []


def test_decision_mail_goes_to_who_works_on_the_entry_not_to_a_mere_claimant(
    django_capture_on_commit_callbacks
):
    from programme.models import JoinRequest

    eoi = submitted(contacts=("de",))
    eoi.created_by = UserFactory(email="starter@arnsberg.example")
    eoi.save()
    verified = CityContact.objects.get(city=eoi.city).user
    joiner = UserFactory(email="joiner@arnsberg.example")
    JoinRequest.objects.create(user=joiner, city=eoi.city, approved=True, decided_by=verified,
                               decided_at=timezone.now())
    claimant = UserFactory(email="claimant@example.org")
    CityContact.objects.create(user=claimant, city=eoi.city)  # started a draft elsewhere
    self_approved = UserFactory(email="self@example.org")
    JoinRequest.objects.create(user=self_approved, city=eoi.city, approved=True,
                               decided_by=self_approved, decided_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        eoi_change_status(eoi=eoi, to=EoiStatus.ACCEPTED, by=UserFactory(is_staff=True),
                          reason="Passt", now=timezone.now())
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [verified.email, "starter@arnsberg.example", "joiner@arnsberg.example"])
