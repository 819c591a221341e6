"""The only write paths for tandems, memberships and topic roles (DESIGN.md rule 3).

Each takes the programme's row lock first (then the tandem's), so two staff members pairing
or adding a partner at the same time cannot pass the place limit or put two partners in a
tandem; the database constraints on Membership back the "one tandem per city at a time"
and "one German, one partner on every date" rules (see ``Membership``).
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.formatting import german_time
from core.conflicts import EditConflict
from programme.models import Programme
from tandems.enums import LIVE_STATES, MeetingStatus, TandemState
from tandems.models import (
    CalendarFeed,
    Meeting,
    MeetingDocument,
    Membership,
    Minutes,
    Tandem,
    TandemTopic,
)
from tandems.validators import (
    DOCUMENT_HEAD_BYTES,
    document_name,
    validate_city_free,
    validate_document,
    validate_free_place,
    validate_join_date,
    validate_lighthouse,
    validate_meeting_host,
    validate_meeting_place,
    validate_meeting_status_change,
    validate_meeting_times,
    validate_meeting_year,
    validate_minutes_allowed,
    validate_one_city_per_side,
    validate_pair,
    validate_state_change,
    validate_withdrawal,
)


def _lock_programme(programme) -> Programme:
    return Programme.objects.select_for_update().get(pk=programme.pk)


def _today(now: datetime | None) -> date:
    """Today in German time, whatever the server's zone."""
    return german_time(now or timezone.now()).date()


def _city_memberships(*, city, programme):
    return Membership.objects.filter(city=city, programme=programme)


def _join(*, tandem: Tandem, city, joined_on: date) -> Membership:
    membership = Membership(tandem=tandem, city=city, programme=tandem.programme,
                            is_german=city.is_german, joined_on=joined_on)
    membership.full_clean(validate_constraints=False)  # the validators and locks did that
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as error:  # only reachable by a write that skipped the locks
        raise ValidationError(
            _("%(city)s could not join: the tandem's or the city's memberships changed at "
              "the same time. Please check them and try again."),
            code="conflict", params={"city": city.name}) from error
    return membership


def tandem_check(*, programme, german_city, partner_city, formed_on: date,
                 now: datetime | None = None) -> None:
    """Raise if the two cities cannot be paired on ``formed_on``; run again under the lock."""
    validate_pair(german_city=german_city, partner_city=partner_city)
    validate_free_place(programme=programme,
                        live_tandems=Tandem.objects.filter(programme=programme).live().count())
    validate_join_date(joined_on=formed_on, formed_on=formed_on, today=_today(now))
    for city in (german_city, partner_city):
        validate_city_free(city=city, joined_on=formed_on,
                           memberships=_city_memberships(city=city, programme=programme))


def tandem_create(*, programme, german_city, partner_city, topics: dict, formed_on: date,
                  state: str = TandemState.FORMING, now: datetime | None = None) -> Tandem:
    """Pair two cities into a tandem; ``topics`` maps each Topic to its lighthouse city."""
    with transaction.atomic():
        programme = _lock_programme(programme)
        tandem_check(programme=programme, german_city=german_city, partner_city=partner_city,
                     formed_on=formed_on, now=now)
        tandem = Tandem.objects.create(programme=programme, formed_on=formed_on, state=state)
        for city in (german_city, partner_city):
            _join(tandem=tandem, city=city, joined_on=formed_on)
        tandem_set_topics(tandem=tandem, topics=topics)
    return tandem


def tandem_set_topics(*, tandem: Tandem, topics: dict) -> Tandem:
    """Make ``topics`` (Topic -> lighthouse city) the tandem's topics and roles.

    A lighthouse is one of the current members, or None: still to be agreed.
    """
    with transaction.atomic():
        tandem = _lock_tandem(tandem)  # a withdrawal at the same time waits, or goes first
        members = [m.city for m in tandem.memberships.filter(left_on=None).select_related(
            "city")]
        for lighthouse in topics.values():
            validate_lighthouse(lighthouse=lighthouse, members=members)
        tandem.topics.exclude(topic__in=list(topics)).delete()
        for topic, lighthouse in topics.items():
            TandemTopic.objects.update_or_create(tandem=tandem, topic=topic,
                                                 defaults={"lighthouse": lighthouse})
    return tandem


def membership_end(*, membership: Membership, left_on: date,
                   now: datetime | None = None) -> Membership:
    """A city withdraws; ``left_on`` is its last day in the tandem (today or earlier).

    The membership ends; the tandem, its history and its meetings stay. The topics the city
    led become "lighthouse to be agreed" until staff choose one of the current members:
    they do not pass silently to the city that stays.
    """
    today = _today(now)
    with transaction.atomic():
        _lock_programme(membership.programme)
        # The tandem's lock keeps meetings from being planned with this host meanwhile.
        _lock_tandem(membership.tandem)
        membership = (Membership.objects.select_for_update().select_related("city", "tandem")
                      .get(pk=membership.pk))
        hosted = Meeting.objects.live().filter(tandem=membership.tandem, host=membership.city)
        validate_withdrawal(membership=membership, left_on=left_on, today=today,
                            hosted=list(hosted))
        membership.left_on = left_on
        membership.full_clean(validate_constraints=False)
        membership.save()
        for topic in membership.tandem.topics.filter(lighthouse=membership.city):
            topic.lighthouse = None
            topic.save()  # one by one, so each change is in the topic's history
    return membership


def membership_check(*, tandem: Tandem, city, joined_on: date,
                     now: datetime | None = None) -> None:
    """Raise if ``city`` cannot join ``tandem`` on ``joined_on``; run again under the lock."""
    if tandem.state not in LIVE_STATES:
        raise ValidationError(_("This tandem has ended; nobody can join it."), code="not_live")
    validate_join_date(joined_on=joined_on, formed_on=tandem.formed_on, today=_today(now))
    validate_one_city_per_side(joined_on=joined_on, side=tandem.memberships.filter(
        is_german=city.is_german).select_related("city"))
    validate_city_free(city=city, joined_on=joined_on,
                       memberships=_city_memberships(city=city, programme=tandem.programme))


def membership_add(*, tandem: Tandem, city, joined_on: date,
                   now: datetime | None = None) -> Membership:
    """A new partner joins an existing tandem after a withdrawal, from ``joined_on``."""
    with transaction.atomic():
        _lock_programme(tandem.programme)
        tandem = Tandem.objects.select_for_update().get(pk=tandem.pk)
        membership_check(tandem=tandem, city=city, joined_on=joined_on, now=now)
        return _join(tandem=tandem, city=city, joined_on=joined_on)


def tandem_set_state(*, tandem: Tandem, state: str, on: date,
                     now: datetime | None = None) -> Tandem:
    """Activate, end or dissolve a tandem; ending or dissolving ends its memberships on ``on``.

    The topics keep their lighthouses: they are the record of who led what.
    """
    today = _today(now)
    with transaction.atomic():
        _lock_programme(tandem.programme)
        tandem = Tandem.objects.select_for_update().get(pk=tandem.pk)
        validate_state_change(current=tandem.state, to=state)
        tandem.state = state
        if state in (TandemState.ENDED, TandemState.DISSOLVED):
            tandem.ended_on = on
            for membership in tandem.memberships.filter(left_on=None).select_related("city"):
                validate_withdrawal(membership=membership, left_on=on, today=today)
                membership.left_on = on
                membership.full_clean(validate_constraints=False)
                membership.save()
        tandem.save()
    return tandem


# -- meetings (DESIGN.md rule 4) ---------------------------------------------------------
# Every write locks the tandem row first, so two members planning at once queue up and the
# second sees the first's meeting; the unique (tandem, year, slot) constraint backs it.

MEETING_FIELDS = ("title", "starts_at", "ends_at", "format", "host", "place", "link", "agenda",
                  "participants")


def _lock_tandem(tandem) -> Tandem:
    return Tandem.objects.select_for_update().select_related("programme").get(pk=tandem.pk)


def _members_on(tandem, day: date) -> list:
    """The cities that were members of ``tandem`` on ``day``."""
    return [m.city for m in tandem.memberships.during(day, day).select_related("city")]


def _free_slot(*, tandem, year: int, exclude: Meeting | None = None) -> int:
    """Return the lowest free place of ``tandem`` in ``year``, or raise if both are taken."""
    taken = set(Meeting.objects.live().filter(tandem=tandem, year=year)
                .exclude(pk=getattr(exclude, "pk", None)).values_list("slot", flat=True))
    validate_meeting_place(programme=tandem.programme, year=year, live_meetings=len(taken))
    return min(set(range(1, tandem.programme.max_meetings_per_year + 1)) - taken)


def meeting_check(*, tandem, starts_at: datetime, ends_at: datetime, host=None,
                  meeting: Meeting | None = None, status: str = MeetingStatus.PLANNED) -> None:
    """Raise if the meeting cannot be stored like this; run again under the lock on save.

    ``meeting`` is the meeting being changed, if any. The host is a member on the meeting's
    day, so a meeting hosted by a city that has since withdrawn stays as it was.
    """
    validate_meeting_times(starts_at=starts_at, ends_at=ends_at)
    validate_meeting_year(programme=tandem.programme, starts_at=starts_at)
    day = german_time(starts_at).date()
    if host is not None:
        validate_meeting_host(host=host, members=_members_on(tandem, day))
    year = day.year
    moved_year = meeting is None or meeting.year != year or not meeting.is_live
    if status != MeetingStatus.CANCELLED and moved_year:
        _free_slot(tandem=tandem, year=year, exclude=meeting)


def _save(meeting: Meeting) -> Meeting:
    meeting.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as error:  # only reachable by a write that skipped the lock
        raise ValidationError(_("This tandem has no free meeting place in %(year)s."),
                              code="year_full", params={"year": meeting.year}) from error
    return meeting


def meeting_create(*, tandem: Tandem, title: str, starts_at: datetime, ends_at: datetime,
                   host, format: str = "on_site", place: str = "", link: str = "",
                   agenda: str = "", participants: str = "", created_by=None) -> Meeting:
    """Plan a meeting of ``tandem`` in one of its free places of the year."""
    with transaction.atomic():
        tandem = _lock_tandem(tandem)
        meeting_check(tandem=tandem, starts_at=starts_at, ends_at=ends_at, host=host)
        year = german_time(starts_at).year
        meeting = Meeting(tandem=tandem, title=title, starts_at=starts_at, ends_at=ends_at,
                          host=host, format=format, place=place, link=link, agenda=agenda,
                          participants=participants, year=year, created_by=created_by,
                          slot=_free_slot(tandem=tandem, year=year))
        return _save(meeting)


def meeting_update(*, meeting: Meeting, **changes) -> Meeting:
    """Change a meeting's details; moving it into another year needs a free place there.

    Every change raises the iCalendar SEQUENCE, so calendars replace their copy.
    """
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"meeting_update() got unexpected fields: {sorted(unknown)}")
    with transaction.atomic():
        tandem = _lock_tandem(meeting.tandem)
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        changed = {name: value for name, value in changes.items()
                   if getattr(meeting, name) != value}
        if not changed:
            return meeting
        new = {name: changes.get(name, getattr(meeting, name))
               for name in ("starts_at", "ends_at", "host")}
        meeting_check(tandem=tandem, meeting=meeting, status=meeting.status, **new)
        year = german_time(new["starts_at"]).year
        if meeting.is_live and year != meeting.year:
            meeting.slot = _free_slot(tandem=tandem, year=year, exclude=meeting)
        for name, value in changed.items():
            setattr(meeting, name, value)
        meeting.year = year
        meeting.sequence += 1
        return _save(meeting)


def meeting_set_status(*, meeting: Meeting, status: str, now: datetime | None = None) -> Meeting:
    """Mark a meeting held, cancel it (which frees its place) or plan it again."""
    now = now or timezone.now()
    with transaction.atomic():
        tandem = _lock_tandem(meeting.tandem)
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == status:
            return meeting
        validate_meeting_status_change(current=meeting.status, to=status,
                                       starts_at=meeting.starts_at, now=now)
        if status == MeetingStatus.CANCELLED:
            meeting.slot = None
        elif not meeting.is_live:  # planned again: it needs a free place once more
            meeting.slot = _free_slot(tandem=tandem, year=meeting.year)
        meeting.status = status
        meeting.sequence += 1
        return _save(meeting)


# -- meeting documents -------------------------------------------------------------------


def document_add(*, meeting: Meeting, upload: File, kind: str,
                 uploaded_by) -> MeetingDocument:
    """Keep an uploaded file for ``meeting`` if its content, size and name pass the rule.

    ``upload`` is any Django ``File`` (an ``UploadedFile`` from a form, ``File(open(...))``
    in the shell). It is stored in the private storage under a random name; its cleaned
    original name, the type detected from its content and its size are recorded.
    """
    name = document_name(upload.name)
    upload.seek(0)
    head = upload.read(DOCUMENT_HEAD_BYTES)
    upload.seek(0)
    content_type = validate_document(head=head, size=upload.size, name=name)
    document = MeetingDocument(meeting=meeting, kind=kind, name=name, content_type=content_type,
                               size=upload.size, uploaded_by=uploaded_by)
    document.full_clean(exclude=["file"])
    document.file.save(name, upload, save=False)  # the model's upload_to picks a random name
    try:
        with transaction.atomic():
            document.save()
    except Exception:
        # The file is written before the row: do not leave it on disk without one.
        document.file.delete(save=False)
        raise
    return document


# -- minutes -----------------------------------------------------------------------------

def minutes_save(*, meeting: Meeting, text: str, base_version: int, by,
                 now: datetime | None = None) -> Minutes:
    """Save the minutes of ``meeting`` as a new version on top of ``base_version``.

    ``base_version`` is the version the author started from (0 for none yet). If someone
    saved in between, raise :class:`core.conflicts.EditConflict` and write nothing: two
    people editing at once never silently overwrite each other. Every version is kept
    (``Minutes.history``).
    """
    now = now or timezone.now()
    validate_minutes_allowed(status=meeting.status, starts_at=meeting.starts_at, now=now)
    with transaction.atomic():
        # The meeting's row lock queues saves of its minutes, the first one included.
        Meeting.objects.select_for_update().only("pk").get(pk=meeting.pk)
        minutes = Minutes.objects.filter(meeting=meeting).first()
        if minutes is None and base_version != 0:
            # The form names a version that does not exist (deleted meanwhile, or tampered).
            raise ValidationError(
                _("These minutes changed while you were writing. Please check your text and "
                  "save again."), code="stale_version")
        if minutes is not None and minutes.version != base_version:
            raise EditConflict(minutes)
        if minutes is None:
            minutes = Minutes(meeting=meeting, text=text, updated_by=by)
        elif minutes.text == text:
            return minutes
        else:
            minutes.text, minutes.updated_by = text, by
            minutes.version += 1
        minutes.full_clean()
        minutes.save()
    return minutes


# -- calendar feeds ----------------------------------------------------------------------

def calendar_feed_get(*, user, tandem: Tandem | None = None) -> CalendarFeed:
    """Return the user's secret feed for ``tandem`` (or for all their tandems), made on first use.

    The feed view checks the user's rights on every fetch, so a feed needs no check here.
    """
    feed, _created = CalendarFeed.objects.get_or_create(user=user, tandem=tandem)
    return feed


def calendar_feed_renew(*, user, tandem: Tandem | None = None) -> CalendarFeed:
    """Give the feed a new secret address; the old one stops working at once."""
    feed = calendar_feed_get(user=user, tandem=tandem)
    feed.token = CalendarFeed._meta.get_field("token").get_default()  # a fresh random token
    feed.full_clean()
    feed.save(update_fields=["token"])
    return feed
