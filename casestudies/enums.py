from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStudyStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    WITH_CITIES = "with_cities", _("with the cities")
    PUBLISHED = "published", _("published")


# The stages in which a tandem's city contacts read their own case study.
SHOWN_TO_CITIES = (CaseStudyStatus.WITH_CITIES, CaseStudyStatus.PUBLISHED)


class ItemKind(models.TextChoices):
    BARRIER = "barrier", _("barrier")
    DRIVER = "driver", _("driver")


class Level(models.TextChoices):
    LOCAL = "local", _("local")
    NATIONAL = "national", _("national")
    EUROPEAN = "european", _("European")
