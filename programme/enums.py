from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationRole(models.TextChoices):
    FUNDER = "funder", _("Funded by")
    CLIENT = "client", _("Commissioned by")
    LEAD = "lead", _("Run by")
    PARTNER = "partner", _("In cooperation with")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
