import io
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from pypdf import PdfReader

from applications.enums import EoiStatus, TopicRole
from applications.models import Call, ExpressionOfInterest
from applications.services import (
    eoi_delete_draft,
    eoi_start,
    eoi_submit,
    eoi_update,
    eoi_withdraw,
    late_entry_grant,
)
from programme.models import CityContact
from tests.factories import CallFactory, CityFactory, TopicFactory, UserFactory
from tests.support import postgres_available, require

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
OPEN = datetime(2022, 2, 25, 23, 59, 59, tzinfo=BERLIN)
CLOSED = datetime(2022, 2, 26, 0, 0, 0, tzinfo=BERLIN)
COMPLETE = {"contact_name": "Katrin Kommune", "contact_email": "k@krefeld.example",
            "motivation": "Wir wollen von Sofia lernen.", "meeting_years": [2022, 2023]}


@pytest.fixture
def call():
    return CallFactory()


@pytest.fixture
def city():
    return CityFactory(name="Krefeld", ags="05114000", population=227_000)


@pytest.fixture
def clerk():
    return UserFactory(language="de", name="Katrin Kommune")


def complete(eoi, now=OPEN):
    topic = TopicFactory(slug="open-data")
    return eoi_update(eoi=eoi, data=COMPLETE, topics={topic: TopicRole.LIGHTHOUSE},
                      consent=True, now=now)


def test_start_makes_the_person_the_municipalitys_contact(call, city, clerk):
    eoi = eoi_start(call=call, city=city, user=clerk, now=OPEN)
    assert (eoi.status, eoi.contact_email, eoi.population) == (EoiStatus.DRAFT, clerk.email,
                                                               227_000)
    assert CityContact.objects.filter(user=clerk, city=city, verified_at=None).exists()


def test_start_after_the_close_is_refused_and_saves_nothing(call, city, clerk):
    with pytest.raises(ValidationError) as error:
        eoi_start(call=call, city=city, user=clerk, now=CLOSED)
    assert error.value.code == "call_closed"
    assert not ExpressionOfInterest.objects.exists()


def test_one_expression_of_interest_per_municipality_and_call(call, city, clerk):
    eoi_start(call=call, city=city, user=clerk, now=OPEN)
    with pytest.raises(ValidationError) as error:
        eoi_start(call=call, city=city, user=UserFactory(), now=OPEN)
    assert error.value.code == "exists"
    assert "Krefeld" in error.value.messages[0]
    # Another call is another matter.
    other = CallFactory(programme=call.programme, is_practice=True)
    eoi_start(call=other, city=city, user=clerk, now=OPEN)


def test_foreign_city_cannot_enter_the_german_call(call, clerk):
    with pytest.raises(ValidationError) as error:
        eoi_start(call=call, city=CityFactory(ags=None, country="NL"), user=clerk, now=OPEN)
    assert error.value.code == "country_not_eligible"


@pytest.mark.django_db(transaction=True)
def test_two_people_starting_at_once_get_one_and_a_clear_message():
    require(postgres_available(), "the race needs PostgreSQL's concurrent transactions")
    call, city = CallFactory(), CityFactory()
    people = UserFactory.create_batch(4)
    barrier, outcomes = threading.Barrier(len(people)), []

    def start(user):
        try:
            barrier.wait()
            eoi_start(call=call, city=city, user=user, now=OPEN)
            outcomes.append("created")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "exists", "exists", "exists"]
    assert ExpressionOfInterest.objects.count() == 1


def test_update_keeps_every_version(call, city, clerk):
    eoi = eoi_start(call=call, city=city, user=clerk, now=OPEN)
    complete(eoi)
    eoi_update(eoi=eoi, data={"motivation": "Neu"}, topics={}, consent=True, now=OPEN)
    assert [h.motivation for h in eoi.history.order_by("history_id")] == [
        "", COMPLETE["motivation"], "Neu"]


def test_update_after_the_close_is_refused_and_nothing_changes(call, city, clerk):
    eoi = complete(eoi_start(call=call, city=city, user=clerk, now=OPEN))
    with pytest.raises(ValidationError):
        eoi_update(eoi=eoi, data={"motivation": "zu spät"}, topics={}, consent=True, now=CLOSED)
    eoi.refresh_from_db()
    assert eoi.motivation == COMPLETE["motivation"]
    assert eoi.topic_interests.count() == 1


def test_too_long_text_is_refused(call, city, clerk):
    eoi = eoi_start(call=call, city=city, user=clerk, now=OPEN)
    with pytest.raises(ValidationError) as error:
        eoi_update(eoi=eoi, data={"motivation": "x" * 2001}, topics={}, consent=False, now=OPEN)
    assert "motivation" in error.value.message_dict


def test_submit_needs_topics_consent_and_contact(call, city, clerk):
    eoi = eoi_start(call=call, city=city, user=clerk, now=OPEN)
    with pytest.raises(ValidationError) as error:
        eoi_submit(eoi=eoi, user=clerk, now=OPEN)
    assert {"consent", "topics", "motivation"} <= set(error.value.message_dict)
    eoi.refresh_from_db()
    assert eoi.status == EoiStatus.DRAFT and eoi.reference is None


def test_submit_numbers_and_confirms_with_a_pdf_copy_in_the_users_language(
    call, city, clerk, django_capture_on_commit_callbacks
):
    eoi = complete(eoi_start(call=call, city=city, user=clerk, now=OPEN))
    with django_capture_on_commit_callbacks(execute=True):
        eoi = eoi_submit(eoi=eoi, user=clerk, now=OPEN)
    assert (eoi.status, eoi.reference, eoi.submitted_at) == (EoiStatus.SUBMITTED, "VIE-2022-0001",
                                                             OPEN)
    (message,) = mail.outbox
    assert message.to == [clerk.email]
    assert "VIE-2022-0001" in message.subject
    assert "25. Februar 2022, 23:59 Uhr (MEZ)" in message.body
    (attachment,) = message.attachments
    assert attachment.filename == "VIE-2022-0001.pdf"
    text = PdfReader(io.BytesIO(attachment.content)).pages[0].extract_text()
    assert "Krefeld" in text and "VIE-2022-0001" in text


def test_second_submission_gets_the_next_number(call, clerk):
    for n, name in enumerate(["Hamm", "Pirna"], start=1):
        city = CityFactory(name=name)
        eoi = complete(eoi_start(call=call, city=city, user=clerk, now=OPEN))
        assert eoi_submit(eoi=eoi, user=clerk, now=OPEN).reference == f"VIE-2022-{n:04d}"


def test_references_are_never_given_twice_after_a_deletion(call, clerk):
    def submit(name):
        eoi = complete(eoi_start(call=call, city=CityFactory(name=name), user=clerk, now=OPEN))
        return eoi_submit(eoi=eoi, user=clerk, now=OPEN)

    first, second = submit("Hamm"), submit("Pirna")
    eoi_delete_draft(eoi=eoi_start(call=call, city=CityFactory(), user=clerk, now=OPEN))
    ExpressionOfInterest.objects.filter(pk=second.pk).delete()  # the newest row goes
    third = submit("Jena")
    ExpressionOfInterest.objects.filter(pk=first.pk).delete()  # and an older one
    fourth = submit("Kiel")
    # Written another way (the demo's history): the numbering goes on after it, too.
    ExpressionOfInterest.objects.create(call=call, city=CityFactory(), status="submitted",
                                        reference="VIE-2022-0009")
    fifth = submit("Gera")
    assert [e.reference for e in (first, second, third, fourth, fifth)] == [
        "VIE-2022-0001", "VIE-2022-0002", "VIE-2022-0003", "VIE-2022-0004", "VIE-2022-0010"]


def test_practice_call_numbers_apart_and_never_counts(city, clerk):
    practice = CallFactory(is_practice=True)
    eoi = complete(eoi_start(call=practice, city=city, user=clerk, now=OPEN))
    assert eoi_submit(eoi=eoi, user=clerk, now=OPEN).reference == "TRY-2022-0001"
    assert not Call.objects.real().filter(pk=practice.pk).exists()


def test_submit_after_the_close_is_refused(call, city, clerk):
    eoi = complete(eoi_start(call=call, city=city, user=clerk, now=OPEN))
    with pytest.raises(ValidationError):
        eoi_submit(eoi=eoi, user=clerk, now=CLOSED)
    eoi.refresh_from_db()
    assert eoi.status == EoiStatus.DRAFT


def test_submitted_can_be_edited_until_the_deadline_but_must_stay_complete(call, city, clerk):
    eoi = complete(eoi_start(call=call, city=city, user=clerk, now=OPEN))
    eoi_submit(eoi=eoi, user=clerk, now=OPEN)
    eoi_update(eoi=eoi, data={"experience": "Mehr"}, topics={
        TopicFactory(slug="open-data"): TopicRole.FOLLOWER}, consent=True, now=OPEN)
    with pytest.raises(ValidationError):
        eoi_update(eoi=eoi, data={}, topics={}, consent=True, now=OPEN)
    eoi.refresh_from_db()
    assert eoi.topic_interests.get().role == TopicRole.FOLLOWER


def test_withdraw_and_delete_a_draft_work_after_the_close(call, city, clerk):
    submitted = complete(eoi_start(call=call, city=city, user=clerk, now=OPEN))
    eoi_submit(eoi=submitted, user=clerk, now=OPEN)
    assert eoi_withdraw(eoi=submitted, by=clerk, now=CLOSED).status == EoiStatus.WITHDRAWN
    draft = eoi_start(call=call, city=CityFactory(), user=clerk, now=OPEN)
    eoi_delete_draft(eoi=draft)
    assert not ExpressionOfInterest.objects.filter(pk=draft.pk).exists()
    with pytest.raises(ValidationError):
        eoi_delete_draft(eoi=submitted)


def test_deleting_a_draft_drops_the_starters_claim_to_the_municipality(call, city, clerk):
    draft = eoi_start(call=call, city=city, user=clerk, now=OPEN)
    eoi_delete_draft(eoi=draft)
    assert not CityContact.objects.filter(user=clerk, city=city).exists()


def test_deleting_a_draft_keeps_a_claim_something_else_needs(call, city, clerk):
    practice = CallFactory(programme=call.programme, is_practice=True)
    kept = eoi_start(call=practice, city=city, user=clerk, now=OPEN)
    eoi_delete_draft(eoi=eoi_start(call=call, city=city, user=clerk, now=OPEN))
    assert CityContact.objects.filter(user=clerk, city=city).exists()  # for the other draft
    eoi_delete_draft(eoi=kept)
    assert not CityContact.objects.filter(user=clerk, city=city).exists()
    # A verified contact stays a contact: staff decided that, not the draft.
    CityContact.objects.create(user=clerk, city=city, verified_at=OPEN)
    eoi_delete_draft(eoi=eoi_start(call=call, city=city, user=clerk, now=OPEN))
    assert CityContact.objects.filter(user=clerk, city=city, verified_at=OPEN).exists()


def test_late_entry_lets_one_municipality_in_after_the_close(call, city, clerk):
    staff = UserFactory(is_staff=True)
    expires = CLOSED + timedelta(days=3)
    late_entry_grant(call=call, city=city, reason="Ratsbeschluss kam später", expires_at=expires,
                     by=staff, now=CLOSED)
    eoi = complete(eoi_start(call=call, city=city, user=clerk, now=CLOSED), now=CLOSED)
    assert eoi_submit(eoi=eoi, user=clerk, now=CLOSED).status == EoiStatus.SUBMITTED
    with pytest.raises(ValidationError):  # not for anyone else
        eoi_start(call=call, city=CityFactory(), user=clerk, now=CLOSED)
    with pytest.raises(ValidationError):  # and not after it expires
        eoi_update(eoi=eoi, data={}, topics={}, consent=True, now=expires + timedelta(seconds=1))
    assert call.late_entries.get().history.first().granted_by == staff


def test_late_entry_must_end_in_the_future(call, city):
    with pytest.raises(ValidationError):
        late_entry_grant(call=call, city=city, reason="x", expires_at=CLOSED,
                         by=UserFactory(is_staff=True), now=CLOSED)


def test_submission_survives_a_broken_broker_and_mail_server(
    call, city, clerk, django_capture_on_commit_callbacks
):
    from unittest import mock

    from notifications.models import Message

    eoi = complete(eoi_start(call=call, city=city, user=clerk, now=OPEN))
    with mock.patch("notifications.tasks.deliver_message.delay",
                    side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            eoi = eoi_submit(eoi=eoi, user=clerk, now=OPEN)
    eoi.refresh_from_db()
    assert eoi.status == EoiStatus.SUBMITTED and eoi.reference == "VIE-2022-0001"
    assert Message.objects.get(kind="eoi_submitted").state == "pending"


def test_scores_save_leaves_a_criterion_out_and_removes_the_earlier_score(call, city):
    from applications.models import Criterion, Score
    from applications.services import scores_save

    eoi = ExpressionOfInterest.objects.create(call=call, city=city, status="submitted")
    fit, size = (Criterion.objects.create(programme=call.programme, name_de=n, name_en=n)
                 for n in ("Passung", "Größe"))
    reviewer, other = UserFactory(is_staff=True), UserFactory(is_staff=True)
    scores_save(eoi=eoi, reviewer=other, scores={fit: (5, ""), size: (5, "")})
    scores_save(eoi=eoi, reviewer=reviewer, scores={fit: (4, "gut"), size: (2, "")})
    scores_save(eoi=eoi, reviewer=reviewer, scores={fit: (3, ""), size: (None, "egal")})
    mine = Score.objects.filter(reviewer=reviewer)
    assert [(s.criterion, s.value, s.note) for s in mine] == [(fit, 3, "")]
    assert Score.objects.filter(reviewer=other).count() == 2  # the others' scores stay


def test_scores_save_refuses_a_criterion_of_another_programme(call, city):
    from applications.models import Criterion, Score
    from applications.services import scores_save

    eoi = ExpressionOfInterest.objects.create(call=call, city=city, status="submitted")
    foreign = Criterion.objects.create(programme=CallFactory().programme, name_de="X",
                                       name_en="X")
    with pytest.raises(ValidationError) as error:
        scores_save(eoi=eoi, reviewer=UserFactory(), scores={foreign: (3, "")})
    assert error.value.code == "foreign_criterion" and not Score.objects.exists()
