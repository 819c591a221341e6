from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from applications.enums import EoiStatus
from applications.models import ExpressionOfInterest
from applications.services import eoi_start
from programme.models import City
from tests.factories import CallFactory, CityFactory, StaffFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
OPEN = datetime(2022, 2, 20, 10, 0, tzinfo=BERLIN)
CLOSED = datetime(2022, 2, 26, 0, 0, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def during_the_call():
    with time_machine.travel(OPEN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def call():
    return CallFactory(programme__slug="vie")


@pytest.fixture
def clerk(client):
    user = UserFactory(language="de", name="Katrin Kommune")
    client.force_login(user)
    return user


@pytest.fixture
def eoi(call, clerk):
    return eoi_start(call=call, city=CityFactory(name="Krefeld", ags="05114000"), user=clerk,
                     now=OPEN)


def form_data(**changes):
    data = {"contact_name": "Katrin Kommune", "contact_email": "k@krefeld.example",
            "motivation": "Wir wollen lernen.", "meeting_years": ["2022", "2023"],
            "consent": "on", "topic_open-data": "lighthouse"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_start_creates_a_draft_for_the_municipality(client, call, clerk):
    response = client.post(f"/de/interessenbekundung/neu/{call.pk}/",
                           {"name": "Krefeld", "ags": "05114000", "population": "227000"})
    eoi = ExpressionOfInterest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{eoi.pk}/bearbeiten/")
    assert str(City.objects.get(ags="05114000").land) == "Nordrhein-Westfalen"


@pytest.mark.parametrize(("ags", "message"), [
    ("1234", "genau acht Ziffern"), ("99114000", "von 01 bis 16")])
def test_start_with_a_bad_ags_explains_it_in_german(client, call, clerk, ags, message):
    response = client.post(f"/de/interessenbekundung/neu/{call.pk}/", {"name": "X", "ags": ags})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExpressionOfInterest.objects.exists()


def test_second_person_is_told_the_municipality_already_applied(client, call, eoi):
    client.force_login(UserFactory())
    response = client.post(f"/de/interessenbekundung/neu/{call.pk}/",
                           {"name": "Krefeld", "ags": "05114000"})
    assert response.status_code == 400
    assert "gibt es in diesem Aufruf bereits" in response.content.decode()
    assert ExpressionOfInterest.objects.count() == 1


def test_save_draft_redirects_so_a_refresh_creates_nothing(client, eoi):
    TopicFactory(slug="open-data")
    response = client.post(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/",
                           form_data(save=""))
    assert response.status_code == 302
    eoi.refresh_from_db()
    assert (eoi.status, eoi.motivation) == (EoiStatus.DRAFT, "Wir wollen lernen.")
    assert ExpressionOfInterest.objects.count() == 1


def test_incomplete_submission_shows_errors_and_keeps_the_draft(client, eoi):
    TopicFactory(slug="open-data")
    response = client.post(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/",
                           form_data(submit="", consent=None, experience="Viel Erfahrung"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Bitte korrigieren Sie Folgendes" in html
    assert "Bitte willigen Sie in die Verarbeitung Ihrer Daten ein" in html
    eoi.refresh_from_db()
    assert (eoi.status, eoi.experience) == (EoiStatus.DRAFT, "Viel Erfahrung")


def test_submission_confirms_with_reference_and_mail(client, eoi,
                                                    django_capture_on_commit_callbacks):
    TopicFactory(slug="open-data")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/",
                               form_data(submit=""), follow=True)
    assert response.status_code == 200
    assert "VIE-2022-0001" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments


def test_too_long_motivation_is_refused(client, eoi):
    response = client.post(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/",
                           form_data(save="", motivation="x" * 2001))
    assert response.status_code == 400
    eoi.refresh_from_db()
    assert eoi.motivation == ""


def test_tampered_topic_role_is_refused(client, eoi):
    TopicFactory(slug="open-data")
    response = client.post(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/",
                           form_data(save="", **{"topic_open-data": "boss"}))
    assert response.status_code == 400
    assert not eoi.topic_interests.exists()


def test_another_municipalitys_entry_is_not_found(client, eoi):
    client.force_login(UserFactory())
    for suffix in ["", "bearbeiten/", "pdf/"]:
        assert client.get(f"/de/interessenbekundung/{eoi.pk}/{suffix}").status_code == 404
    assert client.post(f"/de/interessenbekundung/{eoi.pk}/zurueckziehen/").status_code == 404


def test_after_the_close_the_form_is_a_notice_and_a_post_saves_nothing(
    client, eoi, during_the_call
):
    during_the_call.move_to(CLOSED)
    page = client.get(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/")
    assert "Der Aufruf ist beendet" in page.content.decode()
    assert "25. Februar 2022, 23:59 Uhr (MEZ)" in page.content.decode()
    response = client.post(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/", form_data(save=""))
    assert response.status_code == 400
    eoi.refresh_from_db()
    assert eoi.motivation == ""


def test_after_the_close_reading_pdf_and_withdrawing_still_work(client, eoi, during_the_call):
    during_the_call.move_to(CLOSED)
    assert client.get(f"/de/interessenbekundung/{eoi.pk}/").status_code == 200
    pdf = client.get(f"/de/interessenbekundung/{eoi.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    client.post(f"/de/interessenbekundung/{eoi.pk}/zurueckziehen/")
    eoi.refresh_from_db()
    assert eoi.status == EoiStatus.WITHDRAWN


def test_my_applications_lists_only_mine(client, eoi, call):
    eoi_start(call=call, city=CityFactory(name="Hamm"), user=UserFactory(), now=OPEN)
    html = client.get("/de/interessenbekundung/").content.decode()
    assert "Krefeld" in html and "Hamm" not in html


def test_form_queries_do_not_grow_with_topics(client, eoi):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(method):
        with CaptureQueriesContext(connection) as captured:
            if method == "get":
                client.get(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/")
            else:
                client.post(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/",
                            form_data(save="", **{"topic_open-data": None}))
        return len(captured)

    TopicFactory.create_batch(2)
    count("get")
    few = (count("get"), count("post"))
    TopicFactory.create_batch(20)
    assert (count("get"), count("post")) == few


@pytest.mark.parametrize("kind", ["json", "no-button"])
def test_a_post_that_is_not_the_form_changes_nothing(client, eoi, kind):
    from applications.services import eoi_update

    eoi_update(eoi=eoi, data={"motivation": "Bleibt"}, topics={}, consent=False, now=OPEN)
    url = f"/de/interessenbekundung/{eoi.pk}/bearbeiten/"
    if kind == "json":
        response = client.post(url, '{"motivation": ""}', content_type="application/json")
        assert response.status_code == 415
    else:
        response = client.post(url, {"motivation": ""})
        assert response.status_code == 400
    eoi.refresh_from_db()
    assert eoi.motivation == "Bleibt"


def test_saving_queries_do_not_grow_with_the_topics_chosen(client, eoi):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    topics = TopicFactory.create_batch(20)
    counts = []
    for chosen in (topics[:2], topics):
        eoi.topic_interests.all().delete()
        data = form_data(save="", **{"topic_open-data": None})
        data.update({f"topic_{t.slug}": "follower" for t in chosen})
        with CaptureQueriesContext(connection) as captured:
            assert client.post(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/",
                               data).status_code == 302
        counts.append(len(captured))
        assert eoi.topic_interests.count() == len(chosen)
    assert counts[0] == counts[1]


def test_saving_too_often_is_limited_and_keeps_what_was_saved(client, eoi, settings):
    settings.RATE_LIMITS = True
    settings.SUBMISSION_RATE_LIMITS = {"expression_of_interest": "2/h"}
    url = f"/de/interessenbekundung/{eoi.pk}/bearbeiten/"
    for text in ("Erste Fassung.", "Zweite Fassung."):
        assert client.post(url, form_data(motivation=text, save="1")).status_code == 302
    response = client.post(url, form_data(motivation="Dritte Fassung.", save="1"))
    assert response.status_code == 429
    assert "Bitte warten Sie" in response.content.decode()
    eoi.refresh_from_db()
    assert eoi.motivation == "Zweite Fassung."
    assert client.get(url).status_code == 200  # reading the form is never limited


def test_without_rate_limits_a_benchmark_may_save_as_often_as_it_likes(client, eoi, settings):
    settings.RATE_LIMITS = False
    settings.SUBMISSION_RATE_LIMITS = {"expression_of_interest": "1/h"}
    url = f"/de/interessenbekundung/{eoi.pk}/bearbeiten/"
    for n in range(3):
        assert client.post(url, form_data(motivation=f"Fassung {n}", save="1")).status_code == 302


def test_a_superuser_reads_an_entry_but_changes_it_only_in_the_admin(eoi, client):
    client.force_login(StaffFactory(is_superuser=True))
    page = client.get(f"/de/interessenbekundung/{eoi.pk}/")
    assert page.status_code == 200 and not page.context["can_edit"]
    assert client.get(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/").status_code == 404
    response = client.post(f"/de/interessenbekundung/{eoi.pk}/bearbeiten/",
                           {"save": "1", "motivation": "Vom Superuser"})
    assert response.status_code == 404
    eoi.refresh_from_db()
    assert eoi.motivation != "Vom Superuser"
