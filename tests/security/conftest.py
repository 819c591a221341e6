"""The world the permission matrix, the CSRF sweep and the URL fuzzing share."""

import pytest
from django.db import transaction

from tests.security.test_permission_matrix import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world per module, in a transaction that is rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
