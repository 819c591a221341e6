import os

import pytest

from core.demo import seed

IN_CI = os.environ.get("CI") == "true"
_skipped = []


@pytest.fixture
def seeded(db):
    """The demo data: the real programme, its 2022 call, the cities and demo accounts."""
    return seed()


@pytest.fixture
def staff_client(client):
    """A client logged in as a staff member who has set up two-factor authentication."""
    from tests.factories import StaffFactory

    staff = StaffFactory()
    client.force_login(staff)
    client.staff = staff
    return client


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: one that activates another (a view, a
    mail in the recipient's language) must not decide the next one's texts."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    # In CI every service and Chromium are there: a skipped test is a hidden failure.
    if IN_CI and _skipped:
        print(f"\nCI=true but {len(_skipped)} test(s) were skipped: {_skipped}")
        session.exitstatus = 1
