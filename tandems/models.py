import secrets
import uuid
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.validators import validate_single_line
from programme.models import City, Programme, Topic
from tandems.enums import (
    LIVE_STATES,
    DocumentKind,
    MeetingFormat,
    MeetingStatus,
    TandemState,
)

# Shown wherever a topic's lead is read while staff have not chosen one (see TandemTopic).
LIGHTHOUSE_TO_BE_AGREED = _("lighthouse to be agreed")


class TandemQuerySet(models.QuerySet):
    def live(self):
        """Tandems that count against the programme's places: not ended or dissolved."""
        return self.filter(state__in=LIVE_STATES)


class Tandem(models.Model):
    """A German municipality and a city from another European country, learning together."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="tandems",
                                  verbose_name=_("programme"))
    state = models.CharField(_("state"), max_length=10, choices=TandemState,
                             default=TandemState.FORMING)
    formed_on = models.DateField(_("formed on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = TandemQuerySet.as_manager()

    class Meta:
        verbose_name = _("tandem")
        verbose_name_plural = _("tandems")
        ordering = ["formed_on", "pk"]

    def __str__(self):
        return self.name_with(self.current_memberships())

    def name_with(self, memberships) -> str:
        """Name the tandem by ``memberships``, the German side first: "Krefeld – Venlo", or
        "Krefeld – Sofia / Venlo" for a year in which the partner changed."""
        sides = [[m.city.name for m in memberships if m.is_german],
                 [m.city.name for m in memberships if not m.is_german]]
        names = " – ".join(" / ".join(side) for side in sides if side)
        return names or f"{_('Tandem')} {self.pk}"

    def current_memberships(self):
        """The members now: those who have not withdrawn (joins are never dated after today).

        Prefetch ``memberships__city`` to keep this query-free.
        """
        return sorted((m for m in self.memberships.all() if m.left_on is None),
                      key=lambda m: not m.is_german)


class MembershipQuerySet(models.QuerySet):
    def during(self, first: date, last: date):
        """Memberships that cover at least one day from ``first`` to ``last`` (both in)."""
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gte=first), joined_on__lte=last)


class Membership(models.Model):
    """A city's time in a tandem; a withdrawal ends it and keeps the record.

    A membership covers ``joined_on`` to ``left_on``, both days included: ``left_on`` is the
    city's last day in the tandem (the demo: Sofia until 31 December 2023, Venlo from
    1 January 2024). At no date does a tandem have two German members or two partner
    members, and at no date is a city in two tandems of a programme
    (``tandems.validators``, backed on PostgreSQL by the exclusion constraints of migration
    0004; the partial unique constraints below hold the same for the current members on
    every database).
    """

    tandem = models.ForeignKey(Tandem, on_delete=models.CASCADE, related_name="memberships")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="memberships",
                             verbose_name=_("city"))
    # Copied from the tandem and the city so the database itself can hold the rules below.
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    is_german = models.BooleanField(editable=False)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True,
                               help_text=_("The last day in the tandem."))
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["joined_on", "pk"]
        constraints = [
            # A city is in at most one live tandem per programme.
            models.UniqueConstraint(fields=["city", "programme"], condition=Q(left_on=None),
                                    name="membership_one_live_tandem_per_city"),
            # A tandem has at most one current German and one current non-German member.
            models.UniqueConstraint(fields=["tandem", "is_german"], condition=Q(left_on=None),
                                    name="membership_one_german_one_partner"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_leaves_after_joining",
                violation_error_message=_("A city's last day in a tandem is on or after the "
                                          "day it joined.")),
        ]

    def __str__(self):
        return f"{self.city} ({self.joined_on} – {self.left_on or ''})"

    def covers(self, day: date) -> bool:
        """Whether the city was a member on ``day`` (its first and last day included)."""
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


class TandemTopic(models.Model):
    """A topic of a tandem and the member city that leads it (the lighthouse).

    No lighthouse means "to be agreed": the leading city has withdrawn and staff have not
    yet chosen one of the current members (the roles do not pass silently to the other).
    """

    tandem = models.ForeignKey(Tandem, on_delete=models.CASCADE, related_name="topics")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("topic"))
    lighthouse = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True, verbose_name=_("lighthouse"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tandem topic")
        verbose_name_plural = _("tandem topics")
        constraints = [
            # One row per topic, so exactly one lighthouse per topic.
            models.UniqueConstraint(fields=["tandem", "topic"], name="tandemtopic_unique"),
        ]

    def __str__(self):
        return f"{self.topic}: {self.lighthouse_name}"

    @property
    def lighthouse_name(self) -> str:
        """The leading city's name, or "lighthouse to be agreed" in the active language."""
        return self.lighthouse.name if self.lighthouse else str(LIGHTHOUSE_TO_BE_AGREED)


class PairingRule(models.Model):
    """Staff steer the pairing assistant: never propose a pair, or always propose it."""

    class Kind(models.TextChoices):
        EXCLUDE = "exclude", _("never pair")
        REQUIRE = "require", _("must pair")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("programme"))
    german_city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("German municipality"),
                                    limit_choices_to={"country": "DE"})
    partner_city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("partner city"))
    kind = models.CharField(_("rule"), max_length=8, choices=Kind)
    note = models.CharField(_("note"), max_length=200, blank=True,
                            validators=[validate_single_line])

    class Meta:
        verbose_name = _("pairing rule")
        verbose_name_plural = _("pairing rules")
        constraints = [
            models.UniqueConstraint(fields=["programme", "german_city", "partner_city"],
                                    name="pairingrule_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.german_city} – {self.partner_city}"


class MeetingQuerySet(models.QuerySet):
    def live(self):
        """Meetings that take one of the tandem's places: planned or held, not cancelled."""
        return self.exclude(status=MeetingStatus.CANCELLED)


class Meeting(models.Model):
    """A meeting of a tandem; at most ``max_meetings_per_year`` live ones per year (rule 4).

    ``year`` and ``slot`` are set by the services only: each live meeting takes a slot
    (1 or 2) of its tandem and year, and the database keeps slots unique, so even a path
    around the services cannot store a third live meeting.
    """

    tandem = models.ForeignKey(Tandem, on_delete=models.CASCADE, related_name="meetings",
                               verbose_name=_("tandem"))
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    format = models.CharField(_("format"), max_length=8, choices=MeetingFormat,
                              default=MeetingFormat.ON_SITE)
    host = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("host city"))
    place = models.CharField(_("place"), max_length=300, blank=True,
                             help_text=_("Address or room, for meetings on site."),
                             validators=[validate_single_line])
    link = models.URLField(_("online link"), max_length=500, blank=True,
                           help_text=_("Video conference link, for online and hybrid meetings."))
    # A TextField's max_length limits only the form; the validator holds on every path.
    agenda = models.TextField(_("agenda"), max_length=5000, blank=True,
                              validators=[MaxLengthValidator(5000)])
    participants = models.TextField(_("participants"), max_length=2000, blank=True,
                                    validators=[MaxLengthValidator(2000)],
                                    help_text=_("Who takes part, one person per line."))
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus,
                              default=MeetingStatus.PLANNED)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    slot = models.PositiveSmallIntegerField(_("place in the year"), null=True, editable=False)
    # iCalendar: a stable UID and a SEQUENCE raised on every change (RFC 5545 3.8.7.4).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+", editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tandem", "year", "slot"],
                                    condition=~Q(status=MeetingStatus.CANCELLED),
                                    name="meeting_one_per_slot"),
            models.CheckConstraint(
                condition=Q(status=MeetingStatus.CANCELLED) | Q(slot__isnull=False, slot__gte=1),
                name="meeting_live_has_slot"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="meeting_ends_after_start",
                                   violation_error_message=_("A meeting ends after it starts.")),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="meeting_status_start")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("tandems:meeting", args=[self.tandem_id, self.pk])

    @property
    def is_live(self) -> bool:
        return self.status != MeetingStatus.CANCELLED


MINUTES_MAX = 20_000


class Minutes(models.Model):
    """What was said and agreed at a meeting, written by the tandem's members afterwards.

    ``version`` is the optimistic lock: a save names the version it started from, and a
    save from an older version is a conflict, never a silent overwrite. Every saved
    version is kept in ``history``.
    """

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes",
                                   verbose_name=_("meeting"))
    text = models.TextField(_("minutes"), max_length=MINUTES_MAX,
                            validators=[MaxLengthValidator(MINUTES_MAX)])
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("last edited by"), editable=False)
    updated_at = models.DateTimeField(_("last edited at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self):
        return str(self.meeting)


def private_storage():
    return storages["private"]


def _document_path(instance, filename) -> str:
    # A random name: the original one is kept in ``name`` and never touches the disk.
    return f"meetings/{instance.meeting_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class MeetingDocument(models.Model):
    """An agenda, slides or a letter of intent for a meeting; only members and staff read it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents",
                                verbose_name=_("meeting"))
    kind = models.CharField(_("kind"), max_length=8, choices=DocumentKind,
                            default=DocumentKind.AGENDA)
    file = models.FileField(_("file"), upload_to=_document_path,
                            storage=private_storage, max_length=200)
    name = models.CharField(_("file name"), max_length=200, validators=[validate_single_line])
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tandems:document", args=[self.meeting.tandem_id, self.meeting_id,
                                                 self.pk])


def _feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A secret subscription URL for a user's calendar: all their tandems, or one tandem.

    Renewing replaces the token, so the old URL stops working. Each fetch checks again that
    the user may still see the tandem.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="calendar_feeds")
    tandem = models.ForeignKey(Tandem, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+")
    token = models.CharField(max_length=64, unique=True, default=_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tandem"], name="calendarfeed_one_per_tandem"),
            models.UniqueConstraint(fields=["user"], condition=Q(tandem=None),
                                    name="calendarfeed_one_personal"),
        ]

    def __str__(self):
        return f"{self.user} · {self.tandem or '*'}"

    def get_absolute_url(self):
        return reverse("calendar_feed", args=[self.token])
