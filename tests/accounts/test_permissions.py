import pytest
import rules
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from accounts.enums import RESEARCHERS_GROUP
from accounts.models import User
from accounts.permissions import (
    editable_expressions,
    people_of_expressions,
    role_of,
    spoken_for,
    staff_members,
)
from applications.enums import EoiStatus
from applications.models import ExpressionOfInterest
from programme.models import CityContact, JoinRequest
from tests.factories import (
    CallFactory,
    CityContactFactory,
    CityFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    researcher = UserFactory()
    researcher.groups.add(Group.objects.create(name=RESEARCHERS_GROUP))
    city = CityFactory()
    contact = CityContactFactory(city=city, verified_at=timezone.now()).user
    unverified = CityContactFactory(city=city).user
    return {"staff": StaffFactory(), "staff without a second factor":
            StaffFactory(second_factor=False),
            "superuser": StaffFactory(is_superuser=True),
            "superuser without a second factor":
            StaffFactory(is_superuser=True, second_factor=False),
            "researcher": researcher, "contact": contact,
            "unverified": unverified, "user": UserFactory(), "public": AnonymousUser(),
            "city": city}


@pytest.mark.parametrize(("who", "role"), [
    ("staff", "staff"), ("superuser", "staff"), ("researcher", "researcher"),
    ("contact", "contact"), ("unverified", "user"), ("user", "user"), ("public", "public"),
    ("staff without a second factor", "user"), ("superuser without a second factor", "user"),
])
def test_role_of_names_the_strongest_role(people, who, role):
    assert role_of(people[who]) == role


@pytest.mark.parametrize(("who", "allowed"), [
    ("staff", True), ("contact", True), ("unverified", False), ("researcher", False),
    ("user", False), ("public", False), ("staff without a second factor", False),
])
def test_only_verified_contacts_and_staff_speak_for_a_city(people, who, allowed):
    assert people[who].has_perm("programme.speak_for_city", people["city"]) is allowed


def test_contact_does_not_speak_for_another_city(people):
    assert not people["contact"].has_perm("programme.speak_for_city", CityFactory())


@pytest.mark.parametrize("who", ["staff", "contact", "user", "public"])
def test_everyone_sees_the_programme_and_cities(people, who):
    assert people[who].has_perm("programme.view_programme")
    assert people[who].has_perm("programme.view_city", people["city"])


@pytest.mark.parametrize(("who", "allowed"), [
    ("staff", True), ("superuser", True), ("researcher", False), ("contact", False),
    ("public", False), ("staff without a second factor", False),
    ("superuser without a second factor", False),
])
def test_only_staff_manage_the_project_apps_in_the_admin(people, who, allowed):
    user = people[who]
    assert user.has_perm("programme.change_city") is allowed
    assert user.has_module_perms("applications") is allowed


def test_inactive_staff_have_no_rights(people):
    staff = people["staff"]
    staff.is_active = False
    assert not staff.has_perm("programme.change_city")


def test_template_asks_the_permissions_module(people, rf):
    from django.template import Context, Template

    template = Template(
        "{% load rules %}{% has_perm 'programme.speak_for_city' user city as can %}{{ can }}"
    )
    for who, expected in [("contact", "True"), ("user", "False")]:
        context = Context({"user": people[who], "city": people["city"]})
        assert template.render(context) == expected


# -- staff rights need the second factor ------------------------------------------------


def every_rule():
    return sorted(rules.permissions.permissions)


@pytest.mark.parametrize("who", ["staff without a second factor",
                                 "superuser without a second factor"])
def test_staff_without_a_second_factor_have_exactly_an_ordinary_users_rights(people, who):
    staff, user = people[who], people["user"]
    model_perms = ["programme.change_city", "accounts.change_user", "auth.change_group",
                   "auth.view_user", "account.change_emailaddress", "mfa.view_authenticator",
                   "applications.view_expressionofinterest", "reports.view_report"]
    for name in every_rule() + model_perms:
        assert staff.has_perm(name) == user.has_perm(name), name
    for app_label in ["accounts", "applications", "tandems", "auth", "account", "mfa"]:
        assert not staff.has_module_perms(app_label), app_label
    assert not staff.has_perms(["programme.change_city"])


def test_a_superuser_with_a_second_factor_has_django_model_permissions(people):
    superuser = people["superuser"]
    assert superuser.has_perm("auth.change_group")
    assert superuser.has_module_perms("auth")
    assert superuser.has_perms(["auth.change_group", "programme.change_city"])
    assert not people["staff"].has_perm("auth.change_group")


def test_a_superuser_edits_applicants_entries_only_in_the_admin(people):
    """No superuser shortcut: the applicant's form is for the municipality's people."""
    eoi = ExpressionOfInterest.objects.create(call=CallFactory(), city=people["city"],
                                              created_by=people["contact"])
    superuser = people["superuser"]
    assert superuser.has_perm("applications.view_expressionofinterest", eoi)
    assert not superuser.has_perm("applications.edit_expressionofinterest", eoi)
    assert not superuser.has_perms(["applications.view_expressionofinterest",
                                    "applications.edit_expressionofinterest"], eoi)
    assert superuser.has_perm("applications.change_expressionofinterest")  # the admin
    assert people["contact"].has_perm("applications.edit_expressionofinterest", eoi)


def test_the_second_factor_is_looked_up_once_per_user_object(people, django_assert_num_queries):
    staff = User.objects.get(pk=people["staff"].pk)
    with django_assert_num_queries(1):
        for name in ("reports.view_report", "programme.change_city", "core.access_staff_area"):
            assert staff.has_perm(name)
        assert staff.has_module_perms("tandems")
        assert not staff.needs_second_factor


def test_a_staff_account_without_a_second_factor_is_asked_to_set_one_up(people):
    assert people["staff without a second factor"].needs_second_factor
    assert people["superuser without a second factor"].needs_second_factor
    for who in ("staff", "superuser", "contact", "user"):
        assert not people[who].needs_second_factor, who
    assert not getattr(people["public"], "needs_second_factor", False)


def test_staff_members_are_the_staff_with_a_second_factor(people):
    inactive = StaffFactory(is_active=False)
    users = [people[who] for who in people if isinstance(people[who], User)] + [inactive]
    expected = {user for user in users if user.has_perm("core.access_staff_area")}
    assert set(staff_members()) == expected
    assert expected == {people["staff"], people["superuser"]}


# -- accounts ---------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "other_staff", "superuser", "grant"), [
    ("superuser", True, True, True),
    ("staff", True, False, False),
    ("superuser without a second factor", False, False, False),
    ("contact", False, False, False),
])
def test_only_superusers_manage_superusers(people, who, other_staff, superuser, grant):
    user = people[who]
    assert user.has_perm("accounts.manage_account", StaffFactory()) is other_staff
    assert user.has_perm("accounts.manage_account", people["superuser"]) is superuser
    assert user.has_perm("accounts.grant_staff_status") is grant


# -- who works on an expression of interest, who decides on joining ---------------------


@pytest.fixture
def krefeld():
    """Krefeld's entries and everybody around them, as in issue 17's take-over."""
    city, hamm = CityFactory(name="Krefeld"), CityFactory(name="Hamm")
    real, practice = CallFactory(), CallFactory(is_practice=True)
    verified = CityContactFactory(city=city, verified_at=timezone.now()).user
    starter = UserFactory()
    entry_2022 = ExpressionOfInterest.objects.create(
        call=real, city=city, created_by=starter, status=EoiStatus.WITHDRAWN,
        reference="VIE-2022-0018")
    claimant = UserFactory()  # started a practice draft for Krefeld: an unverified contact
    draft = ExpressionOfInterest.objects.create(call=practice, city=city, created_by=claimant)
    CityContactFactory(city=city, user=claimant)
    now = timezone.now()
    joiner = UserFactory()
    JoinRequest.objects.create(user=joiner, city=city, approved=True, decided_by=verified,
                               decided_at=now)
    CityContactFactory(city=city, user=joiner)
    self_approved = UserFactory()  # decided their own request before the rule was fixed
    JoinRequest.objects.create(user=self_approved, city=city, approved=True,
                               decided_by=self_approved, decided_at=now)
    declined = UserFactory()
    JoinRequest.objects.create(user=declined, city=city, approved=False, decided_by=verified,
                               decided_at=now)
    asking = UserFactory()
    pending = JoinRequest.objects.create(user=asking, city=city)
    hamm_contact = CityContactFactory(city=hamm, verified_at=now).user
    hamm_entry = ExpressionOfInterest.objects.create(call=real, city=hamm,
                                                     status=EoiStatus.ACCEPTED)
    inactive = CityContactFactory(city=city, verified_at=now, user__is_active=False).user
    users = {"verified": verified, "starter": starter, "claimant": claimant,
             "joiner": joiner, "self_approved": self_approved, "declined": declined,
             "asking": asking, "hamm_contact": hamm_contact, "inactive": inactive,
             "staff": StaffFactory(), "superuser": StaffFactory(is_superuser=True),
             "staff without a second factor": StaffFactory(second_factor=False),
             "user": UserFactory(), "public": AnonymousUser()}
    return {"users": users, "entries": {"2022": entry_2022, "draft": draft,
                                        "hamm": hamm_entry},
            "pending": pending, "city": city}


# who: the entries they edit (and so view); staff view all and edit none.
WORKS_ON = {
    "verified": {"2022", "draft"}, "starter": {"2022"}, "claimant": {"draft"},
    "joiner": {"2022", "draft"}, "self_approved": set(), "declined": set(), "asking": set(),
    "hamm_contact": {"hamm"}, "inactive": set(), "staff": set(), "superuser": set(),
    "staff without a second factor": set(), "user": set(), "public": set(),
}


@pytest.mark.parametrize("who", list(WORKS_ON))
def test_who_reads_and_edits_an_expression_of_interest(krefeld, who):
    user, entries = krefeld["users"][who], krefeld["entries"]
    edits = {name for name, eoi in entries.items()
             if user.has_perm("applications.edit_expressionofinterest", eoi)}
    views = {name for name, eoi in entries.items()
             if user.has_perm("applications.view_expressionofinterest", eoi)}
    assert edits == WORKS_ON[who]
    assert views == (set(entries) if who in ("staff", "superuser") else WORKS_ON[who])


@pytest.mark.parametrize("who", list(WORKS_ON))
def test_the_expression_queryset_matches_the_rule(krefeld, who):
    user = krefeld["users"][who]
    allowed = {eoi for eoi in ExpressionOfInterest.objects.all()
               if user.has_perm("applications.edit_expressionofinterest", eoi)}
    assert set(editable_expressions(user)) == allowed


def test_people_of_expressions_are_who_may_edit_them(krefeld, django_assert_num_queries):
    users = [u for u in krefeld["users"].values() if u.is_authenticated]
    entries = list(ExpressionOfInterest.objects.all())
    with django_assert_num_queries(3):
        people = people_of_expressions(entries)
    for eoi in entries:
        expected = {u for u in users if u.is_active
                    and u.has_perm("applications.edit_expressionofinterest", eoi)}
        assert set(people[eoi.pk]) == expected, eoi


def test_spoken_for_matches_the_speak_for_city_rule(krefeld):
    from programme.models import City

    for who, user in krefeld["users"].items():
        if who in ("staff", "superuser"):
            continue  # staff speak for every city without being anyone's contact
        allowed = {c for c in City.objects.all() if user.has_perm("programme.speak_for_city", c)}
        assert set(spoken_for(user)) == allowed, who


@pytest.mark.parametrize(("who", "allowed"), [
    ("verified", True), ("staff", True), ("superuser", True), ("claimant", False),
    ("starter", False), ("joiner", False), ("self_approved", False), ("hamm_contact", False),
    ("staff without a second factor", False), ("user", False), ("public", False),
])
def test_who_decides_on_a_request_to_join(krefeld, who, allowed):
    user = krefeld["users"][who]
    assert user.has_perm("programme.decide_joinrequest", krefeld["pending"]) is allowed


@pytest.mark.parametrize("who", ["verified", "staff"])
def test_nobody_decides_on_their_own_request(krefeld, who):
    user = krefeld["users"][who]
    own = JoinRequest.objects.create(user=user, city=CityFactory())
    CityContact.objects.create(user=user, city=own.city, verified_at=timezone.now())
    assert not user.has_perm("programme.decide_joinrequest", own)
