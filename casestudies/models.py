"""A case study per tandem on the barriers and drivers of digital urban development.

The sections are Markdown (rendered and sanitised by ``casestudies.markdown``); barriers and
drivers are coded items, each with a category of a managed taxonomy and a level, so that
cases can be compared. ``version`` is the optimistic lock, and every saved version is kept
in ``history`` (django-simple-history, as for applications and minutes) together with a
snapshot of its coded items.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.enums import Language
from casestudies.enums import CaseStudyStatus, ItemKind, Level, ReviewAction
from core.validators import validate_single_line
from programme.i18n import localized
from programme.models import City
from tandems.models import Tandem

SECTION_MAX = 20_000
ITEM_TEXT_MAX = 2_000


class Category(models.Model):
    """A category of barriers and drivers (managed by staff in the admin)."""

    slug = models.SlugField(_("short name"), unique=True)
    name_de = models.CharField(_("name (German)"), max_length=150,
                               validators=[validate_single_line])
    name_en = models.CharField(_("name (English)"), max_length=150,
                               validators=[validate_single_line])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("in use"), default=True,
        help_text=_("Categories no longer in use stay on the items coded with them."))

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "slug"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


def section_field(label, help_text=""):
    return models.TextField(label, blank=True, max_length=SECTION_MAX, help_text=help_text,
                            validators=[MaxLengthValidator(SECTION_MAX)])


class CaseStudyVersionFields(models.Model):
    """Added to each historical row: the coded items as they were in that version."""

    items = models.JSONField(_("coded items"), default=list, blank=True)

    class Meta:
        abstract = True


class CaseStudy(models.Model):
    """The case study of one tandem, written by its assigned researchers."""

    # The sections in the order of the study; their names are the form's and the history's.
    SECTIONS = ("context", "transfer", "results", "recommendations", "sources", "summary_en")
    EDITABLE = ("title", "language", *SECTIONS)  # what a version holds besides its items

    tandem = models.OneToOneField(Tandem, on_delete=models.PROTECT, related_name="case_study",
                                  verbose_name=_("tandem"))
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    language = models.CharField(_("language"), max_length=2, choices=Language,
                                default=Language.GERMAN)
    researchers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                         related_name="case_studies",
                                         verbose_name=_("assigned researchers"))
    status = models.CharField(_("status"), max_length=12, choices=CaseStudyStatus,
                              default=CaseStudyStatus.DRAFT, editable=False)
    context = section_field(_("Context"), _("The two cities and their starting point."))
    transfer = section_field(_("Transfer topics"),
                             _("The topics of the transfer and which city led each."))
    results = section_field(_("Results of the transfer"))
    recommendations = section_field(_("Recommendations"))
    sources = section_field(_("Sources"))
    summary_en = section_field(_("English summary"),
                               _("Needed when the study is written in German."))
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    # The review: set by ``casestudy_transition`` only, never a version of their own.
    status_changed_at = models.DateTimeField(_("status since"), null=True, blank=True,
                                             editable=False)
    review_round = models.PositiveIntegerField(_("review round with the cities"), default=0,
                                               editable=False)
    # The version the public reads; a later edit makes a new draft and leaves this one.
    published_version = models.PositiveIntegerField(_("published version"), null=True,
                                                    blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True,
                                        editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("last edited by"), editable=False)
    updated_at = models.DateTimeField(_("last edited at"), auto_now=True)
    history = HistoricalRecords(
        bases=[CaseStudyVersionFields],
        excluded_fields=["updated_at", "status_changed_at", "review_round",
                         "published_version", "published_at"])

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        ordering = ["tandem__formed_on", "tandem__pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("casestudies:detail", args=[self.pk])


class CodedItem(models.Model):
    """One barrier or driver of a case study, coded by category and level."""

    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="items",
                                   verbose_name=_("case study"))
    kind = models.CharField(_("kind"), max_length=7, choices=ItemKind)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items",
                                 verbose_name=_("category"))
    level = models.CharField(_("level"), max_length=8, choices=Level)
    text = models.TextField(_("text"), max_length=ITEM_TEXT_MAX,
                            validators=[MaxLengthValidator(ITEM_TEXT_MAX)])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("coded item")
        verbose_name_plural = _("coded items")
        ordering = ["case_study", "kind", "order", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.category}"


COMMENT_MAX = 5_000


class ReviewStep(models.Model):
    """One step of a case study's way to publication: who did what, on which version, why."""

    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE,
                                   related_name="review_steps", verbose_name=_("case study"))
    action = models.CharField(_("step"), max_length=16, choices=ReviewAction)
    from_status = models.CharField(_("from"), max_length=12, choices=CaseStudyStatus)
    to_status = models.CharField(_("to"), max_length=12, choices=CaseStudyStatus)
    # The city that approved or asked for changes (also when staff acted for it).
    city = models.ForeignKey(City, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("city"))
    comment = models.TextField(_("comment"), blank=True, max_length=COMMENT_MAX,
                               validators=[MaxLengthValidator(COMMENT_MAX)])
    version = models.PositiveIntegerField(_("version"))
    round = models.PositiveIntegerField(_("review round with the cities"), default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           blank=True, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.case_study}: {self.get_action_display()}"
