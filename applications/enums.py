from django.db import models
from django.utils.translation import gettext_lazy as _


class EoiStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    SHORTLISTED = "shortlisted", _("shortlisted")
    ACCEPTED = "accepted", _("accepted")
    WAITLISTED = "waitlisted", _("waitlisted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


class TopicRole(models.TextChoices):
    LIGHTHOUSE = "lighthouse", _("we can share experience (lighthouse)")
    FOLLOWER = "follower", _("we want to learn (follower)")


# Length limits shown while typing and enforced on the server.
EXPERIENCE_MAX = 2000
MOTIVATION_MAX = 2000

# Scores run from 1 (weak) to 5 (strong).
SCORE_MIN = 1
SCORE_MAX = 5
