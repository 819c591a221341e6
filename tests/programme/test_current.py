"""Which programme the site presents: the newest, the same one on every database."""

from datetime import date

import pytest

from programme.models import Programme
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_the_programme_that_runs_from_the_latest_day_is_current():
    ProgrammeFactory(runs_from=date(2021, 1, 1))
    newest = ProgrammeFactory(runs_from=date(2024, 6, 1))
    ProgrammeFactory(runs_from=date(2023, 1, 1))
    assert Programme.objects.current() == newest


def test_of_two_starting_on_the_same_day_the_one_created_last_is_current():
    ProgrammeFactory(runs_from=date(2021, 1, 1))
    last = ProgrammeFactory(runs_from=date(2021, 1, 1))
    assert Programme.objects.current() == last


def test_without_a_programme_there_is_none():
    assert Programme.objects.current() is None
