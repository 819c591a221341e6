"""Staff manage the categories and the case studies' assignments here.

The text of a case study is written on the researchers' own pages, through
``casestudies.services``, so that each save is a version; the admin shows it read-only.
Adding a case study goes through the same service. There is no history "revert" here:
restoring a version is a new version, made on the versions page.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.enums import RESEARCHERS_GROUP
from casestudies import services
from casestudies.enums import CaseStudyStatus, ReviewAction
from casestudies.models import CaseStudy, Category, CodedItem, ReviewStep
from core.admin import DeleteGuard, LabelledListEditable, ReadOnlyTabularInline, keep_on_record
from tandems.models import Tandem

# What the admin never deletes (core.admin.keep_on_record).
keep_on_record(Category, instead=_(
    "earlier versions of case studies may name it. Mark it as not in use instead."))
keep_on_record(
    CaseStudy,
    when=lambda study: (study.status != CaseStudyStatus.DRAFT
                        or study.published_version is not None),
    instead=_("a case study that has gone beyond a draft, or was published, is never deleted, "
              "nor are its versions. Ask for changes to bring it back to a draft."))


@admin.register(Category)
class CategoryAdmin(LabelledListEditable, DeleteGuard, admin.ModelAdmin):
    list_display = ["order", "slug", "name_de", "name_en", "is_active"]
    list_display_links = ["slug"]
    list_editable = ["order", "name_de", "name_en", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["slug", "name_de", "name_en"]
    prepopulated_fields = {"slug": ["name_en"]}

    def get_readonly_fields(self, request, obj=None):
        # Versions name their items' categories by slug: a changed slug would orphan them.
        return ["slug"] if obj is not None else []

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if obj is None else {}


class CodedItemInline(ReadOnlyTabularInline):
    model = CodedItem
    fields = ["kind", "category", "level", "text", "order"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category")


def _review_action(action: str, description):
    """An admin action taking one review step for each selected case study, through the
    same service as the pages; a study for which the step is not possible is reported."""

    @admin.action(description=description)
    def take_step(modeladmin, request, queryset):
        done = 0
        for case_study in queryset:
            try:
                services.casestudy_transition(case_study=case_study, action=action,
                                              by=request.user)
            except ValidationError as error:
                modeladmin.message_user(request, f"{case_study}: {' '.join(error.messages)}",
                                        messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(request, ngettext(
                "%(count)d case study: %(step)s.", "%(count)d case studies: %(step)s.", done)
                % {"count": done, "step": ReviewAction(action).label}, messages.SUCCESS)

    take_step.__name__ = f"review_{action}"
    return take_step


class ReviewStepInline(ReadOnlyTabularInline):
    model = ReviewStep
    fields = ["created_at", "action", "city", "by", "version", "comment"]


@admin.register(CaseStudy)
class CaseStudyAdmin(DeleteGuard, admin.ModelAdmin):
    # Asking for changes needs a comment: that step is taken on the case study's page.
    actions = [_review_action(ReviewAction.SUBMIT, _("Submit for review")),
               _review_action(ReviewAction.SEND_TO_CITIES, _("Send to the cities for approval")),
               _review_action(ReviewAction.PUBLISH, _("Publish"))]
    list_display = ["title", "tandem", "status", "language", "version", "updated_at", "is_demo"]
    list_filter = ["status", "language", "is_demo"]
    list_select_related = ["tandem"]
    search_fields = ["title", "tandem__memberships__city__name"]
    filter_horizontal = ["researchers"]
    add_fields = ["tandem", "title", "language", "researchers"]
    change_readonly_fields = ["tandem", "title", "language", "status", "version", "versions",
                              "updated_by", "updated_at", "created_at", "is_demo",
                              *CaseStudy.SECTIONS]

    def get_queryset(self, request):
        # The tandem's name is its current member cities.
        return super().get_queryset(request).prefetch_related("tandem__memberships__city")

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        return ["tandem", "title", "language", "researchers", "status", "version", "versions",
                "updated_by", "updated_at", "created_at", "is_demo", *CaseStudy.SECTIONS]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.change_readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else [CodedItemInline, ReviewStepInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tandem":
            # One case study per tandem: offer the tandems that have none yet.
            kwargs["queryset"] = (Tandem.objects.filter(case_study__isnull=True)
                                  .prefetch_related("memberships__city"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "researchers":
            kwargs["queryset"] = (get_user_model().objects
                                  .filter(groups__name=RESEARCHERS_GROUP, is_active=True)
                                  .order_by("name", "email"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("versions"))
    def versions(self, obj):
        return format_html('<a href="{}">{}</a>',
                           reverse("casestudies:versions", args=[obj.pk]),
                           _("Show all versions"))

    def save_model(self, request, obj, form, change):
        if change:
            return  # only the researchers change here, which is not a version
        case_study = services.casestudy_create(
            tandem=form.cleaned_data["tandem"], title=form.cleaned_data["title"],
            language=form.cleaned_data["language"],
            researchers=form.cleaned_data["researchers"], by=request.user)
        obj.pk = case_study.pk
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        """Items are written only through the service; their inline is read-only."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
