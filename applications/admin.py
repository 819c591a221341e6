from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from applications.admin_filters import (
    CallFilter,
    LandFilter,
    RoleFilter,
    TopicFilter,
    VerifiedContactFilter,
)
from applications.enums import SCORE_MAX, SCORE_MIN, EoiStatus
from applications.models import (
    Call,
    Criterion,
    ExpressionOfInterest,
    LateEntry,
    Score,
    TopicInterest,
)
from applications.selectors import EXPORT_COLUMNS, dashboard_figures, export_rows, with_scores
from applications.services import (
    eoi_change_status,
    eoi_delete_draft,
    late_entry_grant,
    scores_save,
)
from core.admin import (
    DeleteGuard,
    HistoryAdmin,
    LabelledListEditable,
    PlainActionCheckbox,
    keep_on_record,
)
from core.downloads import CSV_TYPE, XLSX_TYPE, Sheet, csv_text, download, xlsx_bytes

# What the admin never deletes (core.admin.keep_on_record). A draft that was never submitted
# may go; the service eoi_delete_draft decides again when it is deleted.
keep_on_record(
    ExpressionOfInterest,
    when=lambda eoi: eoi.status != EoiStatus.DRAFT or eoi.submitted_at is not None,
    instead=_("a submitted or decided expression of interest is never deleted. Withdraw or "
              "decline it instead; the retention purge anonymises it later."))
keep_on_record(Score, instead=_("scores are the record of the review. A reviewer changes "
                                "their own or leaves a criterion out on the score page."))


@admin.register(Call)
class CallAdmin(DeleteGuard, admin.ModelAdmin):
    list_display = ["__str__", "opens_at", "closes_at", "is_practice"]
    list_filter = ["is_practice", "programme"]
    list_select_related = ["programme"]


class TopicInterestInline(admin.TabularInline):
    model = TopicInterest
    extra = 0
    can_delete = False
    readonly_fields = ["topic", "role"]

    def has_add_permission(self, request, obj=None):
        return False


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))
    reason_in_mail = forms.BooleanField(label=_("Include the reason in the mail"),
                                        required=False)


def decision_action(status):
    """An admin action that moves the selection to ``status`` after asking for a reason."""

    def action(modeladmin, request, queryset):
        form = DecisionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            changed, refused = 0, []
            for eoi in queryset.select_related("city"):
                try:
                    eoi_change_status(eoi=eoi, to=status, by=request.user,
                                      reason=form.cleaned_data["reason"], now=timezone.now(),
                                      reason_in_mail=form.cleaned_data["reason_in_mail"])
                    changed += 1
                except ValidationError as error:
                    refused.append(f"{eoi}: {error.messages[0]}")
            modeladmin.message_user(request, ngettext(
                "%(count)d expression of interest changed.",
                "%(count)d expressions of interest changed.", changed) % {"count": changed})
            for message in refused:
                modeladmin.message_user(request, message, messages.ERROR)
            return None
        return TemplateResponse(request, "admin/applications/decide.html", {
            **modeladmin.admin_site.each_context(request), "form": form, "queryset": queryset,
            "status": EoiStatus(status).label, "action": f"mark_{status}",
            "opts": modeladmin.model._meta, "title": _("Decide: %(status)s") % {
                "status": EoiStatus(status).label},
        }, status=400 if form.is_bound else 200)

    action.__name__ = f"mark_{status}"
    return admin.action(description=_("Mark as %(status)s …") % {
        "status": EoiStatus(status).label})(action)


NOT_SCORED, LEAVE_OUT = "", "leave-out"


class ScoreForm(forms.Form):
    """One reviewer's scores. Every criterion starts "not scored" (or at this reviewer's
    earlier score) and needs a choice: a score, or "leave out", which saves none for it and
    removes an earlier one."""

    def __init__(self, *args, criteria, initial_scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            value, note = initial_scores.get(criterion.pk, (None, ""))
            self.fields[f"value_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.name, initial=NOT_SCORED if value is None else str(value),
                choices=[(NOT_SCORED, _("– not scored –")),
                         *[(str(n), str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)],
                         (LEAVE_OUT, _("leave out (no score)"))],
                error_messages={"required": _(
                    "Choose a score for “%(criterion)s”, or leave it out.") % {
                    "criterion": criterion.name}})
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Note on %(criterion)s") % {"criterion": criterion.name},
                required=False, initial=note, widget=forms.Textarea(attrs={"rows": 2}))

    def scores(self):
        """Each criterion's (value, note); the value is None where the reviewer left it out."""
        def value(criterion):
            chosen = self.cleaned_data[f"value_{criterion.pk}"]
            return None if chosen == LEAVE_OUT else int(chosen)

        return {c: (value(c), self.cleaned_data[f"note_{c.pk}"]) for c in self.criteria}


@admin.register(ExpressionOfInterest)
class ExpressionOfInterestAdmin(PlainActionCheckbox, DeleteGuard, HistoryAdmin):
    """Applicants' content is theirs: staff read, score and decide here, never edit.

    A status changes only through the decision actions (``eoi_change_status``); a draft that
    was never submitted may be deleted (``eoi_delete_draft``); the history is read only.
    """

    list_display = ["reference", "city", "land", "status", "call", "submitted_at",
                    "score_summary"]
    list_filter = ["status", ("call", CallFilter), LandFilter,
                   TopicFilter, RoleFilter, VerifiedContactFilter]
    list_select_related = ["city", "call__programme"]
    search_fields = ["reference", "city__name", "city__ags", "contact_name", "contact_email"]
    inlines = [TopicInterestInline]
    actions = [decision_action(status) for status in
               (EoiStatus.SHORTLISTED, EoiStatus.ACCEPTED, EoiStatus.WAITLISTED,
                EoiStatus.DECLINED)]
    change_list_template = "admin/applications/expressionofinterest/change_list.html"
    change_form_template = "admin/applications/expressionofinterest/change_form.html"

    def get_queryset(self, request):
        return with_scores(super().get_queryset(request), reviewer=request.user)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the page shows the entry; saving it would only touch updated_at

    def delete_model(self, request, obj):
        eoi_delete_draft(eoi=obj)

    def delete_queryset(self, request, queryset):
        for eoi in queryset:
            eoi_delete_draft(eoi=eoi)

    @admin.display(description=_("Land"))
    def land(self, eoi):
        return eoi.city.land or "–"

    @admin.display(description=_("Score (average, lowest–highest, reviewers)"))
    def score_summary(self, eoi):
        # Blind review: the others' scores show only once this reviewer has scored.
        if not eoi.scored_by_me:
            return _("score first") if eoi.reviewers else "–"
        return f"{eoi.score_average:.1f} ({eoi.score_min}–{eoi.score_max}, {eoi.reviewers})"

    def get_urls(self):
        own = [
            path("<int:pk>/score/", self.admin_site.admin_view(self.score_view),
                 name="applications_expressionofinterest_score"),
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view),
                 name="applications_expressionofinterest_dashboard"),
            path("export.csv", self.admin_site.admin_view(self.export_csv),
                 name="applications_expressionofinterest_export_csv"),
            path("export.xlsx", self.admin_site.admin_view(self.export_xlsx),
                 name="applications_expressionofinterest_export_xlsx"),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        eoi = self.get_object(request, object_id)
        scored = eoi is not None and eoi.scores.filter(reviewer=request.user).exists()
        scores = (eoi.scores.select_related("criterion", "reviewer").order_by(
            "reviewer__email", "criterion__order") if scored else [])
        return super().change_view(request, object_id, form_url, {
            **(extra_context or {}), "scored_by_me": scored, "all_scores": scores})

    def score_view(self, request, pk):
        eoi = self.get_object(request, str(pk))
        if eoi is None or not self.has_view_permission(request, eoi):
            raise Http404
        criteria = Criterion.objects.filter(programme=eoi.call.programme)
        mine = {s.criterion_id: (s.value, s.note)
                for s in eoi.scores.filter(reviewer=request.user)}
        form = ScoreForm(request.POST if request.method == "POST" else None, criteria=criteria,
                         initial_scores=mine)
        if form.is_bound and form.is_valid():
            scores_save(eoi=eoi, reviewer=request.user, scores=form.scores())
            self.message_user(request, _("Your scores are saved."))
            return redirect("admin:applications_expressionofinterest_change", eoi.pk)
        return TemplateResponse(request, "admin/applications/score.html", {
            **self.admin_site.each_context(request), "form": form, "eoi": eoi,
            "opts": self.model._meta, "title": _("Score %(eoi)s") % {"eoi": eoi},
        }, status=400 if form.is_bound else 200)

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise Http404
        return TemplateResponse(request, "admin/applications/dashboard.html", {
            **self.admin_site.each_context(request), "figures": dashboard_figures(),
            "opts": self.model._meta, "title": _("Selection dashboard")})

    def _export(self, request, write):
        """The filtered list as a file, with the scores this reviewer may see."""
        try:
            queryset = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            self.message_user(request, _("The export's filters are not valid; choose them "
                                         "again in the list."), messages.ERROR)
            return redirect("admin:applications_expressionofinterest_changelist")
        header = [label for _key, label in EXPORT_COLUMNS]
        rows = [[row[key] for key, _label in EXPORT_COLUMNS]
                for row in export_rows(queryset, reviewer=request.user)]
        return write(header, rows)

    def export_csv(self, request):
        return self._export(request, lambda header, rows: download(
            csv_text(header, rows), CSV_TYPE, "expressions-of-interest.csv"))

    def export_xlsx(self, request):
        return self._export(request, lambda header, rows: download(
            xlsx_bytes([Sheet("Expressions of interest", header, rows)]), XLSX_TYPE,
            "expressions-of-interest.xlsx"))


@admin.register(Criterion)
class CriterionAdmin(LabelledListEditable, DeleteGuard, admin.ModelAdmin):
    list_display = ["name_de", "name_en", "order", "programme"]
    list_editable = ["order"]


@admin.register(LateEntry)
class LateEntryAdmin(DeleteGuard, HistoryAdmin):
    """Deleting a late entry revokes it (its history stays); changing it goes through
    ``late_entry_grant``."""

    list_display = ["city", "call", "expires_at", "granted_by", "granted_at"]
    list_select_related = ["city", "call__programme", "granted_by"]
    fields = ["call", "city", "reason", "expires_at"]
    autocomplete_fields = ["city"]

    def save_model(self, request, obj, form, change):
        # The one write path: it checks the expiry and records who granted it.
        granted = late_entry_grant(call=obj.call, city=obj.city, reason=obj.reason,
                                   expires_at=obj.expires_at, by=request.user,
                                   now=timezone.now())
        obj.pk = granted.pk
