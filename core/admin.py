"""What the project's admin pages share: accessible lists, read-only inlines, deletions that
keep what stays on record, and a history that is read, never restored."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import NestedObjects, quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper, ObjDiffDisplay

from core.clock import german_time


class LabelledListEditable:
    """Give the inputs of an admin list's editable columns an accessible name.

    Django renders them without a <label>; screen readers (and axe's "label" rule) need
    one. The name is the column's label and the row's object, e.g. "Order: Funding".
    """

    def get_changelist_formset(self, request, **kwargs):
        formset_class = super().get_changelist_formset(request, **kwargs)

        class LabelledFormSet(formset_class):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name in self.form.base_fields:
                    if name in form.fields:
                        label = form.fields[name].label or name
                        row = f": {form.instance}" if form.instance.pk else ""
                        form.fields[name].widget.attrs["aria-label"] = f"{label}{row}"

        return LabelledFormSet


class PlainActionCheckbox:
    """The row checkbox of an admin list as one string: Django renders it through the form
    templates, a third of the time of a 100-row page. Same markup, name and label."""

    def action_checkbox(self, obj):
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="{}">', helpers.ACTION_CHECKBOX_NAME, obj.pk, label)


class ReadOnlyTabularInline(admin.TabularInline):
    """Rows shown with their parent and never changed here: they are written only through
    their services (a version, a step, a registration). Set ``fields``; all are read only."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# -- deleting: what stays on record ---------------------------------------------------------

@dataclass(frozen=True)
class _Kept:
    when: Callable | None  # None: every row of the model
    instead: str  # what staff do instead, as a sentence


_KEPT: dict[type[models.Model], _Kept] = {}


def keep_on_record(model, *, instead, when=None) -> None:
    """Never hard-delete ``model``'s rows in the admin (only those for which ``when(obj)``
    is true, if given), nor let a deletion of another row cascade to them.

    ``instead`` says what to do instead (withdraw, cancel, dissolve, …). Each app registers
    its models from its ``admin.py``; :class:`DeleteGuard` asks, for the object and for every
    row its deletion would cascade to, so that deleting a criterion cannot take its scores.
    """
    _KEPT[model] = _Kept(when, instead)


def kept_rule(model) -> _Kept | None:
    return _KEPT.get(model)


def _is_kept(obj) -> bool:
    rule = _KEPT.get(type(obj))
    return rule is not None and (rule.when is None or bool(rule.when(obj)))


def delete_refusals(objects) -> list[str]:
    """Why ``objects`` (a queryset or a list of one model's rows) may not be deleted: one
    message per row that stays on record, and per kind of kept row a deletion would take
    with it. Empty: the deletion may go ahead."""
    objects = list(objects)
    refusals = [_("%(object)s stays on record: %(instead)s") % {
        "object": capfirst(str(obj)), "instead": _KEPT[type(obj)].instead}
        for obj in objects if _is_kept(obj)]
    rest = [obj for obj in objects if not _is_kept(obj)]
    if not rest:
        return refusals
    collector = NestedObjects(using=router.db_for_write(type(rest[0])))
    collector.collect(rest)
    selected = set(rest)
    for model, rows in collector.data.items():
        kept = [row for row in rows if row not in selected and _is_kept(row)]
        if kept:
            refusals.append(_(
                "The deletion would also delete %(name)s (%(count)d), which stay on record: "
                "%(instead)s") % {"name": model._meta.verbose_name_plural, "count": len(kept),
                                  "instead": _KEPT[model].instead})
    return refusals


class DeleteGuard:
    """Deleting in the admin keeps what stays on record (:func:`keep_on_record`).

    The change page shows no delete button for a kept row; its delete page and the bulk
    "delete selected" action refuse with a message that says what to do instead, also
    when the deletion would cascade to kept rows. Nothing is deleted then.
    """

    def has_delete_permission(self, request, obj=None):
        rule = _KEPT.get(self.model)
        if rule is not None and (rule.when is None or (obj is not None and rule.when(obj))):
            return False
        return super().has_delete_permission(request, obj)

    def _refuse_delete(self, request, refusals) -> None:
        for message in refusals[:10]:
            self.message_user(request, message, messages.ERROR)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_view_or_change_permission(request, obj):
            refusals = delete_refusals([obj])
            if refusals:
                self._refuse_delete(request, refusals)
                opts = self.model._meta
                return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            func, name, description = actions["delete_selected"]
            actions[name] = (self._guarded(func), name, description)
        return actions

    @staticmethod
    def _guarded(delete_selected):
        def guarded_delete_selected(modeladmin, request, queryset):
            refusals = delete_refusals(queryset)
            if refusals:
                modeladmin._refuse_delete(request, [_("Nothing was deleted."), *refusals])
                return None
            return delete_selected(modeladmin, request, queryset)

        guarded_delete_selected.allowed_permissions = ("delete",)
        return guarded_delete_selected


# -- history: readable, never restored ------------------------------------------------------

EMPTY = "–"


def display_value(field, value) -> str:
    """A stored value as people read it: a choice's label, yes or no, a date or a time in
    German time, a name instead of an id, "–" for nothing."""
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value) if value else None
    if value is None or value == "":
        return EMPTY
    choices = getattr(field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime):
        return date_format(german_time(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


class _ShortDiff(ObjDiffDisplay):
    def shortened_str(self, prefix: str, num_skipped_chars: int, suffix: str) -> str:
        return prefix + (ngettext(" […%(count)d character…] ", " […%(count)d characters…] ",
                                  num_skipped_chars) % {"count": num_skipped_chars}) + suffix


class _ReadableChanges(HistoricalRecordContextHelper):
    """The changes between two versions with the fields' labels and display values."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.many_to_many:
            return super().prepare_delta_change_value(change, value)
        return display_value(field, value)

    def get_obj_diff_display(self):
        return _ShortDiff(max_length=self.max_displayed_delta_change_chars)


def _field_value(instance, field):
    if field.is_relation:
        try:
            return getattr(instance, field.name)
        except field.related_model.DoesNotExist:
            return _("deleted (%(id)s)") % {"id": getattr(instance, field.attname)}
    return getattr(instance, field.attname)


class HistoryAdmin(SimpleHistoryAdmin):
    """The admin's History: who changed what and when, readable and never restored.

    simple-history's "revert" saves an old version through the change form, around every
    service: a status, a workflow field or an applicant's answers went back without a
    reason, a check or a mail. Here the list shows each version with the fields' labels,
    display values and German time; a version opens read-only, and a POST to it (the
    revert) is refused with a message. The one implementation for every model with history.
    """

    object_history_list_template = "admin/history/object_history_list.html"
    object_history_form_template = "admin/history/version.html"

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_view_title(self, request, obj):
        return _("History of %(object)s") % {"object": obj}

    def get_historical_record_context_helper(self, request, historical_record):
        return _ReadableChanges(self.model, historical_record)

    def _valid_pk(self, value) -> bool:
        try:
            self.model._meta.pk.to_python(value)
        except ValidationError:
            return False
        return True

    def history_view(self, request, object_id, extra_context=None):
        if not self._valid_pk(unquote(object_id)):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        opts = self.model._meta
        history = getattr(self.model, opts.simple_history_manager_attribute)
        object_id = unquote(object_id)
        if not (self._valid_pk(object_id) and str(version_id).isdigit()):
            raise Http404
        record = get_object_or_404(history.model, history_id=version_id,
                                   **{opts.pk.attname: object_id})
        obj = record.instance
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied
        history_url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
                              "_history", args=[quote(object_id)])
        if request.method not in ("GET", "HEAD"):
            self.message_user(request, _(
                "Earlier versions are kept to read, not to restore. Change %(object)s on its "
                "own page or with its actions, so that its rules, reasons and e-mails apply.")
                % {"object": obj}, messages.ERROR)
            return redirect(history_url)
        tracked = {field.name for field in record.tracked_fields if not field.primary_key}
        rows = [(capfirst(field.verbose_name), display_value(field, _field_value(obj, field)))
                for field in opts.concrete_fields if field.name in tracked]
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(object)s as of %(date)s") % {
                "object": obj, "date": display_value(None, record.history_date)},
            "record": record, "rows": rows, "original": obj, "opts": opts,
            "app_label": opts.app_label, "history_url": history_url,
            "change_url": reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
                                  "_change", args=[quote(object_id)]),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_form_template, context)
