"""Case-study fixtures: researchers, tandems and case studies made through the services."""

import pytest
from django.contrib.auth.models import Group
from django.db.models import F
from django.utils import timezone

from accounts.enums import RESEARCHERS_GROUP
from casestudies.enums import CaseStudyStatus
from casestudies.models import CaseStudy
from casestudies.services import Item, casestudy_create, categories_ensure
from core.page_cache import forget_public_pages
from tests.factories import CityFactory, UserFactory, tandem_factory

FUNDING = Item("barrier", "funding", "local", "Kein Budget für Sensorik")
SKILLS = Item("barrier", "staff-skills", "local", "Zu wenig Personal für die Auswertung")
POLITICS = Item("driver", "political-support", "local", "Rückhalt des Oberbürgermeisters")
EU = Item("driver", "funding", "european", "EU-Förderung für die Pilotphase")


def make_researcher(**fields):
    """A user in the researchers group (assigned to no case study yet)."""
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get_or_create(name=RESEARCHERS_GROUP)[0])
    return user


def make_tandem(german="Krefeld", partner="Venlo"):
    return tandem_factory(german=CityFactory(name=german),
                          partner=CityFactory(name=partner, country="NL", ags=None,
                                              time_zone="Europe/Amsterdam"))


def set_status(case_study, status) -> None:
    """Put ``case_study`` in ``status`` directly, as the review workflow would have; a
    published one also gets its published version."""
    published = ({"published_version": F("version"), "published_at": timezone.now()}
                 if status == CaseStudyStatus.PUBLISHED
                 else {"published_version": None, "published_at": None})
    CaseStudy.objects.filter(pk=case_study.pk).update(status=status, **published)
    if status == CaseStudyStatus.PUBLISHED:
        forget_public_pages("casestudies:pdf", case_study.pk)  # as publishing does
    case_study.refresh_from_db()
    return case_study


def make_case_study(*, tandem=None, title=None, status=None, researchers=(), by=None,
                    **fields) -> CaseStudy:
    """A case study started through the service (version 1); ``status`` is set directly,
    as the review workflow would have set it."""
    tandem = tandem or tandem_factory()
    case_study = casestudy_create(tandem=tandem, title=title or f"Fallstudie {tandem}",
                                  researchers=researchers, by=by, **fields)
    if status is not None:
        set_status(case_study, status)
    return case_study


@pytest.fixture
def researcher(db):
    return make_researcher()


@pytest.fixture
def tandem(db):
    return make_tandem()


@pytest.fixture
def case_study(tandem, researcher):
    """The Krefeld – Venlo case study, version 1, with ``researcher`` assigned."""
    return make_case_study(tandem=tandem, title="Fallstudie Krefeld – Venlo",
                           researchers=[researcher], by=researcher)


@pytest.fixture
def case_study_factory(db):
    return make_case_study


@pytest.fixture(autouse=True)
def _default_categories(request):
    """Put back the categories the migration adds: a transactional test elsewhere in the run
    flushes the database, migration data included."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    transactional = marker is not None and marker.kwargs.get("transaction")
    request.getfixturevalue("transactional_db" if transactional else "db")
    categories_ensure()
