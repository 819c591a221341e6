from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStudyStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    WITH_CITIES = "with_cities", _("with the cities")
    PUBLISHED = "published", _("published")


# The stages in which a tandem's city contacts read their own case study.
SHOWN_TO_CITIES = (CaseStudyStatus.WITH_CITIES, CaseStudyStatus.PUBLISHED)


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", _("submitted for review")
    SEND_TO_CITIES = "send_to_cities", _("sent to the cities")
    APPROVE = "approve", _("approved for a city")
    REQUEST_CHANGES = "request_changes", _("changes requested")
    PUBLISH = "publish", _("published")


class ItemKind(models.TextChoices):
    BARRIER = "barrier", _("barrier")
    DRIVER = "driver", _("driver")


class Level(models.TextChoices):
    LOCAL = "local", _("local")
    NATIONAL = "national", _("national")
    EUROPEAN = "european", _("European")
