from datetime import UTC, datetime

import pytest
from django.utils import timezone

from casestudies.citation import authors, citation, cited_name
from casestudies.models import CaseStudy
from casestudies.services import casestudy_save
from tests.casestudies.conftest import make_case_study, make_researcher

pytestmark = pytest.mark.django_db

SITE = "https://vernetzt.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def published(case_study, at: datetime):
    CaseStudy.objects.filter(pk=case_study.pk).update(
        published_version=case_study.version, published_at=at)
    case_study.refresh_from_db()
    return case_study


@pytest.fixture
def study(tandem):
    people = [make_researcher(name=name) for name in ("Erika Muster", "Rafael Forsch")]
    return make_case_study(tandem=tandem, title="Fallstudie Krefeld – Venlo",
                           researchers=people)


def test_citation_of_the_published_version(study):
    study = published(study, datetime(2024, 5, 6, 10, tzinfo=UTC))
    assert citation(study, study.version, "de") == (
        "Forsch, Rafael; Muster, Erika (2024): Fallstudie Krefeld – Venlo. #vernetztinEuropa. "
        f"{SITE}/de/fallstudien/{study.pk}/")


def test_citation_in_english_names_the_programme_and_the_page_in_english(study):
    study = published(study, datetime(2024, 5, 6, 10, tzinfo=UTC))
    assert citation(study, study.version, "en").endswith(
        "(2024): Fallstudie Krefeld – Venlo. #ConnectedinEurope. "
        f"{SITE}/en/fallstudien/{study.pk}/")


def test_citation_year_is_german_time(study):
    # 23:30 UTC on New Year's Eve is already the new year in Berlin.
    study = published(study, datetime(2023, 12, 31, 23, 30, tzinfo=UTC))
    assert "(2024)" in citation(study, study.version, "de")


def test_citation_of_an_unpublished_version_is_a_draft_of_this_year(study):
    year = timezone.localtime(timezone.now()).year
    assert citation(study, study.version, "en").startswith(
        f"Forsch, Rafael; Muster, Erika ({year}, draft): Fallstudie Krefeld – Venlo.")


def test_citation_of_a_newer_draft_is_not_the_published_one(study):
    study = published(study, datetime(2022, 3, 1, tzinfo=UTC))
    changed = casestudy_save(case_study=study, base_version=study.version, by=None,
                             changes={"title": "Zweite Fassung"})
    assert "(2022): Fallstudie Krefeld – Venlo." in citation(changed, 1, "en")
    assert ", draft): Zweite Fassung." in citation(changed, 2, "en")


def test_citation_is_plain_text(tandem):
    case_study = make_case_study(tandem=tandem, title="Daten & <Dienste>",
                                 researchers=[make_researcher(name="Ada")])
    assert "Ada (" in citation(case_study, 1, "de")
    assert ": Daten & <Dienste>. " in citation(case_study, 1, "de")


def test_citation_without_authors_starts_with_the_title(tandem):
    case_study = make_case_study(tandem=tandem, title="Fallstudie",
                                 researchers=[make_researcher(name="")])
    line = citation(case_study, 1, "de")
    assert line.startswith("Fallstudie (")
    assert "@" not in line  # a researcher without a name is not cited by e-mail address


@pytest.mark.parametrize(
    ("name", "cited"),
    [("Rafael Forsch", "Forsch, Rafael"), ("Anna Maria  Schmidt", "Schmidt, Anna Maria"),
     ("Ada", "Ada"), (" Erika Muster ", "Muster, Erika")],
)
def test_cited_name(name, cited):
    assert cited_name(name) == cited


def test_authors_are_sorted_by_surname_umlauts_included(tandem):
    people = [make_researcher(name=n) for n in ("Zoe Zander", "Ömer Özdemir", "Ben Adler")]
    case_study = make_case_study(tandem=tandem, researchers=people)
    assert authors(case_study) == ["Ben Adler", "Ömer Özdemir", "Zoe Zander"]
