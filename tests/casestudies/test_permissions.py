"""Who reads, who reads the versions of, and who edits a case study, in each of its stages.

Every researcher reads every case study; its assigned researchers and staff edit it; the
tandem's verified city contacts read it once it is sent to them; everybody reads it once it
is published. ``viewable_case_studies`` must agree with the view rule for every role.
"""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.permissions import viewable_case_studies
from casestudies.enums import CaseStudyStatus
from casestudies.models import CaseStudy
from tandems.services import membership_add, membership_end
from tests.casestudies.conftest import make_case_study, make_researcher, make_tandem
from tests.casestudies.conftest import set_status as put_in_status
from tests.factories import CityFactory, StaffFactory, UserFactory, member_contact

pytestmark = pytest.mark.django_db

DRAFT, IN_REVIEW, WITH_CITIES, PUBLISHED = CaseStudyStatus
STATUSES = list(CaseStudyStatus)
ALL, SHOWN, PUBLIC = set(STATUSES), {WITH_CITIES, PUBLISHED}, {PUBLISHED}
RULES = ("casestudies.view_casestudy", "casestudies.view_casestudy_versions",
         "casestudies.change_casestudy")

# role: (statuses in which it views, statuses in which it sees versions, ... it changes)
EXPECTED = {
    "anonymous": (PUBLIC, set(), set()),
    "user without a role": (PUBLIC, set(), set()),
    "researcher not assigned": (ALL, ALL, set()),
    "assigned researcher": (ALL, ALL, ALL),
    "assigned, not in the researchers group": (PUBLIC, set(), set()),
    "inactive assigned researcher": (PUBLIC, set(), set()),
    "staff": (ALL, ALL, ALL),
    "inactive staff": (PUBLIC, set(), set()),
    "staff without a second factor": (PUBLIC, set(), set()),
    "verified contact of the German city": (SHOWN, set(), set()),
    "verified contact of the partner city": (SHOWN, set(), set()),
    "unverified contact of a tandem city": (PUBLIC, set(), set()),
    "verified contact of a city that left the tandem": (PUBLIC, set(), set()),
    "verified contact of another tandem's city": (PUBLIC, set(), set()),
}
ROLES = list(EXPECTED)


@pytest.fixture
def tandem():
    """Krefeld – Venlo; Sofia was the partner until the end of 2023."""
    return make_tandem("Krefeld", "Sofia")


def user_in_role(role, case_study, former_contact, other_tandem):
    """A user who has ``role`` towards ``case_study``."""
    tandem = case_study.tandem
    if role == "anonymous":
        return AnonymousUser()
    if role == "user without a role":
        return UserFactory()
    if role == "researcher not assigned":
        return make_researcher()
    if role in ("assigned researcher", "inactive assigned researcher"):
        user = make_researcher(is_active=role == "assigned researcher")
        case_study.researchers.add(user)
        return user
    if role == "assigned, not in the researchers group":
        user = UserFactory()
        case_study.researchers.add(user)
        return user
    if role in ("staff", "inactive staff"):
        return StaffFactory(is_active=role == "staff")
    if role == "staff without a second factor":
        return StaffFactory(second_factor=False, is_superuser=True)
    if role == "verified contact of the German city":
        return member_contact(tandem)
    if role == "verified contact of the partner city":
        return member_contact(tandem, german=False)
    if role == "unverified contact of a tandem city":
        return member_contact(tandem, verified=False)
    if role == "verified contact of a city that left the tandem":
        return former_contact
    if role == "verified contact of another tandem's city":
        return member_contact(other_tandem)
    raise AssertionError(role)


@pytest.fixture
def world(tandem):
    """The tandem's case study, a contact of its former partner, and another tandem."""
    former_contact = member_contact(tandem, german=False)
    membership_end(membership=tandem.memberships.get(city__name="Sofia"),
                   left_on=date(2023, 12, 31))
    membership_add(tandem=tandem,
                   city=CityFactory(name="Venlo", country="NL", ags=None,
                                    time_zone="Europe/Amsterdam"),
                   joined_on=date(2024, 1, 1))
    other = make_tandem("Hamm", "Arezzo")
    case_study = make_case_study(tandem=tandem, title="Fallstudie Krefeld – Venlo",
                                 researchers=[make_researcher()])
    return case_study, former_contact, other


def set_status(case_study, status):
    put_in_status(case_study, status)
    return case_study


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_case_study_rules_for_each_role_and_status(world, role, status):
    case_study, former_contact, other = world
    user = user_in_role(role, case_study, former_contact, other)
    case_study = set_status(case_study, status)
    allowed = {rule: user.has_perm(rule, case_study) for rule in RULES}
    views, versions, changes = EXPECTED[role]
    assert allowed == {RULES[0]: status in views, RULES[1]: status in versions,
                       RULES[2]: status in changes}
    assert (case_study in viewable_case_studies(user)) == (status in views)


@pytest.mark.parametrize("role", ROLES)
def test_viewable_case_studies_match_the_view_casestudy_rule(world, role):
    case_study, former_contact, other = world
    user = user_in_role(role, case_study, former_contact, other)
    # One case study in each stage besides the tandem's own, and the other tandem's.
    studies = [make_case_study(status=status) for status in STATUSES]
    studies.append(make_case_study(tandem=other, status=WITH_CITIES))
    for status in STATUSES:
        set_status(case_study, status)
        allowed = {cs for cs in CaseStudy.objects.all()
                   if user.has_perm("casestudies.view_casestudy", cs)}
        viewable = list(viewable_case_studies(user))
        assert len(viewable) == len(set(viewable)), "no case study twice"
        assert set(viewable) == allowed, (role, status)
        assert set(CaseStudy.objects.filter(status=PUBLISHED)) <= allowed
        if EXPECTED[role][0] == ALL:
            assert allowed == {case_study, *studies}


def test_viewable_case_studies_of_another_tandems_contact_include_their_own(world):
    case_study, _, other = world
    own = make_case_study(tandem=other, status=WITH_CITIES)
    set_status(case_study, WITH_CITIES)
    user = member_contact(other, german=False)
    assert list(viewable_case_studies(user)) == [own]
    assert user.has_perm("casestudies.view_casestudy", own)
    assert not user.has_perm("casestudies.view_casestudy", case_study)


def test_viewable_case_studies_of_a_contact_of_both_tandem_cities_lists_each_once(world):
    case_study, _, _ = world
    user = member_contact(case_study.tandem)
    venlo = case_study.tandem.memberships.get(city__name="Venlo").city
    user.city_contacts.create(city=venlo, verified_at=user.city_contacts.get().verified_at)
    set_status(case_study, WITH_CITIES)
    assert list(viewable_case_studies(user)) == [case_study]


def test_change_needs_the_assignment_to_this_case_study(world):
    case_study, _, other = world
    author = case_study.researchers.get()
    others_study = make_case_study(tandem=other, researchers=[make_researcher()])
    assert author.has_perm("casestudies.change_casestudy", case_study)
    assert not author.has_perm("casestudies.change_casestudy", others_study)
    assert author.has_perm("casestudies.view_casestudy", others_study)
    assert author.has_perm("casestudies.view_casestudy_versions", others_study)


def test_leaving_the_researchers_group_ends_the_right_to_edit(world):
    case_study, _, _ = world
    author = case_study.researchers.get()
    author.groups.clear()
    author = type(author).objects.get(pk=author.pk)  # no cached group membership
    for rule in RULES:
        assert not author.has_perm(rule, case_study), rule
