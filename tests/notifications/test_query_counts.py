"""Planning reminders costs a constant number of queries, however many are due.

Not a timing test (figures come from benchmarks/reminders.py): it counts statements.
On PostgreSQL the whole count is the same for 10 and for 300 due reminders. SQLite
allows only 999 variables per statement, so Django splits the one bulk INSERT into
batches of 999 // (columns) rows; there every statement but those INSERT batches must
stay constant, and the INSERTs are exactly the batches Django needs.
"""

import math

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Message
from notifications.services import reminders_plan

pytestmark = pytest.mark.django_db


def plan_and_count(now) -> tuple[list[str], list[str]]:
    ContentType.objects.clear_cache()  # both runs pay for the content type lookup
    with CaptureQueriesContext(connection) as captured:
        planned = reminders_plan(now=now)
    statements = [q["sql"] for q in captured.captured_queries]
    return planned, statements


def inserts(statements):
    return [s for s in statements if s.lstrip().upper().startswith("INSERT")]


def others(statements):
    return [s for s in statements if not s.lstrip().upper().startswith("INSERT")]


def insert_batches(n: int) -> int:
    fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
    return math.ceil(n / (connection.ops.bulk_batch_size(fields, [None] * n) or n))


def test_planning_takes_the_same_queries_for_10_and_for_300_due(reminder_kind, due_contacts):
    now = timezone.now()
    due_contacts(10)
    planned, few = plan_and_count(now)
    assert len(planned) == 10

    Message.objects.all().delete()
    due_contacts(290, days_ahead=4)
    planned, many = plan_and_count(now)
    assert len(planned) == 300

    assert len(others(many)) == len(others(few)), "\n".join(others(many))
    assert len(inserts(few)) == insert_batches(10) == 1
    assert len(inserts(many)) == insert_batches(300)
    if connection.vendor == "postgresql":
        assert len(many) == len(few)


def test_planning_again_inserts_nothing_and_takes_the_same_queries(reminder_kind, due_contacts):
    now = timezone.now()
    due_contacts(300)
    reminders_plan(now=now)
    planned, again = plan_and_count(now)
    assert planned == [] and inserts(again) == []
    assert Message.objects.count() == 300
