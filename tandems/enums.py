from django.db import models
from django.utils.translation import gettext_lazy as _


class TandemState(models.TextChoices):
    FORMING = "forming", _("forming")
    ACTIVE = "active", _("active")
    ENDED = "ended", _("ended")
    DISSOLVED = "dissolved", _("dissolved")


LIVE_STATES = (TandemState.FORMING, TandemState.ACTIVE)
