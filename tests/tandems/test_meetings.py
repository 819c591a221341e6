"""The meeting rule (DESIGN.md rule 4) at the service level, every way round it."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test import override_settings

from tandems.enums import MeetingStatus
from tandems.models import Meeting
from tandems.services import (
    meeting_check,
    meeting_create,
    meeting_set_status,
    meeting_update,
    membership_add,
    membership_end,
)
from tests.factories import CityFactory, ProgrammeFactory, meeting_factory, tandem_factory
from tests.support import postgres_available, require

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def at(year, month, day, hour=10, minute=0, zone=BERLIN):
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def codes(error: ValidationError) -> set:
    return {e.code for e in error.error_list} if not hasattr(error, "error_dict") else {
        e.code for errors in error.error_dict.values() for e in errors}


@pytest.fixture
def tandem():
    return tandem_factory()


def test_each_meeting_takes_the_next_free_place_of_its_year(tandem):
    first = meeting_factory(tandem, starts_at=at(2023, 3, 1))
    second = meeting_factory(tandem, starts_at=at(2023, 9, 1))
    other_year = meeting_factory(tandem, starts_at=at(2024, 3, 1))
    assert [(m.year, m.slot) for m in (first, second, other_year)] == [
        (2023, 1), (2023, 2), (2024, 1)]


def test_a_third_meeting_in_a_year_is_refused_and_nothing_is_saved(tandem):
    meeting_factory(tandem, starts_at=at(2023, 3, 1))
    meeting_factory(tandem, starts_at=at(2023, 9, 1))
    with pytest.raises(ValidationError) as error:
        meeting_factory(tandem, starts_at=at(2023, 11, 1), title="Dritter Termin")
    assert codes(error.value) == {"year_full"}
    assert "2023" in str(error.value.error_dict["starts_at"][0].message % error.value.error_dict[
        "starts_at"][0].params)
    assert not Meeting.objects.filter(title="Dritter Termin").exists()


def test_the_cap_counts_per_tandem(tandem):
    other = tandem_factory(programme=tandem.programme)
    for month in (3, 9):
        meeting_factory(tandem, starts_at=at(2023, month, 1))
    assert meeting_factory(other, starts_at=at(2023, 11, 1)).slot == 1


def test_a_programme_can_allow_more_meetings_per_year():
    tandem = tandem_factory(programme=ProgrammeFactory(max_meetings_per_year=3))
    slots = [meeting_factory(tandem, starts_at=at(2023, month, 1)).slot for month in (2, 6, 10)]
    assert slots == [1, 2, 3]
    with pytest.raises(ValidationError):
        meeting_factory(tandem, starts_at=at(2023, 12, 1))


def test_cancelling_frees_a_place_and_planning_again_needs_one(tandem):
    first = meeting_factory(tandem, starts_at=at(2023, 3, 1))
    meeting_factory(tandem, starts_at=at(2023, 9, 1))
    first = meeting_set_status(meeting=first, status=MeetingStatus.CANCELLED)
    assert first.slot is None
    third = meeting_factory(tandem, starts_at=at(2023, 11, 1))
    assert third.slot == 1
    with pytest.raises(ValidationError) as error:
        meeting_set_status(meeting=first, status=MeetingStatus.PLANNED)
    assert codes(error.value) == {"year_full"}
    meeting_set_status(meeting=third, status=MeetingStatus.CANCELLED)
    assert meeting_set_status(meeting=first, status=MeetingStatus.PLANNED).slot == 1


def test_moving_a_meeting_into_a_full_year_is_refused(tandem):
    for month in (3, 9):
        meeting_factory(tandem, starts_at=at(2023, month, 1))
    movable = meeting_factory(tandem, starts_at=at(2024, 3, 1))
    with pytest.raises(ValidationError) as error:
        meeting_update(meeting=movable, starts_at=at(2023, 5, 1), ends_at=at(2023, 5, 1, 14))
    assert codes(error.value) == {"year_full"}
    movable.refresh_from_db()
    assert (movable.year, movable.slot, movable.starts_at) == (2024, 1, at(2024, 3, 1))


def test_moving_within_its_year_keeps_the_place_and_into_a_free_year_takes_one(tandem):
    meeting = meeting_factory(tandem, starts_at=at(2023, 3, 1))
    meeting_factory(tandem, starts_at=at(2023, 9, 1))
    meeting = meeting_update(meeting=meeting, starts_at=at(2023, 4, 1), ends_at=at(2023, 4, 1, 15))
    assert (meeting.year, meeting.slot) == (2023, 1)
    meeting = meeting_update(meeting=meeting, starts_at=at(2022, 6, 1), ends_at=at(2022, 6, 1, 15))
    assert (meeting.year, meeting.slot) == (2022, 1)
    assert meeting_factory(tandem, starts_at=at(2023, 11, 1)).slot == 1


def test_a_cancelled_meeting_can_move_into_a_full_year(tandem):
    for month in (3, 9):
        meeting_factory(tandem, starts_at=at(2023, month, 1))
    cancelled = meeting_set_status(meeting=meeting_factory(tandem, starts_at=at(2024, 3, 1)),
                                   status=MeetingStatus.CANCELLED)
    moved = meeting_update(meeting=cancelled, starts_at=at(2023, 5, 1), ends_at=at(2023, 5, 1, 12))
    assert (moved.year, moved.slot, moved.status) == (2023, None, MeetingStatus.CANCELLED)


@pytest.mark.parametrize("server_zone", ["UTC", "America/Los_Angeles", "Asia/Tokyo"])
@pytest.mark.parametrize(("starts_at", "allowed"), [
    (at(2021, 12, 31, 23, 30), False),
    (at(2022, 1, 1, 0, 0), True),  # 2021 in UTC, 2022 in Germany
    (at(2024, 12, 31, 23, 0), True),
    (at(2025, 1, 1, 0, 0), False),  # still 2024 in UTC
    (datetime(2024, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC")), False),  # 2025 in Germany
])
def test_meetings_fall_in_the_meeting_years_in_german_time(server_zone, starts_at, allowed):
    tandem = tandem_factory(formed_on=date(2021, 6, 1))
    with override_settings(TIME_ZONE=server_zone):
        if allowed:
            assert meeting_factory(tandem, starts_at=starts_at, hours=1).year in (2022, 2024)
        else:
            with pytest.raises(ValidationError) as error:
                meeting_factory(tandem, starts_at=starts_at, hours=1)
            assert codes(error.value) == {"outside_years"}


@pytest.mark.parametrize(("length", "code"), [
    (timedelta(0), "ends_before_start"), (-timedelta(hours=1), "ends_before_start"),
    (timedelta(days=7, minutes=1), "too_long")])
def test_a_meeting_ends_after_it_starts_within_a_week(tandem, length, code):
    with pytest.raises(ValidationError) as error:
        meeting_create(tandem=tandem, title="x", starts_at=at(2023, 3, 1),
                       ends_at=at(2023, 3, 1) + length, host=tandem.current_memberships()[0].city)
    assert codes(error.value) == {code}
    assert not Meeting.objects.exists()


def test_the_host_is_a_member(tandem):
    with pytest.raises(ValidationError) as error:
        meeting_factory(tandem, host=CityFactory())
    assert codes(error.value) == {"host_not_member"}


def test_the_host_is_a_member_on_the_day_of_the_meeting(tandem):
    partner = tandem.memberships.get(is_german=False)
    meeting = meeting_factory(tandem, host=partner.city, starts_at=at(2023, 3, 1))
    membership_end(membership=partner, left_on=date(2023, 6, 30))
    newcomer = CityFactory(country="PT", ags=None)
    membership_add(tandem=tandem, city=newcomer, joined_on=date(2023, 9, 1))
    # Its past meeting stays editable, and it can still be recorded as the host of one.
    meeting = meeting_update(meeting=meeting, title="Auftakt mit Sofia")
    assert (meeting.title, meeting.host) == ("Auftakt mit Sofia", partner.city)
    assert meeting_factory(tandem, host=partner.city, starts_at=at(2022, 6, 1)).host == (
        partner.city)
    for host, starts_at in ((partner.city, at(2023, 10, 1)), (newcomer, at(2023, 8, 1))):
        with pytest.raises(ValidationError) as error:
            meeting_factory(tandem, host=host, starts_at=starts_at)
        assert codes(error.value) == {"host_not_member"}


def test_the_shell_path_checks_field_limits_too(tandem):
    with pytest.raises(ValidationError) as error:
        meeting_factory(tandem, title="x" * 201)
    assert "title" in error.value.error_dict


def test_every_change_raises_the_calendar_sequence_and_no_change_does_not(tandem):
    meeting = meeting_factory(tandem, starts_at=at(2023, 3, 1))
    assert meeting.sequence == 0
    assert meeting_update(meeting=meeting, title=meeting.title).sequence == 0
    assert meeting_update(meeting=meeting, place="Rathaus").sequence == 1
    assert meeting_set_status(meeting=meeting, status=MeetingStatus.CANCELLED).sequence == 2


def test_update_names_only_meeting_fields(tandem):
    with pytest.raises(TypeError):
        meeting_update(meeting=meeting_factory(tandem), slot=2)


@pytest.mark.parametrize(("start", "to", "ok"), [
    (MeetingStatus.PLANNED, MeetingStatus.HELD, True),
    (MeetingStatus.PLANNED, MeetingStatus.CANCELLED, True),
    (MeetingStatus.HELD, MeetingStatus.PLANNED, True),
    (MeetingStatus.HELD, MeetingStatus.CANCELLED, False),
    (MeetingStatus.CANCELLED, MeetingStatus.HELD, False),
])
def test_status_changes(tandem, start, to, ok):
    meeting = meeting_factory(tandem, starts_at=at(2023, 3, 1))
    now = at(2023, 3, 2)
    if start != MeetingStatus.PLANNED:
        meeting = meeting_set_status(meeting=meeting, status=start, now=now)
    if ok:
        assert meeting_set_status(meeting=meeting, status=to, now=now).status == to
    else:
        with pytest.raises(ValidationError) as error:
            meeting_set_status(meeting=meeting, status=to, now=now)
        assert error.value.code == "status"


def test_a_meeting_is_held_only_once_it_has_started(tandem):
    meeting = meeting_factory(tandem, starts_at=at(2023, 3, 1))
    with pytest.raises(ValidationError) as error:
        meeting_set_status(meeting=meeting, status=MeetingStatus.HELD, now=at(2023, 3, 1, 9, 59))
    assert error.value.code == "not_started"
    assert meeting_set_status(meeting=meeting, status=MeetingStatus.HELD,
                              now=at(2023, 3, 1, 10)).status == MeetingStatus.HELD


def test_check_accepts_what_create_accepts_and_refuses_the_same(tandem):
    host = tandem.current_memberships()[0].city
    meeting_check(tandem=tandem, starts_at=at(2023, 3, 1), ends_at=at(2023, 3, 1, 12), host=host)
    for month in (3, 9):
        meeting_factory(tandem, starts_at=at(2023, month, 1))
    with pytest.raises(ValidationError):
        meeting_check(tandem=tandem, starts_at=at(2023, 5, 1), ends_at=at(2023, 5, 1, 12),
                      host=host)


def test_the_database_refuses_a_second_live_meeting_in_a_place(tandem):
    meeting = meeting_factory(tandem, starts_at=at(2023, 3, 1))
    with pytest.raises(IntegrityError):
        Meeting.objects.create(tandem=tandem, title="around the service", host=meeting.host,
                               starts_at=at(2023, 4, 1), ends_at=at(2023, 4, 1, 12),
                               year=2023, slot=1)


def test_the_database_refuses_a_live_meeting_without_a_place(tandem):
    with pytest.raises(IntegrityError):
        Meeting.objects.create(tandem=tandem, title="around the service",
                               host=tandem.current_memberships()[0].city,
                               starts_at=at(2023, 4, 1), ends_at=at(2023, 4, 1, 12), year=2023)


@pytest.mark.django_db(transaction=True)
def test_many_members_planning_at_once_get_at_most_two_meetings_a_year():
    require(postgres_available(), "the race needs PostgreSQL's row locks")
    tandem = tandem_factory()
    host = tandem.current_memberships()[0].city
    threads_count = 8
    barrier, outcomes = threading.Barrier(threads_count), []

    def plan(n):
        try:
            barrier.wait()
            meeting_create(tandem=tandem, title=f"Termin {n}", host=host,
                           starts_at=at(2023, 3, 1 + n), ends_at=at(2023, 3, 1 + n, 12))
            outcomes.append("planned")
        except ValidationError as error:
            outcomes.append(next(iter(codes(error))))
        finally:
            connection.close()

    threads = [threading.Thread(target=plan, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["planned"] * 2 + ["year_full"] * (threads_count - 2)
    assert Meeting.objects.live().filter(tandem=tandem, year=2023).count() == 2
