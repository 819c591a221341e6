import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.formatting import deadline_text
from core.validators import validate_single_line
from events.enums import EventKind, RegistrationStatus
from events.validators import validate_event_place, validate_event_times
from programme.models import City, Programme
from tandems.enums import MeetingFormat


class Event(models.Model):
    """A network event of the whole programme: a workshop or a conference for all tandems."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="events",
                                  verbose_name=_("programme"))
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind,
                            default=EventKind.WORKSHOP)
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    format = models.CharField(_("format"), max_length=8, choices=MeetingFormat,
                              default=MeetingFormat.ON_SITE)
    place = models.CharField(_("place"), max_length=300, blank=True,
                             validators=[validate_single_line])
    link = models.URLField(_("online link"), max_length=500, blank=True)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Empty: no limit. When it is full, people join a waiting list."))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    # iCalendar: a stable UID and a SEQUENCE raised on every change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("network event")
        verbose_name_plural = _("network events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="event_ends_after_start",
                                   violation_error_message=_("An event ends after it starts.")),
            models.CheckConstraint(
                condition=Q(registration_closes_at__lte=F("starts_at")),
                name="event_registration_closes_by_start",
                violation_error_message=_(
                    "Registration closes at the latest when the event starts.")),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.registration_closes_at:
            try:
                validate_event_times(starts_at=self.starts_at, ends_at=self.ends_at,
                                     registration_closes_at=self.registration_closes_at)
            except ValidationError as error:
                errors.update(error.error_dict)
        try:
            validate_event_place(format=self.format, place=self.place)
        except ValidationError as error:
            errors.update(error.error_dict)
        if errors:
            raise ValidationError(errors)

    @property
    def registration_deadline(self) -> str:
        """The deadline as the platform writes deadlines, in the active language."""
        return deadline_text(self.registration_closes_at)


class Registration(models.Model):
    """One person's registration for an event, for the city they speak for.

    One row per person and event: unregistering keeps the row as "cancelled", registering
    again reuses it. The waiting list is ordered by ``waiting_since``, then ``pk``.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations",
                              verbose_name=_("event"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="event_registrations", verbose_name=_("person"))
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("city"))
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus,
                              default=RegistrationStatus.CONFIRMED)
    waiting_since = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    # Set by the services (``now`` is injectable); registering again after unregistering
    # sets it anew.
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_one_per_person"),
        ]
        indexes = [models.Index(fields=["event", "status", "waiting_since"],
                                name="registration_queue")]

    def __str__(self):
        return f"{self.user} – {self.event}"

    @property
    def is_active(self) -> bool:
        """Registered or on the waiting list (not unregistered)."""
        return self.status != RegistrationStatus.CANCELLED
