"""Case-study fixtures: researchers, tandems and case studies made through the services."""

import pytest
from django.contrib.auth.models import Group

from accounts.enums import RESEARCHERS_GROUP
from casestudies.models import CaseStudy
from casestudies.services import Item, casestudy_create
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


def make_case_study(*, tandem=None, title=None, status=None, researchers=(), by=None,
                    **fields) -> CaseStudy:
    """A case study started through the service (version 1); ``status`` is set directly,
    as the review workflow would have set it."""
    tandem = tandem or tandem_factory()
    case_study = casestudy_create(tandem=tandem, title=title or f"Fallstudie {tandem}",
                                  researchers=researchers, by=by, **fields)
    if status is not None:
        CaseStudy.objects.filter(pk=case_study.pk).update(status=status)
        case_study.refresh_from_db()
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
