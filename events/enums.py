from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    WORKSHOP = "workshop", _("workshop")
    CONFERENCE = "conference", _("conference")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("registered")
    WAITING = "waiting", _("on the waiting list")
    CANCELLED = "cancelled", _("unregistered")
