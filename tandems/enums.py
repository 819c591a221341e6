from django.db import models
from django.utils.translation import gettext_lazy as _


class TandemState(models.TextChoices):
    FORMING = "forming", _("forming")
    ACTIVE = "active", _("active")
    ENDED = "ended", _("ended")
    DISSOLVED = "dissolved", _("dissolved")


LIVE_STATES = (TandemState.FORMING, TandemState.ACTIVE)


class MeetingFormat(models.TextChoices):
    ON_SITE = "on_site", _("on site")
    ONLINE = "online", _("online")
    HYBRID = "hybrid", _("hybrid")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class DocumentKind(models.TextChoices):
    AGENDA = "agenda", _("agenda")
    SLIDES = "slides", _("slides")
    LETTER_OF_INTENT = "letter", _("letter of intent")
    OTHER = "other", _("other")
