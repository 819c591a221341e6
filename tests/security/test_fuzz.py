"""Every form fuzzed: hostile posts never give a 500, and invalid input saves nothing.

For each form-handling URL in ``TARGETS`` below, Hypothesis posts dictionaries built from
the form's real field names (see ``tests/security/strategies.py``). For every example:

* the status is below 500;
* a response that is not a success redirect leaves the database as it was: the row count
  of every table (history tables included) and the fields of the objects concerned.

Each example runs in a savepoint that is rolled back afterwards, so every post meets the
same small world. ``FUZZ_EXAMPLES`` sets the examples per form (default 30).
"""

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.forms import ExpressionOfInterestForm
from applications.services import eoi_start
from casestudies.enums import ReviewAction
from casestudies.models import CaseStudy
from casestudies.services import Item, casestudy_save, categories_ensure
from events.services import event_create, registration_create
from notifications.registry import REMINDER_KINDS
from programme.models import CityContact, Topic
from programme.services import join_request_create
from tandems.enums import DocumentKind, MeetingFormat, MeetingStatus
from tandems.services import meeting_set_status, minutes_save
from tests.casestudies.conftest import make_case_study, make_researcher
from tests.factories import (
    CallFactory,
    CityFactory,
    TopicFactory,
    UserFactory,
    meeting_factory,
    member_contact,
    tandem_factory,
)
from tests.security.strategies import PDF, hostile, ints, posts, uploads, value

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])
RUN: dict[str, int] = {}  # examples posted, per form
STARTED = time.monotonic()


@dataclass
class Case:
    """One form-handling URL, who posts to it, and what a post may hold."""

    url: str
    user: Any  # None: posted anonymously
    good: dict  # field name -> strategy of a good value
    hidden: dict = field(default_factory=dict)  # hidden field -> strategy of tampered values
    watch: list = field(default_factory=list)  # objects whose fields must not change
    success: Any = None  # response -> bool; by default any redirect
    may_save: Any = None  # data -> bool: a non-redirect that may still keep a valid draft

    def is_success(self, response) -> bool:
        if self.success is not None:
            return self.success(response)
        return response.status_code in (301, 302, 303)


def j(*values):
    return st.sampled_from(values) if len(values) > 1 else st.just(values[0])


# -- the small world, per form ------------------------------------------------------------


def _open_call():
    now = timezone.now()
    return CallFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
                       is_practice=True)


def eoi_start_case():
    call = _open_call()
    CityFactory(name="Schon da", ags="05114000")
    return Case(f"/de/interessenbekundung/neu/{call.pk}/", UserFactory(), {
        "name": j("Krefeld", "Neustadt"), "ags": j("05114000", "09162000", "05315000"),
        "population": j("227000", "1")})


def eoi_edit_case():
    call = _open_call()
    clerk = UserFactory()
    eoi = eoi_start(call=call, city=CityFactory(ags="05114000"), user=clerk,
                    now=timezone.now())
    topics = list(Topic.objects.all()) or [TopicFactory(slug="open-data")]
    years = [str(y) for y in call.programme.meeting_years]

    def form_is_valid(data):
        from django.http import QueryDict

        query = QueryDict(mutable=True)
        for name, posted in data.items():
            query.setlist(name, posted if isinstance(posted, list) else [posted])
        return ExpressionOfInterestForm(query, topics=Topic.objects.all(),
                                        meeting_years=call.programme.meeting_years).is_valid()

    good = {
        "save": j("1"), "submit": j("1"), "population": j("227000"),
        "contact_name": j("Katrin Kommune"), "contact_function": j("Referentin"),
        "contact_department": j("Digitales"), "contact_email": j("k@krefeld.example"),
        "contact_phone": j("+49 2151 86-0"), "experience": j("Open Data seit 2019."),
        "motivation": j("Wir wollen lernen."), "preferred_countries": j(["NL", "BG"], ["FR"]),
        "working_languages": j("Deutsch, Englisch"),
        "meeting_years": st.lists(st.sampled_from(years), max_size=3),
        "consent": j("on"),
        **{f"topic_{t.slug}": j("lighthouse", "follower", "") for t in topics[:4]},
    }
    hidden = {"status": j("submitted", "accepted"), "reference": j("VIE-2022-001"),
              "call": ints(call.pk), "city": ints(eoi.city_id), "consent_at": j("2020-01-01")}
    return Case(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/", clerk, good, hidden,
                watch=[eoi, eoi.city],
                # A valid draft is kept when only the submission is refused (rule 7).
                may_save=lambda data: "submit" in data and form_is_valid(data))


def decide_join_case():
    city = CityFactory()
    contact = UserFactory()
    CityContact.objects.create(user=contact, city=city, verified_at=timezone.now())
    request = join_request_create(user=UserFactory(), city=city, now=timezone.now())
    # "next" values with a slash here; a bare word has its own test below.
    return Case(f"/de/interessenbekundung/anfrage/{request.pk}/", contact, {
        "decision": st.one_of(j("approve", "decline"), hostile)}, {
        "next": j("/de/", "https://evil.example/", "//evil.example", "/\\evil.example",
                  "javascript:alert(1)", "http:///evil.example", "/de/<script>/")},
        watch=[request])


@dataclass
class Tandem:
    tandem: Any
    member: Any
    planned: Any  # a 2024 meeting
    held: Any  # a 2023 meeting that took place
    other_city: Any  # a city of another tandem

    @property
    def base(self):
        return f"/de/tandems/{self.tandem.pk}/meetings/"


def _tandem():
    tandem = tandem_factory()
    planned = meeting_factory(tandem, starts_at=datetime(2024, 3, 5, 10, tzinfo=BERLIN))
    held = meeting_factory(tandem, starts_at=datetime(2023, 5, 10, 10, tzinfo=BERLIN))
    held = meeting_set_status(meeting=held, status=MeetingStatus.HELD,
                              now=datetime(2023, 5, 11, 9, tzinfo=BERLIN))
    other = tandem_factory()
    return Tandem(tandem, member_contact(tandem), planned, held,
                  other.memberships.first().city)


def _meeting_fields(world):
    hosts = [m.city_id for m in world.tandem.memberships.all()]
    return {
        "title": j("Abschlusstreffen"),
        "starts_at": j("2024-10-09T10:00", "2024-03-05T10:00", "2022-01-01T00:00"),
        "ends_at": j("2024-10-09T16:00", "2024-03-05T12:00"),
        "format": st.sampled_from(MeetingFormat.values), "host": ints(*hosts),
        "place": j("Rathaus"), "link": j("", "https://meet.example/x", "javascript:alert(1)"),
        "agenda": j("1. Begrüßung"), "participants": j("Alle"),
    }


def meeting_create_case():
    world = _tandem()
    return Case(f"/de/tandems/{world.tandem.pk}/meetings/new/", world.member,
                _meeting_fields(world), {"host": ints(world.other_city.pk),
                                         "tandem": ints(world.tandem.pk),
                                         "status": j("held", "cancelled"),
                                         "slot": j("1", "2", "3"), "year": j("2025")},
                watch=[world.tandem, world.planned, world.held])


def meeting_edit_case():
    world = _tandem()
    return Case(f"{world.base}{world.planned.pk}/edit/", world.member, _meeting_fields(world),
                {"host": ints(world.other_city.pk), "status": j("cancelled"),
                 "tandem": ints(world.tandem.pk)},
                watch=[world.tandem, world.planned, world.held])


def meeting_status_case():
    world = _tandem()
    return Case(f"{world.base}{world.planned.pk}/status/", world.member,
                {"status": st.sampled_from(MeetingStatus.values)},
                watch=[world.planned, world.held])


def minutes_case():
    # Minutes exist (version 1), so a tampered version meets a real conflict; a tampered
    # version before the first minutes has its own test below.
    world = _tandem()
    minutes = minutes_save(meeting=world.held, text="Erste Fassung", base_version=0,
                           by=world.member, now=datetime(2023, 5, 11, 9, tzinfo=BERLIN))
    return Case(f"{world.base}{world.held.pk}/minutes/", world.member,
                {"text": j("Protokoll: alle waren da."), "version": j("1")},
                {"version": ints(0, 1, 2)}, watch=[world.held, minutes])


def document_case():
    world = _tandem()
    return Case(f"{world.base}{world.held.pk}/documents/", world.member, {
        "document-kind": st.sampled_from(DocumentKind.values),
        "document-file": st.one_of(uploads, st.builds(
            lambda: SimpleUploadedFile("agenda.pdf", PDF, "application/pdf"))),
    }, {"kind": j("agenda"), "file": hostile, "document-file": hostile},
        watch=[world.held])


def _event(programme, days=30):
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    return event_create(programme=programme, title="Netzwerkworkshop", starts_at=start,
                        ends_at=start + timedelta(hours=6),
                        registration_closes_at=start - timedelta(days=3), capacity=1,
                        place="Berlin")


def register_case():
    tandem = tandem_factory()
    member = member_contact(tandem)
    other = tandem_factory().memberships.first().city
    event = _event(tandem.programme)
    own = member.city_contacts.get().city
    return Case(f"/de/veranstaltungen/{event.pk}/register/", member,
                {"city": ints(own.pk)}, {"city": ints(other.pk), "status": j("confirmed"),
                                         "user": ints(member.pk)}, watch=[event])


def unregister_case():
    tandem = tandem_factory()
    member = member_contact(tandem)
    event = _event(tandem.programme)
    waiting = member_contact(tandem)
    registration_create(event=event, user=waiting, city=waiting.city_contacts.get().city)
    mine = registration_create(event=event, user=member, city=member.city_contacts.get().city)
    return Case(f"/de/veranstaltungen/{event.pk}/unregister/", member, {},
                {"registration": ints(mine.pk), "user": ints(waiting.pk)}, watch=[event, mine])


def _case_study():
    categories_ensure()
    researcher = make_researcher()
    case_study = make_case_study(researchers=[researcher], by=researcher)
    return researcher, case_study


def casestudy_edit_case():
    researcher, cs = _case_study()
    good = {"version": j(str(cs.version)), "title": j("Fallstudie Krefeld – Venlo"),
            "language": j("de", "en"), "action": j("save", "preview"),
            **{name: j("Ein Absatz mit *Markdown*.") for name in CaseStudy.SECTIONS},
            "items-TOTAL_FORMS": j("1", "2"), "items-INITIAL_FORMS": j("0"),
            "items-MIN_NUM_FORMS": j("0"), "items-MAX_NUM_FORMS": j("1000"),
            "items-0-kind": j("barrier", "driver"), "items-0-category": j("funding"),
            "items-0-level": j("local", "european"), "items-0-text": j("Kein Budget"),
            "items-0-ORDER": j("1", "2"), "items-0-DELETE": j("", "on"),
            "items-1-kind": j("driver"), "items-1-category": j("political-support"),
            "items-1-level": j("local"), "items-1-text": j("Rückhalt"),
            "items-1-ORDER": j("1")}
    # Small tampered counts here: a huge one makes the page render the formset's absolute
    # maximum (1,060 rows, ~4 s a post); it has a test of its own below.
    counts = j("-1", "-2147483649", "0", "3", "61", "abc", "", " ", "1.0", "١")
    hidden = {"version": ints(cs.version), "items-TOTAL_FORMS": counts,
              "items-INITIAL_FORMS": counts, "items-MAX_NUM_FORMS": counts,
              "items-MIN_NUM_FORMS": counts, "items-5000-text": j("x"),
              "status": j("published"), "published_version": j("1")}
    return Case(f"/de/fallstudien/{cs.pk}/edit/", researcher, good, hidden, watch=[cs])


def review_case():
    researcher, cs = _case_study()
    cities = [m.city_id for m in cs.tandem.memberships.all()]
    return Case(f"/de/fallstudien/{cs.pk}/review/", researcher, {
        "action": st.sampled_from(ReviewAction.values), "city": ints(*cities),
        "comment": j("Bitte prüfen.")}, {"status": j("published")}, watch=[cs])


def restore_case():
    researcher, cs = _case_study()
    cs = casestudy_save(case_study=cs, base_version=cs.version, by=researcher,
                        changes={"title": "Zweite Fassung"},
                        items=[Item("barrier", "funding", "local", "Kein Budget")])
    detail = cs.get_absolute_url()
    return Case(f"/de/fallstudien/{cs.pk}/versions/1/restore/", researcher,
                {"base_version": j(str(cs.version))}, {"base_version": ints(cs.version)},
                watch=[cs], success=lambda r: r.status_code == 302 and r.url == detail)


def city_profile_case():
    city = CityFactory(name="Utrecht", country="NL", ags=None, time_zone="Europe/Amsterdam")
    user = UserFactory()
    CityContact.objects.create(user=user, city=city, verified_at=timezone.now())
    topics = list(Topic.objects.all()) or [TopicFactory(slug="open-data")]
    return Case(f"/de/partner/city/{city.pk}/", user, {
        "population": j("361000"), "languages": j("nl,en"),
        "time_zone": j("Europe/Amsterdam", "UTC", "Europe/Berlin"),
        **{f"topic_{t.slug}": j("lighthouse", "follower", "") for t in topics[:4]},
    }, {"name": j("Evil"), "country": j("DE"), "ags": j("05114000")}, watch=[city])


def delete_account_case():
    user = UserFactory()
    return Case("/de/accounts/delete/", user, {"password": st.one_of(
        hostile, j("correct horse batter", "CORRECT HORSE BATTERY"))}, {
        "user": ints(user.pk)}, watch=[user])


def reminders_case():
    user = UserFactory()
    kinds = list(REMINDER_KINDS) or ["minutes_missing"]
    return Case("/de/accounts/reminders/", user, {
        "enabled": st.lists(st.sampled_from(kinds), max_size=len(kinds), unique=True)},
        {"user": ints(user.pk)}, watch=[user])


def signup_case():
    UserFactory(email="vergeben@example.org")
    return Case("/de/accounts/signup/", None, {
        "email": j("neu@example.org", "vergeben@example.org", "ohne-at.example.org"),
        "password1": j("Ein langes Passwort 2024!"), "password2": j("Ein langes Passwort 2024!"),
        "name": j("Neue Person"), "language": j("de", "en")}, {"is_staff": j("on")})


def login_case():
    UserFactory(email="da@example.org")
    return Case("/de/accounts/login/", None, {
        "login": j("da@example.org", "nicht@example.org"), "password": value(j("falsch")),
        "remember": j("on")}, {"next": j("https://evil.example/", "//evil.example")})


TARGETS = {
    "applications:start": eoi_start_case,
    "applications:edit": eoi_edit_case,
    "applications:decide_join": decide_join_case,
    "tandems:meeting_create": meeting_create_case,
    "tandems:meeting_edit": meeting_edit_case,
    "tandems:meeting_status": meeting_status_case,
    "tandems:minutes": minutes_case,
    "tandems:document_upload": document_case,
    "events:register": register_case,
    "events:unregister": unregister_case,
    "casestudies:edit": casestudy_edit_case,
    "casestudies:review": review_case,
    "casestudies:restore": restore_case,
    "programme:city_profile": city_profile_case,
    "accounts:delete": delete_account_case,
    "notifications:preferences": reminders_case,
    "account_signup": signup_case,
    "account_login": login_case,
}


# -- what "nothing saved" means -------------------------------------------------------------


def _models():
    return [m for m in apps.get_models() if m is not Session and not m._meta.proxy
            and m._meta.managed]


def snapshot(case: Case) -> dict:
    counts = {m._meta.label: m._default_manager.count() for m in _models()}
    fields = {f"{type(o)._meta.label}:{o.pk}": type(o)._default_manager.filter(pk=o.pk)
              .values().first() for o in case.watch}
    return {"counts": counts, "fields": fields}


def differences(before: dict, after: dict) -> dict:
    changed = {k: (v, after["counts"][k]) for k, v in before["counts"].items()
               if after["counts"][k] != v}
    changed.update({k: "fields changed" for k, v in before["fields"].items()
                    if after["fields"][k] != v})
    return changed


def _local(url: str) -> bool:
    parts = urlparse(url)
    return not parts.netloc or parts.netloc == "testserver"


@pytest.fixture
def case(request, db):
    return TARGETS[request.param]()


@pytest.mark.parametrize("case", list(TARGETS), indirect=True)
@FUZZ
@given(draw=st.data())
def test_hostile_posts_never_fail_and_invalid_ones_save_nothing(case, draw, request):
    name = request.node.callspec.params["case"]
    data = draw.draw(posts(case.good, case.hidden), label="post")
    RUN[name] = RUN.get(name, 0) + 1
    client = Client(raise_request_exception=False)
    with transaction.atomic():
        if case.user is not None:
            client.force_login(case.user)
        before = snapshot(case)
        response = client.post(case.url, data)
        after = snapshot(case)
        transaction.set_rollback(True)
    assert response.status_code < 500, response.content[:2000]
    if response.status_code in (301, 302, 303):
        assert _local(response.url), f"redirect off the site: {response.url}"
    if not case.is_success(response) and not (case.may_save and case.may_save(data)):
        assert differences(before, after) == {}, f"saved on a {response.status_code}"


@pytest.mark.parametrize("total", ["100000"])
def test_a_huge_formset_count_on_the_case_study_is_refused_and_saves_nothing(total):
    case = casestudy_edit_case()
    client = Client(raise_request_exception=False)
    client.force_login(case.user)
    before = snapshot(case)
    response = client.post(case.url, {"version": "1", "title": "x", "language": "de",
                                      "items-TOTAL_FORMS": total, "items-INITIAL_FORMS": "0",
                                      "items-0-kind": "barrier", "items-0-category": "funding",
                                      "items-0-level": "local", "items-0-text": "x"})
    assert response.status_code == 400
    assert differences(before, snapshot(case)) == {}


def test_minutes_with_a_tampered_version_before_the_first_save_is_not_a_500():
    world = _tandem()
    client = Client(raise_request_exception=False)
    client.force_login(world.member)
    before = snapshot(Case("", None, {}, watch=[world.held]))
    response = client.post(f"{world.base}{world.held.pk}/minutes/",
                           {"text": "Protokoll: alle waren da.", "version": "1"})
    assert response.status_code < 500
    assert differences(before, snapshot(Case("", None, {}, watch=[world.held]))) == {}


def test_a_join_decision_with_a_next_that_is_no_url_is_not_a_500():
    case = decide_join_case()
    client = Client(raise_request_exception=False)
    client.force_login(case.user)
    response = client.post(case.url, {"decision": "approve", "next": "0"})
    assert response.status_code < 500


@pytest.mark.parametrize("population", ["2147483648", "9" * 20])
def test_a_population_too_big_for_its_column_is_a_message_not_a_500(population):
    """A partner city's profile, and the start of an expression of interest."""
    case = city_profile_case()
    client = Client(raise_request_exception=False)
    client.force_login(case.user)
    before = snapshot(case)
    response = client.post(case.url, {"population": population, "languages": "nl",
                                      "time_zone": "Europe/Amsterdam"})
    assert response.status_code == 400
    assert "population" in response.context["form"].errors
    assert differences(before, snapshot(case)) == {}
    start = eoi_start_case()
    client.force_login(start.user)
    response = client.post(start.url, {"name": "Neustadt", "ags": "09162000",
                                       "population": population})
    assert response.status_code == 400
    assert response.context["form"].errors


def test_zz_fuzz_summary():
    """Print how many hostile posts were made (run with ``-s`` to see it)."""
    total = sum(RUN.values())
    print(f"\nfuzz: {total} examples over {len(RUN)} forms in "
          f"{time.monotonic() - STARTED:.0f} s ({EXAMPLES} per form)")
    for name, count in sorted(RUN.items()):
        print(f"  {name}: {count}")
