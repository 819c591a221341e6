import pytest
from django.contrib.messages import get_messages

from accounts.models import User
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_url(user):
    return f"/admin/accounts/user/{user.pk}/change/"


def form_data(user, **changes):
    data = {"email": user.email, "name": user.name, "language": "de", "is_active": "on"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def superuser():
    return StaffFactory(is_superuser=True, email="root@example.org")


@pytest.fixture
def superuser_client(client):
    """A client logged in as a superuser who has set up two-factor authentication."""
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_staff_cannot_make_anyone_superuser_or_staff(staff_client):
    person = UserFactory()
    page = staff_client.get(change_url(person)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
    response = staff_client.post(change_url(person), form_data(person, name="Neu",
                                                               is_superuser="on", is_staff="on"))
    assert response.status_code == 302  # saved: the flags were read only, not refused
    person.refresh_from_db()
    assert person.name == "Neu" and not person.is_superuser and not person.is_staff


def test_staff_still_manage_ordinary_accounts(staff_client):
    person = UserFactory()
    response = staff_client.post(change_url(person), form_data(person, name="Neuer Name",
                                                               is_active=None))
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.is_active) == ("Neuer Name", False)
    assert staff_client.get(f"/admin/accounts/user/{person.pk}/password/").status_code == 200


def test_staff_see_a_superuser_read_only_and_change_nothing(staff_client, superuser):
    page = staff_client.get(change_url(superuser))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="email"' not in html and 'name="is_active"' not in html
    response = staff_client.post(change_url(superuser), form_data(
        superuser, email="attacker@example.org", is_active=None))
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert (superuser.email, superuser.is_active) == ("root@example.org", True)


def test_staff_cannot_set_a_superusers_password(staff_client, superuser):
    url = f"/admin/accounts/user/{superuser.pk}/password/"
    assert staff_client.get(url).status_code == 403
    response = staff_client.post(url, {"password1": "ein-neues-Passwort-42",
                                       "password2": "ein-neues-Passwort-42",
                                       "set_usable_password": "true"})
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.check_password("correct horse battery")


def test_staff_cannot_delete_a_superuser(staff_client, superuser):
    url = f"/admin/accounts/user/{superuser.pk}/delete/"
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=superuser.pk).exists()


def test_bulk_delete_leaves_out_superusers_with_a_message(staff_client, superuser):
    # No e-mail address: deleting one takes allauth's permissions, which staff do not have.
    person = User.objects.create_user("weg@example.org")
    response = staff_client.post("/admin/accounts/user/", {
        "action": "delete_selected", "_selected_action": [person.pk, superuser.pk],
        "post": "yes"})
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("root@example.org" in m and "Administrator" in m for m in messages), messages
    assert User.objects.filter(pk=superuser.pk).exists()
    assert not User.objects.filter(pk=person.pk).exists()


def test_bulk_delete_of_only_superusers_deletes_nothing(staff_client, superuser):
    response = staff_client.post("/admin/accounts/user/", {
        "action": "delete_selected", "post": "yes", "_selected_action": [superuser.pk]})
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("root@example.org" in m and "nicht gelöscht" in m for m in messages), messages
    assert User.objects.filter(pk=superuser.pk).exists()


def test_superusers_manage_superusers_and_staff_status(superuser_client, superuser):
    person = UserFactory()
    superuser_client.post(change_url(person), form_data(person, is_staff="on"))
    person.refresh_from_db()
    assert person.is_staff
    response = superuser_client.post(change_url(superuser), form_data(superuser, name="Root"))
    assert response.status_code == 302
    superuser.refresh_from_db()
    assert superuser.name == "Root"
    assert superuser_client.get(
        f"/admin/accounts/user/{superuser.pk}/password/").status_code == 200


def test_people_list_query_count_does_not_grow(staff_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_list():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get("/admin/accounts/user/").status_code == 200
        return len(captured)

    UserFactory.create_batch(3)
    queries_for_list()  # warm up
    few = queries_for_list()
    UserFactory.create_batch(30)
    assert queries_for_list() == few
