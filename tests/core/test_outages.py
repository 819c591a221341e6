"""Redis down (cache and broker at a port nobody listens on): every page and form still works.

Each form of the fuzz list (``tests/security/test_fuzz.py``, ``TARGETS``) gets its good post
twice, each time in a savepoint that is rolled back: once with the cache working, once with
Redis down. With Redis down the answer is the same (below 500), the same rows are written,
and every mail waits in the outbox (pending) for the sweep, since publishing to the broker
failed. The rate limits are on, so their cache locks and counters are on the path too.
"""

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, find
from hypothesis import settings as hypothesis_settings

from casestudies.enums import CaseStudyStatus
from casestudies.services import casestudy_save
from notifications.enums import MessageState
from notifications.models import Message
from tandems.services import calendar_feed_get
from tests.casestudies.conftest import make_case_study, make_researcher, set_status
from tests.factories import UserFactory, member_contact, tandem_factory
from tests.security.test_fuzz import TARGETS, differences, snapshot
from tests.support import celery_conf, closed_port

pytestmark = pytest.mark.django_db

# The first good value of each field, the same every time (no example database), on a
# machine of any speed (no deadline, no health check about slowness).
FIRST = hypothesis_settings(database=None, max_examples=10, deadline=None,
                            suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def _limits_on(settings):
    """The limits as in production (allauth's defaults and the submission limit)."""
    settings.RATE_LIMITS = True
    del settings.ACCOUNT_RATE_LIMITS


@contextmanager
def redis_down():
    """Cache and broker at a port nobody listens on; mails published for real, not eagerly."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    caches = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": url}}
    # The Celery app reads Django's settings live: its own change goes outside, so that it
    # puts back the broker of before.
    with celery_conf(broker_url=url, task_always_eager=False), \
            override_settings(CACHES=caches, CELERY_BROKER_URL=url):
        yield


# Where the first of a case's good values is not a post that succeeds (a wrong password, a
# municipality the case's world already has, a status the meeting already has): the values
# of a person who gets it right. The test checks that each post succeeds with Redis up.
SUCCEEDING = {
    "account_login": {"password": "correct horse battery"},
    "accounts:delete": {"password": "correct horse battery"},
    "applications:start": {"ags": "09162000"},
    "tandems:meeting_status": {"status": "cancelled"},
    "casestudies:review": {"action": "submit", "city": ""},
}
# A log-in stores only the session, which the snapshot leaves out.
STORES_NOTHING = {"account_login"}


def good_post(name, case) -> dict:
    """What a person who fills in the form correctly sends (fresh files each time)."""
    return {**{field: find(strategy, lambda _value: True, settings=FIRST)
               for field, strategy in case.good.items()}, **SUCCEEDING.get(name, {})}


@dataclass
class Outcome:
    status: int
    succeeded: bool
    changes: dict
    mail_states: list


def post_and_roll_back(name, case, capture) -> Outcome:
    client = Client(raise_request_exception=False)
    with transaction.atomic():
        if case.user is not None:
            client.force_login(case.user)
        before = snapshot(case)
        last_mail = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with capture(execute=True):  # after the commit: hand the mails to the broker
            response = client.post(case.url, good_post(name, case))
        after = snapshot(case)
        states = list(Message.objects.filter(pk__gt=last_mail).values_list("state", flat=True))
        transaction.set_rollback(True)
    return Outcome(response.status_code, case.is_success(response),
                   differences(before, after), states)


@pytest.mark.parametrize("name", list(TARGETS))
def test_every_form_answers_and_saves_the_same_with_redis_down(
        name, django_capture_on_commit_callbacks, caplog):
    case = TARGETS[name]()
    working = post_and_roll_back(name, case, django_capture_on_commit_callbacks)
    assert working.succeeded, f"the good post is refused with Redis up: {working.status}"
    assert working.changes or name in STORES_NOTHING, "the good post must save something"
    with redis_down():
        down = post_and_roll_back(name, case, django_capture_on_commit_callbacks)
    assert down.status < 500
    assert (down.status, down.changes) == (working.status, working.changes)
    assert len(down.mail_states) == len(working.mail_states)
    assert set(down.mail_states) <= {MessageState.PENDING}, "mails wait for the sweep"
    if down.mail_states:
        assert "Broker unavailable" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_with_redis_down_redirects_and_its_mail_waits_in_the_outbox(caplog):
    # Committed for real (transaction=True): the mail is handed to the broker inside the
    # request, as in production.
    user = UserFactory(email="vergessen@example.org")
    with redis_down():
        response = Client().post("/de/accounts/password/reset/",
                                 {"email": "vergessen@example.org"})
    assert (response.status_code, response.url) == (302, "/de/accounts/password/reset/done/")
    mail = Message.objects.get(recipient=user)
    assert (mail.state, mail.tries) == (MessageState.PENDING, 0)
    assert "Broker unavailable" in caplog.text
    assert "Redis cache at redis://127.0.0.1:" in caplog.text


def test_logging_in_with_redis_down_works():
    UserFactory(email="da@example.org")
    client = Client()
    with redis_down():
        response = client.post("/de/accounts/login/",
                               {"login": "da@example.org", "password": "correct horse battery"})
        assert response.status_code == 302
        assert SESSION_KEY in client.session
        assert client.get("/de/accounts/email/").status_code == 200  # a logged-in page


def test_signing_up_with_redis_down_works_and_the_confirmation_waits(
        django_capture_on_commit_callbacks):
    with redis_down(), django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/de/accounts/signup/", {
            "email": "neu@example.org", "password1": "Ein langes Passwort 2024!",
            "password2": "Ein langes Passwort 2024!", "name": "Neue Person",
            "language": "de"})
    assert response.status_code == 302
    assert Message.objects.get(to_email="neu@example.org").state == MessageState.PENDING


@pytest.fixture
def pages(seeded):
    """A page of each kind that reads or writes the cache, with who may read it."""
    researcher = make_researcher()
    draft = make_case_study(researchers=[researcher], by=researcher)
    draft = casestudy_save(case_study=draft, base_version=draft.version, by=researcher,
                           changes={"context": "Ein Absatz mit *Markdown*."})
    published = set_status(casestudy_save(
        case_study=make_case_study(), base_version=1, by=researcher,
        changes={"context": "Veröffentlicht, mit *Markdown*."}), CaseStudyStatus.PUBLISHED)
    tandem = tandem_factory()
    member = member_contact(tandem)
    feed = calendar_feed_get(user=member)
    clerk = UserFactory()
    return [
        (None, "/de/"), (None, "/en/"), (None, "/de/infoblatt.pdf"),
        (None, "/de/accounts/login/"), (None, "/de/accounts/signup/"),
        (None, "/de/accounts/password/reset/"),
        (None, f"/de/fallstudien/{published.pk}/"),
        (None, f"/de/fallstudien/{published.pk}/pdf/"),
        (researcher, f"/de/fallstudien/{draft.pk}/"),
        (researcher, f"/de/fallstudien/{draft.pk}/pdf/"),
        (member, f"/de/tandems/{tandem.pk}/"), (None, f"/calendar/{feed.token}.ics"),
        (clerk, "/de/interessenbekundung/"),
    ]


def test_every_page_that_uses_the_cache_answers_with_redis_down(pages):
    with redis_down():
        for user, path in pages:
            client = Client()
            if user is not None:
                client.force_login(user)
            # Twice: the second visit of a public page looks it up in the page cache.
            statuses = [client.get(path).status_code for _ in range(2)]
            assert statuses == [200, 200], path
