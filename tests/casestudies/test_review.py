"""The way to publication: every step through one service, who is told, frozen versions."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from casestudies.enums import CaseStudyStatus, ReviewAction
from casestudies.models import CaseStudy, ReviewStep
from casestudies.services import casestudy_save, casestudy_transition
from notifications.models import Message
from notifications.services import notifications_sweep
from tests.casestudies.conftest import FUNDING, make_case_study, make_researcher, make_tandem
from tests.factories import StaffFactory, member_contact

pytestmark = pytest.mark.django_db
SUBMIT, SEND, APPROVE, CHANGES, PUBLISH = (
    ReviewAction.SUBMIT, ReviewAction.SEND_TO_CITIES, ReviewAction.APPROVE,
    ReviewAction.REQUEST_CHANGES, ReviewAction.PUBLISH)


@pytest.fixture
def people(db):
    tandem = make_tandem()
    author = make_researcher(language="de")
    staff = StaffFactory(language="de")
    german = member_contact(tandem, german=True, language="de")
    partner = member_contact(tandem, german=False, language="en")
    unverified = member_contact(tandem, german=True, verified=False)
    case_study = make_case_study(tandem=tandem, researchers=[author])
    casestudy_save(case_study=case_study, base_version=1, by=author,
                   changes={"context": "Erste Fassung."}, items=[FUNDING])
    case_study.refresh_from_db()
    cities = {c.is_german: c for c in (m.city for m in tandem.memberships.all())}
    return dict(case_study=case_study, author=author, staff=staff, german=german,
                partner=partner, unverified=unverified, krefeld=cities[True],
                venlo=cities[False])


def step(p, action, by, **kwargs):
    return casestudy_transition(case_study=p["case_study"], action=action, by=p[by], **kwargs)


def told(action):
    return {m.recipient.email for m in Message.objects.filter(kind=f"casestudy_{action}")}


def to_the_cities(p):
    step(p, SUBMIT, "author")
    step(p, SEND, "staff")


def test_the_whole_way_from_draft_to_published(people):
    p = people
    to_the_cities(p)
    step(p, APPROVE, "german", city=p["krefeld"])
    step(p, APPROVE, "partner", city=p["venlo"])
    step(p, PUBLISH, "staff")
    case_study = CaseStudy.objects.get()
    assert case_study.status == CaseStudyStatus.PUBLISHED
    assert case_study.published_version == case_study.version == 2
    assert case_study.history.count() == 2, "a status change is not a version"
    assert [s.action for s in ReviewStep.objects.all()] == [SUBMIT, SEND, APPROVE, APPROVE,
                                                            PUBLISH]


def test_each_step_tells_everybody_it_concerns_in_their_language(people):
    p = people
    to_the_cities(p)
    everyone = {p[k].email for k in ("author", "staff", "german", "partner")}
    assert told(SUBMIT) == {p["author"].email, p["staff"].email}
    assert told(SEND) == everyone
    assert p["unverified"].email not in told(SEND)
    english = Message.objects.get(kind="casestudy_send_to_cities", recipient=p["partner"])
    german = Message.objects.get(kind="casestudy_send_to_cities", recipient=p["german"])
    assert english.language == "en" and "approve" in english.body_text
    assert german.language == "de" and "Städte" in german.body_text
    assert f"/en/fallstudien/{p['case_study'].pk}/" in english.body_text


def test_staff_acting_for_a_city_still_tell_that_city(people):
    p = people
    to_the_cities(p)
    step(p, APPROVE, "staff", city=p["venlo"], comment="Per Telefon bestätigt.")
    assert told(APPROVE) == {p[k].email for k in ("author", "staff", "partner")}
    message = Message.objects.get(kind="casestudy_approve", recipient=p["partner"])
    assert "Per Telefon bestätigt." in message.body_text and "Venlo" in message.body_text


def test_a_city_asking_for_changes_sends_it_back_to_draft_with_the_comment(people):
    p = people
    to_the_cities(p)
    step(p, CHANGES, "partner", city=p["venlo"], comment="Bitte unseren Anteil ergänzen.")
    case_study = CaseStudy.objects.get()
    assert case_study.status == CaseStudyStatus.DRAFT
    message = Message.objects.get(kind="casestudy_request_changes", recipient=p["author"])
    assert "Bitte unseren Anteil ergänzen." in message.body_text
    assert told(CHANGES) == {p[k].email for k in ("author", "staff", "partner")}


def test_staff_send_it_back_from_review_only_with_a_comment(people):
    p = people
    step(p, SUBMIT, "author")
    with pytest.raises(ValidationError) as error:
        step(p, CHANGES, "staff", comment="  ")
    assert error.value.code == "comment_required"
    step(p, CHANGES, "staff", comment="Quellen fehlen.")
    assert CaseStudy.objects.get().status == CaseStudyStatus.DRAFT
    assert told(CHANGES) == {p["author"].email, p["staff"].email}


@pytest.mark.parametrize("status, action", [
    ("draft", SEND), ("draft", PUBLISH), ("draft", APPROVE), ("in_review", SUBMIT),
    ("in_review", PUBLISH), ("with_cities", SUBMIT), ("with_cities", SEND),
    ("published", SUBMIT), ("published", APPROVE)])
def test_a_step_not_possible_now_is_refused_and_changes_nothing(people, status, action):
    p = people
    CaseStudy.objects.filter(pk=p["case_study"].pk).update(status=status)
    with pytest.raises(ValidationError) as error:
        step(p, action, "staff", city=p["krefeld"], comment="x")
    assert error.value.code == "not_allowed"
    assert CaseStudy.objects.get().status == status and not ReviewStep.objects.exists()
    assert len(mail.outbox) == 0 and not Message.objects.exists()


def test_publishing_needs_both_cities_and_an_approval_counts_once(people):
    p = people
    to_the_cities(p)
    step(p, APPROVE, "german", city=p["krefeld"])
    with pytest.raises(ValidationError) as error:
        step(p, PUBLISH, "staff")
    assert error.value.code == "not_approved" and "Venlo" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        step(p, APPROVE, "german", city=p["krefeld"])
    assert error.value.code == "already_approved"
    with pytest.raises(ValidationError) as error:
        step(p, APPROVE, "german", city=None)
    assert error.value.code == "no_city"


def test_approvals_of_an_earlier_round_do_not_count(people):
    p = people
    to_the_cities(p)
    step(p, APPROVE, "german", city=p["krefeld"])
    step(p, CHANGES, "partner", city=p["venlo"], comment="Bitte ergänzen.")
    step(p, SUBMIT, "author")
    step(p, SEND, "staff")
    step(p, APPROVE, "partner", city=p["venlo"])
    with pytest.raises(ValidationError) as error:
        step(p, PUBLISH, "staff")
    assert "Krefeld" in error.value.messages[0]


def test_a_published_version_is_frozen_and_an_edit_starts_a_new_draft(people):
    p = people
    to_the_cities(p)
    step(p, APPROVE, "german", city=p["krefeld"])
    step(p, APPROVE, "partner", city=p["venlo"])
    step(p, PUBLISH, "staff")
    edited = casestudy_save(case_study=p["case_study"], base_version=2, by=p["author"],
                            changes={"context": "Neue Fassung."})
    assert (edited.status, edited.version, edited.published_version) == (
        CaseStudyStatus.DRAFT, 3, 2)
    assert edited.history.get(version=2).context == "Erste Fassung."
    # The next publication moves the public to the new version.
    step(p, SUBMIT, "author")
    step(p, SEND, "staff")
    step(p, APPROVE, "german", city=p["krefeld"])
    step(p, APPROVE, "partner", city=p["venlo"])
    step(p, PUBLISH, "staff")
    assert CaseStudy.objects.get().published_version == 3


def test_an_over_long_comment_is_refused(people):
    p = people
    with pytest.raises(ValidationError):
        step(p, SUBMIT, "author", comment="x" * 5001)
    assert CaseStudy.objects.get().status == CaseStudyStatus.DRAFT
    assert not Message.objects.exists()


# -- reminders ---------------------------------------------------------------------------

BERLIN = ZoneInfo("Europe/Berlin")
SUBMITTED = datetime(2024, 3, 1, 23, 30, tzinfo=BERLIN)  # late: the German date counts


def sweep(now):
    notifications_sweep(now=now)
    return Message.objects


def test_staff_are_reminded_once_when_a_study_waits_in_review(people, settings):
    p = people
    settings.CASE_STUDY_REVIEW_REMINDER_DAYS = 14
    casestudy_transition(case_study=p["case_study"], action=SUBMIT, by=p["author"],
                         now=SUBMITTED)
    sweep(datetime(2024, 3, 14, 23, 0, tzinfo=BERLIN))
    assert not Message.objects.filter(kind="casestudy_review_waiting").exists()
    for day in (datetime(2024, 3, 15, 0, 10, tzinfo=BERLIN),
                datetime(2024, 3, 15, 18, 0, tzinfo=BERLIN),
                datetime(2024, 3, 16, 9, 0, tzinfo=BERLIN)):
        sweep(day)
    reminders = Message.objects.filter(kind="casestudy_review_waiting")
    assert [m.recipient for m in reminders] == [p["staff"]]
    assert reminders.get().occasion == date(2024, 3, 15)


def test_only_the_city_that_has_not_approved_is_reminded(people, settings):
    p = people
    settings.CASE_STUDY_APPROVAL_REMINDER_DAYS = 10
    for action, by, city in ((SUBMIT, "author", None), (SEND, "staff", None),
                             (APPROVE, "german", p["krefeld"])):
        casestudy_transition(case_study=p["case_study"], action=action, by=p[by], city=city,
                             now=SUBMITTED)
    sweep(datetime(2024, 3, 11, 9, 0, tzinfo=BERLIN))
    reminders = Message.objects.filter(kind="casestudy_approval_pending")
    assert [m.recipient for m in reminders] == [p["partner"]]
    assert reminders.get().language == "en" and "Venlo" in reminders.get().body_text


def test_a_study_that_moved_on_is_not_reminded(people, settings):
    p = people
    settings.CASE_STUDY_REVIEW_REMINDER_DAYS = 14
    casestudy_transition(case_study=p["case_study"], action=SUBMIT, by=p["author"],
                         now=SUBMITTED)
    casestudy_transition(case_study=p["case_study"], action=CHANGES, by=p["staff"],
                         comment="Bitte überarbeiten.", now=SUBMITTED)
    sweep(datetime(2024, 3, 15, 9, 0, tzinfo=BERLIN))
    assert not Message.objects.filter(kind__in=["casestudy_review_waiting",
                                                "casestudy_approval_pending"]).exists()


# -- the paths: the page and the admin ------------------------------------------------------

def review_url(case_study):
    return f"/de/fallstudien/{case_study.pk}/review/"


def test_the_page_takes_each_step_for_the_person_allowed(people, client):
    p = people
    case_study = p["case_study"]
    client.force_login(p["author"])
    page = client.get(case_study.get_absolute_url()).content.decode()
    assert 'id="review-submit"' in page and 'id="review-publish"' not in page
    assert client.post(review_url(case_study), {"action": SUBMIT}).status_code == 302
    # The author may not send it on; a city contact may not decide before it is sent.
    assert client.post(review_url(case_study), {"action": SEND}).status_code == 403
    client.force_login(p["german"])
    assert client.get(case_study.get_absolute_url()).status_code == 404
    step(p, SEND, "staff")
    page = client.get(case_study.get_absolute_url()).content.decode()
    assert 'id="review-approve"' in page and 'id="review-send_to_cities"' not in page
    # A contact can approve only for their own city.
    response = client.post(review_url(case_study), {"action": APPROVE,
                                                     "city": p["venlo"].pk})
    assert response.status_code == 400
    assert client.post(review_url(case_study), {"action": APPROVE,
                                                "city": p["krefeld"].pk}).status_code == 302
    assert ReviewStep.objects.filter(action=APPROVE, city=p["krefeld"]).exists()


def test_changes_without_a_comment_get_a_message_and_change_nothing(people, client):
    p = people
    step(p, SUBMIT, "author")
    client.force_login(p["staff"])
    response = client.post(review_url(p["case_study"]), {"action": CHANGES, "comment": ""})
    assert response.status_code == 400
    assert "welche Änderungen" in response.content.decode()
    assert CaseStudy.objects.get().status == CaseStudyStatus.IN_REVIEW


def test_the_public_reads_the_published_version_while_a_new_draft_is_written(people, client):
    p = people
    to_the_cities(p)
    step(p, APPROVE, "german", city=p["krefeld"])
    step(p, APPROVE, "partner", city=p["venlo"])
    step(p, PUBLISH, "staff")
    casestudy_save(case_study=p["case_study"], base_version=2, by=p["author"],
                   changes={"context": "Noch nicht öffentlich."})
    public = client.get(p["case_study"].get_absolute_url()).content.decode()
    assert "Erste Fassung." in public and "Noch nicht öffentlich." not in public
    assert 'id="review"' not in public
    client.force_login(p["author"])
    own = client.get(p["case_study"].get_absolute_url()).content.decode()
    assert "Noch nicht öffentlich." in own


def test_staff_take_steps_from_the_admin_through_the_same_service(people, staff_client):
    p = people
    response = staff_client.post("/admin/casestudies/casestudy/", {
        "action": "review_submit", "_selected_action": [p["case_study"].pk]}, follow=True)
    assert response.status_code == 200
    assert CaseStudy.objects.get().status == CaseStudyStatus.IN_REVIEW
    assert told(SUBMIT) >= {p["author"].email}
    staff_client.post("/admin/casestudies/casestudy/", {
        "action": "review_publish", "_selected_action": [p["case_study"].pk]}, follow=True)
    assert CaseStudy.objects.get().status == CaseStudyStatus.IN_REVIEW  # refused, reported


def publish(p):
    to_the_cities(p)
    step(p, APPROVE, "german", city=p["krefeld"])
    step(p, APPROVE, "partner", city=p["venlo"])
    step(p, PUBLISH, "staff")


def test_the_public_list_shows_the_published_title_topics_and_citation(people, client):
    from programme.models import Topic
    from tandems.models import TandemTopic

    p = people
    p["author"].name = "Rafael Forsch"
    p["author"].save()
    topic = Topic.objects.create(slug="beteiligung", name_de="Digitale Beteiligung",
                                 name_en="Digital participation")
    TandemTopic.objects.create(tandem=p["case_study"].tandem, topic=topic,
                               lighthouse=p["venlo"])
    publish(p)
    casestudy_save(case_study=p["case_study"], base_version=2, by=p["author"],
                   changes={"title": "Arbeitstitel, noch intern"})
    html = client.get("/de/fallstudien/").content.decode()
    row = html.split(f'id="case-study-{p["case_study"].pk}"')[1].split("</tr>")[0]
    assert "Fallstudie Krefeld – Venlo" in row and "Arbeitstitel" not in row
    assert "Digitale Beteiligung" in row and "veröffentlicht" in row
    assert "Forsch, Rafael (" in row and f"/fallstudien/{p['case_study'].pk}/" in row
    assert f'id="case-study-{p["case_study"].pk}"' in client.get(
        "/de/fallstudien/?topic=beteiligung").content.decode()
    other = client.get("/de/fallstudien/?topic=unknown").content.decode()
    assert f'id="case-study-{p["case_study"].pk}"' in other  # an unknown topic filters nothing
    detail = client.get(p["case_study"].get_absolute_url()).content.decode()
    assert 'id="citation"' in detail and "Forsch, Rafael" in detail
    assert f'href="/de/fallstudien/{p["case_study"].pk}/pdf/"' in detail


def test_the_public_list_keeps_a_constant_query_count(people, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    p = people
    publish(p)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/de/fallstudien/").status_code == 200
        return len(captured)

    before = count()
    for german, partner in (("Hamm", "Arezzo"), ("Pirna", "Boleslawiec")):
        other = make_case_study(tandem=make_tandem(german, partner),
                                researchers=[make_researcher(name="Erika Muster")])
        CaseStudy.objects.filter(pk=other.pk).update(status="published", published_version=1)
    assert count() == before


@pytest.mark.parametrize("status, expected", [
    ("draft", {"author": {SUBMIT}, "staff": {SUBMIT}, "german": set(), "other": set()}),
    ("in_review", {"author": set(), "staff": {SEND, CHANGES}, "german": set(),
                   "other": set()}),
    ("with_cities", {"author": set(), "staff": {APPROVE, CHANGES, PUBLISH},
                     "german": {APPROVE, CHANGES}, "other": set()}),
    ("published", {"author": set(), "staff": set(), "german": set(), "other": set()}),
])
def test_who_may_take_which_step_in_each_stage(people, status, expected):
    from accounts.permissions import review_actions

    p = people
    p["other"] = make_researcher()  # a researcher not assigned to this study
    CaseStudy.objects.filter(pk=p["case_study"].pk).update(status=status)
    case_study = CaseStudy.objects.get()
    for role, actions in expected.items():
        assert set(review_actions(p[role], case_study)) == actions, role


def test_publishing_a_new_version_replaces_the_pdf_anonymous_visitors_get(
        people, client, django_assert_num_queries, django_capture_on_commit_callbacks):
    p = people
    with django_capture_on_commit_callbacks(execute=True):
        publish(p)
    url = f"/de/fallstudien/{p['case_study'].pk}/pdf/"
    assert "v2.pdf" in client.get(url)["Content-Disposition"]
    with django_assert_num_queries(0):  # answered from the cache, before the view
        assert "v2.pdf" in client.get(url)["Content-Disposition"]
    casestudy_save(case_study=p["case_study"], base_version=2, by=p["author"],
                   changes={"context": "Neue Fassung."})
    with django_capture_on_commit_callbacks(execute=True):
        publish(p)
    assert "v3.pdf" in client.get(url)["Content-Disposition"]
