from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.enums import (
    EXPERIENCE_MAX,
    MOTIVATION_MAX,
    SCORE_MAX,
    SCORE_MIN,
    EoiStatus,
    TopicRole,
)
from core.validators import validate_single_line
from programme.countries import GERMANY
from programme.i18n import localized
from programme.models import Programme


def default_eligible_countries():
    return [GERMANY.value]


class CallQuerySet(models.QuerySet):
    def real(self):
        """Calls that count: practice calls never appear in facts, figures or exports."""
        return self.filter(is_practice=False)

    def practice(self):
        return self.filter(is_practice=True)

    def open_at(self, moment):
        return self.filter(opens_at__lte=moment, closes_at__gte=moment)


class Call(models.Model):
    """A call for expressions of interest, open from ``opens_at`` to ``closes_at`` inclusive."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="calls")
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(
        _("closes at"), help_text=_("The last moment that is still in time, for example 23:59:59.")
    )
    eligible_countries = models.JSONField(
        _("countries that may apply"), default=default_eligible_countries
    )
    is_practice = models.BooleanField(
        _("practice call"), default=False,
        help_text=_("Lets newcomers try the form; never counts in facts, figures or exports."),
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-closes_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="call_closes_after_opening"
            ),
        ]

    def __str__(self):
        label = _("Practice call") if self.is_practice else _("Call")
        closes = timezone.localtime(self.closes_at).date().isoformat()
        return f"{label} {self.programme.slug} – {closes}"


class ExpressionOfInterest(models.Model):
    """A municipality's expression of interest in a call: one per municipality and call.

    It belongs to the municipality (its AGS); the people who speak for it are the
    city's contacts. Every saved version is kept (``history``).
    """

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="expressions",
                             verbose_name=_("call"))
    city = models.ForeignKey("programme.City", on_delete=models.PROTECT,
                             related_name="expressions", verbose_name=_("municipality"))
    status = models.CharField(_("status"), max_length=12, choices=EoiStatus,
                              default=EoiStatus.DRAFT)
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True,
                                 blank=True)  # noqa: DJ001 - unique only once submitted
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True,
                                    validators=[validate_single_line])
    contact_function = models.CharField(_("function"), max_length=150, blank=True,
                                        validators=[validate_single_line])
    contact_department = models.CharField(_("department"), max_length=150, blank=True,
                                          validators=[validate_single_line])
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=50, blank=True,
                                     validators=[validate_single_line])
    # TextField's max_length only reaches forms; the validator holds on every path.
    experience = models.TextField(_("experience"), max_length=EXPERIENCE_MAX, blank=True,
                                  validators=[MaxLengthValidator(EXPERIENCE_MAX)])
    motivation = models.TextField(_("motivation"), max_length=MOTIVATION_MAX, blank=True,
                                  validators=[MaxLengthValidator(MOTIVATION_MAX)])
    preferred_countries = models.JSONField(_("preferred partner countries"), default=list,
                                           blank=True)
    working_languages = models.CharField(_("working languages"), max_length=100, blank=True,
                                         validators=[validate_single_line])
    meeting_years = models.JSONField(_("available for meetings in"), default=list, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["call", "city"], name="eoi_one_per_city_and_call"),
        ]
        # The admin list's order (newest first, then -pk): its first page is read from the
        # index instead of sorting every expression of interest.
        indexes = [models.Index(F("created_at").desc(), F("id").desc(), name="eoi_newest_first")]

    def __str__(self):
        return self.reference or f"{self.city} ({self.get_status_display()})"


class TopicInterest(models.Model):
    """A topic an expression of interest names, and whether the city shares or learns."""

    eoi = models.ForeignKey(ExpressionOfInterest, on_delete=models.CASCADE,
                            related_name="topic_interests")
    topic = models.ForeignKey("programme.Topic", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("topic"))
    role = models.CharField(_("role"), max_length=10, choices=TopicRole)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(fields=["eoi", "topic"], name="topicinterest_unique"),
        ]

    def __str__(self):
        return f"{self.topic} – {self.get_role_display()}"


class LateEntry(models.Model):
    """Staff let one municipality enter or change its expression of interest after the close."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="late_entries",
                             verbose_name=_("call"))
    city = models.ForeignKey("programme.City", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("municipality"))
    reason = models.TextField(_("reason"))
    expires_at = models.DateTimeField(_("valid until"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("late entry")
        verbose_name_plural = _("late entries")
        constraints = [
            models.UniqueConstraint(fields=["call", "city"], name="lateentry_one_per_city"),
        ]

    def __str__(self):
        return f"{self.city} – {self.call}"


class Criterion(models.Model):
    """A criterion staff score expressions of interest against (staff can edit the list)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="criteria")
    name_de = models.CharField(_("name (German)"), max_length=150,
                               validators=[validate_single_line])
    name_en = models.CharField(_("name (English)"), max_length=150,
                               validators=[validate_single_line])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


class Score(models.Model):
    """One reviewer's score of one expression of interest against one criterion."""

    eoi = models.ForeignKey(ExpressionOfInterest, on_delete=models.CASCADE,
                            related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores",
                                  verbose_name=_("criterion"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("reviewer"))
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)])
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["eoi", "criterion", "reviewer"],
                                    name="score_one_per_reviewer_and_criterion"),
            models.CheckConstraint(condition=Q(value__gte=SCORE_MIN) & Q(value__lte=SCORE_MAX),
                                   name="score_in_range"),
        ]

    def __str__(self):
        return f"{self.eoi} – {self.criterion}: {self.value}"
