import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from accounts.enums import RESEARCHERS_GROUP
from accounts.permissions import role_of
from tests.factories import CityContactFactory, CityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    staff = UserFactory(is_staff=True)
    researcher = UserFactory()
    researcher.groups.add(Group.objects.create(name=RESEARCHERS_GROUP))
    city = CityFactory()
    contact = CityContactFactory(city=city, verified_at=timezone.now()).user
    unverified = CityContactFactory(city=city).user
    return {"staff": staff, "researcher": researcher, "contact": contact,
            "unverified": unverified, "user": UserFactory(), "public": AnonymousUser(),
            "city": city}


@pytest.mark.parametrize(("who", "role"), [
    ("staff", "staff"), ("researcher", "researcher"), ("contact", "contact"),
    ("unverified", "user"), ("user", "user"), ("public", "public"),
])
def test_role_of_names_the_strongest_role(people, who, role):
    assert role_of(people[who]) == role


@pytest.mark.parametrize(("who", "allowed"), [
    ("staff", True), ("contact", True), ("unverified", False), ("researcher", False),
    ("user", False), ("public", False),
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
    ("staff", True), ("researcher", False), ("contact", False), ("public", False),
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
