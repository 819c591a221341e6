import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db



def test_staff_cannot_make_anyone_superuser(staff_client):
    person = UserFactory()
    url = f"/admin/accounts/user/{person.pk}/change/"
    page = staff_client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    staff_client.post(url, {"email": person.email, "name": person.name, "language": "de",
                            "is_active": "on", "is_superuser": "on",
                            "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"})
    person.refresh_from_db()
    assert not person.is_superuser


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
